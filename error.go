// Package engage holds what every part of Engage shares: the error codes that
// the web and API layers map once to HTTP statuses, and the clock that anything
// that bills, expires or measures time reads from.
package engage

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. Each maps to exactly one HTTP status in the web and API layers.
const (
	EINVALID      = "invalid"      // bad input; Fields says which
	ENOTFOUND     = "not_found"    // no such thing (or the caller may not know it exists)
	ECONFLICT     = "conflict"     // stale version or duplicate key
	EUNAUTHORIZED = "unauthorized" // not signed in
	EFORBIDDEN    = "forbidden"    // signed in, not allowed
	ETOOMANY      = "too_many"     // rate limited
	ETOOLARGE     = "too_large"    // the request body is over its limit
	EUNAVAILABLE  = "unavailable"  // a dependency (database) is down
	EINTERNAL     = "internal"     // a bug or an unexpected fault
)

// FieldError names one bad input and says how to fix it. Field is a dotted
// path for JSON ("parent_id"), the form field name for HTML forms, or
// "line N: column" for CSV files.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a failure the user can act on. Message is safe to show to the
// person who caused it.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a
// generic message so that details never leak to the client.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side. It has been logged; please try again."
}

// ErrorFields returns the field errors carried by err, if any.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Validation collects field errors while checking an input.
type Validation struct {
	Fields []FieldError
}

// Add records that field is wrong.
func (v *Validation) Add(field, format string, args ...any) {
	v.Fields = append(v.Fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Require records an error when value is blank.
func (v *Validation) Require(field, value, label string) {
	if strings.TrimSpace(value) == "" {
		v.Add(field, "Enter %s.", label)
	}
}

// MaxLen records an error when value is longer than n characters.
func (v *Validation) MaxLen(field, value string, n int) {
	if len([]rune(value)) > n {
		v.Add(field, "Must be %d characters or fewer.", n)
	}
}

// Err returns an EINVALID *Error carrying the collected fields, or nil.
func (v *Validation) Err() error {
	if len(v.Fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "Some fields need fixing.", Fields: v.Fields}
}

// HTTPStatus maps an error's code to its HTTP status: the one place where
// this mapping is written.
func HTTPStatus(err error) int {
	switch ErrorCode(err) {
	case "":
		return 200
	case EINVALID:
		return 422
	case ENOTFOUND:
		return 404
	case ECONFLICT:
		return 409
	case EUNAUTHORIZED:
		return 401
	case EFORBIDDEN:
		return 403
	case ETOOMANY:
		return 429
	case ETOOLARGE:
		return 413
	case EUNAVAILABLE:
		return 503
	}
	return 500
}
