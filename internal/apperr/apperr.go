// Package apperr holds the error kinds every domain package returns, so that one place (httpx)
// maps them to HTTP status codes and to messages in the user's language.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error the way a caller must react to it.
type Code string

const (
	Invalid         Code = "invalid"         // bad input: 400
	Unauthenticated Code = "unauthenticated" // no or expired credentials: 401
	Forbidden       Code = "forbidden"       // outside the caller's role or scope: 403
	NotFound        Code = "not_found"       // 404 (also used for out-of-scope reads, to hide existence)
	Conflict        Code = "conflict"        // state does not allow it: 409
	TooLarge        Code = "too_large"       // body or file over the limit: 413
	Locked          Code = "locked"          // account locked: 423
	TooMany         Code = "too_many"        // rate limited: 429
	Unsupported     Code = "unsupported"     // wrong media type: 415
	Internal        Code = "internal"        // a bug or an outage: 500
)

// Detail is one problem among several (one per field, one per GeoJSON feature …).
type Detail struct {
	Field   string `json:"field,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
	// Args fill a Message that is a catalogue key (translated at the edge).
	Args []any `json:"-"`
}

// Error is a domain error: a code, a message key with arguments (translated at the edge), and
// optional per-item details that are already translated.
type Error struct {
	Code    Code
	Key     string
	Args    []any
	Details []Detail
	Err     error // the underlying cause, for logs only
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s: %s", e.Code, e.Key)
	if len(e.Args) > 0 {
		msg += fmt.Sprint(e.Args)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// New makes an error of the given code with a message key from the i18n catalogue.
func New(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// WithDetails returns e with per-item details attached.
func (e *Error) WithDetails(d []Detail) *Error {
	e.Details = d
	return e
}

// Wrap keeps err as the cause of a domain error.
func Wrap(err error, code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args, Err: err}
}

// CodeOf returns the code of err, Internal when err is not a domain error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As extracts the domain error from err.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
