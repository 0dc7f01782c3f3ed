package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/civicworks/open311/pkg/awstest"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store/bolt"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

// TestMain stops the moto server the DynamoDB test starts (see package awstest).
func TestMain(m *testing.M) { awstest.Main(m) }

// demoCatalog is the catalog the local stack seeds itself with.
const demoCatalog = "../catalog/demo.json"

// result is what one run of the command printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// admin runs the command with args and returns what it did.
func admin(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// mustRun runs the command and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) result {
	t.Helper()
	r := admin(t, args...)
	if r.code != 0 {
		t.Fatalf("admin %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

var (
	secretLine = regexp.MustCompile(`(?m)^secret: (\S+)$`)
	hashLine   = regexp.MustCompile(`(?m)^hash:\s+([0-9a-f]{64})\b`)
)

// created returns the secret and hash that keys create printed.
func created(t *testing.T, r result) (secret, hash string) {
	t.Helper()
	s, h := secretLine.FindStringSubmatch(r.stdout), hashLine.FindStringSubmatch(r.stdout)
	if s == nil || h == nil {
		t.Fatalf("keys create printed no secret or hash:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "cannot be shown again") {
		t.Errorf("keys create does not warn that the secret cannot be shown again:\n%s", r.stdout)
	}
	return s[1], h[1]
}

// openBolt opens the bolt store of a data folder for checking, closing it when the test ends.
func openBolt(t *testing.T, data string) *bolt.Store {
	t.Helper()
	st, err := bolt.Open(filepath.Join(data, "open311.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// withBolt opens the bolt store of a data folder, runs check and closes it again, so that
// the command can open the file afterwards.
func withBolt(t *testing.T, data string, check func(*bolt.Store)) {
	t.Helper()
	st, err := bolt.Open(filepath.Join(data, "open311.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	check(st)
}

func TestCatalogLoadAndShow(t *testing.T) {
	data := t.TempDir()
	r := mustRun(t, "-data", data, "catalog", "load", demoCatalog)
	for _, want := range []string{
		"loading " + demoCatalog + " into bolt store " + filepath.Join(data, "open311.db"),
		"  jurisdiction city.example.org\n",
		"  service city.example.org/pothole\n",
		"loaded 1 jurisdiction, 7 services\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("catalog load output lacks %q:\n%s", want, r.stdout)
		}
	}

	for _, args := range [][]string{{}, {"-jurisdiction", "city.example.org"}} {
		r = mustRun(t, append([]string{"-data", data, "catalog", "show"}, args...)...)
		for _, want := range []*regexp.Regexp{
			regexp.MustCompile(`(?m)^city\.example\.org  Example City  \(time zone America/New_York, changeset \S+Z, 7 services\)$`),
			regexp.MustCompile(`(?m)^  CODE +TYPE +ATTRIBUTES +GROUP +NAME$`),
			regexp.MustCompile(`(?m)^  pothole +realtime +4 +Streets +Pothole$`),
			regexp.MustCompile(`(?m)^  bulk-pickup +batch +2 +Sanitation +Bulk item pickup$`),
			regexp.MustCompile(`(?m)^  code-concern +blackbox \(private\) +0 +Code Enforcement +Building code concern$`),
		} {
			if !want.MatchString(r.stdout) {
				t.Errorf("catalog show %v output does not match %s:\n%s", args, want, r.stdout)
			}
		}
	}

	r = admin(t, "-data", data, "catalog", "show", "-jurisdiction", "nowhere.example.org")
	if r.code != 1 || !strings.Contains(r.stderr, `no jurisdiction "nowhere.example.org"`) {
		t.Errorf("show of an unknown jurisdiction: exit %d, stderr %q; want 1 and a clear message", r.code, r.stderr)
	}
}

func TestCatalogShowEmptyAndMissing(t *testing.T) {
	data := t.TempDir()
	r := admin(t, "-data", data, "catalog", "show")
	if r.code != 1 || !strings.Contains(r.stderr, "no store at "+filepath.Join(data, "open311.db")) {
		t.Errorf("show without a store: exit %d, stderr %q; want 1 and no store at", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "open311.db")); err == nil {
		t.Error("catalog show created a store file")
	}
	withBolt(t, data, func(*bolt.Store) {}) // an empty store
	r = mustRun(t, "-data", data, "catalog", "show")
	if !strings.Contains(r.stdout, "has no jurisdictions") {
		t.Errorf("show of an empty store: %q", r.stdout)
	}
}

func TestCatalogReloadRemovesDroppedService(t *testing.T) {
	data := t.TempDir()
	mustRun(t, "-data", data, "catalog", "load", demoCatalog)

	// The same catalog without graffiti, and with pothole renamed.
	raw, err := os.ReadFile(demoCatalog)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	jur := doc["jurisdictions"].([]any)[0].(map[string]any)
	var kept []any
	for _, s := range jur["services"].([]any) {
		svc := s.(map[string]any)
		switch svc["service_code"] {
		case "graffiti":
			continue
		case "pothole":
			svc["service_name"] = "Pothole or sunken road"
		}
		kept = append(kept, svc)
	}
	jur["services"] = kept
	changed, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "changed.json")
	if err := os.WriteFile(file, changed, 0o600); err != nil {
		t.Fatal(err)
	}

	r := mustRun(t, "-data", data, "catalog", "load", file)
	if !strings.Contains(r.stdout, "  removed service city.example.org/graffiti\n") {
		t.Errorf("reload does not report the removed service:\n%s", r.stdout)
	}
	r = mustRun(t, "-data", data, "catalog", "show")
	if strings.Contains(r.stdout, "graffiti") || !strings.Contains(r.stdout, "Pothole or sunken road") {
		t.Errorf("catalog show after reload:\n%s", r.stdout)
	}
	withBolt(t, data, func(st *bolt.Store) {
		_, err := st.Service(context.Background(), "city.example.org", "graffiti")
		if !open311.IsKind(err, open311.NotFound) {
			t.Errorf("graffiti after reload: err %v, want NotFound", err)
		}
	})
}

func TestCatalogLoadBadFileChangesNothing(t *testing.T) {
	data := t.TempDir()
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"jurisdictions": [{"id": "x", "servicez": []}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := admin(t, "-data", data, "catalog", "load", bad)
	if r.code != 1 || !strings.Contains(r.stderr, "servicez") {
		t.Errorf("load of a bad file: exit %d, stderr %q; want 1 naming the unknown field", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "open311.db")); err == nil {
		t.Error("a bad catalog file created the store")
	}
}

func TestKeys(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	mustRun(t, "-data", data, "catalog", "load", demoCatalog)

	// A staff key for one jurisdiction: the printed secret authenticates as that key.
	r := mustRun(t, "-data", data, "keys", "create", "-role", "staff", "-jurisdiction", "city.example.org", "-label", "Public Works dispatch")
	staffSecret, staffHash := created(t, r)
	if staffHash != open311.HashKey(staffSecret) {
		t.Errorf("printed hash %s is not the hash of the printed secret", staffHash)
	}
	if r.stderr != "" {
		t.Errorf("keys create wrote to stderr: %q", r.stderr)
	}
	withBolt(t, data, func(st *bolt.Store) {
		k, err := st.APIKey(ctx, open311.HashKey(staffSecret))
		if err != nil {
			t.Fatal(err)
		}
		if !k.Matches(staffSecret) || k.Role != open311.RoleStaff || k.JurisdictionID != "city.example.org" ||
			k.Label != "Public Works dispatch" || k.Revoked || time.Since(k.Created) > time.Minute {
			t.Errorf("stored key %+v", k)
		}
		if !k.Allows("city.example.org") || k.Allows("other.example.org") {
			t.Errorf("staff key scope: %+v", k)
		}
	})

	// A reporter key for every jurisdiction.
	r = mustRun(t, "-data", data, "keys", "create", "-role", "reporter", "-label", "FixMyStreet app")
	reporterSecret, reporterHash := created(t, r)
	if reporterSecret == staffSecret {
		t.Fatal("two keys with the same secret")
	}
	withBolt(t, data, func(st *bolt.Store) {
		k, err := st.APIKey(ctx, open311.HashKey(reporterSecret))
		if err != nil {
			t.Fatal(err)
		}
		if !k.Matches(reporterSecret) || k.Role != open311.RoleReporter || k.JurisdictionID != "" || !k.Allows("any.example.org") {
			t.Errorf("stored key %+v", k)
		}
	})

	// Revoke the staff key by its secret, the reporter key by its hash (in capitals, as
	// someone may copy it); the other key stays valid until its own turn.
	r = mustRun(t, "-data", data, "keys", "revoke", "-key", staffSecret)
	if !strings.Contains(r.stdout, "revoked key "+staffHash) || strings.Contains(r.stdout+r.stderr, staffSecret) {
		t.Errorf("revoke by key printed %q (stderr %q)", r.stdout, r.stderr)
	}
	withBolt(t, data, func(st *bolt.Store) {
		if k, err := st.APIKey(ctx, staffHash); err != nil || !k.Revoked || k.Allows("city.example.org") {
			t.Errorf("staff key after revoke: %+v, %v", k, err)
		}
		if k, err := st.APIKey(ctx, reporterHash); err != nil || k.Revoked {
			t.Errorf("reporter key after revoking the staff key: %+v, %v", k, err)
		}
	})
	r = mustRun(t, "-data", data, "keys", "revoke", "-hash", strings.ToUpper(reporterHash))
	if !strings.Contains(r.stdout, "revoked key "+reporterHash) {
		t.Errorf("revoke by hash printed %q", r.stdout)
	}
	withBolt(t, data, func(st *bolt.Store) {
		if k, err := st.APIKey(ctx, reporterHash); err != nil || !k.Revoked {
			t.Errorf("reporter key after revoke: %+v, %v", k, err)
		}
	})

	// Revoking again is harmless and says so.
	r = mustRun(t, "-data", data, "keys", "revoke", "-hash", staffHash)
	if !strings.Contains(r.stdout, "was already revoked") {
		t.Errorf("second revoke printed %q", r.stdout)
	}

	// A key for a jurisdiction the store does not have is refused.
	r = admin(t, "-data", data, "keys", "create", "-role", "staff", "-jurisdiction", "nowhere.example.org", "-label", "x")
	if r.code != 1 || !strings.Contains(r.stderr, `no jurisdiction "nowhere.example.org"`) || secretLine.MatchString(r.stdout) {
		t.Errorf("key for an unknown jurisdiction: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestRevokeSecretFromStdin(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	secret, hash := created(t, mustRun(t, "-data", data, "keys", "create", "-role", "reporter", "-label", "app"))

	var stdout, stderr bytes.Buffer
	c := &cli{stdin: strings.NewReader(secret + "\n"), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }, now: time.Now}
	if code := c.run(ctx, []string{"-data", data, "keys", "revoke", "-key", "-"}); code != 0 {
		t.Fatalf("revoke -key -: exit %d, stderr %q", code, stderr.String())
	}
	if strings.Contains(stdout.String(), secret) {
		t.Errorf("revoke printed the secret: %q", stdout.String())
	}
	withBolt(t, data, func(st *bolt.Store) {
		if k, err := st.APIKey(ctx, hash); err != nil || !k.Revoked {
			t.Errorf("key after revoke from stdin: %+v, %v", k, err)
		}
	})
}

func TestRevokeUnknown(t *testing.T) {
	data := t.TempDir()
	mustRun(t, "-data", data, "catalog", "load", demoCatalog)
	unknown := strings.Repeat("ab", 32)
	r := admin(t, "-data", data, "keys", "revoke", "-hash", unknown)
	if r.code != 1 || r.stderr != "admin: no API key with hash "+unknown+" in bolt store "+filepath.Join(data, "open311.db")+"\n" {
		t.Errorf("revoke of an unknown hash: exit %d, stderr %q", r.code, r.stderr)
	}
	const guess = "not-a-real-secret"
	r = admin(t, "-data", data, "keys", "revoke", "-key", guess)
	if r.code != 1 || !strings.Contains(r.stderr, "no API key with the given secret (hash "+open311.HashKey(guess)+")") {
		t.Errorf("revoke of an unknown secret: exit %d, stderr %q", r.code, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, guess) {
		t.Errorf("revoke printed the secret it was given: %q %q", r.stdout, r.stderr)
	}
}

func TestUsage(t *testing.T) {
	t.Setenv("TABLE_NAME", "") // "dynamo without table" must not find one in the environment
	hash := strings.Repeat("0", 64)
	for _, tc := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no command", nil, "no command given"},
		{"unknown command", []string{"frob"}, `unknown command "frob"`},
		{"unknown subcommand", []string{"keys", "rotate"}, `keys takes create, list or revoke, not "rotate"`},
		{"catalog alone", []string{"catalog"}, `catalog takes load or show, not ""`},
		{"unknown store", []string{"-store", "mysql", "catalog", "show"}, `-store is "mysql"`},
		{"unknown global flag", []string{"-verbose", "catalog", "show"}, "flag provided but not defined: -verbose"},
		{"table with bolt", []string{"-table", "t", "catalog", "show"}, "-table is for -store dynamo"},
		{"data with dynamo", []string{"-store", "dynamo", "-table", "t", "-data", "d", "catalog", "show"}, "-data is for -store bolt"},
		{"dynamo without table", []string{"-store", "dynamo", "catalog", "show"}, "needs -table NAME or TABLE_NAME"},
		{"load without file", []string{"catalog", "load"}, "which file?"},
		{"load two files", []string{"catalog", "load", "a.json", "b.json"}, "one file at a time"},
		{"show with argument", []string{"catalog", "show", "city"}, `unexpected argument "city"`},
		{"show unknown flag", []string{"catalog", "show", "-all"}, "flag provided but not defined: -all"},
		{"create without role", []string{"keys", "create", "-label", "x"}, `-role is "", want reporter or staff`},
		{"create bad role", []string{"keys", "create", "-role", "admin", "-label", "x"}, `-role is "admin"`},
		{"create without label", []string{"keys", "create", "-role", "staff"}, "-label is required"},
		{"create blank label", []string{"keys", "create", "-role", "staff", "-label", "  "}, "-label is required"},
		{"staff key of every jurisdiction", []string{"keys", "create", "-role", "staff", "-label", "x"}, "a staff key needs -jurisdiction ID"},
		{"staff key of a blank jurisdiction", []string{"keys", "create", "-role", "staff", "-jurisdiction", " ", "-label", "x"}, "a staff key needs -jurisdiction ID"},
		{"expires not a time", []string{"keys", "create", "-role", "reporter", "-label", "x", "-expires", "soon"}, `-expires: "soon" is not a day (2027-06-30), a time`},
		{"expires in the past", []string{"keys", "create", "-role", "reporter", "-label", "x", "-expires", "2020-01-01"}, "is not in the future"},
		{"expires now", []string{"keys", "create", "-role", "reporter", "-label", "x", "-expires", "0s"}, "is not in the future"},
		{"list with argument", []string{"keys", "list", "all"}, `unexpected argument "all"`},
		{"revoke nothing", []string{"keys", "revoke"}, "give -hash HEX or -key SECRET"},
		{"revoke both", []string{"keys", "revoke", "-hash", hash, "-key", "s"}, "not both"},
		{"revoke short hash", []string{"keys", "revoke", "-hash", "abc"}, "-hash must be the 64 hex digits"},
		{"revoke non-hex hash", []string{"keys", "revoke", "-hash", strings.Repeat("z", 64)}, "-hash must be the 64 hex digits"},
		{"table create with bolt", []string{"table", "create"}, "table create is for -store dynamo"},
		{"table create argument", []string{"-store", "dynamo", "-table", "t", "table", "create", "now"}, `unexpected argument "now"`},
		{"table backfill with bolt", []string{"table", "backfill"}, "table backfill is for -store dynamo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			args := tc.args
			if !strings.Contains(strings.Join(args, " "), "-store") && !strings.Contains(strings.Join(args, " "), "-table") {
				args = append([]string{"-data", data}, args...)
			}
			r := admin(t, args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2 (stdout %q, stderr %q)", r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr %q lacks %q", r.stderr, tc.want)
			}
			if r.stdout != "" {
				t.Errorf("bad usage wrote to stdout: %q", r.stdout)
			}
			if _, err := os.Stat(filepath.Join(data, "open311.db")); err == nil {
				t.Error("bad usage created the store")
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"help"}, {"keys", "create", "-h"}} {
		r := admin(t, args...)
		if r.code != 0 || !strings.Contains(r.stdout+r.stderr, "usage: admin") {
			t.Errorf("admin %v: exit %d, output %q %q; want 0 and the usage", args, r.code, r.stdout, r.stderr)
		}
	}
}

func TestBoltLockedByLocalServer(t *testing.T) {
	data := t.TempDir()
	openBolt(t, data) // stands in for a running go run ./infra/local
	r := admin(t, "-data", data, "keys", "create", "-role", "reporter", "-label", "x")
	if r.code != 1 || !strings.Contains(r.stderr, "stop the local server") || secretLine.MatchString(r.stdout) {
		t.Errorf("with the store locked: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

var tableSeq atomic.Int64

// dynamoClient returns a client of a DynamoDB API server with dummy credentials.
func dynamoClient(endpoint string) *dynamodb.Client {
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

func TestDynamo(t *testing.T) {
	endpoint := awstest.Endpoint(t)
	ctx := context.Background()
	table := fmt.Sprintf("admin-test-%d-%d", time.Now().UnixNano(), tableSeq.Add(1))
	global := []string{"-store", "dynamo", "-endpoint", endpoint, "-table", table}
	dyn := func(args ...string) result { return mustRun(t, append(append([]string(nil), global...), args...)...) }

	// Before the table exists, a command says what is wrong.
	r := admin(t, append(append([]string(nil), global...), "catalog", "show")...)
	if r.code != 1 || !strings.Contains(r.stderr, "is the table name right?") {
		t.Errorf("show without a table: exit %d, stderr %q", r.code, r.stderr)
	}

	r = dyn("table", "create")
	if !strings.Contains(r.stdout, "created table "+table) {
		t.Errorf("table create printed %q", r.stdout)
	}
	r = dyn("catalog", "load", demoCatalog)
	if !strings.Contains(r.stdout, "into DynamoDB table "+table+" at "+endpoint) || !strings.Contains(r.stdout, "loaded 1 jurisdiction, 7 services") {
		t.Errorf("catalog load printed %q", r.stdout)
	}
	r = dyn("catalog", "show", "-jurisdiction", "city.example.org")
	if !regexp.MustCompile(`(?m)^  pothole +realtime +4 +Streets +Pothole$`).MatchString(r.stdout) {
		t.Errorf("catalog show printed %q", r.stdout)
	}
	secret, hash := created(t, dyn("keys", "create", "-role", "staff", "-jurisdiction", "city.example.org", "-label", "dispatch"))

	st := dynamo.New(dynamoClient(endpoint), table)
	if svcs, err := st.Services(ctx, "city.example.org"); err != nil || len(svcs) != 7 {
		t.Errorf("services in the table: %d, %v; want 7", len(svcs), err)
	}
	k, err := st.APIKey(ctx, open311.HashKey(secret))
	if err != nil {
		t.Fatal(err)
	}
	if k.Hash != hash || !k.Matches(secret) || k.Role != open311.RoleStaff || k.JurisdictionID != "city.example.org" || k.Revoked {
		t.Errorf("stored key %+v", k)
	}

	// A table of this version's store has nothing to backfill.
	req := open311.Request{ID: "R1", JurisdictionID: "city.example.org", ServiceCode: "pothole", Status: open311.Open,
		Requested: time.Now(), Updated: time.Now(), Address: "1 Main St", Version: 1}
	if err := st.CreateRequest(ctx, req, req.Created()); err != nil {
		t.Fatal(err)
	}
	if r := dyn("table", "backfill"); r.stdout != "city.example.org: 0 activities given their entry copy and service partition\ncity.example.org: 0 activities given their area cell (GSI4)\n0 requests holding a reporter given their GSI3 keys (the retention's index)\n0 hidden requests given their staff queue keys\n" {
		t.Errorf("table backfill printed %q", r.stdout)
	}

	dyn("keys", "revoke", "-hash", hash)
	if k, err := st.APIKey(ctx, hash); err != nil || !k.Revoked {
		t.Errorf("key after revoke: %+v, %v", k, err)
	}
	r = admin(t, append(append([]string(nil), global...), "keys", "revoke", "-hash", strings.Repeat("ab", 32))...)
	if r.code != 1 || !strings.Contains(r.stderr, "no API key with hash") {
		t.Errorf("revoke of an unknown hash: exit %d, stderr %q", r.code, r.stderr)
	}

	// TABLE_NAME stands in for -table.
	var stdout, stderr bytes.Buffer
	c := &cli{stdout: &stdout, stderr: &stderr, now: time.Now, getenv: func(name string) string {
		if name == "TABLE_NAME" {
			return table
		}
		return ""
	}}
	if code := c.run(ctx, []string{"-store", "dynamo", "-endpoint", endpoint, "keys", "create", "-role", "reporter", "-label", "app"}); code != 0 {
		t.Fatalf("keys create with TABLE_NAME: exit %d, stderr %q", code, stderr.String())
	}
	secret, _ = created(t, result{0, stdout.String(), stderr.String()})
	if k, err := st.APIKey(ctx, open311.HashKey(secret)); err != nil || k.Role != open311.RoleReporter {
		t.Errorf("key created with TABLE_NAME: %+v, %v", k, err)
	}

	// Creating the table again fails.
	r = admin(t, append(append([]string(nil), global...), "table", "create")...)
	if r.code != 1 {
		t.Errorf("second table create: exit %d, stderr %q", r.code, r.stderr)
	}
}
