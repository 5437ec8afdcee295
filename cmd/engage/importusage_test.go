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

// TestImportUsagePartialAndLate: a usage file with bad lines is refused
// whole, every bad line listed, unless --accept-partial; a file cut in its
// last line is refused even then; usage for a closed month becomes an
// adjustment, or is refused with --late refuse; a month that has not ended
// cannot be closed.
func TestImportUsagePartialAndLate(t *testing.T) {
	forEachEngine(t, func(t *testing.T, with func(...string) []string) {
		if code, _, errs := runEngage(t, "", with("demo")...); code != 0 {
			t.Fatalf("demo = %d %s", code, errs)
		}
		now := time.Now().UTC()
		open := time.Date(now.Year(), now.Month(), 1, 1, 0, 0, 0, time.UTC)
		closed := open.AddDate(0, -2, 14) // the demo closes all months but the last two
		dir := t.TempDir()
		write := func(name, body string) string {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			return path
		}
		line := func(key string, at time.Time, qty string) string {
			return fmt.Sprintf("%s,%s,FIN,hpc-core-hours,%s,unit-hour,cli test\n", key, at.Format(time.RFC3339), qty)
		}
		head := "idempotency_key,time,department,offering,quantity,unit,source\n"
		keys := func(prefix string) int {
			return count(t, with, "SELECT COUNT(*) FROM usage_keys WHERE idempotency_key LIKE '"+prefix+"%'")
		}
		body := head + line("p-1", open, "1") + line("p-2", open, "lots") + "p-3,oops\n" + line("p-4", open, "2")
		path := write("partial.csv", body)
		code, _, errs := runEngage(t, "", with("import", "usage", path)...)
		if code != 1 || !strings.Contains(errs, "line 3: quantity: not a number") || !strings.Contains(errs, "line 4: record: wrong number of fields") ||
			!strings.Contains(errs, "nothing was stored") || keys("p-") != 0 {
			t.Fatalf("import with bad lines = %d %q; %d keys stored", code, errs, keys("p-"))
		}
		code, out, errs := runEngage(t, "", with("import", "usage", "--accept-partial", path)...)
		if code != 0 || !strings.Contains(out, "4 records: 2 stored, 0 already stored, 2 refused") || !strings.Contains(out, "line 3: quantity") || keys("p-") != 2 {
			t.Fatalf("import --accept-partial = %d %q %q; %d keys stored", code, out, errs, keys("p-"))
		}
		// Cut in the last line, or in a quoted field: refused whatever is asked.
		for name, body := range map[string]string{
			"cut.csv":   head + line("c-1", open, "1") + "c-2," + open.Format(time.RFC3339) + ",FIN,hpc-co",
			"quote.csv": head + line("c-1", open, "1") + `c-2,` + open.Format(time.RFC3339) + `,FIN,hpc-core-hours,1,unit-hour,"cli` + "\n",
			// Every field there, but no line break where every line before
			// has one: a text cut short, or nothing visibly missing.
			"text-cut.csv": head + line("c-1", open, "1") + line("c-2", open, "1")[:len(line("c-2", open, "1"))-3],
			"no-break.csv": head + line("c-1", open, "1") + strings.TrimSuffix(line("c-2", open, "1"), "\n"),
		} {
			code, _, errs := runEngage(t, "", with("import", "usage", "--accept-partial", write(name, body))...)
			if code != 1 || !strings.Contains(errs, "line 3 is cut") || keys("c-") != 0 {
				t.Fatalf("%s = %d %q; %d keys stored", name, code, errs, keys("c-"))
			}
		}
		// Months that have not ended cannot be closed.
		for _, p := range []string{open.Format("2006-01"), "2030-01"} {
			if code, _, errs := runEngage(t, "", with("billing", "close", p)...); code != 1 || !strings.Contains(errs, "has not ended") {
				t.Fatalf("billing close %s = %d %q", p, code, errs)
			}
		}
		// Late usage.
		late := write("late.csv", head+line("late-1", closed, "4"))
		code, _, errs = runEngage(t, "", with("import", "usage", "--late", "refuse", late)...)
		if code != 1 || !strings.Contains(errs, "line 2: time: Period "+closed.Format("2006-01")+" is closed") || keys("late-") != 0 {
			t.Fatalf("late usage refused = %d %q", code, errs)
		}
		if code, out, errs := runEngage(t, "", with("import", "usage", late)...); code != 0 || !strings.Contains(out, "1 stored") ||
			count(t, with, "SELECT COUNT(*) FROM adjustments WHERE corrects = '"+closed.Format("2006-01")+"' AND late_records = 1") != 1 {
			t.Fatalf("late usage = %d %q %q", code, out, errs)
		}
	})
}
