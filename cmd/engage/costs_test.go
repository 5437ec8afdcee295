package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestCostsCommands(t *testing.T) {
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

		// The demo's own pools for the month, then two more: the Cloud VM
		// cost rises by €3,000.00 and the unallocated cost by €500.00.
		vmCost := func() (decimal.Decimal, decimal.Decimal) {
			t.Helper()
			code, out, errs := runEngage(t, "", with("costs", "results", "2026-02")...)
			vm := regexp.MustCompile(`(?m)^Cloud virtual machines\s+EUR\s+€([0-9,]+\.\d\d)\s+€[0-9,]+\.\d\d\s+\d+\.\d%`).FindStringSubmatch(out)
			un := regexp.MustCompile(`unallocated €([0-9,]+\.\d\d)`).FindStringSubmatch(out)
			if code != 0 || !strings.HasPrefix(out, "February 2026\n") || vm == nil || un == nil {
				t.Fatalf("results = %d %q %q", code, out, errs)
			}
			return decimal.RequireFromString(strings.ReplaceAll(vm[1], ",", "")), decimal.RequireFromString(strings.ReplaceAll(un[1], ",", ""))
		}
		vmBefore, unBefore := vmCost()
		good := write("good.csv", "period,category,name,amount,currency,allocation,services\n"+
			"2026-02,hardware,VM hosts,3000.00,EUR,percent,cloud-vm 100\n"+
			"2026-02,facilities,Lab space,500.00,EUR,none,\n")
		code, out, errs := runEngage(t, "", with("costs", "import", good)...)
		if code != 0 || out != "2 lines: 2 added, 0 updated, 0 unchanged.\n" {
			t.Fatalf("import = %d %q %q", code, out, errs)
		}
		vmAfter, unAfter := vmCost()
		if !vmAfter.Sub(vmBefore).Equal(decimal.NewFromInt(3000)) || !unAfter.Sub(unBefore).Equal(decimal.NewFromInt(500)) {
			t.Errorf("Cloud VM cost %s → %s, unallocated %s → %s; want +3000.00 and +500.00", vmBefore, vmAfter, unBefore, unAfter)
		}
		if code, _, errs := runEngage(t, "", with("costs", "results", "February")...); code != 1 || !strings.Contains(errs, "YYYY-MM") {
			t.Fatalf("results for a bad period = %d %q", code, errs)
		}
		if code, _, _ := runEngage(t, "", with("costs", "explode")...); code != 2 {
			t.Fatalf("unknown costs command = %d; want 2", code)
		}
	})
}
