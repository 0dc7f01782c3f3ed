package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/georeport"
)

// maxHeaderBytes bounds a request's header section; beyond it the answer is 431.
const maxHeaderBytes = 64 << 10

// writeError answers with the GeoReport error document: JSON when the path ends in .json, else
// XML, as for a path that matches no route of the API.
func writeError(w http.ResponseWriter, r *http.Request, status int, description string) {
	_ = georeport.Write(w, georeport.GuessFormat(r.URL.Path), status, georeport.NewErrors(status, description))
}

// errorDocuments turns the plain-text error answers of net/http's own handlers (http.Error, as
// http.ServeContent and ServeMux use it) into the error document, keeping their status and words.
// The WebSub hub's answers (POST /hub) are plain text on purpose, as subscribers read them, and
// pass as they are.
func errorDocuments(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == api.HubPath || r.URL.Path == api.VersionPrefix+api.HubPath {
			h.ServeHTTP(w, r)
			return
		}
		pw := &plainErrorWriter{ResponseWriter: w}
		h.ServeHTTP(pw, r)
		if pw.status != 0 {
			for _, k := range []string{"Content-Length", "Content-Type", "Cache-Control", "ETag", "Last-Modified"} {
				w.Header().Del(k)
			}
			writeError(w, r, pw.status, sentence(pw.body.String(), pw.status))
		}
	})
}

// plainErrorWriter holds back an error answer with http.Error's content type (status set, body
// kept), and passes everything else through.
type plainErrorWriter struct {
	http.ResponseWriter
	wrote  bool
	status int // of a held-back error answer
	body   bytes.Buffer
}

func (w *plainErrorWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	if code >= 400 && w.Header().Get("Content-Type") == "text/plain; charset=utf-8" {
		w.wrote, w.status = true, code
		return
	}
	if code >= 200 {
		w.wrote = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *plainErrorWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.status != 0 {
		if w.body.Len() < 1000 {
			w.body.Write(b)
		}
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// wireErrors wraps a listener so that the answers net/http writes by itself, without calling a
// handler, to requests it cannot read (header fields too large: 431; a malformed or missing
// Host, a malformed request line: 400; an unknown transfer coding: 501) are the GeoReport error
// document too, in the format of the request's path when its request line could be read.
func wireErrors(ln net.Listener) net.Listener { return errorDocListener{ln} }

type errorDocListener struct{ net.Listener }

func (l errorDocListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &errorDocConn{Conn: c}, nil
}

// maxHead bounds what errorDocConn keeps of a request: enough for its request line.
const maxHead = 8 << 10

// errorDocConn is a connection that keeps the start of each request it reads (until the answer
// is written) and rewrites net/http's own plain-text error answers.
type errorDocConn struct {
	net.Conn
	mu   sync.Mutex
	head []byte // the start of what was read since the last write
}

func (c *errorDocConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	if room := maxHead - len(c.head); room > 0 && n > 0 {
		c.head = append(c.head, p[:min(n, room)]...)
	}
	c.mu.Unlock()
	return n, err
}

func (c *errorDocConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	head := c.head
	c.head = nil
	c.mu.Unlock()
	status, text, ok := serverError(p)
	if !ok {
		return c.Conn.Write(p)
	}
	if _, err := c.Conn.Write(errorResponse(status, text, requestPath(head))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// serverAnswer matches the answers net/http writes without a handler: a status line, its
// plain-text content type and Connection: close, no Date, then a short text.
var serverAnswer = regexp.MustCompile(`^HTTP/1\.1 ([1-5][0-9][0-9]) [^\r\n]*\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n([^\r\n]*)$`)

// serverError reports whether p is one of net/http's own error answers, with its status and text.
func serverError(p []byte) (status int, text string, ok bool) {
	m := serverAnswer.FindSubmatch(p)
	if m == nil {
		return 0, "", false
	}
	status, _ = strconv.Atoi(string(m[1]))
	return status, string(m[2]), status >= 400
}

// requestPath returns the path of a request line ("GET /requests.json HTTP/1.1"), or "".
func requestPath(head []byte) string {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 2 {
		return ""
	}
	path, _, _ := strings.Cut(f[1], "?")
	return path
}

// errorResponse is a whole HTTP response carrying the error document of status.
func errorResponse(status int, text, path string) []byte {
	description := sentence(strings.TrimPrefix(strings.TrimPrefix(text, strconv.Itoa(status)+" "), http.StatusText(status)+": "), status)
	if status == http.StatusRequestHeaderFieldsTooLarge {
		description = fmt.Sprintf("The request header fields are too large: at most %d KiB.", maxHeaderBytes>>10)
	}
	f := georeport.GuessFormat(path)
	body, err := georeport.Marshal(f, georeport.NewErrors(status, description))
	if err != nil {
		body = nil
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	fmt.Fprintf(&b, "Access-Control-Allow-Origin: *\r\nConnection: close\r\nContent-Length: %d\r\nContent-Type: %s\r\n", len(body), f.ContentType())
	fmt.Fprintf(&b, "Date: %s\r\nX-Content-Type-Options: nosniff\r\n\r\n", time.Now().UTC().Format(http.TimeFormat))
	b.Write(body)
	return b.Bytes()
}

// sentence makes a net/http error text ("malformed Host header", "404 page not found") a
// sentence for the error document; an empty or bare status text becomes the status's text.
func sentence(text string, status int) string {
	text = strings.TrimSpace(text)
	text = strings.TrimSpace(strings.TrimPrefix(text, strconv.Itoa(status)))
	if text == "" || strings.EqualFold(text, http.StatusText(status)) {
		text = http.StatusText(status)
	}
	r, size := utf8.DecodeRuneInString(text)
	text = string(unicode.ToUpper(r)) + text[size:]
	if !strings.HasSuffix(text, ".") {
		text += "."
	}
	return text
}
