package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestSpendMatch(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("card.csv", "date,merchant,amount,currency,department,employee_email,mcc,memo,extra\n"+
		"2026-03-02,ZOOM.US 888-799-9666,14.99,GBP,SALES,a@example.com,4816,monthly plan,x\n"+
		"2026-03-03,STARBUCKS #12345,4.20,GBP,SALES,a@example.com,5814,,y\n"+
		"2026-03-04,\"=HYPERLINK(\"\"http://evil\"\")\",1.00,GBP,SALES,a@example.com,,,z\n")
	code, out, errs := runEngage(t, "", "spend", "match", good)
	want := []string{
		"date,merchant,amount,currency,department,employee_email,mcc,memo,extra,vendor,software,confidence,reason",
		"2026-03-02,ZOOM.US 888-799-9666,14.99,GBP,SALES,a@example.com,4816,monthly plan,x,Zoom,yes,0.99,",
		"2026-03-03,STARBUCKS #12345,4.20,GBP,SALES,a@example.com,5814,,y,Starbucks,no,0.99,",
		`"'=HYPERLINK(""http://evil"")",1.00,GBP,SALES,a@example.com,,,z,Hyperlink,no,0.40,`,
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 4 || !strings.Contains(errs, "3 lines matched, 1 wait") {
		t.Fatalf("spend match = %d %q %q", code, out, errs)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("line %d = %q; want it to contain %q", i+1, lines[i], w)
		}
	}
	bad := write("bad.csv", "merchant,amount\nZOOM,1\nFS *MIRO,2,3\n")
	if code, _, errs := runEngage(t, "", "spend", "match", bad); code != 1 || !strings.Contains(errs, "line 3") {
		t.Fatalf("bad file = %d %q; want line 3 named", code, errs)
	}
	none := write("none.csv", "payee,amount\nZOOM,1\n")
	if code, _, errs := runEngage(t, "", "spend", "match", none); code != 1 || !strings.Contains(errs, "no merchant column") {
		t.Fatalf("no merchant = %d %q", code, errs)
	}
}

func TestImportSpend(t *testing.T) {
	forEachEngine(t, func(t *testing.T, with func(...string) []string) {
		dir := t.TempDir()
		path := filepath.Join(dir, "card.csv")
		body := "date,merchant,amount,currency,department,employee_email,mcc,memo\n" +
			"2026-03-02,ZOOM.US 888-799-9666,14.99,GBP,SALES,ann@example.com,4816,monthly plan\n" +
			"2026-03-03,STARBUCKS #12345,4.20,GBP,SALES,ann@example.com,5814,\n"
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, errs := runEngage(t, "", with("demo")...); code != 0 {
			t.Fatalf("demo = %d %q", code, errs)
		}
		code, out, errs := runEngage(t, "", with("import", "spend", path)...)
		if code != 0 || !strings.Contains(out, "card lines: 2 read, 2 added, 0 unchanged; of those added 1 software") {
			t.Fatalf("import spend = %d %q %q", code, out, errs)
		}
		if code, out, _ := runEngage(t, "", with("import", "spend", path)...); code != 0 || !strings.Contains(out, "2 read, 0 added, 2 unchanged") {
			t.Fatalf("again = %d %q", code, out)
		}
		bad := filepath.Join(dir, "bad.csv")
		if err := os.WriteFile(bad, []byte(body+"2026-03-04,FS *MIRO,abc,GBP,SALES,,,\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, errs := runEngage(t, "", with("import", "spend", bad)...); code != 1 || !strings.Contains(errs, "line 4: amount") {
			t.Fatalf("bad = %d %q", code, errs)
		}
		// A single-sign-on export: added, then unchanged; a bad line named.
		seats := filepath.Join(dir, "sso.csv")
		export := "application,domain,department,assigned,active_30,active_60,active_90\nLoom,loom.com,SALES,12,5,7,9\n"
		if err := os.WriteFile(seats, []byte(export), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, out, errs := runEngage(t, "", with("import", "seats", seats)...); code != 0 || !strings.Contains(out, "1 applications read, 1 added, 0 updated, 0 unchanged") {
			t.Fatalf("import seats = %d %q %q", code, out, errs)
		}
		if code, out, _ := runEngage(t, "", with("import", "seats", seats)...); code != 0 || !strings.Contains(out, "0 updated, 1 unchanged") {
			t.Fatalf("seats again = %d %q", code, out)
		}
		if err := os.WriteFile(seats, []byte(export+"Zoom,zoom.us,SALES,3,4,4,4\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, errs := runEngage(t, "", with("import", "seats", seats)...); code != 1 || !strings.Contains(errs, "line 3: active_30") {
			t.Fatalf("bad seats = %d %q", code, errs)
		}
	})
}

// engage import spend runs under the server's soft memory limit: the
// flag's (or the environment's, or the default), unless GOMEMLIMIT is set.
func TestImportSpendMemoryLimit(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	dir := t.TempDir()
	path := filepath.Join(dir, "card.csv")
	if err := os.WriteFile(path, []byte("date,merchant,amount,currency,department\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	if code, _, errs := runEngage(t, "", "import", "spend", "--memory-limit-mib", "96", "--data", data, path); code != 0 {
		t.Fatalf("import spend = %d %q", code, errs)
	}
	if got := debug.SetMemoryLimit(-1); got != 96<<20 {
		t.Fatalf("memory limit = %d; want 96 MiB", got)
	}
	t.Setenv("ENGAGE_MEMORY_LIMIT_MIB", "112")
	if code, _, errs := runEngage(t, "", "import", "spend", "--data", data, path); code != 0 {
		t.Fatalf("import spend = %d %q", code, errs)
	}
	if got := debug.SetMemoryLimit(-1); got != 112<<20 {
		t.Fatalf("memory limit = %d; want 112 MiB from ENGAGE_MEMORY_LIMIT_MIB", got)
	}
	if code, _, errs := runEngage(t, "", "import", "spend", "--memory-limit-mib", "10", "--data", data, path); code != 2 || !strings.Contains(errs, "--memory-limit-mib 10") {
		t.Fatalf("a limit of 10 MiB = %d %q; want it refused", code, errs)
	}
}
