package focus

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// maxExponent bounds the exponent of numbers in scientific notation; money
// and quantities never come near it, and a huge exponent would make
// arithmetic slow.
const maxExponent = 1000

// parseDecimal reads a plain or scientific decimal number. sci reports an
// exponent.
func parseDecimal(s string) (d decimal.Decimal, sci bool, ok bool) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var m int64
	nd, frac := 0, 0
	dot, digits := false, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = true
			if dot {
				frac++
			}
			if m == 0 && c == '0' {
				continue
			}
			if nd == 18 {
				return parseDecimalSlow(s)
			}
			m = m*10 + int64(c-'0')
			nd++
		case c == '.' && !dot:
			dot = true
		case c == 'e' || c == 'E':
			if !digits {
				return decimal.Decimal{}, false, false
			}
			return parseDecimalSlow(s)
		default:
			return decimal.Decimal{}, false, false
		}
	}
	if !digits {
		return decimal.Decimal{}, false, false
	}
	if neg {
		m = -m
	}
	return decimal.New(m, int32(-frac)), false, true
}

func parseDecimalSlow(s string) (decimal.Decimal, bool, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E') {
			return decimal.Decimal{}, false, false
		}
	}
	sci := strings.ContainsAny(s, "eE")
	if sci {
		e := strings.IndexAny(s, "eE")
		x, err := strconv.Atoi(s[e+1:])
		if err != nil || x > maxExponent || x < -maxExponent || e == 0 || !strings.ContainsAny(s[:e], "0123456789") {
			return decimal.Decimal{}, false, false
		}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, false, false
	}
	return d, sci, true
}

// tsFlags are the deviations found in a timestamp.
type tsFlags uint8

const (
	tsNoT tsFlags = 1 << iota
	tsNoZone
	tsOffset
	tsFraction
	tsDateOnly
	tsSlash
)

var tsKinds = [...]WarningKind{WarnTimestampNoT, WarnTimestampNoZone, WarnTimestampOffset, WarnTimestampFraction, WarnDateOnly, WarnSlashDate}

var errSlashDate = errors.New("slash date is ambiguous; set Options.SlashDates to MDY or DMY to accept it")

// parseTimestamp reads a FOCUS date-time (YYYY-MM-DDTHH:MM:SSZ) and the
// common deviations from it, and returns it in UTC.
func parseTimestamp(s string, order DateOrder) (time.Time, tsFlags, error) {
	// Fast path: the FOCUS form.
	if len(s) == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z' {
		y, ok1 := atoiN(s[0:4])
		mo, ok2 := atoiN(s[5:7])
		d, ok3 := atoiN(s[8:10])
		h, ok4 := atoiN(s[11:13])
		mi, ok5 := atoiN(s[14:16])
		sec, ok6 := atoiN(s[17:19])
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 {
			t, err := mkTime(y, mo, d, h, mi, sec, 0)
			return t, 0, err
		}
		return time.Time{}, 0, errBadTimestamp
	}
	if strings.IndexByte(s, '/') >= 0 {
		return parseSlashDate(s, order)
	}
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, 0, errBadTimestamp
	}
	y, ok1 := atoiN(s[0:4])
	mo, ok2 := atoiN(s[5:7])
	d, ok3 := atoiN(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return time.Time{}, 0, errBadTimestamp
	}
	rest := s[10:]
	if rest == "" {
		t, err := mkTime(y, mo, d, 0, 0, 0, 0)
		return t, tsDateOnly, err
	}
	var flags tsFlags
	switch rest[0] {
	case 'T', 't':
	case ' ':
		flags |= tsNoT
	default:
		return time.Time{}, 0, errBadTimestamp
	}
	h, mi, sec, ns, n, f, ok := parseClock(rest[1:])
	if !ok {
		return time.Time{}, 0, errBadTimestamp
	}
	flags |= f
	t, err := mkTime(y, mo, d, h, mi, sec, ns)
	if err != nil {
		return time.Time{}, 0, err
	}
	zone := rest[1+n:]
	off, zf, ok := parseZone(zone)
	if !ok {
		return time.Time{}, 0, errBadTimestamp
	}
	return t.Add(-time.Duration(off) * time.Second), flags | zf, nil
}

