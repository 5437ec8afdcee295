package focus

import (
	"errors"
	"strings"
	"testing"
)

// read reads s whole and returns its rows, refused rows and the error that
// ended reading (nil at the end of the file).
func readUntilEnd(t *testing.T, s string) ([]Row, []*RowError, error) {
	t.Helper()
	r, err := NewReader(strings.NewReader(s), Options{})
	if err != nil {
		return nil, nil, err
	}
	var rows []Row
	var refused []*RowError
	for {
		row, err := r.Next()
		var re *RowError
		switch {
		case err == nil:
			rows = append(rows, row)
		case errors.As(err, &re):
			refused = append(refused, re)
		case err.Error() == "EOF":
			return rows, refused, nil
		default:
			return rows, refused, err
		}
	}
}

// TestCutLastLine: a file whose last line has no line break while the lines
// before it have one was cut, and is refused even when the line's fields
// look whole — a number cut to "12." or a text cut short. A header alone
// without a line break is an empty bill; a whole file without the cut reads.
func TestCutLastLine(t *testing.T) {
	const header = "ServiceName,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,EffectiveCost,BilledCost\n"
	const row1 = "VM,USD,2026-02-10T00:00:00Z,2026-02-10T01:00:00Z,1.00,1.00\n"
	const row2 = "Database,USD,2026-02-10T00:00:00Z,2026-02-10T01:00:00Z,12.30,12.30\n"
	whole := header + row1 + row2
	if rows, refused, err := readUntilEnd(t, whole); err != nil || len(rows) != 2 || len(refused) != 0 {
		t.Fatalf("whole file: %d rows, %v, %v", len(rows), refused, err)
	}
	for name, text := range map[string]string{
		"number cut":          strings.TrimSuffix(whole, "30\n"),
		"before the break":    strings.TrimSuffix(whole, "\n"),
		"header and one row":  header + strings.TrimSuffix(row1, "\n"),
		"text cut, CRLF file": strings.ReplaceAll(header+row1, "\n", "\r\n") + "Datab",
		"open quote":          header + row1 + `"Data`,
	} {
		_, _, err := readUntilEnd(t, text)
		if !errors.Is(err, ErrCut) {
			t.Errorf("%s: %v; want the file refused as cut", name, err)
		}
	}
	if rows, refused, err := readUntilEnd(t, strings.TrimSuffix(header, "\n")); err != nil || len(rows) != 0 || len(refused) != 0 {
		t.Errorf("a header alone without a line break: %d rows, %v, %v", len(rows), refused, err)
	}
}

// TestBadTextRefused: a row whose text is not UTF-8 or holds NUL is a
// refused row naming its line and column, never read with the bytes
// replaced; the other rows read.
func TestBadTextRefused(t *testing.T) {
	const header = "ServiceName,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,BilledCost,Tags\n"
	text := header +
		"VM,USD,2026-02-10T00:00:00Z,2026-02-10T01:00:00Z,1.00,\n" +
		"Caf\xe9,USD,2026-02-10T00:00:00Z,2026-02-10T01:00:00Z,1.00,\n" +
		"Nul\x00l,USD,2026-02-10T00:00:00Z,2026-02-10T01:00:00Z,1.00,\n" +
		"DB,USD,2026-02-10T00:00:00Z,2026-02-10T01:00:00Z,1.00,\"{\"\"team\"\":\"\"r\xffd\"\"}\"\n" +
		"DB,USD,2026-02-10T00:00:00Z,2026-02-10T01:00:00Z,1.00,\"{\"\"team\"\":\"\"r\\u0000d\"\"}\"\n"
	rows, refused, err := readUntilEnd(t, text)
	if err != nil || len(rows) != 1 || rows[0].ServiceName != "VM" || len(refused) != 4 {
		t.Fatalf("%d rows, refused %v, %v", len(rows), refused, err)
	}
	for i, want := range []struct {
		line         int
		column, word string
	}{{3, "ServiceName", "UTF-8"}, {4, "ServiceName", "NUL"}, {5, "Tags", "UTF-8"}, {6, "Tags", "NUL"}} {
		if e := refused[i]; e.Line != want.line || e.Column != want.column || !strings.Contains(e.Message, want.word) {
			t.Errorf("refusal %d = %+v; want line %d, %s: %s", i, e, want.line, want.column, want.word)
		}
	}
}
