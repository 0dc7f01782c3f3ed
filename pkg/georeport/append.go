package georeport

import (
	"strconv"
	"unicode/utf8"
)

// appender is a document that writes itself in both formats, byte for byte as encoding/json
// (without HTML escaping) and encoding/xml write it from its struct tags, without their
// reflection and without encoding/json's check of each custom value's output. Marshal uses it
// when a document has it; a test holds every appender to what the encoders write.
type appender interface {
	appendJSON(b []byte) []byte
	appendXML(b []byte) []byte
}

const hex = "0123456789abcdef"

// jsonString appends s as a JSON string, escaped as encoding/json does with HTML escaping off:
// quotes, backslashes and control characters escaped, invalid UTF-8 as U+FFFD, and U+2028 and
// U+2029 escaped for JavaScript.
func jsonString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}

// jsonKey appends "name": after a comma when the object has members already.
func jsonKey(b []byte, name string, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

func jsonOptString(b []byte, s OptString) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return jsonString(b, string(s))
}

func jsonOptTime(b []byte, t OptTime) []byte {
	if t.Time.IsZero() {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = appendTime(b, t.Time)
	return append(b, '"')
}

func jsonOptFloat(b []byte, f OptFloat) []byte {
	if !f.Set {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, f.Value, 'f', -1, 64)
}

func jsonStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonString(b, s)
	}
	return append(b, ']')
}

// xmlText appends s escaped as encoding/xml escapes character data (xml.EscapeText): markup
// characters and the line breaks as references, and what XML cannot hold as U+FFFD.
func xmlText(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if xmlPlain[c] {
			i++
			continue
		}
		var esc string
		width := 1
		switch {
		case c == '"':
			esc = "&#34;"
		case c == '\'':
			esc = "&#39;"
		case c == '&':
			esc = "&amp;"
		case c == '<':
			esc = "&lt;"
		case c == '>':
			esc = "&gt;"
		case c == '\t':
			esc = "&#x9;"
		case c == '\n':
			esc = "&#xA;"
		case c == '\r':
			esc = "&#xD;"
		case c < 0x20:
			esc = "\uFFFD"
		case c >= utf8.RuneSelf:
			var r rune
			r, width = utf8.DecodeRuneInString(s[i:])
			if inXMLRange(r) && !(r == utf8.RuneError && width == 1) {
				i += width
				continue
			}
			esc = "\uFFFD"
		default:
			i++
			continue
		}
		b = append(append(b, s[start:i]...), esc...)
		i += width
		start = i
	}
	return append(b, s[start:]...)
}

// xmlPlain marks the ASCII bytes that character data holds as they are.
var xmlPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"'&<>` {
		t[c] = false
	}
	return t
}()

// inXMLRange reports whether r is a character XML 1.0 allows.
func inXMLRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// xmlElem appends <name>text</name>.
func xmlElem(b []byte, name, text string) []byte {
	b = xmlOpen(b, name)
	b = xmlText(b, text)
	return xmlClose(b, name)
}

func xmlOpen(b []byte, name string) []byte {
	b = append(b, '<')
	b = append(b, name...)
	return append(b, '>')
}

func xmlClose(b []byte, name string) []byte {
	b = append(b, '<', '/')
	b = append(b, name...)
	return append(b, '>')
}

func xmlOptTime(b []byte, name string, t OptTime) []byte {
	b = xmlOpen(b, name)
	if !t.Time.IsZero() {
		b = appendTime(b, t.Time)
	}
	return xmlClose(b, name)
}

func xmlOptFloat(b []byte, name string, f OptFloat) []byte {
	b = xmlOpen(b, name)
	if f.Set {
		b = strconv.AppendFloat(b, f.Value, 'f', -1, 64)
	}
	return xmlClose(b, name)
}

func xmlBool(b []byte, name string, v bool) []byte {
	b = xmlOpen(b, name)
	b = strconv.AppendBool(b, v)
	return xmlClose(b, name)
}
