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
// feeds list them, and the requests that are not public their HIDDEN# index keys, so that the
// staff queue lists them (docs/store-dynamodb.md, Migration). Safe to run again and while
// serving.
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
		n, err = st.BackfillAreas(ctx, id)
		if err != nil {
			return fmt.Errorf("backfill the area cells of %s (%d activities done): %w", id, n, err)
		}
		fmt.Fprintf(c.stdout, "%s: %d activities given their area cell (GSI4)\n", id, n)
	}
	r, err := st.BackfillReporters(ctx)
	if err != nil {
		return fmt.Errorf("backfill the index of reporters (%d requests done): %w", r, err)
	}
	fmt.Fprintf(c.stdout, "%d requests holding a reporter given their GSI3 keys (the retention's index)\n", r)
	// One Scan for all: the requests that need it are in no index.
	h, err := st.BackfillHidden(ctx, *only)
	if err != nil {
		return fmt.Errorf("backfill hidden requests (%d done): %w", h, err)
	}
	fmt.Fprintf(c.stdout, "%d hidden requests given their staff queue keys\n", h)
	return nil
}

// tableRestore is `table restore`: the way back from a point-in-time restore, which DynamoDB
// makes into a new table: the stack's table is made to hold what that table holds
// (dynamo.CopyTable), so that nothing of the stack needs repointing and the stream has the feed
// builder rebuild every feed that changes. docs/runbook.md says when and how.
func (c *cli) tableRestore(ctx context.Context, b *backend, args []string) error {
	fs := c.newFlags("table restore", "-store dynamo -table NAME table restore -from RESTORED [-keep-newer] [-dry-run]")
	from := fs.String("from", "", "the table DynamoDB restored to a point in time (restore-table-to-point-in-time's target)")
	keep := fs.Bool("keep-newer", false, "keep what -table has that -from does not (written after the point in time) instead of deleting it")
	dry := fs.Bool("dry-run", false, "say what would change, change nothing")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if b.kind != storeDynamo {
		return badUsage("table restore is for -store dynamo; for the bolt store, stop the local server and put a copy of open311.db back")
	}
	if *from == "" || *from == b.table {
		return badUsage("table restore: -from names the restored table, another than -table")
	}
	client, err := b.client(ctx)
	if err != nil {
		return err
	}
	res, err := dynamo.CopyTable(ctx, client, *from, b.table, dynamo.CopyOptions{KeepNewer: *keep, DryRun: *dry})
	if err != nil {
		return err
	}
	verb, del := "wrote", "deleted"
	if *dry {
		verb, del = "would write", "would delete"
	}
	fmt.Fprintf(c.stdout, "%s from table %s: %s %d items, %s %d, kept %d newer, %d already the same\n", b, *from, verb, res.Written, del, res.Deleted, res.Kept, res.Same)
	return nil
}
