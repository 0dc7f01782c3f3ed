package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store/bolt"
)

// at runs the command with the clock at now.
func at(t *testing.T, now time.Time, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	c := &cli{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }, now: func() time.Time { return now }}
	code := c.run(context.Background(), args)
	return result{code, stdout.String(), stderr.String()}
}

// TestKeyExpiry checks -expires: a day is worked through (the key expires at the next midnight,
// UTC), a time is taken as given, a duration counts from now; the key stored carries it, it
// allows until then and not after, and keys create says when.
func TestKeyExpiry(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	mustRun(t, "-data", data, "catalog", "load", demoCatalog)
	now := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		expires string
		want    time.Time
	}{
		{"2027-06-30", time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC)},
		{"2027-06-30T17:00:00-04:00", time.Date(2027, 6, 30, 21, 0, 0, 0, time.UTC)},
		{"90d", now.AddDate(0, 0, 90)},
		{"36h", now.Add(36 * time.Hour)},
		{"", time.Time{}},
	} {
		args := []string{"-data", data, "keys", "create", "-role", "staff", "-jurisdiction", "city.example.org", "-label", "crew " + c.expires}
		if c.expires != "" {
			args = append(args, "-expires", c.expires)
		}
		r := at(t, now, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		_, hash := created(t, r)
		want := "expires: never"
		if !c.want.IsZero() {
			want = "expires: " + c.want.Format(time.RFC3339)
		}
		if !strings.Contains(r.stdout, want+"\n") {
			t.Errorf("-expires %q printed %q, want %q", c.expires, r.stdout, want)
		}
		withBolt(t, data, func(st *bolt.Store) {
			k, err := st.APIKey(ctx, hash)
			if err != nil {
				t.Fatal(err)
			}
			if !k.Expires.Equal(c.want) {
				t.Errorf("-expires %q stored %v, want %v", c.expires, k.Expires, c.want)
			}
			if !k.AllowsAt("city.example.org", now) {
				t.Errorf("-expires %q: the new key does not allow now", c.expires)
			}
			if !c.want.IsZero() && (k.AllowsAt("city.example.org", c.want) || !k.AllowsAt("city.example.org", c.want.Add(-time.Second))) {
				t.Errorf("-expires %q: the key allows at %v", c.expires, c.want)
			}
		})
	}
}

// TestKeysList checks keys list: on a store with no key it says how to make one; it lists the
// keys made and revoked with the other commands, oldest first; its table shows each key's id,
// role, jurisdiction, dates and state, and never its hash.
func TestKeysList(t *testing.T) {
	data := t.TempDir()
	mustRun(t, "-data", data, "catalog", "load", demoCatalog)
	r := mustRun(t, "-data", data, "keys", "list")
	if !strings.Contains(r.stdout, "has no API keys: make one with keys create") {
		t.Errorf("keys list of a store without keys: %q", r.stdout)
	}
	_, appHash := created(t, mustRun(t, "-data", data, "keys", "create", "-role", "reporter", "-label", "City app"))
	_, staffHash := created(t, mustRun(t, "-data", data, "keys", "create", "-role", "staff", "-jurisdiction", "city.example.org", "-label", "Dispatch", "-expires", "2099-01-31"))
	mustRun(t, "-data", data, "keys", "revoke", "-hash", appHash)
	r = mustRun(t, "-data", data, "keys", "list")
	listed := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if len(listed) != 3 ||
		!regexp.MustCompile(`^`+appHash[:12]+` +reporter +\(every\) +\S+ +never +yes +never +City app$`).MatchString(listed[1]) ||
		!regexp.MustCompile(`^`+staffHash[:12]+` +staff +city\.example\.org +\S+ +2099-02-01T00:00:00Z +no +never +Dispatch$`).MatchString(listed[2]) {
		t.Errorf("keys list after creating two keys and revoking the first:\n%s", r.stdout)
	}

	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	keys := []open311.APIKey{
		{Hash: open311.HashKey("b"), Role: open311.RoleStaff, JurisdictionID: "city.example.org", Label: "Public Works\tdispatch",
			Created: now.Add(-48 * time.Hour), Expires: now.Add(-time.Hour)},
		{Hash: open311.HashKey("a"), Role: open311.RoleReporter, Label: "City app", Created: now.Add(-72 * time.Hour), LastUsed: now.Add(-24 * time.Hour)},
		{Hash: open311.HashKey("c"), Role: open311.RoleReporter, Label: "Old app", Created: now.Add(-24 * time.Hour), Revoked: true,
			Expires: time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC), LastUsed: now.Add(-48 * time.Hour)},
	}
	var out bytes.Buffer
	writeKeys(&out, keys, now)
	got := out.String()
	for _, k := range keys {
		if strings.Contains(got, k.Hash[:20]) {
			t.Errorf("keys list shows more of a hash than its id:\n%s", got)
		}
	}
	want := []*regexp.Regexp{
		regexp.MustCompile(`^ID +ROLE +JURISDICTION +CREATED +EXPIRES +REVOKED +LAST USED +LABEL$`),
		regexp.MustCompile(`^` + keys[1].ID() + ` +reporter +\(every\) +2026-11-28T00:00:00Z +never +no +2026-11-30 +City app$`),
		regexp.MustCompile(`^` + keys[0].ID() + ` +staff +city\.example\.org +2026-11-29T00:00:00Z +2026-11-30T23:00:00Z \(expired\) +no +never +Public Works dispatch$`),
		regexp.MustCompile(`^` + keys[2].ID() + ` +reporter +\(every\) +2026-11-30T00:00:00Z +2027-06-30T00:00:00Z +yes +2026-11-29 +Old app$`),
	}
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("keys list printed %d lines, want %d (oldest first):\n%s", len(lines), len(want), got)
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d %q does not match %s", i, lines[i], re)
		}
	}
}
