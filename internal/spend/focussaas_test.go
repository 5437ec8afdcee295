package spend_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/focus"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/spend"
)

func TestIsSaaS(t *testing.T) {
	s := &spend.Service{}
	for _, c := range []struct {
		provider, publisher, category string
		want                          bool
	}{
		// The FOCUS sample bill: the providers' own products are not SaaS…
		{"AWS", "Amazon Web Services, Inc.", "Compute", false},
		{"AWS", "Amazon Web Services Canada, Inc.", "Storage", false},
		{"AWS", "Amazon Web Services EMEA SARL", "Other", false},
		{"Microsoft", "Microsoft", "AI and Machine Learning", false},
		{"Oracle", "Oracle", "Compute", false},
		{"Google Cloud", "", "Compute", false},
		// … a marketplace purchase is.
		{"AWS", "Red Hat Inc.", "Other", true},
		{"Microsoft", "Datadog", "Management and Governance", true},
		// A provider's business applications are.
		{"Microsoft", "Microsoft", "Business Applications", true},
		// A SaaS vendor's own bill (the FOCUS 1.2 SaaS example) is.
		{"Acme Co", "Acme Co", "Database", true},
		{"Acme Co", "", "", true},
		{"Zoom", "Zoom Video Communications", "", true},
	} {
		if got := s.IsSaaS(c.provider, c.publisher, c.category); got != c.want {
			t.Errorf("IsSaaS(%q, %q, %q) = %v; want %v", c.provider, c.publisher, c.category, got, c.want)
		}
	}
}

