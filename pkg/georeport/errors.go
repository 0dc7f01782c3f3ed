package georeport

import (
	"encoding/xml"
)

// Errors is the error document (a top-level array in JSON).
type Errors struct {
	XMLName xml.Name `xml:"errors" json:"-"`
	Errors  []Error  `xml:"error"`
}

func (e Errors) list() any { return nonNil(e.Errors) }

// Error is one error: the HTTP status as code, and a description an end user can read.
type Error struct {
	Code        int    `xml:"code" json:"code"`
	Description string `xml:"description" json:"description"`
}

// NewErrors builds an error document of one status with one error per description.
func NewErrors(status int, descriptions ...string) Errors {
	e := Errors{}
	for _, d := range descriptions {
		e.Errors = append(e.Errors, Error{Code: status, Description: d})
	}
	return e
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
