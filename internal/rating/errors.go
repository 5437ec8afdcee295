package rating

import (
	"errors"
	"strings"
)

// ErrNoPlan is wrapped by the error PlanAt (and every function that looks a
// plan up by date) returns when no plan is in effect on the date asked for.
var ErrNoPlan = errors.New("no rate plan in effect")

// FieldError names one bad input and says how to fix it. Field is a JSON-style
// path such as "tiers[2].up_to". Its shape (and JSON form) matches
// engage.FieldError, so a caller can convert one into the other directly.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists every problem found in an input, not only the first.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "rating: " + strings.Join(parts, "; ")
}

// fieldErrors collects FieldErrors; err returns nil when there are none.
type fieldErrors []FieldError

func (fe *fieldErrors) add(field, message string) {
	*fe = append(*fe, FieldError{Field: field, Message: message})
}

func (fe fieldErrors) err() error {
	if len(fe) == 0 {
		return nil
	}
	return &ValidationError{Fields: fe}
}