// TestFocusSaaSSpend imports two real FOCUS files as cloud bills: the
// FOCUS 1.2 SaaS example (a SaaS vendor's own bill, split 60/40 between
// SALES and FIN) and the FOCUS sample bill (one marketplace row, Red Hat
// sold by AWS, assigned to SALES by its tag).
func TestFocusSaaSSpend(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(t, d, "HR")
		cb := cloudbill.New(d, s.Clock, "")
		cb.Currencies, cb.SaaS = s.Currencies, s
		sys := access.System("test")
		depts := map[string]int64{}
		list, _, err := s.Org.ListDepartments(ctx, sys, org.ListFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, dep := range list {
			depts[dep.Code] = dep.ID
		}
		if _, err := cb.CreateRule(ctx, sys, cloudbill.AllocationRuleInput{Name: "Acme", Match: cloudbill.RuleMatch{ServiceName: "AwesomeDB"},
			Action: cloudbill.ActionSplit, Splits: []cloudbill.SplitShare{{DepartmentID: depts["SALES"], Percent: decimal.NewFromInt(60)},
				{DepartmentID: depts["FIN"], Percent: decimal.NewFromInt(40)}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := cb.CreateRule(ctx, sys, cloudbill.AllocationRuleInput{Name: "Portland", Match: cloudbill.RuleMatch{TagKey: "business_unit", TagValue: "PortlandDesign"},
			Action: cloudbill.ActionAssign, DepartmentID: depts["SALES"]}); err != nil {
			t.Fatal(err)
		}
		importBill := func(name string, opts cloudbill.ImportOptions) {
			t.Helper()
			f, err := os.Open("../focus/testdata/" + name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := cb.Import(ctx, sys, name, f, opts); err != nil {
				t.Fatalf("importing %s: %v", name, err)
			}
		}
		acme := cloudbill.ImportOptions{SlashDates: focus.SlashDatesMDY}
		sample := cloudbill.ImportOptions{Basis: cloudbill.BasisBilled}
		importBill("saas_spend_agreements_b2_whole.csv", acme)
		importBill("focus_sample.csv", sample)

		// The shadow page's kept sums hold the bill's lines as a rescan does.
		kept, rescan, ok, err := spend.SoftwareSpendBoth(ctx, s, s.Clock.Now())
		if err != nil || !ok || len(rescan) == 0 {
			t.Fatalf("software spend after the bills: kept %v, %d vendors, %v", ok, len(rescan), err)
		}
		if a, b := summary(kept), summary(rescan); a != b {
			t.Fatalf("kept sums after the bills\n%s\nlines summed again\n%s", a, b)
		}

		// Acme: 13 charges of EffectiveCost 1,200 in all (the upfront
		// purchase's is 0), each split in two; Red Hat: one charge.
		if n := count(t, d, "SELECT COUNT(*) FROM spend_lines WHERE kind = 'focus'"); n != 27 {
			t.Fatalf("%d SaaS spend lines; want 27", n)
		}
		want := map[string]string{"Acme|SALES": "720", "Acme|FIN": "480", "Red Hat|SALES": "0.342"}
		for key, amount := range want {
			got := sumLines(t, s, depts, key)
			if !got.Equal(decimal.RequireFromString(amount)) {
				t.Errorf("%s: %s; want %s", key, got, amount)
			}
		}
		lines, _, err := s.ListLines(ctx, sys, spend.LineFilter{DepartmentID: depts["SALES"], Vendor: "Red Hat"})
		if err != nil || len(lines) != 1 {
			t.Fatalf("Red Hat lines: %v %v", lines, err)
		}
		if l := lines[0]; l.Kind != spend.KindFocus || l.Merchant != "Red Hat Inc." || !l.Software || l.Waiting || l.Date != "2024-09-10" ||
			l.Currency != "USD" || l.Memo != "AWS Marketplace hourly software usage|us-east-1|m5.2xlarge" {
			t.Errorf("Red Hat line: %+v", l)
		}

		// Importing both again adds nothing.
		before := count(t, d, "SELECT COUNT(*) FROM spend_imports")
		importBill("saas_spend_agreements_b2_whole.csv", acme)
		importBill("focus_sample.csv", sample)
		if n := count(t, d, "SELECT COUNT(*) FROM spend_lines WHERE kind = 'focus'"); n != 27 {
			t.Errorf("after importing again, %d SaaS spend lines; want 27", n)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM spend_imports"); n != before {
			t.Errorf("after importing again, %d spend imports; want %d", n, before)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM audit_events WHERE action = 'spend.import'"); n != 2 {
			t.Errorf("%d spend.import audit entries; want 2", n)
		}

		// Acme bills its own product through IT's account: sanctioned for
		// the departments the bill allocates it to, in the window (2025-12
		// to 2026-11: 60 a month for three months). HR pays Acme by card:
		// shadow.
		if _, err := s.Import(ctx, sys, "card.csv", strings.NewReader("date,merchant,amount,currency,department,employee_email,mcc,memo\n"+
			"2026-02-05,ACME CO,30.00,USD,HR,hr@example.com,5734,\n")); err != nil {
			t.Fatal(err)
		}
		rep, err := s.Shadow(ctx, sys, spend.ShadowFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Shadow) != 1 || rep.Shadow[0].Vendor != "Acme" || rep.Shadow[0].DepartmentID != depts["HR"] || len(rep.Sanctioned) != 2 {
			t.Fatalf("shadow %+v, sanctioned %+v; want Acme sanctioned for two departments, shadow for HR", rep.Shadow, rep.Sanctioned)
		}
		for _, v := range rep.Sanctioned {
			if v.Vendor != "Acme" || v.Sanctioned != "Billed through IT's cloud account with Acme Co" {
				t.Errorf("sanctioned %s: %q", v.Vendor, v.Sanctioned)
			}
			if v.DepartmentID == depts["SALES"] && !v.Total.Equal(decimal.NewFromInt(108)) {
				t.Errorf("Acme for SALES over the window: %s; want 108", v.Total)
			}
		}
	})
}

func sumLines(t *testing.T, s *spend.Service, depts map[string]int64, key string) decimal.Decimal {
	t.Helper()
	var vendor, dept string
	for i := range key {
		if key[i] == '|' {
			vendor, dept = key[:i], key[i+1:]
		}
	}
	lines, _, err := s.ListLines(context.Background(), access.System("test"), spend.LineFilter{DepartmentID: depts[dept], Vendor: vendor, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	total := decimal.Zero
	for _, l := range lines {
		total = total.Add(l.Amount)
	}
	return total
}
