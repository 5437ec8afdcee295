package billing

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// UsageDecoder reads usage records sent as JSON. Most meters write each
// record plainly — a flat object of the known fields, strings without
// escapes, numbers, null — and those are read directly, several times
// faster than by reflection. Anything else (escapes, other or
// differently-cased field names, wrong types, malformed JSON) goes to
// encoding/json, so the result and its error messages are the same either
// way. The repeated short strings (department, offering, unit, source) are
// shared between records. Use one decoder per request.
type UsageDecoder struct {
	shared map[string]string
}

// errNotUTF8 refuses a record with bytes that are not UTF-8, which
// encoding/json would read as U+FFFD: text is never stored with bytes
// replaced.
var errNotUTF8 = errors.New("it holds bytes that are not UTF-8 text")

// Decode reads one record into in, which should be zero.
func (d *UsageDecoder) Decode(b []byte, in *UsageInput) error {
	if d.plain(b, in) {
		return nil
	}
	*in = UsageInput{}
	if !utf8.Valid(b) {
		return errNotUTF8
	}
	return json.Unmarshal(b, in)
}

func (d *UsageDecoder) share(b []byte) string {
	if s, ok := d.shared[string(b)]; ok {
		return s
	}
	s := string(b)
	if d.shared == nil {
		d.shared = map[string]string{}
	}
	if len(d.shared) < 1024 {
		d.shared[s] = s
	}
	return s
}

// plain reads b when it is written plainly, and says whether it was.
func (d *UsageDecoder) plain(b []byte, in *UsageInput) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipSpace(b, i+1) == len(b)
	}
	for {
		name, j, ok := plainString(b, i)
		if !ok {
			return false
		}
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		if i >= len(b) {
			return false
		}
		var str, num []byte
		isStr, isNull := false, false
		switch c := b[i]; {
		case c == '"':
			if str, i, ok = plainString(b, i); !ok {
				return false
			}
			isStr = true
		case c == 'n':
			if !bytes.HasPrefix(b[i:], []byte("null")) {
				return false
			}
			isNull, i = true, i+4
		case c == '-' || (c >= '0' && c <= '9'):
			if j, ok = numberEnd(b, i); !ok {
				return false
			}
			num, i = b[i:j], j
		default:
			return false
		}
		if !d.field(string(name), str, num, isStr, isNull, in) {
			return false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return skipSpace(b, i+1) == len(b)
		default:
			return false
		}
	}
}

// field sets one field as encoding/json would, or says it cannot.
func (d *UsageDecoder) field(name string, str, num []byte, isStr, isNull bool, in *UsageInput) bool {
	var s *string
	switch name {
	case "idempotency_key":
		if isStr {
			in.IdempotencyKey = string(str)
			return true
		}
		return isNull
	case "department":
		s = &in.Department
	case "offering":
		s = &in.Offering
	case "unit":
		s = &in.Unit
	case "source":
		s = &in.Source
	case "time":
		if isStr {
			return in.Time.UnmarshalText(str) == nil
		}
		return isNull
	case "subscription_id":
		if num != nil {
			n, err := strconv.ParseInt(string(num), 10, 64)
			in.SubscriptionID = n
			return err == nil
		}
		return isNull
	case "quantity":
		if isNull {
			return true
		}
		v := str
		if num != nil {
			v = num
		}
		q, err := decimal.NewFromString(string(v))
		in.Quantity = q
		return err == nil && v != nil
	default:
		return false
	}
	if isStr {
		*s = d.share(str)
		return true
	}
	return isNull
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainString reads the JSON string at b[i] when it has no escapes and is
// valid UTF-8, returning its contents and the index after it.
func plainString(b []byte, i int) ([]byte, int, bool) {
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

// numberEnd checks the JSON number at b[i] and returns the index after it.
func numberEnd(b []byte, i int) (int, bool) {
	digits := func(i int) int {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i
	}
	if b[i] == '-' {
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
