// Package websub is the hub of W3C WebSub (https://www.w3.org/TR/websub/) for the feeds: the
// subscription requests it takes, the verification of a subscriber's intent, the delivery of a
// feed's new content with its signature, the back-off of failed deliveries, and, first of all,
// the rules that keep a hub from being a way into the network it runs in: callbacks are https
// (http only when a local flag says so), and no request ever goes to a private, loopback,
// link-local, metadata or otherwise non-public address, checked on the address actually
// dialled (after resolution, so a name that resolves to one is refused too, and a name that
// changes its answer between the check and the request gains nothing), with no redirect
// followed.
package websub

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Policy says which callbacks the hub calls.
type Policy struct {
	// AllowHTTP lets callbacks be http, not only https (the local server's -websub-insecure).
	AllowHTTP bool
	// AllowLoopback lets callbacks be on this machine (127.0.0.0/8, ::1): the local server's
	// own tests and a subscriber run beside it. Never set on AWS.
	AllowLoopback bool
}

// ErrForbidden is the error of a callback the hub will not call.
var ErrForbidden = errors.New("callback not allowed")

// MaxCallbackLength bounds a callback URL.
const MaxCallbackLength = 2000

// CheckCallback checks a callback URL's form: absolute, https (or http when allowed), a host,
// no user information, no fragment. Its addresses are checked when it is dialled (Client).
func (p Policy) CheckCallback(raw string) (*url.URL, error) {
	if len(raw) > MaxCallbackLength {
		return nil, fmt.Errorf("%w: hub.callback is longer than %d bytes", ErrForbidden, MaxCallbackLength)
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%w: hub.callback %q is not an absolute URL", ErrForbidden, raw)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && p.AllowHTTP:
	default:
		return nil, fmt.Errorf("%w: hub.callback must be https, not %s", ErrForbidden, u.Scheme)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: hub.callback may not carry a user name or password", ErrForbidden)
	}
	if u.Fragment != "" {
		return nil, fmt.Errorf("%w: hub.callback may not have a fragment", ErrForbidden)
	}
	if port := u.Port(); port != "" && port != "443" && port != "80" && !p.AllowLoopback {
		// Unusual ports are how internal services are probed; subscribers listen on the web's.
		return nil, fmt.Errorf("%w: hub.callback's port must be 443 or 80, not %s", ErrForbidden, port)
	}
	if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil {
		if err := p.CheckAddr(ip); err != nil {
			return nil, err
		}
	} else if h := strings.ToLower(u.Hostname()); h == "localhost" || strings.HasSuffix(h, ".localhost") || strings.HasSuffix(h, ".internal") {
		if !p.AllowLoopback {
			return nil, fmt.Errorf("%w: hub.callback's host %s is not public", ErrForbidden, u.Hostname())
		}
	}
	return u, nil
}

// nonPublic are the address ranges no callback may be on (IANA's special-purpose registries):
// this network, private, shared (CGNAT), loopback, link-local (and so the cloud metadata
// service at 169.254.169.254 and fd00:ec2::254), protocol assignments, documentation,
// benchmarking, reserved, multicast and broadcast; IPv6's unspecified, loopback, IPv4-mapped
// and -translated, discard, unique local (fc00::/7), link-local, site-local and multicast.
var nonPublic = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
		"203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
		"::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001:db8::/32",
		"fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// CheckAddr refuses an address that is not public (loopback allowed by AllowLoopback).
func (p Policy) CheckAddr(ip netip.Addr) error {
	ip = ip.WithZone("")
	if ip.Is4In6() {
		ip = ip.Unmap()
	}
	if p.AllowLoopback {
		for _, pre := range loopback {
			if pre.Contains(ip) {
				return nil
			}
		}
	}
	for _, pre := range nonPublic {
		if pre.Contains(ip) {
			return fmt.Errorf("%w: %s is not a public address (%s)", ErrForbidden, ip, pre)
		}
	}
	return nil
}

// Client returns the HTTP client the hub calls callbacks with: each connection's address is
// checked as it is dialled (net.Dialer.Control sees the resolved address), no redirect is
// followed (a 3xx is the answer), no proxy is used, and every call is bounded in time.
func (p Policy) Client(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: timeout, Control: func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrForbidden, address)
		}
		return p.CheckAddr(ap.Addr())
	}}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConns:          10,
		IdleConnTimeout:       30 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Resolver is what CheckHost resolves names with; net.DefaultResolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// CheckHost resolves a callback's host and refuses it when any of its addresses is not public:
// the early answer to a subscriber, before any request is made (the dial checks again).
func (p Policy) CheckHost(ctx context.Context, r Resolver, u *url.URL) error {
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		return p.CheckAddr(ip)
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return fmt.Errorf("%w: hub.callback's host %s does not resolve", ErrForbidden, host)
	}
	for _, a := range addrs {
		if err := p.CheckAddr(a); err != nil {
			return fmt.Errorf("%w (hub.callback's host %s resolves to it)", err, host)
		}
	}
	return nil
}
