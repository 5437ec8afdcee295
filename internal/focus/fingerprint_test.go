package focus

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fingerprints(rows []Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Fingerprint
	}
	return out
}

func TestGzipSameRows(t *testing.T) {
	plain, err := os.ReadFile(sampleFile)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	// The name says CSV: the format is told by the content.
	path := filepath.Join(t.TempDir(), "export.csv")
	if err := os.WriteFile(path, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	want, _, wantRep := readFile(t, sampleFile, Options{})
	got, rejected, rep := readFile(t, path, Options{})
	if len(got) != len(want) || len(rejected) != 0 {
		t.Fatalf("gzip: %d rows, %d rejected; plain: %d rows", len(got), len(rejected), len(want))
	}
	for i := range want {
		if !rowsEqual(got[i], want[i]) || got[i].Fingerprint != want[i].Fingerprint || got[i].Line != want[i].Line {
			t.Fatalf("row %d differs:\n%+v\n%+v", i, got[i], want[i])
		}
	}
	if rep.Format != FormatCSVGzip || rep.BytesRead != int64(gz.Len()) {
		t.Errorf("format %q, bytes %d (file %d)", rep.Format, rep.BytesRead, gz.Len())
	}
	checkTotals(t, rep, toSums(wantRep))
}

func toSums(rep Report) sums {
	s := sums{}
	for _, t := range rep.Totals {
		s[t.ProviderName+"|"+t.BillingCurrency] = [2]*big.Rat{t.BilledCost.Rat(), t.EffectiveCost.Rat()}
	}
	return s
}

func TestFingerprintsStable(t *testing.T) {
	a, _, _ := readFile(t, sampleFile, Options{})
	b, _, _ := readFile(t, sampleFile, Options{})
	seen := map[string]bool{}
	for i := range a {
		if a[i].Fingerprint != b[i].Fingerprint {
			t.Fatalf("row %d: fingerprint changed between reads", i)
		}
		if len(a[i].Fingerprint) != 64 || seen[a[i].Fingerprint] {
			t.Fatalf("row %d: fingerprint %q is malformed or repeated", i, a[i].Fingerprint)
		}
		seen[a[i].Fingerprint] = true
	}
}

// TestFingerprintsOverlap splits the sample into two files that share 200
// rows: exactly those rows share fingerprints.
func TestFingerprintsOverlap(t *testing.T) {
	data, err := os.ReadFile(sampleFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n") // no quoted newlines in this file
	header, body := lines[0], lines[1:1001]
	fileA := header + strings.Join(body[:600], "")
	fileB := header + strings.Join(body[400:], "")
	rowsA, _, _ := readString(t, fileA, Options{})
	rowsB, _, _ := readString(t, fileB, Options{})
	all, _, _ := readFile(t, sampleFile, Options{})
	if len(rowsA) != 600 || len(rowsB) != 600 {
		t.Fatalf("%d and %d rows", len(rowsA), len(rowsB))
	}
	inA := map[string]bool{}
	for _, fp := range fingerprints(rowsA) {
		inA[fp] = true
	}
	shared := map[string]bool{}
	for _, fp := range fingerprints(rowsB) {
		if inA[fp] {
			shared[fp] = true
		}
	}
	if len(shared) != 200 {
		t.Fatalf("%d shared fingerprints, want 200", len(shared))
	}
	for _, r := range all[400:600] {
		if !shared[r.Fingerprint] {
			t.Fatalf("line %d of the whole file is not among the shared fingerprints", r.Line)
		}
	}
	// Lines differ between files; fingerprints do not.
	if rowsB[0].Line != 2 || rowsB[0].Fingerprint != all[400].Fingerprint {
		t.Errorf("first row of B: line %d", rowsB[0].Line)
	}
}

// TestFingerprintsDuplicates: identical rows of one file are all kept with
// distinct fingerprints, and a re-import or overlapping file matches them
// occurrence by occurrence.
func TestFingerprintsDuplicates(t *testing.T) {
	const header = "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ResourceId\n"
	const x = "1,USD,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,vm-1\n"
	const y = "2,USD,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,vm-2\n"
	first, _, rep := readString(t, header+x+y+x+x, Options{})
	again, _, _ := readString(t, header+x+y+x+x, Options{})
	fp := fingerprints(first)
	if fp[0] == fp[2] || fp[0] == fp[3] || fp[2] == fp[3] {
		t.Fatalf("duplicates share fingerprints: %v", fp)
	}
	if strings.Join(fp, ",") != strings.Join(fingerprints(again), ",") {
		t.Fatal("re-reading changed fingerprints")
	}
	checkWarnings(t, rep, map[WarningKind]int64{WarnDuplicateRow: 2, WarnEffectiveCostNoCol: 1})
	if !first[0].BilledCost.Equal(first[2].BilledCost) || rep.Totals[0].BilledCost.String() != "5" {
		t.Errorf("totals %+v: duplicates must be counted", rep.Totals)
	}
	// A later file with the charge once: it is the first occurrence.
	later, _, _ := readString(t, header+y+x, Options{})
	if later[1].Fingerprint != fp[0] || later[0].Fingerprint != fp[1] {
		t.Errorf("overlap fingerprints %v, want %s and %s", fingerprints(later), fp[1], fp[0])
	}
	// Same content written differently (column order, case, trailing zeros,
	// offset timestamps) has the same fingerprint.
	other, _, _ := readString(t, "resourceid,ChargePeriodEnd,ChargePeriodStart,BillingCurrency,BilledCost\n"+
		"vm-1,2024-09-01T03:00:00+02:00,2024-09-01 00:00:00,usd,1.000\n", Options{})
	if other[0].Fingerprint != fp[0] {
		t.Errorf("normalised fingerprint %s, want %s", other[0].Fingerprint, fp[0])
	}
}

// TestSeenSetGrows exercises the duplicate table past several growths.
func TestSeenSetGrows(t *testing.T) {
	var s seenSet
	const n = 200000
	for i := uint64(1); i <= n; i++ {
		if occ := s.add(i * 0x9E3779B97F4A7C15); occ != 0 {
			t.Fatalf("key %d seen before", i)
		}
	}
	for i := uint64(1); i <= n; i += 997 {
		if occ := s.add(i * 0x9E3779B97F4A7C15); occ != 1 {
			t.Fatalf("key %d: occurrence %d, want 1", i, occ)
		}
	}
	if occ := s.add(0x9E3779B97F4A7C15); occ != 2 {
		t.Fatalf("third add: %d", occ)
	}
}

func TestDecimalEncodingCanonical(t *testing.T) {
	for _, group := range [][]string{
		{"1216", "1216.000000000000000", "1.216e3", "12160e-1", "+1216.0"},
		{"0", "0.00000000000000000000", "-0", "0e5"},
		{"123456789012345678901234567890", "123456789012345678901234567890.000", "1.23456789012345678901234567890e29"},
		{"0.0000008", "0.00000080000", "8E-7"},
	} {
		var want []byte
		for _, s := range group {
			d, _, ok := parseDecimal(s)
			if !ok {
				t.Fatalf("parse %q", s)
			}
			got := appendDecimal(nil, d, true)
			if want == nil {
				want = got
			} else if !bytes.Equal(got, want) {
				t.Errorf("%q encodes as %x, %q as %x", s, got, group[0], want)
			}
		}
	}
	if bytes.Equal(appendDecimal(nil, dec("1"), true), appendDecimal(nil, dec("10"), true)) ||
		bytes.Equal(appendDecimal(nil, dec("0"), true), appendDecimal(nil, dec("0"), false)) {
		t.Error("distinct values encode alike")
	}
}

// TestDeferredFingerprints: fingerprints set later, on another goroutine,
// are those Next would have set, with the same warnings.
func TestDeferredFingerprints(t *testing.T) {
	sample, err := os.ReadFile("testdata/focus_sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	const header = "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ResourceId\n"
	const x = "1,USD,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,vm-1\n"
	const y = "2,USD,2024-09-01T00:00:00Z,2024-09-01T01:00:00Z,vm-2\n"
	for name, file := range map[string]string{"sample": string(sample), "duplicates": header + x + y + x + x} {
		want, _, wantRep := readString(t, file, Options{})
		r, err := NewReader(strings.NewReader(file), Options{DeferFingerprints: true})
		if err != nil {
			t.Fatal(err)
		}
		rows := make(chan Row, 16)
		done := make(chan []string)
		go func() {
			var fps []string
			i := 0
			for row := range rows {
				if row.Fingerprint != "" {
					t.Errorf("line %d has a fingerprint before Fingerprint", row.Line)
				}
				// Hashing ahead, on any goroutine, changes nothing.
				if i%2 == 0 {
					row.Hash(nil)
				}
				sum := r.FingerprintSum(&row)
				fps = append(fps, hex.EncodeToString(sum[:]))
				i++
			}
			done <- fps
		}()
		for {
			row, err := r.Next()
			if err == io.EOF {
				break
			}
			var re *RowError
			if errors.As(err, &re) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			rows <- row
		}
		close(rows)
		got := <-done
		if strings.Join(got, ",") != strings.Join(fingerprints(want), ",") {
			t.Errorf("%s: deferred fingerprints differ", name)
		}
		if w, g := warningCounts(wantRep), warningCounts(r.Report()); !maps.Equal(w, g) || name == "duplicates" && g[WarnDuplicateRow] != 2 {
			t.Errorf("%s: warnings %v, want %v", name, g, w)
		}
	}
}
