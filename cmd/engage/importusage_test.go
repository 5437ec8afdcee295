package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// usageCSV writes n usage records of one department and offering, keyed
// prefix-0…, in the month of at; bad, when ≥ 0, gives that record a
// quantity that is not a number.
func usageCSV(prefix, dept string, at time.Time, n, bad int) []byte {
	var b bytes.Buffer
	b.WriteString("idempotency_key,time,department,offering,quantity,unit,source\n")
	for i := 0; i < n; i++ {
		qty := "0.25"
		if i == bad {
			qty = "a quarter"
		}
		fmt.Fprintf(&b, "%s-%d,%s,%s,hpc-core-hours,%s,unit-hour,cli test\n", prefix, i, at.Add(time.Duration(i)*time.Second).Format(time.RFC3339), dept, qty)
	}
	return b.Bytes()
}

// TestImportUsage: `engage import usage` stores a file of several chunks
// all or nothing, tells duplicates, and a process killed part way through
// a file, after chunks were stored in its transaction, leaves nothing.
func TestImportUsage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, with func(...string) []string) {
		if code, _, errs := runEngage(t, "", with("demo")...); code != 0 {
			t.Fatalf("demo = %d %s", code, errs)
		}
		// The demo leaves the current month open.
		now := time.Now().UTC()
		at := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		dept := "FIN"
		if count(t, with, "SELECT COUNT(*) FROM departments WHERE code = 'FIN'") != 1 {
			t.Fatal("the demo has no department FIN")
		}
		keys := func(prefix string) int {
			return count(t, with, "SELECT COUNT(*) FROM usage_keys WHERE idempotency_key LIKE '"+prefix+"-%'")
		}
		dir := t.TempDir()
		const n = 120001 // three chunks
		path := filepath.Join(dir, "usage.csv")
		if err := os.WriteFile(path, usageCSV("cli", dept, at, n, n-1), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, errs := runEngage(t, "", with("import", "usage", path)...)
		if code != 1 || !strings.Contains(errs, fmt.Sprintf("line %d: quantity: not a number", n+1)) || !strings.Contains(errs, "nothing was stored") {
			t.Fatalf("import with a bad last line = %d %q", code, errs)
		}
		if k := keys("cli"); k != 0 {
			t.Fatalf("after a refused import %d keys are stored; want none", k)
		}
		if err := os.WriteFile(path, usageCSV("cli", dept, at, n, -1), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, errs := runEngage(t, "", with("import", "usage", path)...)
		if code != 0 || !strings.Contains(out, fmt.Sprintf("%d records: %d stored, 0 already stored", n, n)) || keys("cli") != n {
			t.Fatalf("import = %d %q %q; %d keys stored", code, out, errs, keys("cli"))
		}
		code, out, _ = runEngage(t, "", with("import", "usage", path)...)
		if code != 0 || !strings.Contains(out, fmt.Sprintf("%d records: 0 stored, %d already stored", n, n)) {
			t.Fatalf("import again = %d %q", code, out)
		}

		// Killed while reading from a pipe, after storing two chunks.
		crash := usageCSV("crash", dept, at, n, -1)
		// Cut in the third chunk: the import has stored the first two in
		// its transaction when it is killed.
		killMidImport(t, with, "usage", crash[:bytes.Index(crash, []byte(fmt.Sprintf("\ncrash-%d,", 110000)))+1])
		if k := keys("crash"); k != 0 {
			t.Fatalf("after killing the import %d of its keys are stored; want none", k)
		}
		again := filepath.Join(dir, "crash.csv")
		if err := os.WriteFile(again, crash, 0o600); err != nil {
			t.Fatal(err)
		}
		if code, out, errs := runEngage(t, "", with("import", "usage", again)...); code != 0 || keys("crash") != n {
			t.Fatalf("import after the crash = %d %q %q; %d keys", code, out, errs, keys("crash"))
		}

		// Quantities beyond their range or precision are refused by line.
		huge := bytes.Replace(usageCSV("huge", dept, at, 3, -1), []byte(",0.25,"), []byte(",1e400,"), 1)
		huge = bytes.Replace(huge, []byte(",0.25,"), []byte(",1e-400,"), 1)
		if err := os.WriteFile(path, huge, 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, errs = runEngage(t, "", with("import", "usage", path)...)
		if code != 1 || !strings.Contains(errs, "line 2: quantity: Enter a quantity below 10^15") || !strings.Contains(errs, "line 3: quantity: Enter a quantity with at most 6 decimal places") || keys("huge") != 0 {
			t.Fatalf("import of 1e400 and 1e-400 = %d %q; %d keys", code, errs, keys("huge"))
		}
	})
}
