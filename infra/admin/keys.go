package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/civicworks/open311/pkg/open311"
)

// keysCreate is `keys create`: a new random secret whose hash alone is stored. The secret is
// printed here and nowhere else; the hash is the key's id for revoking.
func (c *cli) keysCreate(ctx context.Context, b *backend, args []string) error {
	fs := c.newFlags("keys create", "keys create -role reporter|staff [-jurisdiction ID] -label TEXT")
	role := fs.String("role", "", "reporter (creates requests) or staff (also updates them)")
	jur := fs.String("jurisdiction", "", "the one jurisdiction the key may act in (default: all)")
	label := fs.String("label", "", "who holds the key, for operators (e.g. the app's name)")
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
		Created:        c.now().UTC(),
	}
	if err := st.PutAPIKey(ctx, k); err != nil {
		return b.explain(fmt.Errorf("store key: %w", err))
	}
	fmt.Fprintf(c.stdout, "created %s key %q for %s in %s\n", k.Role, k.Label, scope(k), b)
	fmt.Fprintf(c.stdout, "hash:   %s  (the key's id, for 'keys revoke -hash')\n", k.Hash)
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
