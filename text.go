package engage

import (
	"strings"
	"unicode/utf8"
)

// TextProblem says what makes s unfit to be stored as text — bytes that
// are not UTF-8, or a NUL character — or "" when it is fit. Every text
// input (forms, API, CSV files) is checked with it before anything is
// stored.
func TextProblem(s string) string {
	if !utf8.ValidString(s) {
		return "Contains bytes that are not UTF-8 text; save the file or text as UTF-8."
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "Contains a NUL character, which text may not hold."
	}
	return ""
}

// Text records an error when value is not storable text.
func (v *Validation) Text(field, value string) {
	if p := TextProblem(value); p != "" {
		v.Add(field, "%s", p)
	}
}
