// Command admin is the operator's tool for the catalog and the API keys, against either store:
// the embedded bbolt file of the local stack, or the DynamoDB table of a deployment.
//
//	go run ./infra/admin [-store bolt|dynamo] [-data data] [-table NAME] [-endpoint URL] <command> ...
//
// Commands:
//
//	catalog load FILE                      load a catalog file (jurisdictions, services, definitions);
//	                                       services the file no longer lists are removed
//	catalog show [-jurisdiction ID]        list jurisdictions and their services
//	keys create -role reporter|staff [-jurisdiction ID] -label TEXT [-expires DATE|DURATION]
//	                                       make a key (staff keys need -jurisdiction); its secret is
//	                                       printed once, only its hash is kept
//	keys list                              every key: id, role, jurisdiction, created, expires, revoked, last used,
//	                                       label (never the secret or the full hash)
//	keys revoke -hash HEX | -key SECRET    revoke a key (-key - reads the secret from stdin)
//	requests reporter -jurisdiction ID -id REQUEST
//	                                       what a request's reporter gave of themselves (e-mail,
//	                                       phone, names, device and account ids), opened from its
//	                                       sealed form with the local key file or, on AWS, KMS
//	                                       (needs an operator's role), printed as JSON
//	personal find -email E | -phone P | -device-id D
//	                                       every request the person filed, with what is stored about
//	                                       them (opened as requests reporter does), printed as JSON:
//	                                       the right of access
//	personal erase -email E | -phone P | -device-id D
//	                                       erase the reporter of each of those requests, recording an
//	                                       erasure activity that names no value: the right to erasure
//	personal sweep [-days N]               erase the reporter of every request closed more than N
//	                                       (default 365) days ago, as the retention function does daily
//	table create                           create the DynamoDB table (-store dynamo only)
//	table backfill [-jurisdiction ID]      give activities stored before service feeds read an
//	                                       index their entry copy and service partition, and
//	                                       requests stored before GSI3 their keys in it, and
//	                                       requests that are not public, stored before the staff
//	                                       queue, their GSI1 keys (-store dynamo only; once after
//	                                       an upgrade; safe to repeat)
//	table restore -from RESTORED [-keep-newer] [-dry-run]
//	                                       make the table hold what RESTORED (a point-in-time
//	                                       restore of it) holds: writes what differs, deletes
//	                                       what is newer unless -keep-newer (docs/runbook.md)
//
// The bolt store (the default) is the file open311.db in the -data folder, the one
// `go run ./infra/local` uses. bbolt lets one process at a time open it, so stop the local
// server first.
//
// The dynamo store is the table named by -table (default: the TABLE_NAME environment variable).
// -endpoint (default: AWS_ENDPOINT_URL_DYNAMODB, else AWS_ENDPOINT_URL) points the tool at
// another DynamoDB API. When that endpoint is on this machine (localhost or a loopback address,
// such as the moto server infra/moto/start.sh starts on http://127.0.0.1:5055) nothing needs
// configuring: the region is AWS_REGION's or us-east-1, the credentials AWS_ACCESS_KEY_ID's or
// dummy ones, and no other source is consulted (never an instance role on the network).
// Otherwise region and credentials come from the AWS SDK's default configuration (environment,
// shared files, SSO, instance roles), and their absence is said before anything is done.
//
// Examples:
//
//	# the local stack's store (stop `go run ./infra/local` first)
//	go run ./infra/admin catalog load infra/catalog/demo.json
//	go run ./infra/admin keys create -role staff -jurisdiction city.example.org -label "Public Works dispatch"
//
//	# a deployed table (sam deploy prints its name as the TableName output)
//	go run ./infra/admin -store dynamo -table open311-Table-ABC123 catalog load infra/catalog/demo.json
//	go run ./infra/admin -store dynamo -table open311-Table-ABC123 catalog show
//	go run ./infra/admin -store dynamo -table open311-Table-ABC123 keys revoke -hash 3f0c...
//
//	# a moto server (infra/moto/start.sh prints its endpoint)
//	go run ./infra/admin -store dynamo -endpoint http://127.0.0.1:5055 -table open311 table create
//	go run ./infra/admin -store dynamo -endpoint http://127.0.0.1:5055 -table open311 catalog load infra/catalog/demo.json
//
// Errors go to stderr, one line each, with exit status 1; bad usage exits with status 2. A key's
// secret is printed once, by keys create, and never again.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// usage is the synopsis printed on bad usage.
const usage = `usage: admin [-store bolt|dynamo] [-data DIR] [-table NAME] [-endpoint URL] <command> ...

commands:
  catalog load FILE
  catalog show [-jurisdiction ID]
  keys create -role reporter|staff [-jurisdiction ID] -label TEXT [-expires DATE|DURATION]
  keys list
  keys revoke -hash HEX | -key SECRET (-key - reads it from stdin)
  requests reporter -jurisdiction ID -id REQUEST
  personal find|erase -email E | -phone P | -device-id D
  personal sweep [-days N]
  table create  (dynamo only)
  table backfill [-jurisdiction ID]  (dynamo only)
  table restore -from RESTORED [-keep-newer] [-dry-run]  (dynamo only)

global flags:
`

