package open311

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error so that the edge (HTTP) can map it to a status once.
type Kind int

// The error kinds. Internal errors are logged and never shown to a client.
const (
	Internal  Kind = iota // something broke on our side
	Invalid               // the client sent something malformed or out of range
	NotFound              // the thing asked for does not exist (or is not public)
	Forbidden             // missing or invalid API key, or a role that may not do this
	Conflict              // a concurrent change or an existing item won
	TooLarge              // the client sent more than a documented limit
)

func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not found"
	case Forbidden:
		return "forbidden"
	case Conflict:
		return "conflict"
	case TooLarge:
		return "too large"
	default:
		return "internal"
	}
}

// Error is the error type of the domain and its stores. Op names the operation that failed
// (for example "store/bolt.CreateRequest"); Messages are end-user readable descriptions and are
// the only part of an error ever shown to a client.
type Error struct {
	Kind     Kind
	Op       string
	Messages []string
	Err      error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(e.Kind.String())
	if len(e.Messages) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(e.Messages, "; "))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind with one readable message.
func Errorf(kind Kind, op, format string, args ...any) *Error {
	return &Error{Kind: kind, Op: op, Messages: []string{fmt.Sprintf(format, args...)}}
}

// Wrap returns an internal *Error around err, keeping err's kind and messages when it is an *Error.
func Wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return &Error{Kind: e.Kind, Op: op, Messages: e.Messages, Err: err}
	}
	return &Error{Kind: Internal, Op: op, Err: err}
}

// ErrorKind returns the kind of err: the kind of the first *Error in its chain, else Internal.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// ErrorMessages returns the readable messages of err, or nil for an internal error.
func ErrorMessages(err error) []string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Messages
	}
	return nil
}

// IsKind reports whether err is of the given kind.
func IsKind(err error, kind Kind) bool { return err != nil && ErrorKind(err) == kind }

// Problems collects validation messages so that a client learns of every bad field at once.
type Problems []string

// Add records one readable problem.
func (p *Problems) Add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// Err returns an Invalid *Error listing the problems, or nil when there are none.
func (p Problems) Err(op string) error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Op: op, Messages: append([]string(nil), p...)}
}
