package focus

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

func TestDeviationsAccepted(t *testing.T) {
	const in = "\xEF\xBB\xBFId,billedcost,EFFECTIVECOST,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ProviderName,Tags,x_Custom\r\n" +
		"1,1.50,1.25,USD,2024-09-01 00:00:00,2024-09-01 01:00:00,usage,AWS,NULL,a\r\n" +
		"2,1E-2,NULL,usd,2024-09-01T00:00:00+02:00,2024-09-01T01:00:00.500Z,Usage,AWS,\"{\"\"k\"\":\"\"v\"\",\"\"n\"\":1,\"\"b\"\":true}\",b\r\n" +
		"3,0,0,,2024-09-01,2024-09-02,CREDIT,AWS,{not json,c\r\n"
	rows, rejected, rep := readString(t, in, Options{})
	if len(rows) != 3 || len(rejected) != 0 {
		t.Fatalf("%d rows, %d rejected (%v), want 3 and 0", len(rows), len(rejected), rejected)
	}
	checkWarnings(t, rep, map[WarningKind]int64{
		WarnBOM:               1,
		WarnCRLF:              1,
		WarnUnknownColumn:     1, // Id
		WarnCustomColumn:      1, // x_Custom
		WarnNullToken:         2, // Tags of line 2, EffectiveCost of line 3
		WarnTimestampNoT:      2,
		WarnTimestampNoZone:   2,
		WarnTimestampOffset:   1,
		WarnTimestampFraction: 1,
		WarnDateOnly:          2,
		WarnEnumCase:          3, // usage, usd, CREDIT
		WarnScientific:        1,
		WarnEffectiveCostNull: 1,
		WarnTagsMalformed:     1,
	})
	if rep.Columns != 10 || rep.Version != "" {
		t.Errorf("columns %d version %q", rep.Columns, rep.Version)
	}

	r := rows[0]
	if r.Line != 2 || !r.BilledCost.Equal(dec("1.5")) || !r.EffectiveCost.Equal(dec("1.25")) || r.ChargeCategory != "Usage" ||
		!r.ChargePeriodStart.Equal(utc("2024-09-01T00:00:00Z")) || !r.ChargePeriodEnd.Equal(utc("2024-09-01T01:00:00Z")) || r.Tags != nil {
		t.Errorf("line 2 = %+v", r)
	}
	r = rows[1]
	if r.Line != 3 || !r.BilledCost.Equal(dec("0.01")) || !r.EffectiveCost.Equal(dec("0.01")) || r.BillingCurrency != "USD" ||
		!r.ChargePeriodStart.Equal(utc("2024-08-31T22:00:00Z")) || !r.ChargePeriodEnd.Equal(utc("2024-09-01T01:00:00.5Z")) ||
		!maps.Equal(r.Tags, map[string]string{"k": "v", "n": "1", "b": "true"}) {
		t.Errorf("line 3 = %+v", r)
	}
	r = rows[2]
	if r.Line != 4 || r.BillingCurrency != "" || r.ChargeCategory != "Credit" || r.Tags != nil ||
		!r.ChargePeriodEnd.Equal(utc("2024-09-02T00:00:00Z")) {
		t.Errorf("line 4 = %+v", r)
	}
	checkTotals(t, rep, sums{
		"AWS|USD": {ratOf("1.51"), ratOf("1.26")},
		"AWS|":    {ratOf("0"), ratOf("0")},
	})
}

