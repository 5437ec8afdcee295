package billing

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/jsonscan"
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
	i := jsonscan.Space(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = jsonscan.Space(b, i+1)
	if i < len(b) && b[i] == '}' {
		return jsonscan.Space(b, i+1) == len(b)
	}
	for {
		name, j, ok := jsonscan.PlainString(b, i)
		if !ok {
			return false
		}
		i = jsonscan.Space(b, j)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = jsonscan.Space(b, i+1)
		if i >= len(b) {
			return false
		}
		var str, num []byte
		isStr, isNull := false, false
		switch c := b[i]; {
		case c == '"':
			if str, i, ok = jsonscan.PlainString(b, i); !ok {
				return false
			}
			isStr = true
		case c == 'n':
			if !bytes.HasPrefix(b[i:], []byte("null")) {
				return false
			}
			isNull, i = true, i+4
		case c == '-' || (c >= '0' && c <= '9'):
			if j, ok = jsonscan.NumberEnd(b, i); !ok {
				return false
			}
			num, i = b[i:j], j
		default:
			return false
		}
		if !d.field(string(name), str, num, isStr, isNull, in) {
			return false
		}
		i = jsonscan.Space(b, i)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = jsonscan.Space(b, i+1)
		case '}':
			return jsonscan.Space(b, i+1) == len(b)
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

// eventAttributes are the CloudEvent attributes read as text.
var eventAttributes = []string{"specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data_base64"}

// plainEvent reads the CloudEvent object at b[i] when it is written plainly
// (as plain reads usage records), returning the index after it. Its data
// is the body's own bytes, not a copy; the id is the one attribute not
// shared between events.
func (d *UsageDecoder) plainEvent(b []byte, i int, ev *CloudEvent) (int, bool) {
	end := 0
	ok := jsonscan.Members(b, i, func(name, v []byte) bool {
		var s *string
		switch string(name) {
		case "data":
			ev.Data = json.RawMessage(v)
			return true
		case "id":
			if v[0] == '"' {
				ev.ID = string(v[1 : len(v)-1])
				return true
			}
			return v[0] == 'n'
		case "specversion":
			s = &ev.SpecVersion
		case "source":
			s = &ev.Source
		case "type":
			s = &ev.Type
		case "subject":
			s = &ev.Subject
		case "time":
			s = &ev.Time
		case "datacontenttype":
			s = &ev.DataContentType
		case "data_base64":
			s = &ev.DataBase64
		default:
			// Extensions are ignored; encoding/json matches names in any
			// case, so a known attribute in another case is left to it.
			for _, a := range eventAttributes {
				if strings.EqualFold(a, string(name)) {
					return false
				}
			}
			return !strings.EqualFold("data", string(name))
		}
		switch v[0] {
		case '"':
			*s = d.share(v[1 : len(v)-1])
			return true
		case 'n':
			return true // null leaves the attribute as it is, as in encoding/json
		}
		return false
	}, &end, 0)
	return end, ok
}

// plainEvents reads a batch (a JSON array of events) written plainly, and
// says whether it was.
func (d *UsageDecoder) plainEvents(b []byte) ([]CloudEvent, bool) {
	i := jsonscan.Space(b, 0)
	if i >= len(b) || b[i] != '[' {
		return nil, false
	}
	out := make([]CloudEvent, 0, min(bytes.Count(b, []byte(`"specversion"`))+1, MaxEventBatch))
	for i = jsonscan.Space(b, i+1); ; {
		if len(out) == MaxEventBatch {
			return nil, false
		}
		out = append(out, CloudEvent{})
		j, ok := d.plainEvent(b, i, &out[len(out)-1])
		if !ok {
			return nil, false
		}
		if i = jsonscan.Space(b, j); i >= len(b) {
			return nil, false
		}
		switch b[i] {
		case ',':
			i = jsonscan.Space(b, i+1)
		case ']':
			return out, jsonscan.Space(b, i+1) == len(b)
		default:
			return nil, false
		}
	}
}
