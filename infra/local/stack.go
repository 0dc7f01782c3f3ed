package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/catalog"
	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/feed/folder"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/bolt"
)

// Config is what the local stack runs with.
type Config struct {
	Addr        string // listen address
	Data        string // folder of the embedded store
	Catalog     string // catalog file loaded when the store has no jurisdiction yet
	NoDemo      bool   // skip the demo requests
	ReporterKey string // reporter key value; empty: one kept in the data folder
	StaffKey    string // staff key value; empty: one kept in the data folder
	Logger      *slog.Logger
}

// Run opens the store, seeds it on first start, serves the API until ctx ends, and prints where.
func Run(ctx context.Context, cfg Config, out io.Writer) error {
	if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	db, err := bolt.Open(filepath.Join(cfg.Data, "open311.db"))
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer db.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	base := "http://" + ln.Addr().String()
	feeds := filepath.Join(cfg.Data, "feeds")
	st := &feedingStore{Store: db, pub: folder.Publisher(feeds), log: cfg.Logger,
		opt: feed.Options{FeedBase: base + "/feeds", APIBase: base}}
	if err := seed(ctx, st, cfg, time.Now()); err != nil {
		return err
	}
	reporterKey, err := ensureKey(ctx, st, cfg.Data, "reporter.key", cfg.ReporterKey, open311.RoleReporter)
	if err != nil {
		return err
	}
	staffKey, err := ensureKey(ctx, st, cfg.Data, "staff.key", cfg.StaffKey, open311.RoleStaff)
	if err != nil {
		return err
	}

	a := api.New(api.Options{Store: st, Logger: cfg.Logger, CatalogTTL: 5 * time.Second, FeedBase: base + "/feeds"})
	mux := http.NewServeMux()
	mux.Handle("/feeds/", serveFeeds(feeds))
	mux.Handle("/", a.Handler())
	srv := &http.Server{
		Handler:           withCORS(mux),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	fmt.Fprintf(out, `Open311 GeoReport v2 API on %[1]s (store: %[2]s)
Reporter API key: %[3]s
Staff API key:    %[4]s

Try:
  curl %[1]s/discovery.json
  curl %[1]s/services.xml
  curl %[1]s/services/pothole.json
  curl %[1]s/requests.json
  curl -d api_key=%[3]s -d service_code=pothole -d lat=40.7128 -d long=-74.006 -d 'attribute[size]=large' %[1]s/requests.json
  curl -d api_key=%[4]s -d status=assigned -d agency_responsible='Street Maintenance' %[1]s/requests/ID.json
  curl '%[1]s/requests/ID.json?extensions=true'
  curl %[1]s/feeds/%[5]s/requests.atom
`, base, filepath.Join(cfg.Data, "open311.db"), reporterKey, staffKey, firstJurisdiction(ctx, st))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// firstJurisdiction names a jurisdiction for the printed examples.
func firstJurisdiction(ctx context.Context, st store.Catalog) string {
	all, err := st.Jurisdictions(ctx)
	if err != nil || len(all) == 0 {
		return "JURISDICTION"
	}
	return url.PathEscape(all[0].ID)
}

// withCORS lets browser apps call the local API, as API Gateway's CORS settings do on AWS.
func withCORS(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type, Authorization")
			w.Header().Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// ensureKey stores the hash of a key's value and returns the value: the given one, else the one
// kept in the data folder, else a new random one written there (readable by its owner only).
func ensureKey(ctx context.Context, st store.Admin, data, file, value string, role open311.Role) (string, error) {
	path := filepath.Join(data, file)
	if value == "" {
		if b, err := os.ReadFile(path); err == nil {
			value = strings.TrimSpace(string(b))
		}
	}
	if value == "" {
		value = open311.NewSecret()
		if err := os.WriteFile(path, []byte(value+"\n"), 0o600); err != nil {
			return "", fmt.Errorf("keep %s key: %w", role, err)
		}
	}
	k := open311.APIKey{Hash: open311.HashKey(value), Role: role, Label: "local " + string(role), Created: time.Now().UTC()}
	if err := st.PutAPIKey(ctx, k); err != nil {
		return "", fmt.Errorf("store %s key: %w", role, err)
	}
	return value, nil
}

// seed loads the catalog and demo requests into a store that has no jurisdiction yet.
func seed(ctx context.Context, st store.Store, cfg Config, now time.Time) error {
	have, err := st.Jurisdictions(ctx)
	if err != nil {
		return fmt.Errorf("read jurisdictions: %w", err)
	}
	if len(have) > 0 {
		return nil
	}
	f, err := catalog.ReadFile(cfg.Catalog)
	if err != nil {
		return err
	}
	if _, err := catalog.Load(ctx, st, f, now); err != nil {
		return fmt.Errorf("load catalog: %w", err)
	}
	if cfg.NoDemo {
		return nil
	}
	return seedRequests(ctx, st, f.Jurisdictions[0], now)
}
