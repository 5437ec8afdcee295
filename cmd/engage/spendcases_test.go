package main

import (
	"strings"
	"testing"
)

// caseID finds the id of vendor's case for department in the output of
// engage spend cases.
func caseID(t *testing.T, out, vendor, department string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && strings.Contains(line, "  "+vendor+"  ") && strings.Contains(line, "  "+department+"  ") {
			return f[0]
		}
	}
	t.Fatalf("no case of %s for %s in:\n%s", vendor, department, out)
	return ""
}

// The BRM's cases from the command line: listed, filtered, and each action
// taken through the same service call as the API; repeating one changes
// nothing; bad input is named.
func TestSpendCases(t *testing.T) {
	forEachEngine(t, func(t *testing.T, with func(...string) []string) {
		if code, _, errs := runEngage(t, "", with("demo")...); code != 0 {
			t.Fatalf("demo = %d %q", code, errs)
		}
		code, out, errs := runEngage(t, "", with("spend", "cases")...)
		if code != 0 || !strings.HasPrefix(out, "ID  VENDOR") {
			t.Fatalf("spend cases = %d %q %q", code, out, errs)
		}
		zoom, mural := caseID(t, out, "Zoom", "Discovery Science"), caseID(t, out, "Mural", "Research & Development")
		hubspot, zapier, smartsheet := caseID(t, out, "HubSpot", "Sales"), caseID(t, out, "Zapier", "Sales"), caseID(t, out, "Smartsheet", "Sales")

		if code, _, errs := runEngage(t, "", with("spend", "case", zoom, "reach-out", "--as", "requester@example.com")...); code != 1 || !strings.Contains(errs, "not yours") {
			t.Fatalf("a requester reaches out = %d %q", code, errs)
		}
		code, out, errs = runEngage(t, "", with("spend", "case", zoom, "reach-out", "--as", "brm@example.com")...)
		if code != 0 || !strings.Contains(out, "Reached out — need NEED-") {
			t.Fatalf("reach out = %d %q %q", code, out, errs)
		}
		if code, again, _ := runEngage(t, "", with("spend", "case", zoom, "reach-out", "--as", "brm@example.com")...); code != 0 || again != out {
			t.Fatalf("reach out again = %d %q; want %q", code, again, out)
		}
		if code, out, errs := runEngage(t, "", with("spend", "case", mural, "replace")...); code != 0 || !strings.Contains(out, "Replaced by the catalog — quote ") {
			t.Fatalf("replace = %d %q %q", code, out, errs)
		}
		if code, out, errs := runEngage(t, "", with("spend", "case", smartsheet, "onboard")...); code != 0 || !strings.Contains(out, "Onboarded into the catalog — draft service ") {
			t.Fatalf("onboard = %d %q %q", code, out, errs)
		}
		if code, _, errs := runEngage(t, "", with("spend", "case", zapier, "sanction", "--verdict", "approve")...); code != 1 || !strings.Contains(errs, "review_by") {
			t.Fatalf("sanction without a review date = %d %q", code, errs)
		}
		if code, out, errs := runEngage(t, "", with("spend", "case", zapier, "sanction", "--verdict", "approve", "--review-date", "2027-01-31")...); code != 0 ||
			!strings.Contains(out, "Sanctioned — security approve, review by 2027-01-31") {
			t.Fatalf("sanction = %d %q %q", code, out, errs)
		}
		if code, _, errs := runEngage(t, "", with("spend", "case", hubspot, "dismiss")...); code != 1 || !strings.Contains(errs, "reason") {
			t.Fatalf("dismiss without a reason = %d %q", code, errs)
		}
		if code, out, errs := runEngage(t, "", with("spend", "case", hubspot, "dismiss", "--reason", "Trial ended")...); code != 0 || !strings.Contains(out, "Dismissed — dismissed: Trial ended") {
			t.Fatalf("dismiss = %d %q %q", code, out, errs)
		}
		if code, _, errs := runEngage(t, "", with("spend", "case", hubspot, "reach-out")...); code != 1 || !strings.Contains(errs, "takes no more actions") {
			t.Fatalf("reach out on a dismissed case = %d %q", code, errs)
		}
		code, out, _ = runEngage(t, "", with("spend", "cases", "--state", "all", "--department", "sales")...)
		if code != 0 || !strings.Contains(out, " dismissed ") || !strings.Contains(out, " sanctioned ") || !strings.Contains(out, " onboarded ") || strings.Contains(out, "Zoom") {
			t.Fatalf("Sales' cases = %d %q", code, out)
		}
		if code, out, _ := runEngage(t, "", with("spend", "cases", "--state", "reached_out")...); code != 0 || !strings.Contains(out, "Zoom") || strings.Contains(out, "HubSpot") {
			t.Fatalf("reached-out cases = %d %q", code, out)
		}
		for _, bad := range [][]string{{"cases", "--state", "closed"}, {"cases", "--department", "NOWHERE"}, {"case", "x", "onboard"}, {"case", zoom, "approve"}} {
			if code, _, _ := runEngage(t, "", with(append([]string{"spend"}, bad...)...)...); code != 2 {
				t.Errorf("spend %v = %d; want a usage error", bad, code)
			}
		}
		if code, _, errs := runEngage(t, "", with("spend", "case", "99999", "onboard")...); code != 1 || !strings.Contains(errs, "99999") {
			t.Errorf("an unknown case = %d %q", code, errs)
		}
	})
}