var errBadTimestamp = errors.New("not a timestamp")

// parseClock reads HH:MM[:SS[.fraction]] at the start of s and returns how
// many bytes it used.
func parseClock(s string) (h, mi, sec, ns, n int, flags tsFlags, ok bool) {
	if len(s) < 5 || s[2] != ':' {
		return
	}
	var ok1, ok2 bool
	h, ok1 = atoiN(s[0:2])
	mi, ok2 = atoiN(s[3:5])
	if !ok1 || !ok2 {
		return
	}
	n = 5
	if len(s) >= 8 && s[5] == ':' {
		if sec, ok1 = atoiN(s[6:8]); !ok1 {
			return
		}
		n = 8
		if len(s) > 9 && s[8] == '.' {
			j := 9
			scale := 100000000
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				if j-9 >= 9 {
					return // more than nanoseconds
				}
				ns += int(s[j]-'0') * scale
				scale /= 10
				j++
			}
			if j == 9 {
				return
			}
			n = j
			flags |= tsFraction
		}
	}
	return h, mi, sec, ns, n, flags, true
}

// parseZone reads what follows the clock: nothing, Z, UTC, or an offset
// (+HH:MM, +HHMM, +HH), optionally after one space. It returns the offset in
// seconds east of UTC.
func parseZone(z string) (off int, flags tsFlags, ok bool) {
	if z == "" {
		return 0, tsNoZone, true
	}
	if z[0] == ' ' {
		z = z[1:]
	}
	switch z {
	case "Z", "z", "UTC":
		return 0, 0, true
	}
	if len(z) < 3 || (z[0] != '+' && z[0] != '-') {
		return 0, 0, false
	}
	sign := 1
	if z[0] == '-' {
		sign = -1
	}
	hh, ok1 := atoiN(z[1:3])
	mm := 0
	ok2 := true
	switch len(z) {
	case 3:
	case 5:
		mm, ok2 = atoiN(z[3:5])
	case 6:
		if z[3] != ':' {
			return 0, 0, false
		}
		mm, ok2 = atoiN(z[4:6])
	default:
		return 0, 0, false
	}
	if !ok1 || !ok2 || hh > 23 || mm > 59 {
		return 0, 0, false
	}
	return sign * (hh*3600 + mm*60), tsOffset, true
}

// parseSlashDate reads M/D/Y or D/M/Y (two- or four-digit year) with an
// optional H:MM[:SS] time, as UTC.
func parseSlashDate(s string, order DateOrder) (time.Time, tsFlags, error) {
	if order != SlashDatesMDY && order != SlashDatesDMY {
		return time.Time{}, 0, errSlashDate
	}
	date, clock, hasClock := strings.Cut(s, " ")
	parts := strings.Split(date, "/")
	if len(parts) != 3 {
		return time.Time{}, 0, errBadTimestamp
	}
	var nums [3]int
	for i, p := range parts {
		if len(p) == 0 || len(p) > 4 || (i < 2 && len(p) > 2) || (i == 2 && len(p) != 2 && len(p) != 4) {
			return time.Time{}, 0, errBadTimestamp
		}
		v, ok := atoiN(p)
		if !ok {
			return time.Time{}, 0, errBadTimestamp
		}
		nums[i] = v
	}
	mo, d, y := nums[0], nums[1], nums[2]
	if order == SlashDatesDMY {
		mo, d = d, mo
	}
	if len(parts[2]) == 2 {
		y += 2000
	}
	h, mi, sec := 0, 0, 0
	if hasClock {
		c := strings.TrimSpace(clock)
		if len(c) >= 4 && c[1] == ':' { // H:MM
			c = "0" + c
		}
		var n int
		var ok bool
		h, mi, sec, _, n, _, ok = parseClock(c)
		if !ok || n != len(c) {
			return time.Time{}, 0, errBadTimestamp
		}
	}
	t, err := mkTime(y, mo, d, h, mi, sec, 0)
	return t, tsSlash, err
}

