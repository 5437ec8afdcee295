package main

import (
	"strings"
	"testing"
)

const (
	focusSample = "../../internal/focus/testdata/focus_sample.csv"
	focusSaaS   = "../../internal/focus/testdata/saas_spend_agreements_b2_whole.csv"
)

func TestImportFocus(t *testing.T) {
	forEachEngine(t, func(t *testing.T, with func(...string) []string) {

		code, out, errs := runEngage(t, "", with("import", "focus", focusSample)...)
		if code != 0 {
			t.Fatalf("import focus = %d %q", code, errs)
		}
		for _, want := range []string{
			"Import 1 of focus_sample.csv (csv, FOCUS 1.0, sha256 e91e5ac7edf01ed2c9d926f37ef7dc1ae2aae97956fea8da6c9ee488b1c2839e)",
			"1000 rows: 1000 accepted (1000 added, 0 duplicates already imported), 0 rejected.",
			"Billing periods: 2024-09",
			"null_token", "8973",
			"Totals of the accepted rows:", "AWS", "Microsoft", "Oracle",
			"Allocation of the added rows (effective cost):",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if errs != "" {
			t.Errorf("progress written to a non-terminal: %q", errs)
		}
		// Flags before the kind, and the same file again: nothing added.
		code, out, _ = runEngage(t, "", append(append([]string{"import"}, with()...), "--basis", "billed", "focus", focusSample)...)
		if code != 0 || !strings.Contains(out, "1000 accepted (0 added, 1000 duplicates already imported)") || strings.Contains(out, "Allocation of") {
			t.Errorf("second import = %d\n%s", code, out)
		}
		// Slash dates cannot be read unless an order is given: the file is
		// refused, every row listed, unless a partial file is accepted.
		code, _, errs = runEngage(t, "", with("import", "focus", focusSaaS)...)
		if code != 1 || !strings.Contains(errs, "14 of 14 rows cannot be read; nothing was imported") || !strings.Contains(errs, "line 15: ChargePeriodStart:") {
			t.Errorf("slash dates = %d\n%s", code, errs)
		}
		code, out, _ = runEngage(t, "", with("import", "focus", "--accept-partial", focusSaaS)...)
		if code != 0 || !strings.Contains(out, "14 rows: 0 accepted (0 added, 0 duplicates already imported), 14 rejected.") ||
			!strings.Contains(out, "Rejected rows (the first 14 of 14):") || !strings.Contains(out, "line 2: ChargePeriodStart:") {
			t.Errorf("slash dates = %d\n%s", code, out)
		}
		code, out, _ = runEngage(t, "", with("import", "focus", focusSaaS, "--dates", "mdy", "--basis", "billed")...)
		if code != 0 || !strings.Contains(out, "14 added") || !strings.Contains(out, "(billed cost)") || !strings.Contains(out, "Acme Co") {
			t.Errorf("slash dates read as MDY = %d\n%s", code, out)
		}
		if code, _, errs := runEngage(t, "", with("import", "focus", focusSample, "--basis", "list")...); code != 2 || !strings.Contains(errs, "--basis") {
			t.Errorf("bad basis = %d %q", code, errs)
		}
		if code, _, errs := runEngage(t, "", with("import", "focus")...); code != 2 || !strings.Contains(errs, "FOCUS file") {
			t.Errorf("no file = %d %q", code, errs)
		}
		// A file that is not FOCUS fails and says why.
		if code, _, errs := runEngage(t, "", with("import", "focus", "main.go")...); code != 1 || !strings.Contains(errs, "not a FOCUS file") {
			t.Errorf("main.go = %d %q", code, errs)
		}
	})
}
