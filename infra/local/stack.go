package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	bberrors "go.etcd.io/bbolt/errors"

	"github.com/civicworks/open311/infra/demo"
	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/catalog"
	"github.com/civicworks/open311/pkg/feed"
	"github.com/civicworks/open311/pkg/feed/folder"
	"github.com/civicworks/open311/pkg/gateway"
	"github.com/civicworks/open311/pkg/media"
	mediafolder "github.com/civicworks/open311/pkg/media/folder"
	"github.com/civicworks/open311/pkg/metrics"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/personal"
	"github.com/civicworks/open311/pkg/seal"
	"github.com/civicworks/open311/pkg/store"
	"github.com/civicworks/open311/pkg/store/bolt"
	"github.com/civicworks/open311/pkg/webapp"
	"github.com/civicworks/open311/pkg/websub"
)

// Config is what the local stack runs with.
type Config struct {
	Addr        string // listen address
	Data        string // folder of the embedded store, the kept keys and the feeds
	Catalog     string // catalog file loaded when the store has no jurisdiction yet
	Docs        string // folder of the docs served under /docs/; empty: none
	NoDemo      bool   // skip the demo requests
	ReporterKey string // the reporter key's value; empty: the one kept in the data folder
	StaffKey    string // the staff key's value; empty: the one kept in the data folder
	// RetentionDays is how many days after a request closes its reporter's personal data is
	// kept: the server erases what is due when it starts and then once a day. 0 keeps it.
	RetentionDays int
	// TileURL is the web app's map tiles ({z}/{x}/{y}); "" : OpenStreetMap's; "none": no tiles.
	TileURL string
	// WebSubInsecure lets the WebSub hub's callbacks be http and on this machine (loopback):
	// for trying the hub locally only. Without it they are https on a public address.
	WebSubInsecure bool
	// WebSubBackoff scales the waits between a failed delivery's attempts (1 when 0): the
	// tests' knob, so that a subscriber given up on is given up on quickly.
	WebSubBackoff float64
	Logger        *slog.Logger
}

// storeFile is the name of the embedded store in the data folder (infra/admin opens it too).
const storeFile = "open311.db"

// personalKeyFile is the name of the key that seals reporters' personal data, in the data folder.
const personalKeyFile = "personal.key"

