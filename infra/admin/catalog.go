package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/civicworks/open311/pkg/catalog"
	"github.com/civicworks/open311/pkg/open311"
)

// catalogLoad is `catalog load FILE`: it reads and checks the file before opening the store, so
// a bad file changes nothing, then loads it and prints each step.
func (c *cli) catalogLoad(ctx context.Context, b *backend, args []string) error {
	fs := c.newFlags("catalog load", "catalog load FILE")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch fs.NArg() {
	case 0:
		return badUsage("catalog load: which file? (e.g. infra/catalog/demo.json)")
	case 1:
	default:
		return badUsage("catalog load: one file at a time, got %d", fs.NArg())
	}
	path := fs.Arg(0)
	f, err := catalog.ReadFile(path)
	if err != nil {
		return err
	}
	st, done, err := b.open(ctx, true)
	if err != nil {
		return err
	}
	defer done()
	fmt.Fprintf(c.stdout, "loading %s into %s\n", path, b)
	steps, err := catalog.Load(ctx, st, f, c.now())
	for _, s := range steps {
		fmt.Fprintln(c.stdout, "  "+s)
	}
	if err != nil {
		return b.explain(fmt.Errorf("load %s (the steps above were done): %w", path, err))
	}
	services := 0
	for _, j := range f.Jurisdictions {
		services += len(j.Services)
	}
	fmt.Fprintf(c.stdout, "loaded %s, %s\n", plural(len(f.Jurisdictions), "jurisdiction"), plural(services, "service"))
	return nil
}

// catalogShow is `catalog show [-jurisdiction ID]`: every jurisdiction, or one, with a table of
// its services.
func (c *cli) catalogShow(ctx context.Context, b *backend, args []string) error {
	fs := c.newFlags("catalog show", "catalog show [-jurisdiction ID]")
	only := fs.String("jurisdiction", "", "show only this jurisdiction")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	st, done, err := b.open(ctx, false)
	if err != nil {
		return err
	}
	defer done()

	var jurs []open311.Jurisdiction
	if *only != "" {
		j, err := st.Jurisdiction(ctx, *only)
		if open311.IsKind(err, open311.NotFound) {
			return fmt.Errorf("no jurisdiction %q in %s", *only, b)
		}
		if err != nil {
			return b.explain(fmt.Errorf("read jurisdiction %s: %w", *only, err))
		}
		jurs = []open311.Jurisdiction{j}
	} else {
		jurs, err = st.Jurisdictions(ctx)
		if err != nil {
			return b.explain(fmt.Errorf("read jurisdictions: %w", err))
		}
		if len(jurs) == 0 {
			fmt.Fprintf(c.stdout, "%s has no jurisdictions: load a catalog with 'catalog load FILE'\n", b)
			return nil
		}
	}
	for i, j := range jurs {
		svcs, err := st.Services(ctx, j.ID)
		if err != nil {
			return b.explain(fmt.Errorf("read services of %s: %w", j.ID, err))
		}
		if i > 0 {
			fmt.Fprintln(c.stdout)
		}
		fmt.Fprintf(c.stdout, "%s  %s  (time zone %s, changeset %s, %s)\n", j.ID, j.Name,
			orNone(j.TimeZone), j.Changeset.UTC().Format(time.RFC3339), plural(len(svcs), "service"))
		if len(svcs) == 0 {
			continue
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  CODE\tTYPE\tATTRIBUTES\tGROUP\tNAME")
		for _, s := range svcs {
			typ := string(s.Type)
			if s.Private() {
				typ += " (private)"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\n", s.Code, typ, len(s.Attributes), orNone(s.Group), s.Name)
		}
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	return nil
}

// plural returns "1 service", "2 services".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// orNone returns s, or "-" for an empty s, so columns stay aligned.
func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
