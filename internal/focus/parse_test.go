package focus

import (
	"maps"
	"testing"
)

func TestParseTimestamp(t *testing.T) {
	for _, tc := range []struct {
		in    string
		order DateOrder
		want  string
		flags tsFlags
	}{
		{"2024-09-01T00:00:00Z", "", "2024-09-01T00:00:00Z", 0},
		{"2024-02-29T23:59:59Z", "", "2024-02-29T23:59:59Z", 0},
		{"2024-09-01 00:00:00", "", "2024-09-01T00:00:00Z", tsNoT | tsNoZone},
		{"2024-09-01T00:00:00", "", "2024-09-01T00:00:00Z", tsNoZone},
		{"2024-09-01 10:30:00Z", "", "2024-09-01T10:30:00Z", tsNoT},
		{"2024-09-01T00:00:00.123Z", "", "2024-09-01T00:00:00.123Z", tsFraction},
		{"2024-09-01T00:00:00.000000000Z", "", "2024-09-01T00:00:00Z", tsFraction},
		{"2024-09-01T01:00:00+01:00", "", "2024-09-01T00:00:00Z", tsOffset},
		{"2024-09-01T00:00:00-0530", "", "2024-09-01T05:30:00Z", tsOffset},
		{"2024-09-01 00:00:00 +00", "", "2024-09-01T00:00:00Z", tsNoT | tsOffset},
		{"2024-09-01T00:00:00 UTC", "", "2024-09-01T00:00:00Z", 0},
		{"2024-09-01T00:00Z", "", "2024-09-01T00:00:00Z", 0},
		{"2024-09-01", "", "2024-09-01T00:00:00Z", tsDateOnly},
		{"5/1/25", SlashDatesMDY, "2025-05-01T00:00:00Z", tsSlash},
		{"5/1/25", SlashDatesDMY, "2025-01-05T00:00:00Z", tsSlash},
		{"12/31/2024 0:00", SlashDatesMDY, "2024-12-31T00:00:00Z", tsSlash},
	} {
		got, flags, err := parseTimestamp(tc.in, tc.order)
		if err != nil || !got.Equal(utc(tc.want)) || flags != tc.flags {
			t.Errorf("parseTimestamp(%q) = %v, %b, %v; want %s, %b", tc.in, got, flags, err, tc.want, tc.flags)
		}
	}
	for _, in := range []string{
		"", "2024", "2024-9-1", "2024-09-31", "2023-02-29T00:00:00Z", "2024-09-01T24:00:00Z", "2024-09-01T00:60:00Z",
		"2024-09-01X00:00:00", "2024-09-01T00:00:00+25:00", "2024-09-01T00:00:00.Z", "2024-09-01T00:00:00ZZ",
		"yesterday", "5/1/25", "13/13/2025", "1725148800",
	} {
		order := SlashDatesMDY
		if in == "5/1/25" {
			order = SlashDatesReject
		}
		if got, _, err := parseTimestamp(in, order); err == nil {
			t.Errorf("parseTimestamp(%q) = %v, want an error", in, got)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		sci      bool
	}{
		{"0", "0", false},
		{"-0.00", "0", false},
		{"0.00000080000", "0.0000008", false},
		{"1200", "1200", false},
		{"+1.5", "1.5", false},
		{"-2.61370000000", "-2.6137", false},
		{".5", "0.5", false},
		{"123456789012345678901234567890.123456789", "123456789012345678901234567890.123456789", false},
		{"1E-7", "0.0000001", true},
		{"-2.5e3", "-2500", true},
		{"8.0e-07", "0.0000008", true},
	} {
		d, sci, ok := parseDecimal(tc.in)
		if !ok || !d.Equal(dec(tc.want)) || sci != tc.sci {
			t.Errorf("parseDecimal(%q) = %s, %v, %v; want %s, %v", tc.in, d, sci, ok, tc.want, tc.sci)
		}
	}
	for _, in := range []string{"", "-", ".", "abc", "1,5", "1.2.3", "$1", "1e", "e5", "1e99999", "NaN", "Inf", "0x10", "1 000", "--1"} {
		if d, _, ok := parseDecimal(in); ok {
			t.Errorf("parseDecimal(%q) = %s, want failure", in, d)
		}
	}
}

func TestParseTags(t *testing.T) {
	id := func(s string) string { return s }
	for in, want := range map[string]map[string]string{
		`{}`:                       nil,
		` { "a" : "b" } `:          {"a": "b"},
		`{"a":"b","a":"c"}`:        {"a": "c"},
		`{"q":"say \"hi\"\u00e9"}`: {"q": `say "hi"é`},
		`{"n":-1.5e3,"t":true,"z":null,"f":false}`: {"n": "-1.5e3", "t": "true", "z": "", "f": "false"},
		`{"o":{"x":[1,"}"]},"p":"q"}`:              {"o": `{"x":[1,"}"]}`, "p": "q"},
		`{"ms:Department":"R&D <x>"}`:              {"ms:Department": "R&D <x>"},
	} {
		got, ok := parseTags(in, id)
		if !ok || !maps.Equal(got, want) {
			t.Errorf("parseTags(%s) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{`{`, `[]`, `"a"`, `{"a"}`, `{"a":}`, `{"a":b}`, `{"a":"b",}`, `{"a":"b"} x`, `{"a":01}`, `{"a":"b"`, `{'a':'b'}`} {
		if got, ok := parseTags(in, id); ok {
			t.Errorf("parseTags(%s) = %v, want failure", in, got)
		}
	}
}
