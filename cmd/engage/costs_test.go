package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/auth"
)

func TestCostsCommands(t *testing.T) {
	auth.DefaultArgon2 = auth.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}
	forEachEngine(t, func(t *testing.T, with func(...string) []string) {
		dir := t.TempDir()
		write := func(name, body string) string {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			return path
		}
		if code, _, errs := runEngage(t, "", with("demo")...); code != 0 {
			t.Fatalf("demo = %d %q", code, errs)
		}
		// February's charges: Cloud VMs are 12 medium for BIO at €62.00 and
		// 20 large for IT at €124.00: 744.00 + 2,480.00 = 3,224.00.
		// The demo may have billed and closed the month already.
		if code, _, errs := runEngage(t, "", with("billing", "run", "2026-02")...); code != 0 && !strings.Contains(errs, "is closed") {
			t.Fatalf("billing run = %d %q", code, errs)
		}

		bad := write("bad.csv", "period,category,name,amount,currency,allocation,services\n"+
			"2026-02,hardware,VM hosts,3000.00,EUR,percent,cloud-vm 100\n"+
			"2026-02,hardware,Racks,2000.00,EUR,percent,physical-server 60; san-storage 30\n")
		code, _, errs := runEngage(t, "", with("costs", "import", bad)...)
		if code != 1 || !strings.Contains(errs, "line 3: services") || !strings.Contains(errs, "90") {
			t.Fatalf("bad import = %d %q; want line 3 named", code, errs)
		}
		if code, out, _ := runEngage(t, "", with("costs", "export", "2026-02")...); code != 0 || strings.Contains(out, "VM hosts") {
			t.Fatalf("after a bad import = %d %q; want nothing written", code, out)
		}

		good := write("good.csv", "period,category,name,amount,currency,allocation,services\n"+
			"2026-02,hardware,VM hosts,3000.00,EUR,percent,cloud-vm 100\n"+
			"2026-02,facilities,Lab space,500.00,EUR,none,\n")
		code, out, errs := runEngage(t, "", with("costs", "import", good)...)
		if code != 0 || out != "2 lines: 2 added, 0 updated, 0 unchanged.\n" {
			t.Fatalf("import = %d %q %q", code, out, errs)
		}
		// The demo's charges for Cloud VMs against the €3,000.00 allocated to them.
		code, out, errs = runEngage(t, "", with("costs", "results", "2026-02")...)
		vmRow := regexp.MustCompile(`(?m)^Cloud virtual machines\s+EUR\s+€3,000\.00\s+€[0-9,]+\.\d\d\s+\d+\.\d%`)
		if code != 0 || !strings.HasPrefix(out, "February 2026\n") || !vmRow.MatchString(out) || !strings.Contains(out, "unallocated €500.00") {
			t.Fatalf("results = %d %q %q", code, out, errs)
		}
		if code, _, errs := runEngage(t, "", with("costs", "results", "February")...); code != 1 || !strings.Contains(errs, "YYYY-MM") {
			t.Fatalf("results for a bad period = %d %q", code, errs)
		}
		if code, _, _ := runEngage(t, "", with("costs", "explode")...); code != 2 {
			t.Fatalf("unknown costs command = %d; want 2", code)
		}
	})
}
