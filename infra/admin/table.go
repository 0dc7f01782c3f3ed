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
	fmt.Fprintf(c.stdout, "created table %s: keys PK/SK, indexes GSI1 and GSI2, stream KEYS_ONLY, TTL on expires_at\n", b.table)
	return nil
}

// tableBackfill is `table backfill`: gives the activities a table listed before they carried
// their request's entry copy that copy and their service's index partition, so that service
// feeds list them (docs/store-dynamodb.md, Migration). Safe to run again and while serving.
func (c *cli) tableBackfill(ctx context.Context, b *backend, args []string) error {
	fs := c.newFlags("table backfill", "-store dynamo -table NAME table backfill [-jurisdiction ID]")
	only := fs.String("jurisdiction", "", "backfill this jurisdiction only (default: every one)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if b.kind != storeDynamo {
		return badUsage("table backfill is for -store dynamo; the bolt store migrates its file when it opens it")
	}
	client, err := b.client(ctx)
	if err != nil {
		return err
	}
	st := dynamo.New(client, b.table)
	ids := []string{*only}
	if *only == "" {
		js, err := st.Jurisdictions(ctx)
		if err != nil {
			return err
		}
		ids = ids[:0]
		for _, j := range js {
			ids = append(ids, j.ID)
		}
	}
	for _, id := range ids {
		n, err := st.BackfillActivities(ctx, id)
		if err != nil {
			return fmt.Errorf("backfill %s (%d activities done): %w", id, n, err)
		}
		fmt.Fprintf(c.stdout, "%s: %d activities given their entry copy and service partition\n", id, n)
	}
	return nil
}