// run is the whole command: it parses args (without the program name), runs one command
// writing its results to stdout and errors to stderr, and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c := &cli{stdin: os.Stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, now: time.Now}
	return c.run(ctx, args)
}

// cli holds what a command reads and writes besides its arguments, so tests can supply them.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
}

// usageError is bad usage: it is printed with the synopsis and exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// badUsage returns a usageError with a formatted message.
func badUsage(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errHelp is returned when the user asked for help: the usage is printed, and the exit is 0.
var errHelp = errors.New("help requested")

// run parses the global flags and the command, runs it and maps its error to an exit status.
func (c *cli) run(ctx context.Context, args []string) int {
	err := c.dispatch(ctx, args)
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, &ue):
		if ue.msg != "" {
			fmt.Fprintln(c.stderr, "admin:", ue.msg)
		}
		fmt.Fprintln(c.stderr, "run 'admin -h' for usage")
		return exitUsage
	default:
		fmt.Fprintln(c.stderr, "admin:", err)
		return exitError
	}
}

// dispatch parses the global flags and runs the command they are followed by.
func (c *cli) dispatch(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	var b backend
	fs.StringVar(&b.kind, "store", "bolt", "which store: bolt (the local stack's file) or dynamo")
	fs.StringVar(&b.data, "data", "data", "bolt: folder holding open311.db")
	fs.StringVar(&b.table, "table", "", "dynamo: table name (default $TABLE_NAME)")
	fs.StringVar(&b.endpoint, "endpoint", "", "dynamo: DynamoDB API `URL`, e.g. a moto server's http://127.0.0.1:5055 (default $AWS_ENDPOINT_URL_DYNAMODB, else $AWS_ENDPOINT_URL, else AWS's)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := b.check(fs, c.getenv); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		return badUsage("no command given")
	}
	group, rest := rest[0], rest[1:]
	var sub string
	if len(rest) > 0 {
		sub, rest = rest[0], rest[1:]
	}
	switch group + " " + sub {
	case "catalog load":
		return b.explain(c.catalogLoad(ctx, &b, rest))
	case "catalog show":
		return b.explain(c.catalogShow(ctx, &b, rest))
	case "keys create":
		return b.explain(c.keysCreate(ctx, &b, rest))
	case "keys revoke":
		return b.explain(c.keysRevoke(ctx, &b, rest))
	case "keys list":
		return b.explain(c.keysList(ctx, &b, rest))
	case "requests reporter":
		return b.explain(c.reporterShow(ctx, &b, rest))
	case "personal find":
		return b.explain(c.personalFind(ctx, &b, rest, false))
	case "personal erase":
		return b.explain(c.personalFind(ctx, &b, rest, true))
	case "personal sweep":
		return b.explain(c.personalSweep(ctx, &b, rest))
	case "table create":
		return b.explain(c.tableCreate(ctx, &b, rest))
	case "table backfill":
		return b.explain(c.tableBackfill(ctx, &b, rest))
	case "table restore":
		return b.explain(c.tableRestore(ctx, &b, rest))
	case "help ":
		fs.SetOutput(c.stdout)
		fs.Usage()
		return errHelp
	}
	switch group {
	case "catalog":
		return badUsage("catalog takes load or show, not %q", sub)
	case "keys":
		return badUsage("keys takes create, list or revoke, not %q", sub)
	case "table":
		return badUsage("table takes create, backfill or restore, not %q", sub)
	case "requests":
		return badUsage("requests takes reporter, not %q", sub)
	case "personal":
		return badUsage("personal takes find, erase or sweep, not %q", sub)
	}
	return badUsage("unknown command %q", strings.TrimSpace(group+" "+sub))
}

// parse parses args with fs, returning errHelp for -h and a usageError (the flag package has
// printed the problem already) for anything else it refuses.
func parse(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		return errHelp
	default:
		return &usageError{}
	}
}

// newFlags returns the flag set of a command, printing its synopsis on -h or a bad flag.
func (c *cli) newFlags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: admin [global flags] %s\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// noArgs refuses positional arguments left after a command's flags.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return badUsage("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}
