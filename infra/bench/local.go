package main

// The local server's measurements (bench -local): a write's latency, and read throughput
// against a bare net/http server that sends the same bytes, each at two sizes of the store.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/civicworks/open311/pkg/catalog"
	"github.com/civicworks/open311/pkg/desk"
	"github.com/civicworks/open311/pkg/open311"
	"github.com/civicworks/open311/pkg/store/bolt"
)

// localKey is the reporter key the measured local servers take (OPEN311_API_KEY).
const localKey = "bench-reporter-key"

// localRun is what was measured of one local server.
type localRun struct {
	stored   int
	postP50  time.Duration
	postP90  time.Duration
	reads    []readRate
	duration time.Duration
}

// readRate is one path's throughput on the local server and on a bare server sending its bytes.
type readRate struct {
	path        string
	local, bare float64 // requests per second
}

// benchLocal builds the local server, and for each size of store (a fresh one, and one of
// stored requests made beforehand, all within the last weeks so that every listing and feed
// has them in range) starts it, times posts one at a time, then reads each path at concurrency
// clients for dur, and the same from a bare server.
func benchLocal(ctx context.Context, root, tmp string, stored []int, posts, clients int, dur time.Duration) (string, error) {
	bin := filepath.Join(tmp, "local")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./infra/local")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return "", fmt.Errorf("build infra/local: %w", err)
	}
	var runs []localRun
	for _, n := range stored {
		data := filepath.Join(tmp, fmt.Sprintf("local-%d", n))
		progress("local: a store of %d requests", n)
		if err := prepareStore(ctx, root, data, n); err != nil {
			return "", err
		}
		r, err := measureLocal(ctx, root, bin, data, n, posts, clients, dur)
		if err != nil {
			return "", err
		}
		runs = append(runs, r)
	}
	return localReport(runs, posts, clients, dur), nil
}

