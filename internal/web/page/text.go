package page

import (
	"strconv"
	"strings"
)

// UpperFirst starts a sentence made of field names or phrases with a
// capital letter: "line 3" is "Line 3".
func UpperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Plural counts n of something: "1 line", "3 lines".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
