// Command local runs the whole Open311 API on one machine: the same pkg/api handlers the Lambda
// functions mount, on an embedded store kept in a folder, seeded on first start with the demo
// catalog, a few demo requests, and a reporter and a staff API key. It also serves the Atom feeds
// it rebuilds after every write, the web app (GET /, pkg/webapp, posting reports with the local
// reporter key), an index of the API (GET /api/) linking everything, and the docs.
//
//	go run ./infra/local [-addr 127.0.0.1:8080] [-data DIR] [-catalog FILE] [-no-demo-requests] [-tile-url URL] [-websub-insecure]
//
// Started anywhere inside the repository (go run . in infra/local, say), -data and -catalog
// default to data/ and infra/catalog/demo.json in the repository's root. The catalog and the
// demo requests are loaded only into a new store; a store that has a jurisdiction is used as it is.
//
// OPEN311_API_KEY names the reporter key and OPEN311_STAFF_KEY the staff key. Without them the
// keys of the last start are kept (in DATA/reporter.key and DATA/staff.key), or random ones made
// on first start. A new value replaces the local key of its role: the one before is revoked.
//
// Ctrl-C (or SIGTERM) stops the server gracefully. Every acknowledged write is already on disk.
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
	flag.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "`HOST:PORT` to listen on (port 0: any free port)")
	flag.StringVar(&cfg.Data, "data", "data", "`folder` of the embedded store, its keys and feeds, created if missing (default: data/ in the repository's root)")
	flag.StringVar(&cfg.Catalog, "catalog", demo.CatalogFile, "catalog `file` (jurisdictions, services) loaded when the store is new (default: the demo city, in the repository's root)")
	flag.BoolVar(&cfg.NoDemo, "no-demo-requests", false, "leave out the demo requests when the store is new (the catalog is still loaded)")
	flag.StringVar(&cfg.TileURL, "tile-url", "", "the web app's map tiles, a `URL` with {z}, {x} and {y} (default: OpenStreetMap's; none: no tiles)")
	flag.BoolVar(&cfg.WebSubInsecure, "websub-insecure", false, "let the WebSub hub call http callbacks and ones on this machine (loopback): for local testing only")
	flag.IntVar(&cfg.RetentionDays, "retention-days", 365, "erase a reporter's personal data this many `days` after their request closes (at start, then daily; 0 keeps it)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./infra/local [flags]\n\n"+
			"Serves the Open311 GeoReport v2 API on one machine, on an embedded store.\n"+
			"OPEN311_API_KEY and OPEN311_STAFF_KEY set the reporter and staff keys.\n\nflags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if cfg.RetentionDays < 0 || cfg.RetentionDays > 36500 {
		fmt.Fprintf(os.Stderr, "open311 local: -retention-days %d: want 0 (keep) to 36500\n", cfg.RetentionDays)
		os.Exit(2)
	}
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "open311 local: unexpected argument %q (flags only; -h lists them)\n", flag.Arg(0))
		os.Exit(2)
	}
	if err := defaults(&cfg); err != nil {
		fmt.Fprintln(os.Stderr, "open311 local:", err)
		os.Exit(1)
	}
	cfg.ReporterKey = os.Getenv("OPEN311_API_KEY")
	cfg.StaffKey = os.Getenv("OPEN311_STAFF_KEY")
	cfg.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "open311 local:", err)
		os.Exit(1)
	}
}

// defaults resolves the flags left at their defaults against the repository's root, so that the
// server started from a subfolder finds the demo catalog and the same data folder; the docs
// folder is the repository's. Outside the repository the defaults stay relative to the current
// folder (and a missing catalog is reported by Run before anything is created).
func defaults(cfg *Config) error {
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	root, err := demo.Root(".")
	if errors.Is(err, demo.ErrNoRepository) {
		return nil
	}
	if err != nil {
		return err
	}
	if !set["data"] {
		cfg.Data = filepath.Join(root, "data")
	}
	if !set["catalog"] {
		cfg.Catalog = filepath.Join(root, filepath.FromSlash(demo.CatalogFile))
	}
	cfg.Docs = filepath.Join(root, "docs")
	if wd, err := os.Getwd(); err == nil {
		// Shorter paths in what the server prints, when started in the root itself.
		for _, p := range []*string{&cfg.Data, &cfg.Catalog, &cfg.Docs} {
			if rel, err := filepath.Rel(wd, *p); err == nil && filepath.IsLocal(rel) {
				*p = rel
			}
		}
	}
	return nil
}
