package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/open311"
)

// reporterShow is `requests reporter`: what the reporter of one request gave of themselves,
// opened from its sealed form with the operator's key, as JSON on stdout. It is the one way to
// read it: the API never shows it, and the store holds it sealed.
func (c *cli) reporterShow(ctx context.Context, b *backend, args []string) error {
	fs := c.newFlags("requests reporter", "requests reporter -jurisdiction ID -id REQUEST")
	jur := fs.String("jurisdiction", "", "the request's jurisdiction")
	id := fs.String("id", "", "the request's service_request_id")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	*jur, *id = strings.TrimSpace(*jur), strings.TrimSpace(*id)
	if *jur == "" || *id == "" {
		return badUsage("requests reporter: give the request's -jurisdiction and -id")
	}
	st, done, err := b.open(ctx, false)
	if err != nil {
		return err
	}
	defer done()
	r, err := st.Request(ctx, *jur, *id)
	if open311.IsKind(err, open311.NotFound) {
		return fmt.Errorf("no request %s in jurisdiction %s of %s", *id, *jur, b)
	}
	if err != nil {
		return b.explain(fmt.Errorf("read request %s: %w", *id, err))
	}
	o, err := b.opener(ctx)
	if err != nil {
		return err
	}
	rep, err := desk.OpenReporter(ctx, o, r)
	if err != nil {
		return fmt.Errorf("%s (is this the key of %s?)", oneLine(err), b)
	}
	out, err := json.MarshalIndent(struct {
		JurisdictionID string           `json:"jurisdiction_id"`
		RequestID      string           `json:"service_request_id"`
		Reporter       open311.Reporter `json:"reporter"`
	}{r.JurisdictionID, r.ID, rep}, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s\n", out)
	return nil
}
