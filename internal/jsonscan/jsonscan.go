// Package jsonscan reads plainly written JSON without reflection, for the
// hot paths that take many small documents (usage records, CloudEvents,
// meters' value paths). Each function reads at an index of a byte slice
// and says whether what is there is written plainly; a caller falls back
// to encoding/json when it is not, so that results and error messages are
// those of encoding/json either way.
package jsonscan

import (
	"bytes"
	"unicode/utf8"
)

// Space skips JSON white space from b[i].
func Space(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// PlainString reads the JSON string at b[i] when it has no escapes and is
// valid UTF-8, returning its contents and the index after it.
func PlainString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, false
	}
	ascii := true
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			s := b[i+1 : j]
			return s, j + 1, ascii || utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, 0, false
		case c >= 0x80:
			ascii = false
		}
	}
	return nil, 0, false
}

// NumberEnd checks the JSON number at b[i] and returns the index after it.
func NumberEnd(b []byte, i int) (int, bool) {
	digits := func(i int) int {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(i)
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}

// maxDepth bounds the nesting ValueEnd reads plainly.
const maxDepth = 64

// ValueEnd checks the plainly written JSON value at b[i] (strings without
// escapes, at most 64 levels deep) and returns the index after it.
func ValueEnd(b []byte, i int) (int, bool) { return valueEnd(b, i, 0) }

func valueEnd(b []byte, i, depth int) (int, bool) {
	if i >= len(b) || depth > maxDepth {
		return 0, false
	}
	switch c := b[i]; {
	case c == '"':
		_, j, ok := PlainString(b, i)
		return j, ok
	case c == '-' || (c >= '0' && c <= '9'):
		return NumberEnd(b, i)
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	case c == '[':
		i = Space(b, i+1)
		if i < len(b) && b[i] == ']' {
			return i + 1, true
		}
		for {
			j, ok := valueEnd(b, i, depth+1)
			if !ok {
				return 0, false
			}
			if i = Space(b, j); i >= len(b) {
				return 0, false
			}
			switch b[i] {
			case ',':
				i = Space(b, i+1)
			case ']':
				return i + 1, true
			default:
				return 0, false
			}
		}
	case c == '{':
		end := 0
		ok := Members(b, i, func(_, _ []byte) bool { return true }, &end, depth+1)
		return end, ok
	}
	return 0, false
}

func literal(b []byte, i int, word string) (int, bool) {
	if !bytes.HasPrefix(b[i:], []byte(word)) {
		return 0, false
	}
	return i + len(word), true
}

// Members reads the plainly written object at b[i], calling fn with each
// member's name and value (both within b) until fn returns false; *end is
// then the index after the object. It says false when the object is not
// written plainly (fn may have been called for some members by then).
func Members(b []byte, i int, fn func(name, value []byte) bool, end *int, depth int) bool {
	if i >= len(b) || b[i] != '{' || depth > maxDepth {
		return false
	}
	i = Space(b, i+1)
	if i < len(b) && b[i] == '}' {
		*end = i + 1
		return true
	}
	for {
		name, j, ok := PlainString(b, i)
		if !ok {
			return false
		}
		if i = Space(b, j); i >= len(b) || b[i] != ':' {
			return false
		}
		i = Space(b, i+1)
		if j, ok = valueEnd(b, i, depth); !ok {
			return false
		}
		if !fn(name, b[i:j]) {
			return false
		}
		if i = Space(b, j); i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = Space(b, i+1)
		case '}':
			*end = i + 1
			return true
		default:
			return false
		}
	}
}