// prepareStore makes a data folder whose store holds the demo catalog and n requests reported
// over the last 30 days (through the service desk, as POSTs make them), or nothing for n == 0
// (the server then seeds it as on a first start).
func prepareStore(ctx context.Context, root, data string, n int) error {
	if err := os.MkdirAll(data, 0o750); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	st, err := bolt.Open(filepath.Join(data, "open311.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	f, err := catalog.ReadFile(filepath.Join(root, "infra", "catalog", "demo.json"))
	if err != nil {
		return err
	}
	now := time.Now()
	if _, err := catalog.Load(ctx, st, f, now.Add(-31*24*time.Hour)); err != nil {
		return err
	}
	if err := st.PutAPIKey(ctx, open311.APIKey{Hash: open311.HashKey(localKey), Role: open311.RoleReporter, Label: "bench", Created: now}); err != nil {
		return err
	}
	var at time.Time
	d := desk.New(desk.Options{Store: st, Now: func() time.Time { return at }})
	for i := range n {
		at = now.Add(-time.Duration(n-i) * 30 * 24 * time.Hour / time.Duration(n))
		_, err := d.Report(ctx, desk.Report{Key: localKey, Submission: open311.Submission{ServiceCode: "pothole",
			Lat: fmt.Sprintf("40.7%04d", i%10000), Long: "-74.0060", Description: "Pothole number " + strconv.Itoa(i),
			Attributes: map[string][]string{"size": {"large"}}}})
		if err != nil {
			return fmt.Errorf("store request %d: %w", i, err)
		}
	}
	return nil
}

// measureLocal starts the local server on data and measures it.
func measureLocal(ctx context.Context, root, bin, data string, stored, posts, clients int, dur time.Duration) (localRun, error) {
	run := localRun{stored: stored, duration: dur}
	cmd := exec.CommandContext(ctx, bin, "-addr", "127.0.0.1:0", "-data", data, "-catalog", filepath.Join(root, "infra", "catalog", "demo.json"))
	cmd.Env = append(os.Environ(), "OPEN311_API_KEY="+localKey)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return run, err
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return run, err
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	base, err := serverURL(stdout)
	if err != nil {
		return run, err
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	// Writes, one at a time: the latency a reporter sees.
	var lat []time.Duration
	for i := range posts {
		form := url.Values{"api_key": {localKey}, "service_code": {"pothole"}, "lat": {"40.7128"}, "long": {"-74.0060"},
			"attribute[size]": {"medium"}, "description": {"Bench report " + strconv.Itoa(i)}}
		start := time.Now()
		resp, err := client.PostForm(base+"/requests.json", form)
		if err != nil {
			return run, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return run, fmt.Errorf("POST: %s", resp.Status)
		}
		lat = append(lat, time.Since(start))
	}
	run.postP50, run.postP90 = quantile(lat, 0.5), quantile(lat, 0.9)
	// The reads are measured once the feed worker has caught up with those writes (it works
	// beside the requests, not in them, and would share the CPUs with the readers).
	if err := feedsCaughtUp(ctx, client, base); err != nil {
		return run, err
	}

	// Reads: the local server, then a bare server sending the same bytes with the same headers.
	id, err := firstID(client, base)
	if err != nil {
		return run, err
	}
	for _, path := range []string{"/services.xml", "/requests/" + id + ".json", "/requests.json?page_size=50"} {
		body, header, err := fetch(client, base+path)
		if err != nil {
			return run, err
		}
		local := rate(ctx, client, base+path, clients, dur)
		bare, stop, err := bareServer(body, header)
		if err != nil {
			return run, err
		}
		bareRate := rate(ctx, client, bare+path, clients, dur)
		stop()
		run.reads = append(run.reads, readRate{path: strings.Replace(path, id, "{id}", 1), local: local, bare: bareRate})
	}
	return run, nil
}

// feedsCaughtUp waits (at most a minute) until the local server's feed worker is idle: its
// count of feeds refreshed (/metrics) the same over half a second.
func feedsCaughtUp(ctx context.Context, c *http.Client, base string) error {
	deadline := time.Now().Add(time.Minute)
	last := ""
	for {
		body, _, err := fetch(c, base+"/metrics")
		if err != nil {
			return err
		}
		var counts []string
		for _, line := range strings.Split(string(body), "\n") {
			if strings.HasPrefix(line, "open311_feeds_total{") {
				counts = append(counts, line)
			}
		}
		now := strings.Join(counts, ";")
		if now == last && now != "" {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("the local server's feed worker is still busy a minute after the writes (%s)", now)
		}
		last = now
		time.Sleep(500 * time.Millisecond)
	}
}

// serverURL reads the local server's address from the first line it prints.
func serverURL(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("the local server printed no address: %w", err)
	}
	for _, f := range strings.Fields(line) {
		if strings.HasPrefix(f, "http://") {
			return f, nil
		}
	}
	return "", fmt.Errorf("no address in %q", line)
}

func firstID(c *http.Client, base string) (string, error) {
	body, _, err := fetch(c, base+"/requests.json?page_size=1")
	if err != nil {
		return "", err
	}
	_, rest, ok := strings.Cut(string(body), `"service_request_id":"`)
	id, _, _ := strings.Cut(rest, `"`)
	if !ok || id == "" {
		return "", fmt.Errorf("no request in %s", body)
	}
	return id, nil
}

func fetch(c *http.Client, u string) ([]byte, http.Header, error) {
	resp, err := c.Get(u)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != 200 {
		err = fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return body, resp.Header, err
}

// bareServer serves body with header's content type for every path: the most a server can do.
func bareServer(body []byte, header http.Header) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	ct, length := header.Get("Content-Type"), strconv.Itoa(len(body))
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Length", length)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(body)
	})}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// rate is the requests per second that clients at once get from u during dur.
func rate(ctx context.Context, c *http.Client, u string, clients int, dur time.Duration) float64 {
	ctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	var n atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				resp, err := c.Get(u)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 && ctx.Err() == nil {
					n.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

// localReport is the markdown of the local measurements.
func localReport(runs []localRun, posts, clients int, dur time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### The local server (`go run ./infra/local`, %s)\n\n", time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, "%d POSTs one at a time; reads by %d clients for %s each, against a bare net/http server sending the same bytes in the same run.\n\n", posts, clients, dur)
	b.WriteString("| stored requests | POST p50 | POST p90 |")
	for _, r := range runs[0].reads {
		fmt.Fprintf(&b, " GET %s (req/s, × bare) |", r.path)
	}
	b.WriteString("\n|---|---|---|" + strings.Repeat("---|", len(runs[0].reads)) + "\n")
	for _, run := range runs {
		fmt.Fprintf(&b, "| %d | %s | %s |", run.stored, ms(run.postP50), ms(run.postP90))
		for _, r := range run.reads {
			fmt.Fprintf(&b, " %.0f (×%.2f of %.0f) |", r.local, r.local/r.bare, r.bare)
		}
		b.WriteString("\n")
	}
	if len(runs) > 1 {
		first, last := runs[0], runs[len(runs)-1]
		fmt.Fprintf(&b, "\nPOST p50 at %d stored / at %d: ×%.2f.\n", last.stored, first.stored,
			float64(last.postP50)/float64(first.postP50))
	}
	return b.String()
}
