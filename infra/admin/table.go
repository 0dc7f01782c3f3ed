package main

import (
	"context"
	"fmt"

	"github.com/civicworks/open311/pkg/store/dynamo"
)

// tableCreate is `table create`: the table of the dynamo package's schema, for a test server or
// a table kept outside the SAM template (a deployment's table comes from template.yaml).
func (c *cli) tableCreate(ctx context.Context, b *backend, args []string) error {
	fs := c.newFlags("table create", "-store dynamo -table NAME table create")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if b.kind != storeDynamo {
		return badUsage("table create is for -store dynamo; the bolt store makes its file itself")
	}
	client, err := b.client(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "creating %s (waits until it is active)\n", b)
	if err := dynamo.CreateTable(ctx, client, b.table); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "created table %s: keys PK/SK, indexes GSI1 and GSI2, stream NEW_AND_OLD_IMAGES, TTL on expires_at\n", b.table)
	return nil
}
