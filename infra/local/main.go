// Command local runs the whole Open311 API on one machine: the same pkg/api handlers the Lambda
// functions mount, on an embedded store kept in a folder, seeded with a demo catalog, a few
// demo requests and a reporter API key on first start.
//
//	go run ./infra/local [-addr 127.0.0.1:8080] [-data data] [-catalog infra/catalog/demo.json]
//
// OPEN311_API_KEY sets the reporter key's value and OPEN311_STAFF_KEY the staff key's (default:
// random keys kept in the data folder).
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	var cfg Config
	flag.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	flag.StringVar(&cfg.Data, "data", "data", "folder of the embedded store (created if missing)")
	flag.StringVar(&cfg.Catalog, "catalog", "infra/catalog/demo.json", "catalog loaded on first start")
	flag.BoolVar(&cfg.NoDemo, "no-demo-requests", false, "do not seed demo requests on first start")
	flag.Parse()
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
