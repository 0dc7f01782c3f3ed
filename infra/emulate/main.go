// Command emulate runs the Lambda functions of the API as a local HTTP API, without Docker (which
// `sam local start-api` needs): every function of functions/ built for this machine, each under
// the official Lambda Runtime Interface Emulator (aws-lambda-rie), against moto's DynamoDB,
// DynamoDB Streams and S3, behind the API Gateway stand-in the end-to-end test uses (pkg/e2e's
// Gateway), on a loopback port. Any HTTP client can then talk to the functions as it would to
// API Gateway; the Atom feeds are rebuilt by the feed-builder function from the table's stream
// into a moto bucket and served under /feeds/, as CloudFront serves them.
//
//	go run ./infra/emulate [-addr 127.0.0.1:3000] [-catalog FILE] [-no-demo-requests] [-log FILE]
//
// It needs aws-lambda-rie and moto (the README's install commands; it says which is missing).
// Every start is a new world: a new moto with a table holding the demo catalog, the demo
// requests (unless -no-demo-requests) and a reporter and a staff key (OPEN311_API_KEY and
// OPEN311_STAFF_KEY set their values), all gone when it stops. It prints the keys and URLs to
// try; the functions' output (the emulator's and the functions' JSON log lines) goes to stderr,
// each line prefixed with its function's name, or to -log. Ctrl-C stops every process it started.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/civicworks/open311/infra/demo"
)

func main() {
	var cfg Config
	flag.StringVar(&cfg.Addr, "addr", "127.0.0.1:3000", "`HOST:PORT` of the HTTP API (port 0: any free port)")
	flag.StringVar(&cfg.Catalog, "catalog", "", "catalog `file` to load (default: the demo city, "+demo.CatalogFile+")")
	flag.BoolVar(&cfg.NoDemo, "no-demo-requests", false, "leave out the demo requests (the catalog is still loaded)")
	logFile := flag.String("log", "", "`file` for the functions' output (default: stderr)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./infra/emulate [flags]\n\n"+
			"Serves the Lambda functions, under aws-lambda-rie against moto, as a local HTTP API.\n"+
			"OPEN311_API_KEY and OPEN311_STAFF_KEY set the reporter and staff keys.\n\nflags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "open311 emulate: unexpected argument %q (flags only; -h lists them)\n", flag.Arg(0))
		os.Exit(2)
	}
	root, err := demo.Root(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, "open311 emulate:", err, "(it builds the functions of the repository: run it there)")
		os.Exit(1)
	}
	cfg.Root = root
	if cfg.Catalog == "" {
		cfg.Catalog = filepath.Join(root, filepath.FromSlash(demo.CatalogFile))
	}
	cfg.ReporterKey = os.Getenv("OPEN311_API_KEY")
	cfg.StaffKey = os.Getenv("OPEN311_STAFF_KEY")
	cfg.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg.FunctionOutput = os.Stderr
	if *logFile != "" {
		f, err := os.Create(*logFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "open311 emulate:", err)
			os.Exit(1)
		}
		defer f.Close()
		cfg.FunctionOutput = f
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = Run(ctx, cfg, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "open311 emulate:", err)
		var missing *MissingError
		if errors.As(err, &missing) {
			os.Exit(3)
		}
		os.Exit(1)
	}
}