func mkTime(y, mo, d, h, mi, sec, ns int) (time.Time, error) {
	if mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, errBadTimestamp
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC), nil
}

func daysIn(y, mo int) int {
	switch mo {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// atoiN reads a short unsigned decimal made only of digits.
func atoiN(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// Enumerations with their canonical spelling.
var (
	chargeCategories  = []string{"Usage", "Purchase", "Tax", "Credit", "Adjustment"}
	chargeClasses     = []string{"Correction"}
	chargeFrequences  = []string{"One-Time", "Recurring", "Usage-Based"}
	serviceCategories = []string{
		"AI and Machine Learning", "Analytics", "Business Applications", "Compute", "Databases",
		"Developer Tools", "Multicloud", "Identity", "Integration", "Internet of Things",
		"Management and Governance", "Media", "Migration", "Mobile", "Networking", "Security",
		"Storage", "Web", "Other",
	}
)

// enumResult says how a value matched its enumeration.
type enumResult uint8

const (
	enumExact enumResult = iota
	enumCase
	enumUnknown
)

func normEnum(s string, values []string) (string, enumResult) {
	if s == "" {
		return "", enumExact
	}
	for _, v := range values {
		if s == v {
			return v, enumExact
		}
	}
	for _, v := range values {
		if strings.EqualFold(s, v) {
			return v, enumCase
		}
	}
	return s, enumUnknown
}

// isNullToken tells the literal NULL (any case) that database exports write
// for null values.
func isNullToken(s string) bool {
	return len(s) == 4 && (s[0]|0x20) == 'n' && (s[1]|0x20) == 'u' && (s[2]|0x20) == 'l' && (s[3]|0x20) == 'l'
}

// parseTags reads a JSON object of tags. It returns ok=false for anything
// that is not a JSON object. Values that are not strings are kept as their
// JSON text; null becomes "".
func parseTags(s string, intern func(string) string) (map[string]string, bool) {
	p := tagParser{s: s}
	p.ws()
	if !p.eat('{') {
		return nil, false
	}
	var m map[string]string
	p.ws()
	if p.eat('}') {
		p.ws()
		return nil, p.i == len(p.s)
	}
	for {
		p.ws()
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.ws()
		if !p.eat(':') {
			return nil, false
		}
		p.ws()
		var v string
		if p.i < len(p.s) && p.s[p.i] == '"' {
			v, ok = p.str()
		} else {
			v, ok = p.other()
		}
		if !ok {
			return nil, false
		}
		if m == nil {
			m = make(map[string]string, 8)
		}
		m[intern(k)] = intern(v)
		p.ws()
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			break
		}
		return nil, false
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, false
	}
	return m, true
}

type tagParser struct {
	s string
	i int
}

func (p *tagParser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *tagParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a JSON string. Strings without escapes are returned as slices
// of the input.
func (p *tagParser) str() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	start := p.i
	escaped := false
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			raw := p.s[start:p.i]
			p.i++
			if !escaped {
				return raw, true
			}
			var out string
			if err := json.Unmarshal([]byte(p.s[start-1:p.i]), &out); err != nil {
				return "", false
			}
			return out, true
		case c == '\\':
			escaped = true
			p.i += 2
		case c < 0x20:
			return "", false
		default:
			p.i++
		}
	}
	return "", false
}

// other reads a JSON value that is not a string and returns its text (""
// for null).
func (p *tagParser) other() (string, bool) {
	start := p.i
	depth := 0
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch c {
		case '"':
			if depth == 0 {
				return "", false
			}
			if _, ok := p.str(); !ok {
				return "", false
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				goto done
			}
			depth--
		case ',':
			if depth == 0 {
				goto done
			}
		}
		p.i++
	}
done:
	raw := strings.TrimRight(p.s[start:p.i], " \t\r\n")
	if raw == "" || depth != 0 {
		return "", false
	}
	switch raw {
	case "null":
		return "", true
	case "true", "false":
		return raw, true
	}
	if !json.Valid([]byte(raw)) {
		return "", false
	}
	return raw, true
}
