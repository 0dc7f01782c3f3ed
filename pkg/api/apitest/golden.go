package apitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// recorded are the response headers a golden file keeps; the rest vary by runtime.
var recorded = []string{"Allow", "Content-Language", "Content-Type", "Link", "Retry-After", "Vary"}

// Record renders a response for a golden file: the status line, the recorded headers, a blank
// line and the body, indented (see Indent) so that a change of one field is a change of one line.
func Record(status int, header http.Header, body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d %s\n", status, http.StatusText(status))
	for _, k := range slices.Sorted(slices.Values(recorded)) {
		if v := header.Get(k); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	b.WriteByte('\n')
	b.Write(Indent(header.Get("Content-Type"), body))
	return b.Bytes()
}

// Body returns the body of a golden file as it goes on the wire: Record's indentation undone,
// byte for byte (Unindent).
func Body(golden []byte) []byte {
	head, body, _ := bytes.Cut(golden, []byte("\n\n"))
	var ct string
	for _, line := range strings.Split(string(head), "\n") {
		if v, ok := strings.CutPrefix(line, "Content-Type: "); ok {
			ct = v
		}
	}
	return Unindent(ct, body)
}

// Indent lays out a JSON or XML document of the API one value or element per line, two spaces
// per level, adding whitespace only where the document has none (between tokens of JSON, and
// between tags of XML elements that hold elements), so that Unindent gives the exact bytes back.
// Anything else is returned as it is.
func Indent(contentType string, body []byte) []byte {
	switch {
	case strings.HasPrefix(contentType, "application/json"):
		var b bytes.Buffer
		if json.Indent(&b, bytes.TrimSuffix(body, []byte("\n")), "", "  ") != nil {
			return body
		}
		return append(b.Bytes(), '\n')
	case strings.HasPrefix(contentType, "text/xml"):
		return indentXML(body)
	}
	return body
}

// Unindent undoes Indent.
func Unindent(contentType string, body []byte) []byte {
	switch {
	case strings.HasPrefix(contentType, "application/json"):
		var b bytes.Buffer
		if json.Compact(&b, body) != nil {
			return body
		}
		return append(b.Bytes(), '\n')
	case strings.HasPrefix(contentType, "text/xml"):
		return unindentXML(body)
	}
	return body
}

// indentXML puts a newline and indentation between two tags that follow each other directly,
// unless they are an element's start and end (an empty element stays on one line). The API's
// XML has no attributes, comments or CDATA and escapes "<" and ">" in text, so a tag is what
// lies between "<" and ">"; its declaration is followed by a newline already.
func indentXML(body []byte) []byte {
	var b bytes.Buffer
	depth := 0
	prev := byte(0) // the token just written: 's' a start tag, 'e' an end tag, 0 anything else
	for len(body) > 0 {
		if body[0] != '<' {
			n := bytes.IndexByte(body, '<')
			if n < 0 {
				n = len(body)
			}
			b.Write(body[:n])
			body, prev = body[n:], 0
			continue
		}
		n := bytes.IndexByte(body, '>') + 1
		if n == 0 {
			n = len(body)
		}
		tag := body[:n]
		kind := byte('s')
		switch {
		case bytes.HasPrefix(tag, []byte("</")):
			kind, depth = 'e', depth-1
		case bytes.HasSuffix(tag, []byte("/>")):
			kind = 'e'
		case bytes.HasPrefix(tag, []byte("<?")):
			kind = 0
		}
		if prev != 0 && !(prev == 's' && kind == 'e') {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat("  ", max(depth, 0)))
		}
		b.Write(tag)
		if kind == 's' && !bytes.HasSuffix(tag, []byte("/>")) {
			depth++
		}
		body, prev = body[n:], kind
	}
	return b.Bytes()
}

// unindentXML removes what indentXML added: a newline and spaces between two tags.
func unindentXML(body []byte) []byte {
	var b bytes.Buffer
	for i := 0; i < len(body); i++ {
		if body[i] == '\n' && i > 0 && body[i-1] == '>' && (i < 2 || body[i-2] != '?') {
			j := i + 1
			for j < len(body) && body[j] == ' ' {
				j++
			}
			if j < len(body) && body[j] == '<' {
				i = j - 1
				continue
			}
		}
		b.WriteByte(body[i])
	}
	return b.Bytes()
}

// Diff shows how got differs from want, line by line: "-" lines only in want, "+" lines only
// in got, and up to two lines of context around each change.
func Diff(want, got []byte) string {
	a := strings.Split(string(want), "\n")
	b := strings.Split(string(got), "\n")
	// lcs[i][j] is the length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		op   byte
		text string
	}
	var lines []line
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			lines = append(lines, line{' ', a[i]})
			i, j = i+1, j+1
		case j < len(b) && (i == len(a) || lcs[i][j+1] >= lcs[i+1][j]):
			lines = append(lines, line{'+', b[j]})
			j++
		default:
			lines = append(lines, line{'-', a[i]})
			i++
		}
	}
	const context = 2
	var out strings.Builder
	last := -1
	for k, l := range lines {
		near := false
		for d := max(0, k-context); d <= min(len(lines)-1, k+context); d++ {
			near = near || lines[d].op != ' '
		}
		if !near {
			continue
		}
		if last >= 0 && k > last+1 {
			out.WriteString("...\n")
		}
		fmt.Fprintf(&out, "%c %s\n", l.op, l.text)
		last = k
	}
	return out.String()
}
