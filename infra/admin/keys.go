package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/civicworks/open311/pkg/open311"
)

// keysCreate is `keys create`: a new random secret whose hash alone is stored. The secret is
// printed here and nowhere else; the hash is the key's id for revoking.
func (c *cli) keysCreate(ctx context.Context, b *backend, args []string) error {
	fs := c.newFlags("keys create", "keys create -role reporter|staff [-jurisdiction ID] -label TEXT [-expires DATE|DURATION]")
	role := fs.String("role", "", "reporter (creates requests) or staff (also updates them)")
	jur := fs.String("jurisdiction", "", "the one jurisdiction the key may act in (required for staff; a reporter key without it acts in all)")
	label := fs.String("label", "", "who holds the key, for operators (e.g. the app's name)")
	expires := fs.String("expires", "", "when the key stops working: a day (2027-06-30: it works through that day, UTC), a time (2027-06-30T17:00:00-04:00), or a duration from now (90d, 720h); default never")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	r := open311.Role(*role)
	if r != open311.RoleReporter && r != open311.RoleStaff {
		return badUsage("keys create: -role is %q, want reporter or staff", *role)
	}
	*label = strings.TrimSpace(*label)
	if *label == "" {
		return badUsage("keys create: -label is required: say who holds the key, so it can be found and revoked later")
	}
	*jur = strings.TrimSpace(*jur)
	if r == open311.RoleStaff && *jur == "" {
		return badUsage("keys create: a staff key needs -jurisdiction ID: staff change requests, and a key of every jurisdiction could change any city's")
	}
	now := c.now().UTC()
	var until time.Time
	if *expires != "" {
		var err error
		if until, err = parseExpiry(*expires, now); err != nil {
			return badUsage("keys create: -expires: %v", err)
		}
	}

	st, done, err := b.open(ctx, true)
	if err != nil {
		return err
	}
	defer done()
	if *jur != "" {
		// A key for a jurisdiction that does not exist would never work: refuse it now.
		_, err := st.Jurisdiction(ctx, *jur)
		if open311.IsKind(err, open311.NotFound) {
			return fmt.Errorf("no jurisdiction %q in %s: load the catalog first, or check the id with 'catalog show'", *jur, b)
		}
		if err != nil {
			return b.explain(fmt.Errorf("read jurisdiction %s: %w", *jur, err))
		}
	}
	secret := open311.NewSecret()
	k := open311.APIKey{
		Hash:           open311.HashKey(secret),
		Role:           r,
		JurisdictionID: *jur,
		Label:          *label,
		Created:        now,
		Expires:        until,
	}
	if err := st.PutAPIKey(ctx, k); err != nil {
		return b.explain(fmt.Errorf("store key: %w", err))
	}
	fmt.Fprintf(c.stdout, "created %s key %q for %s in %s\n", k.Role, k.Label, scope(k), b)
	fmt.Fprintf(c.stdout, "hash:   %s  (the key's id, for 'keys revoke -hash')\n", k.Hash)
	fmt.Fprintf(c.stdout, "id:     %s  (what the activities it makes record, and keys list shows)\n", k.ID())
	fmt.Fprintf(c.stdout, "expires: %s\n", expiry(k))
	fmt.Fprintf(c.stdout, "secret: %s\n", secret)
	fmt.Fprintln(c.stdout, "The secret is shown only now and cannot be shown again (only its hash is stored): hand it over securely.")
	return nil
}

// keysRevoke is `keys revoke -hash HEX` or `keys revoke -key SECRET`: it reads the key and puts
// it back with Revoked set. Revoking a revoked key says so and succeeds.
func (c *cli) keysRevoke(ctx context.Context, b *backend, args []string) error {
	fs := c.newFlags("keys revoke", "keys revoke -hash HEX | -key SECRET")
	hash := fs.String("hash", "", "the key's hash, as keys create printed it")
	secret := fs.String("key", "", "the key's secret; - reads it from stdin (keeps it out of shell history)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	switch {
	case *hash == "" && *secret == "":
		return badUsage("keys revoke: give -hash HEX or -key SECRET")
	case *hash != "" && *secret != "":
		return badUsage("keys revoke: give -hash or -key, not both")
	}
	var what string
	if *secret != "" {
		s := *secret
		if s == "-" {
			line, err := bufio.NewReader(c.stdin).ReadString('\n')
			if err != nil && line == "" {
				return fmt.Errorf("keys revoke: read the secret from stdin: %w", err)
			}
			s = line
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return badUsage("keys revoke: the secret is empty")
		}
		*hash = open311.HashKey(s)
		what = "the given secret (hash " + *hash + ")"
	} else {
		*hash = strings.ToLower(strings.TrimSpace(*hash))
		if raw, err := hex.DecodeString(*hash); err != nil || len(raw) != 32 {
			return badUsage("keys revoke: -hash must be the 64 hex digits keys create printed")
		}
		what = "hash " + *hash
	}

	st, done, err := b.open(ctx, false)
	if err != nil {
		return err
	}
	defer done()
	k, err := st.APIKey(ctx, *hash)
	if open311.IsKind(err, open311.NotFound) {
		return fmt.Errorf("no API key with %s in %s", what, b)
	}
	if err != nil {
		return b.explain(fmt.Errorf("read key: %w", err))
	}
	if k.Revoked {
		fmt.Fprintf(c.stdout, "key %s (%s %q for %s) was already revoked\n", k.Hash, k.Role, k.Label, scope(k))
		return nil
	}
	k.Revoked = true
	if err := st.PutAPIKey(ctx, k); err != nil {
		return b.explain(fmt.Errorf("store revoked key: %w", err))
	}
	fmt.Fprintf(c.stdout, "revoked key %s (%s %q for %s) in %s\n", k.Hash, k.Role, k.Label, scope(k), b)
	return nil
}

