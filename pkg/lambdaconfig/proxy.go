package lambdaconfig

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// Proxy returns the Lambda handler of an HTTP API (payload 2.0) function that serves h, for
// lambda.Start. It is httpadapter.NewV2(h).ProxyWithContext with the event's path first made a
// faithful escaped path (see EscapedPath), since pkg/api routes on r.URL.EscapedPath().
func Proxy(h http.Handler) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	adapter := httpadapter.NewV2(h)
	return func(ctx context.Context, e events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		e.RawPath = EscapedPath(e)
		return adapter.ProxyWithContext(ctx, e)
	}
}

// EscapedPath returns the escaped request path of an HTTP API event, which the adapter parses
// into the http.Request's URL.
//
// API Gateway HTTP APIs hand rawPath over percent-decoded ("/services/no such:service.json";
// a "%2F" in a segment arrives as "/", a "%3F" as "?"), so rawPath cannot be trusted to keep
// segments apart. The route key and the path parameters (also decoded) can: when the event's
// route key is "METHOD /path" and every {variable} of it has a path parameter, the path is the
// route's path with each parameter escaped as one segment ({variable+} as several). It also
// drops a stage prefix, which rawPath carries on named stages. Otherwise (the $default route,
// or an event made by hand without path parameters) it is rawPath (or requestContext.http.path)
// with every character that cannot appear in an escaped path escaped, so an already escaped
// path is kept byte for byte and a decoded one without "%" is escaped correctly.
func EscapedPath(e events.APIGatewayV2HTTPRequest) string {
	if p, ok := routePath(e.RouteKey, e.PathParameters); ok {
		return p
	}
	p := e.RawPath
	if p == "" {
		p = e.RequestContext.HTTP.Path
	}
	return escapeLoose(p)
}

// routePath fills the path of a route key ("GET /requests/{file}") with escaped path parameters.
func routePath(routeKey string, params map[string]string) (string, bool) {
	_, path, ok := strings.Cut(routeKey, " ")
	if !ok || !strings.HasPrefix(path, "/") {
		return "", false
	}
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		name, isVar := strings.CutPrefix(seg, "{")
		if !isVar {
			continue
		}
		name, isVar = strings.CutSuffix(name, "}")
		if !isVar {
			return "", false
		}
		greedy := false
		if n, ok := strings.CutSuffix(name, "+"); ok {
			name, greedy = n, true
		}
		v, ok := params[name]
		if !ok {
			return "", false
		}
		if !greedy {
			segs[i] = url.PathEscape(v)
			continue
		}
		parts := strings.Split(v, "/")
		for j, part := range parts {
			parts[j] = url.PathEscape(part)
		}
		segs[i] = strings.Join(parts, "/")
	}
	return strings.Join(segs, "/"), true
}

// escapeLoose escapes the bytes of p that may not appear in an escaped path, keeping "/" and
// every "%" that starts a valid escape.
func escapeLoose(p string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) || c != '%' && pathByte(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// pathByte reports whether c may appear unescaped in a path (RFC 3986 pchar, and "/").
func pathByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0
}