func TestRejections(t *testing.T) {
	const in = "BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd\n" +
		"1,1,USD,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z\n" + // 2 ok
		"abc,1,USD,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z\n" + // 3 bad number
		"1,1,USD,2024-13-01T00:00:00Z,2024-09-01T01:00:00Z\n" + // 4 bad timestamp
		"1,1,USD,2024-09-01T02:00:00Z,2024-09-01T01:00:00Z\n" + // 5 end before start
		"1,1,USD,2024-09-01T00:00:00Z\n" + // 6 too few fields
		"1,1,,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z\n" + // 7 no currency for a cost
		"\"1\n2\",1,USD,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z\n" + // 8-9 a number over two lines
		"2,2,USD,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z\n" + // 10 ok
		"1,\"1,5\",USD,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z\n" + // 11 decimal comma
		"1,1,USD,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,extra\n" + // 12 too many fields
		"1,1,USD,x\"y,2024-09-01T01:00:00Z\n" + // 13 bare quote
		",1,USD,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z\n" + // 14 empty BilledCost
		"1,1,USD,2024-09-01T00:00:00Z,\n" + // 15 empty ChargePeriodEnd
		"3,3,USD,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z\n" // 16 ok
	rows, rejected, rep := readString(t, in, Options{MaxErrors: 5})
	var lines []int
	for _, r := range rows {
		lines = append(lines, r.Line)
	}
	if len(rows) != 3 || lines[0] != 2 || lines[1] != 10 || lines[2] != 16 {
		t.Errorf("accepted lines %v, want [2 10 16]", lines)
	}
	want := []struct {
		line    int
		column  string
		message string
	}{
		{3, "BilledCost", `"abc" is not a number`},
		{4, "ChargePeriodStart", `"2024-13-01T00:00:00Z" is not a timestamp`},
		{5, "ChargePeriodEnd", "2024-09-01T01:00:00Z is before ChargePeriodStart 2024-09-01T02:00:00Z"},
		{6, "", "has 4 fields, the header has 5"},
		{7, "BillingCurrency", "empty while a cost is not zero"},
		{8, "BilledCost", `"1\n2" is not a number`},
		{11, "EffectiveCost", `"1,5" is not a number`},
		{12, "", "has 6 fields, the header has 5"},
		{13, "", "malformed CSV"},
		{14, "BilledCost", "is empty"},
		{15, "ChargePeriodEnd", "is empty"},
	}
	if len(rejected) != len(want) {
		t.Fatalf("%d rejected, want %d: %v", len(rejected), len(want), rejected)
	}
	for i, w := range want {
		e := rejected[i]
		if e.Line != w.line || e.Column != w.column || !strings.HasPrefix(e.Message, w.message) {
			t.Errorf("rejection %d = %+v, want line %d column %q message %q", i, *e, w.line, w.column, w.message)
		}
	}
	if rep.RowsRead != 14 || rep.RowsAccepted != 3 || rep.RowsRejected != 11 || len(rep.Errors) != 5 || rep.Errors[0].Line != 3 {
		t.Errorf("report %d read, %d accepted, %d rejected, %d kept", rep.RowsRead, rep.RowsAccepted, rep.RowsRejected, len(rep.Errors))
	}
	if got := rejected[0].Error(); got != `line 3: column BilledCost: "abc" is not a number` {
		t.Errorf("Error() = %q", got)
	}
	checkTotals(t, rep, sums{"|USD": {ratOf("6"), ratOf("6")}})
}

func TestHeaderErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "empty"},
		{"no cost", "EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd\n", "BilledCost"},
		{"no period", "BilledCost,BillingCurrency\n", "ChargePeriodStart, ChargePeriodEnd"},
		{"twice", "BilledCost,billedCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd\n", "twice"},
	} {
		_, err := NewReader(strings.NewReader(tc.in), Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tc.name, err, tc.want)
		}
		if tc.name == "no cost" && !errors.Is(err, ErrMissingColumn) {
			t.Errorf("%s: %v is not ErrMissingColumn", tc.name, err)
		}
	}
	// Without EffectiveCost the file is read, with BilledCost in its place.
	rows, _, rep := readString(t, "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd\n2.5,EUR,2024-09-01T00:00:00Z,2024-09-02T00:00:00Z\n", Options{})
	if len(rows) != 1 || !rows[0].EffectiveCost.Equal(dec("2.5")) {
		t.Fatalf("rows %+v", rows)
	}
	checkWarnings(t, rep, map[WarningKind]int64{WarnEffectiveCostNoCol: 1})
}

func TestVersionDetection(t *testing.T) {
	base := "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd"
	for extra, want := range map[string]string{
		"":                               "",
		",ChargeClass":                   "1.0",
		",ChargeClass,SkuMeter":          "1.1",
		",InvoiceId,ServiceSubcategory":  "1.2",
		",ServiceProviderName,InvoiceId": "1.3",
		",providername,HostProviderName": "1.3",
	} {
		r, err := NewReader(strings.NewReader(base+extra+"\n"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Report().Version; got != want {
			t.Errorf("%q: version %q, want %q", extra, got, want)
		}
	}
	// 1.3 names the provider ServiceProviderName; it wins over ProviderName.
	rows, _, _ := readString(t, base+",ProviderName,ServiceProviderName,PublisherName,InvoiceIssuerName\n"+
		"1,USD,2024-09-01T00:00:00Z,2024-09-02T00:00:00Z,Old,New,Pub,Issuer\n"+
		"1,USD,2024-09-01T00:00:00Z,2024-09-02T00:00:00Z,Old,,Pub,Issuer\n", Options{})
	if len(rows) != 2 || rows[0].ProviderName != "New" || rows[1].ProviderName != "Old" || rows[0].PublisherName != "Pub" || rows[0].InvoiceIssuerName != "Issuer" {
		t.Errorf("providers %+v", rows)
	}
}
