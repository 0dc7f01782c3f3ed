package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/civicworks/open311/pkg/georeport"
)

// OpenAPIPath is the path of the OpenAPI document of the API, named by discovery.
const OpenAPIPath = "/openapi.json"

// GetOpenAPI is GET /openapi.json: the OpenAPI 3.1 document of every operation of the table
// (openapi.json beside this file; a test keeps it and the route table in agreement).
var GetOpenAPI = Operation{Name: OpOpenAPI, Routes: []Route{{OpOpenAPI, http.MethodGet, OpenAPIPath}}, handle: (*API).getOpenAPI}

// openAPIFile is the document as it is kept: indented, its servers a placeholder.
//
//go:embed openapi.json
var openAPIFile []byte

func (a *API) getOpenAPI(c call) {
	body, err := OpenAPI(a.baseURL(c.r))
	if err != nil {
		a.fail(c, fmt.Errorf("openapi document: %w", err))
		return
	}
	h := c.w.Header()
	h.Set("Content-Type", georeport.JSON.ContentType())
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(body)
}

// OpenAPIFile returns the OpenAPI document as it is kept in the repository.
func OpenAPIFile() []byte { return bytes.Clone(openAPIFile) }

// OpenAPI returns the OpenAPI document as it is served: compact, ending in a newline, with its
// servers naming base, the API's base URL as discovery names it. Its members keep their order.
func OpenAPI(base string) ([]byte, error) {
	members, err := openAPIMembers()
	if err != nil {
		return nil, err
	}
	servers, err := json.Marshal([]map[string]string{{"url": base, "description": "This API."}})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(m.key)
		b.WriteByte(':')
		if m.name == "servers" {
			b.Write(servers)
		} else {
			b.Write(m.value)
		}
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// member is a top-level member of the document: its name, its key as JSON, its compact value.
type member struct {
	name       string
	key, value []byte
}

// openAPIMembers reads the kept document's top-level members once, in order. It is not a
// package variable set at init: that would make every function link the document's 100 KB,
// where only get-openapi (and the local server) serves it.
func openAPIMembers() ([]member, error) {
	openAPIOnce.Do(func() { openAPIOnce.members, openAPIOnce.err = readOpenAPIMembers() })
	return openAPIOnce.members, openAPIOnce.err
}

var openAPIOnce struct {
	sync.Once
	members []member
	err     error
}

func readOpenAPIMembers() ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(openAPIFile))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("openapi.json is not a JSON object")
	}
	var members []member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("openapi.json: %w", err)
		}
		name, _ := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("openapi.json %s: %w", name, err)
		}
		var value bytes.Buffer
		if err := json.Compact(&value, raw); err != nil {
			return nil, fmt.Errorf("openapi.json %s: %w", name, err)
		}
		key, _ := json.Marshal(name)
		members = append(members, member{name: name, key: key, value: value.Bytes()})
	}
	return members, nil
}
