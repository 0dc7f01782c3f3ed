package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/personal"
)

// personFlags adds the flags that say who a person is.
func personFlags(fs *flag.FlagSet) *personal.Person {
	var p personal.Person
	fs.StringVar(&p.Email, "email", "", "the person's e-mail address (any case)")
	fs.StringVar(&p.Phone, "phone", "", "the person's phone number (its digits are compared)")
	fs.StringVar(&p.DeviceID, "device-id", "", "the device id their app sent")
	return &p
}

// personalFind is `personal find` (the export of what is stored about a person, as JSON on
// stdout) and, with erase, `personal erase` (which then erases it and says what it erased).
func (c *cli) personalFind(ctx context.Context, b *backend, args []string, erase bool) error {
	name := "personal find"
	if erase {
		name = "personal erase"
	}
	fs := c.newFlags(name, name+" -email E | -phone P | -device-id D")
	p := personFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if p.Empty() {
		return badUsage("%s: give the person's -email, -phone or -device-id", name)
	}
	st, done, err := b.open(ctx, false)
	if err != nil {
		return err
	}
	defer done()
	o, err := b.opener(ctx)
	if err != nil {
		return err
	}
	found, err := personal.Find(ctx, st, o, *p)
	if err != nil {
		return fmt.Errorf("%s (is this the key of %s?)", oneLine(err), b)
	}
	if !erase {
		if found == nil {
			found = []personal.Record{}
		}
		out, err := json.MarshalIndent(found, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s\n", out)
		return nil
	}
	n, err := personal.Erase(ctx, st, found, c.now())
	if err != nil {
		return fmt.Errorf("erased %d of %d requests, then: %w", n, len(found), err)
	}
	var ids []string
	for _, r := range found {
		ids = append(ids, r.JurisdictionID+"/"+r.RequestID)
	}
	fmt.Fprintf(c.stdout, "erased the reporter of %d requests", n)
	if len(ids) > 0 {
		fmt.Fprintf(c.stdout, ": %s", strings.Join(ids, ", "))
	}
	fmt.Fprintln(c.stdout)
	return nil
}

// personalSweep is `personal sweep`: the retention function's run, from the operator's machine.
func (c *cli) personalSweep(ctx context.Context, b *backend, args []string) error {
	fs := c.newFlags("personal sweep", "personal sweep [-days N]")
	days := fs.String("days", "365", "erase the reporter of requests closed more than this many days ago (0: none)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	n, err := personal.ParseDays(*days)
	if err != nil {
		return badUsage("personal sweep: -days %v", err)
	}
	if n == 0 {
		fmt.Fprintln(c.stdout, "a retention of 0 days keeps every reporter: nothing erased")
		return nil
	}
	st, done, err := b.open(ctx, false)
	if err != nil {
		return err
	}
	defer done()
	swept, err := personal.Sweep(ctx, st, time.Duration(n)*24*time.Hour, c.now(), slog.New(slog.DiscardHandler))
	if err != nil {
		return fmt.Errorf("erased %d, then: %w", len(swept.Erased), err)
	}
	fmt.Fprintf(c.stdout, "erased the reporter of %d requests closed before %s", len(swept.Erased), swept.Cutoff.UTC().Format(time.RFC3339))
	if len(swept.Erased) > 0 {
		fmt.Fprintf(c.stdout, ": %s", strings.Join(swept.Erased, ", "))
	}
	fmt.Fprintln(c.stdout)
	return nil
}
