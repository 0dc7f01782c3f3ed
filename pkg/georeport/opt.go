package georeport

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/civicworks/open311/pkg/open311"
)

// OptString is an optional text value: an empty XML element or JSON null when empty.
type OptString string

// MarshalJSON prints null for an empty value.
func (s OptString) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte("null"), nil
	}
	return marshalString(string(s))
}

// OptFloat is an optional number: an empty XML element or JSON null when unset.
type OptFloat struct {
	Value float64
	Set   bool
}

// MarshalText prints the number in its shortest exact form, or nothing.
func (f OptFloat) MarshalText() ([]byte, error) {
	if !f.Set {
		return nil, nil
	}
	return strconv.AppendFloat(nil, f.Value, 'f', -1, 64), nil
}

// MarshalJSON prints the number, or null.
func (f OptFloat) MarshalJSON() ([]byte, error) {
	if !f.Set {
		return []byte("null"), nil
	}
	return f.MarshalText()
}

// OptTime is an optional date-time printed at seconds precision with its zone (the
// jurisdiction's offset or Z): an empty XML element or JSON null when zero.
type OptTime struct {
	Time time.Time
}

// MarshalText prints the date-time, or nothing.
func (t OptTime) MarshalText() ([]byte, error) {
	if t.Time.IsZero() {
		return nil, nil
	}
	return []byte(open311.FormatTime(t.Time, t.Time.Location())), nil
}

// MarshalJSON prints the date-time as a string, or null.
func (t OptTime) MarshalJSON() ([]byte, error) {
	if t.Time.IsZero() {
		return []byte("null"), nil
	}
	b, _ := t.MarshalText()
	return marshalString(string(b))
}

// marshalString quotes s as a JSON string without HTML escaping, like the rest of a document.
func marshalString(s string) ([]byte, error) { return jsonString(nil, s), nil }

// marshalJSON encodes v without HTML escaping, like the rest of a document.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