// Run listens, opens the store (seeding a new one), serves until ctx ends and shuts down. It
// prints the keys and URLs to try to out, and logs one line when it starts and one when it stops.
func Run(ctx context.Context, cfg Config, out io.Writer) error {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ln, err := listen(cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	base := "http://" + ln.Addr().String()
	feeds := filepath.Join(cfg.Data, "feeds")
	hubURL := base + api.HubPath
	opt := feed.Options{FeedBase: base + "/feeds", APIBase: base, HubURL: hubURL}

	counters := &metrics.Counters{}
	// The WebSub hub: subscription requests from POST /hub verified, and the feeds the follower
	// writes delivered to their subscribers, each in the background.
	hubPolicy := websub.Policy{AllowHTTP: cfg.WebSubInsecure, AllowLoopback: cfg.WebSubInsecure}
	hub := newLocalHub(hubURL, opt.FeedBase, feeds, hubPolicy, cfg.WebSubBackoff, cfg.Logger, counters)
	var follow *follower
	db, err := openStore(ctx, cfg, func(db *bolt.Store) store.Store {
		hub.start(db)
		follow = newFollower(db, folder.Publisher(feeds), opt, cfg.Logger, counters, hub)
		return &feedingStore{Store: db, follow: follow}
	})
	if err != nil {
		if follow != nil {
			follow.Close()
		}
		hub.Close()
		return err
	}
	defer db.Close()
	defer hub.Close()    // after the follower, before the store closes
	defer follow.Close() // before the store closes: the last writes' feeds are written first
	follow.settle()      // the seed's feeds are there before the first reader comes
	st := &feedingStore{Store: db, follow: follow}
	reporterKey, err := ensureKey(ctx, st, cfg.Data, "reporter.key", cfg.ReporterKey, open311.RoleReporter)
	if err != nil {
		return err
	}
	staffKey, err := ensureKey(ctx, st, cfg.Data, "staff.key", cfg.StaffKey, open311.RoleStaff)
	if err != nil {
		return err
	}
	jurisdictions, err := st.Jurisdictions(ctx)
	if err != nil {
		return fmt.Errorf("read jurisdictions: %w", err)
	}

	// What reporters give of themselves is stored sealed with the data folder's key (the
	// stand-in for the KMS key on AWS), which only the operator reading the folder holds.
	personal, err := seal.KeyFile(filepath.Join(cfg.Data, personalKeyFile))
	if err != nil {
		return err
	}
	// Photos: public ones in data/media, served under /media/; private ones in
	// data/private-media, which nothing serves; previews of the public ones made in the
	// background into data/previews, served under /previews/.
	photos := mediafolder.Store{Public: filepath.Join(cfg.Data, "media"), Private: filepath.Join(cfg.Data, "private-media"),
		Previews: filepath.Join(cfg.Data, "previews")}
	withPreviews, stopPreviews := newPreviewing(photos, photos, cfg.Logger)
	defer stopPreviews() // after the server has stopped taking reports
	// Upload slots (POST /media): forms that post to this server's /uploads, as S3's presigned
	// POSTs do to the bucket, signed with a secret of this run (a form lives 15 minutes), the
	// uploads kept in data/uploads until the report naming the slot takes them.
	uploads := mediafolder.Uploads{Dir: filepath.Join(cfg.Data, "uploads"), URL: base + uploadPath, Secret: make([]byte, 32)}
	if _, err := rand.Read(uploads.Secret); err != nil {
		return fmt.Errorf("make the upload forms' secret: %w", err)
	}
	a := api.New(api.Options{Store: st, Logger: cfg.Logger, CatalogTTL: 5 * time.Second, FeedBase: base + "/feeds",
		Metrics: counters, Seal: personal, Media: withPreviews, MediaBase: base, Uploads: uploads, Forms: uploads,
		Hub: hub, HubPolicy: hubPolicy})
	// What runs daily, now and then every day: the retention of personal data, as the
	// retention function does it on AWS, the bulk open data export, the feed lists (OPML) and
	// the clean-up of the WebSub subscriptions whose lease ended.
	daily := func() {
		if cfg.RetentionDays > 0 {
			sweep(ctx, st, time.Duration(cfg.RetentionDays)*24*time.Hour, cfg.Logger)
		}
		if n, err := db.DeleteExpiredSubscriptions(ctx, time.Now()); err != nil {
			cfg.Logger.Error("delete expired websub subscriptions", "err", err)
		} else {
			cfg.Logger.Info("websub subscriptions expired", "deleted", n)
		}
		exportOpenData(ctx, st, feeds, cfg.Logger)
		publishFeedLists(ctx, st, feeds, opt, cfg.Logger)
	}
	var dailies sync.WaitGroup
	defer dailies.Wait() // before the store closes
	daily()
	dailies.Go(func() {
		tick := time.NewTicker(24 * time.Hour)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				daily()
			}
		}
	})
	app, err := webApp(cfg, reporterKey, base, jurisdictions)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/{$}", app)
	mux.Handle("/"+webapp.Prefix, app)
	mux.Handle("/api/{$}", home(st, feeds, cfg.Docs))
	mux.Handle("/docs/", serveDocs(cfg.Docs))
	mux.Handle("/feeds/", serveFeeds(feeds))
	mux.Handle(media.PathPrefix, serveMedia(media.PathPrefix, photos.Public))
	mux.Handle(media.PreviewPathPrefix, serveMedia(media.PreviewPathPrefix, photos.Previews))
	mux.Handle("/metrics", serveMetrics(counters))
	mux.Handle(uploadPath, uploads)
	mux.Handle("/", a.Handler())
	srv := &http.Server{
		Handler:           gateway.Default.Wrap(errorDocuments(exactPaths(mux, a.Handler()))),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(out, "Open311 GeoReport v2 API on %s (store: %s)\n", base, filepath.Join(cfg.Data, storeFile))
	demo.Try{Base: base, ReporterKey: reporterKey, StaffKey: staffKey, Jurisdictions: jurisdictions,
		RequestID: demo.ExampleRequest(ctx, st, jurisdictions), Browser: true}.Print(out)
	cfg.Logger.Info("local server started", "url", base, "store", filepath.Join(cfg.Data, storeFile))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(wireErrors(ln)) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// The signal that stopped the server, if one did (its cause also "is" context.Canceled).
	reason := ""
	if cause := context.Cause(ctx); cause != nil && cause != context.Canceled {
		reason = cause.Error()
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	cfg.Logger.Info("local server stopped", "reason", reason)
	stopped := "Stopped"
	if reason != "" {
		stopped += " (" + reason + ")"
	}
	fmt.Fprintf(out, "\n%s; every acknowledged write is in %s. Goodbye.\n", stopped, filepath.Join(cfg.Data, storeFile))
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// uploadPath is where the local server takes the uploads of slots' forms.
const uploadPath = "/uploads"

// sweep erases the reporters whose retention period is over and logs what it did.
func sweep(ctx context.Context, st personal.Store, keep time.Duration, logger *slog.Logger) {
	swept, err := personal.Sweep(ctx, st, keep, time.Now(), logger)
	if err != nil {
		logger.Error("retention failed", "erased", len(swept.Erased), "err", err)
		return
	}
	logger.Info("retention", "erased", len(swept.Erased), "retention_days", int(keep/(24*time.Hour)))
}

// serveMetrics shows the counters at /metrics in Prometheus' text format, what CloudWatch gets
// from the functions' log lines on AWS.
func serveMetrics(c *metrics.Counters) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, r, http.StatusMethodNotAllowed, "The method "+r.Method+" is not allowed here: metrics are read with GET.")
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_ = c.WritePrometheus(w)
	})
}

