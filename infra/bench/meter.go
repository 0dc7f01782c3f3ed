package main

// The AWS calls a function makes during its first invoke, and the time it spends waiting on
// them: a proxy between the functions and moto that counts them.

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// meter is a reverse proxy to moto that counts the calls through it and the wall time during
// which at least one was under way (so calls made at once are not counted twice).
type meter struct {
	mu       sync.Mutex
	calls    int
	inFlight int
	since    time.Time     // when inFlight last went from 0 to 1
	waited   time.Duration // wall time with a call under way, before since
	proxy    *httputil.ReverseProxy
	srv      *http.Server
}

// startMeter starts a meter in front of target on a loopback port; it returns its URL.
func startMeter(target string) (*meter, string, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	m := &meter{proxy: httputil.NewSingleHostReverseProxy(u)}
	m.srv = &http.Server{Handler: m}
	go func() { _ = m.srv.Serve(ln) }()
	return m, "http://" + ln.Addr().String(), nil
}

func (m *meter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	m.calls++
	if m.inFlight == 0 {
		m.since = time.Now()
	}
	m.inFlight++
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.inFlight--
		if m.inFlight == 0 {
			m.waited += time.Since(m.since)
		}
		m.mu.Unlock()
	}()
	m.proxy.ServeHTTP(w, r)
}

// reset starts a new count.
func (m *meter) reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls, m.waited = 0, 0
	if m.inFlight > 0 {
		m.since = time.Now()
	}
}

// read returns the calls and the wait since the last reset.
func (m *meter) read() (int, time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w := m.waited
	if m.inFlight > 0 {
		w += time.Since(m.since)
	}
	return m.calls, w
}

func (m *meter) close() { _ = m.srv.Close() }