// scope describes where a key may act.
func scope(k open311.APIKey) string {
	if k.JurisdictionID == "" {
		return "every jurisdiction"
	}
	return "jurisdiction " + k.JurisdictionID
}

// expiry says when a key stops working.
func expiry(k open311.APIKey) string {
	if k.Expires.IsZero() {
		return "never"
	}
	return k.Expires.UTC().Format(time.RFC3339)
}

// days is a duration in whole days, 90d.
var days = regexp.MustCompile(`^(\d+)d$`)

// parseExpiry reads -expires: a day (the key works through it, UTC: it expires at the next
// midnight), an RFC 3339 time, or a duration from now (Go's, or whole days as 90d). The instant
// must be after now.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	var t time.Time
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		t = d.AddDate(0, 0, 1)
	} else if ts, err := time.Parse(time.RFC3339, s); err == nil {
		t = ts.UTC()
	} else if m := days.FindStringSubmatch(s); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 100*366 {
			return time.Time{}, fmt.Errorf("%q is too many days", s)
		}
		t = now.AddDate(0, 0, n)
	} else if d, err := time.ParseDuration(s); err == nil {
		t = now.Add(d)
	} else {
		return time.Time{}, fmt.Errorf("%q is not a day (2027-06-30), a time (2027-06-30T17:00:00Z) or a duration (90d, 720h)", s)
	}
	if !t.After(now) {
		return time.Time{}, fmt.Errorf("%s is not in the future", t.Format(time.RFC3339))
	}
	return t, nil
}

// keysList is `keys list`: every key's id, role, jurisdiction, label, creation, expiry,
// whether it is revoked and the day it was last used; never its secret (which is not stored) nor its full hash.
func (c *cli) keysList(ctx context.Context, b *backend, args []string) error {
	fs := c.newFlags("keys list", "keys list")
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
	keys, err := st.APIKeys(ctx)
	if err != nil {
		return b.explain(fmt.Errorf("list keys: %w", err))
	}
	if len(keys) == 0 {
		fmt.Fprintf(c.stdout, "%s has no API keys: make one with keys create\n", b)
		return nil
	}
	writeKeys(c.stdout, keys, c.now())
	return nil
}

// writeKeys prints keys as a table, oldest first: the key's id (APIKey.ID, the short hash
// prefix activities record), never more of the hash.
func writeKeys(w io.Writer, keys []open311.APIKey, now time.Time) {
	keys = append([]open311.APIKey(nil), keys...)
	sort.SliceStable(keys, func(i, j int) bool {
		if !keys[i].Created.Equal(keys[j].Created) {
			return keys[i].Created.Before(keys[j].Created)
		}
		return keys[i].ID() < keys[j].ID()
	})
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tJURISDICTION\tCREATED\tEXPIRES\tREVOKED\tLAST USED\tLABEL")
	for _, k := range keys {
		jur := k.JurisdictionID
		if jur == "" {
			jur = "(every)"
		}
		exp := "never"
		if !k.Expires.IsZero() {
			exp = k.Expires.UTC().Format(time.RFC3339)
			if k.ExpiredAt(now) {
				exp += " (expired)"
			}
		}
		revoked := "no"
		if k.Revoked {
			revoked = "yes"
		}
		used := "never"
		if !k.LastUsed.IsZero() {
			used = k.LastUsed.UTC().Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID(), k.Role, jur, k.Created.UTC().Format(time.RFC3339), exp, revoked, used, oneLineLabel(k.Label))
	}
	tw.Flush()
}

// oneLineLabel keeps a label on its line of the table.
func oneLineLabel(s string) string { return strings.Join(strings.Fields(s), " ") }