// exactPaths sends a path that is not clean ("//services.json", "/a/../services.json") to the
// API, which answers 404 as the functions behind API Gateway do, instead of to the mux, which
// would redirect it to its clean form: the same answer on both runtimes.
func exactPaths(mux, api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if clean := path.Clean(p); p != clean && p != clean+"/" {
			api.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// listen listens on addr, saying what to do when the port is taken.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("%s is already in use (another server?): stop it, or give this one another -addr", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// openStore opens the store in the data folder and seeds it when it has no jurisdiction yet:
// the catalog, then the demo requests (through the store wrap returns, which builds their feeds).
// A new store is made only once its catalog has been read: when the catalog cannot be read or
// loaded, nothing is left behind (neither the file nor a data folder this call made).
func openStore(ctx context.Context, cfg Config, wrap func(*bolt.Store) store.Store) (*bolt.Store, error) {
	path := filepath.Join(cfg.Data, storeFile)
	_, err := os.Stat(path)
	fresh := errors.Is(err, fs.ErrNotExist)
	var cat *catalog.File
	if fresh {
		f, err := readCatalog(cfg.Catalog)
		if err != nil {
			return nil, err
		}
		cat = &f
	}
	_, err = os.Stat(cfg.Data)
	madeData := errors.Is(err, fs.ErrNotExist)
	if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	db, err := bolt.Open(path)
	if errors.Is(err, bberrors.ErrTimeout) {
		return nil, fmt.Errorf("another server is using %s (%s is locked): stop it, or give this one another -data folder", cfg.Data, path)
	}
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := seed(ctx, wrap(db), cfg, cat, time.Now()); err != nil {
		_ = db.Close()
		if fresh {
			_ = os.Remove(path)
			if madeData {
				_ = os.RemoveAll(cfg.Data)
			}
		}
		return nil, err
	}
	return db, nil
}

// readCatalog reads the catalog file, saying how to name another when it is missing.
func readCatalog(path string) (catalog.File, error) {
	f, err := catalog.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return catalog.File{}, fmt.Errorf("no catalog file %s to seed a new store with: give one with -catalog FILE, or start in the repository (the demo catalog is %s)", path, demo.CatalogFile)
	}
	return f, err
}

// seed loads the catalog (cat, or the file when cat is nil) and the demo requests into a store
// that has no jurisdiction yet.
func seed(ctx context.Context, st store.Store, cfg Config, cat *catalog.File, now time.Time) error {
	have, err := st.Jurisdictions(ctx)
	if err != nil {
		return fmt.Errorf("read jurisdictions: %w", err)
	}
	if len(have) > 0 {
		return nil
	}
	if cat == nil {
		f, err := readCatalog(cfg.Catalog)
		if err != nil {
			return err
		}
		cat = &f
	}
	if _, err := catalog.Load(ctx, st, *cat, now); err != nil {
		return fmt.Errorf("load catalog %s: %w", cfg.Catalog, err)
	}
	if cfg.NoDemo {
		return nil
	}
	return demo.SeedRequests(ctx, st, cat.Jurisdictions[0], now)
}

// ensureKey makes a key the one local key of its role and returns its value: value when given,
// else the one kept in data/file, else a new random one. The key is stored and kept in
// data/file (readable by its owner only); the key kept there before, when it was another, is
// revoked, so that a key set by OPEN311_API_KEY is the reporter key, not one more of them.
func ensureKey(ctx context.Context, st store.Store, data, file, value string, role open311.Role) (string, error) {
	path := filepath.Join(data, file)
	var previous string
	if b, err := os.ReadFile(path); err == nil {
		previous = strings.TrimSpace(string(b))
	}
	value = strings.TrimSpace(value)
	if value == "" {
		value = previous
	}
	if value == "" {
		value = open311.NewSecret()
	}
	k := open311.APIKey{Hash: open311.HashKey(value), Role: role, Label: demo.KeyLabel(role), Created: time.Now().UTC()}
	if old, err := st.APIKey(ctx, k.Hash); err == nil && !old.Revoked && old.Role == role {
		k = old // unchanged: keep its creation time
	} else if err := st.PutAPIKey(ctx, k); err != nil {
		return "", fmt.Errorf("store the %s key: %w", role, err)
	}
	if previous == value {
		return value, nil
	}
	if err := os.WriteFile(path, []byte(value+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("keep the %s key in %s: %w", role, path, err)
	}
	if previous == "" {
		return value, nil
	}
	old, err := st.APIKey(ctx, open311.HashKey(previous))
	switch {
	case open311.IsKind(err, open311.NotFound):
	case err != nil:
		return "", fmt.Errorf("read the previous %s key: %w", role, err)
	case !old.Revoked:
		old.Revoked = true
		if err := st.PutAPIKey(ctx, old); err != nil {
			return "", fmt.Errorf("revoke the previous %s key: %w", role, err)
		}
	}
	return value, nil
}
