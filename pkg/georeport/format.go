// Package georeport is the wire of Open311 GeoReport v2 (docs/wire.md): the XML and JSON
// documents (list wrappers in XML, "Spark" top-level arrays in JSON), the format chosen by a
// resource's suffix, the decoding of forms into the domain's values, and the error document.
//
// One set of document types serves both formats: encoding/xml and encoding/json read the same
// struct tags, and the optional values (Opt*) print as empty elements in XML and null in JSON.
package georeport

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Format is a wire format, chosen by a resource's suffix.
type Format int

// The formats. XML is GeoReport's mandatory one and the default for errors on unknown routes.
const (
	XML Format = iota
	JSON
)

// ContentType returns the media type with charset of responses in the format.
func (f Format) ContentType() string {
	if f == JSON {
		return "application/json; charset=utf-8"
	}
	return "text/xml; charset=utf-8"
}

// Suffix returns "xml" or "json".
func (f Format) Suffix() string {
	if f == JSON {
		return "json"
	}
	return "xml"
}

// SplitFormat splits "638344.json" into "638344" and JSON. ok is false when name has no
// .xml/.json suffix or nothing before it.
func SplitFormat(name string) (base string, f Format, ok bool) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 {
		return "", XML, false
	}
	switch name[i+1:] {
	case "xml":
		return name[:i], XML, true
	case "json":
		return name[:i], JSON, true
	}
	return "", XML, false
}

// GuessFormat picks the format of an error response for a path that matched no route: JSON
// when it ends in .json, else XML.
func GuessFormat(path string) Format {
	if strings.HasSuffix(path, ".json") {
		return JSON
	}
	return XML
}

// Marshal encodes a document in the format: XML with its declaration, JSON without HTML
// escaping; both end with a newline.
func Marshal(f Format, doc any) ([]byte, error) {
	if a, ok := doc.(appender); ok && fast(doc) {
		return appendDoc(make([]byte, 0, sizeOf(doc)), f, a), nil
	}
	return marshalReflect(f, doc)
}

func appendDoc(b []byte, f Format, a appender) []byte {
	if f == JSON {
		return append(a.appendJSON(b), '\n')
	}
	return append(a.appendXML(append(b, xml.Header...)), '\n')
}

// buffers hold the encodings Write sends, each used again by the next answer: a page of 50
// requests is some 25 to 35 KB, which would otherwise be allocated (and zeroed) per answer.
var buffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooled bounds the buffers kept: a full page of 1,000 requests (about 1 MB) is written
// from a buffer of its own, not kept for the next small answer.
const maxPooled = 256 << 10

// sizeOf guesses the size of a document's encoding, so that it is written in one buffer: about
// 1 KiB an item (a request with its extended attributes is more; the guess is a start).
func sizeOf(doc any) int {
	n := 1
	switch d := doc.(type) {
	case ServiceRequests:
		n += len(d.Requests)
	case RequestUpdates:
		n += len(d.Updates)
	case Services:
		n += len(d.Services)
	}
	return n << 10
}

// fast reports whether every part of a document has an appender (a list may hold other items).
func fast(doc any) bool {
	if m, ok := doc.(interface{ fast() bool }); ok {
		return m.fast()
	}
	return true
}

// marshalReflect is Marshal by encoding/json and encoding/xml, from the struct tags.
func marshalReflect(f Format, doc any) ([]byte, error) {
	var buf bytes.Buffer
	if f == JSON {
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(jsonView(doc)); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(doc); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// Write sends a document with the format's content type and the given status.
func Write(w http.ResponseWriter, f Format, status int, doc any) error {
	var body []byte
	if a, ok := doc.(appender); ok && fast(doc) {
		buf := buffers.Get().(*[]byte)
		body = appendDoc((*buf)[:0], f, a)
		defer func() {
			if cap(body) <= maxPooled {
				*buf = body
				buffers.Put(buf)
			}
		}()
	} else {
		var err error
		if body, err = marshalReflect(f, doc); err != nil {
			return err
		}
	}
	h := w.Header()
	h.Set("Content-Type", f.ContentType())
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// jsonView drops the outer wrapper of list documents, as the Spark convention wants.
func jsonView(doc any) any {
	if l, ok := doc.(lister); ok {
		return l.list()
	}
	return doc
}

type lister interface{ list() any }
