package cloudbill_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// charge is one row of a small FOCUS file.
type charge struct {
	billed, effective, start       string
	provider, service, category    string
	subAccount, resource, tagsJSON string
}

const smallHeader = "BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ProviderName,ServiceName,ServiceCategory,SubAccountId,ResourceId,Tags"

func csvOf(rows ...charge) string {
	var b strings.Builder
	b.WriteString(smallHeader + "\n")
	for _, r := range rows {
		start := r.start
		if start == "" {
			start = "2026-02-10T00:00:00Z"
		}
		provider := r.provider
		if provider == "" {
			provider = "AWS"
		}
		effective := r.effective
		if effective == "" {
			effective = r.billed
		}
		t, _ := time.Parse(time.RFC3339, start)
		fmt.Fprintf(&b, "%s,%s,USD,%s,%s,%s,%s,%s,%s,%s,\"%s\"\n", r.billed, effective, start, t.Add(time.Hour).Format(time.RFC3339),
			provider, r.service, r.category, r.subAccount, r.resource, strings.ReplaceAll(r.tagsJSON, `"`, `""`))
	}
	return b.String()
}

// allocationsOf returns the shares of the charge on line of an import, as
// "DEPT=amount" (or "-" for the bucket), in the order the rule gave them.
func (f *fixture) allocationsOf(importID int64, line int) []string {
	f.t.Helper()
	codes := map[int64]string{0: "-"}
	for code, id := range f.dept {
		codes[id] = code
	}
	var found []share
	for _, sh := range f.shares() {
		if sh.importID == importID && sh.line == line {
			found = append(found, sh)
		}
	}
	slices.SortFunc(found, func(a, b share) int { return a.part - b.part })
	var out []string
	for _, sh := range found {
		out = append(out, codes[sh.dept]+"="+sh.amount.String())
	}
	return out
}

// TestAllocationRules: the first matching rule decides; assign, split and
// headcount driver shares add up exactly; unmatched charges go to the
// unallocated bucket.
func TestAllocationRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.rule(cloudbill.AllocationRuleInput{Name: "Biology tags", Match: cloudbill.RuleMatch{TagKey: "cost-centre", TagValue: "BIO"},
			Action: cloudbill.ActionAssign, DepartmentID: f.dept["BIO"]})
		f.rule(cloudbill.AllocationRuleInput{Name: "Shared databases", Match: cloudbill.RuleMatch{ServiceCategory: "databases"},
			Action: cloudbill.ActionSplit, Splits: []cloudbill.SplitShare{{f.dept["BIO"], dec("33.33")}, {f.dept["CHEM"], dec("33.33")}, {f.dept["IT"], dec("33.34")}}})
		f.rule(cloudbill.AllocationRuleInput{Name: "Compute by headcount", Match: cloudbill.RuleMatch{ServiceName: "Amazon EC2"},
			Action: cloudbill.ActionDriver, Driver: cloudbill.DriverHeadcount})
		f.rule(cloudbill.AllocationRuleInput{Name: "Production storage", Match: cloudbill.RuleMatch{TagKey: "env", TagValue: "prod", ServiceCategory: "Storage", ResourceIDPrefix: "arn:aws:s3:::"},
			Action: cloudbill.ActionAssign, DepartmentID: f.dept["IT"]})
		f.rule(cloudbill.AllocationRuleInput{Name: "Chemistry account", Match: cloudbill.RuleMatch{SubAccountID: "222"},
			Action: cloudbill.ActionAssign, DepartmentID: f.dept["CHEM"]})
		f.rule(cloudbill.AllocationRuleInput{Name: "Lab equipment by headcount", Match: cloudbill.RuleMatch{ServiceName: "Lab"},
			Action: cloudbill.ActionDriver, Driver: cloudbill.DriverHeadcount, DepartmentIDs: []int64{f.dept["CHEM"], f.dept["BIO"]}})

		rep := f.importString("rules.csv", csvOf(
			// 2: tagged BIO and EC2: the tag rule comes first.
			charge{billed: "12.00", effective: "10.00", service: "Amazon EC2", category: "Compute", tagsJSON: `{"Cost-Centre":"BIO"}`},
			// 3: a database, split 33.33/33.33/33.34.
			charge{billed: "100.00", service: "Amazon RDS", category: "Databases", subAccount: "222"},
			// 4: EC2 by headcount 3:1:2 (the person who left does not count).
			charge{billed: "100.00", service: "amazon ec2", category: "Compute"},
			// 5: prod storage in S3: every criterion of rule 4 matches.
			charge{billed: "5.50", service: "Amazon S3", category: "Storage", resource: "arn:aws:s3:::bucket", tagsJSON: `{"env":"prod"}`},
			// 6: storage tagged prod but not S3: rule 4 does not match; account 222 does.
			charge{billed: "1.10", service: "EBS", category: "Storage", subAccount: "222", resource: "vol-1", tagsJSON: `{"env":"prod"}`},
			// 7: the tag value differs in case: no rule matches.
			charge{billed: "7.25", service: "Amazon S3", category: "Storage", resource: "arn:aws:s3:::x", tagsJSON: `{"cost-centre":"bio","env":"dev"}`},
			// 8: nothing matches either.
			charge{billed: "0.0000001", service: "Support", category: "Other"},
			// 9: a driver over two departments, 1:3.
			charge{billed: "1.00", service: "Lab", category: "Other"},
		), cloudbill.ImportOptions{})
		if rep.Added != 8 {
			t.Fatalf("added %d, want 8: %+v", rep.Added, rep.Errors)
		}
		want := map[int][]string{
			2: {"BIO=10"}, // effective cost, not billed
			3: {"BIO=33.33", "CHEM=33.33", "IT=33.34"},
			4: {"BIO=50", "CHEM=16.6666666666666667", "IT=33.3333333333333333"},
			5: {"IT=5.5"},
			6: {"CHEM=1.1"},
			7: {"-=7.25"},
			8: {"-=0.0000001"},
			9: {"CHEM=0.25", "BIO=0.75"},
		}
		for line, w := range want {
			if got := f.allocationsOf(rep.ID, line); !slices.Equal(got, w) {
				t.Errorf("line %d allocated %v, want %v", line, got, w)
			}
		}
		// The parts of each charge add up to it exactly.
		var n int
		err := d.QueryRow(f.ctx, "SELECT COALESCE(SUM(LENGTH(keys)), 0) / 16 FROM cloud_charge_keys").Scan(&n)
		if err != nil || n != 8 {
			t.Fatalf("%d charges, %v", n, err)
		}
		totals, err := f.s.AllocatedTotals(f.ctx, d, "2026-02")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, x := range totals {
			got[fmt.Sprintf("%d|%s|%s|%s|%d", x.DepartmentID, x.Currency, x.Provider, x.ServiceName, x.Rows)] = x.Amount.String()
		}
		bio, chem, it := f.dept["BIO"], f.dept["CHEM"], f.dept["IT"]
		wantTotals := map[string]string{
			fmt.Sprintf("%d|USD|AWS|Amazon EC2|1", bio):  "10",
			fmt.Sprintf("%d|USD|AWS|Amazon RDS|1", bio):  "33.33",
			fmt.Sprintf("%d|USD|AWS|amazon ec2|1", bio):  "50",
			fmt.Sprintf("%d|USD|AWS|Lab|1", bio):         "0.75",
			fmt.Sprintf("%d|USD|AWS|Amazon RDS|1", chem): "33.33",
			fmt.Sprintf("%d|USD|AWS|amazon ec2|1", chem): "16.6666666666666667",
			fmt.Sprintf("%d|USD|AWS|EBS|1", chem):        "1.1",
			fmt.Sprintf("%d|USD|AWS|Lab|1", chem):        "0.25",
			fmt.Sprintf("%d|USD|AWS|Amazon RDS|1", it):   "33.34",
			fmt.Sprintf("%d|USD|AWS|amazon ec2|1", it):   "33.3333333333333333",
			fmt.Sprintf("%d|USD|AWS|Amazon S3|1", it):    "5.5",
		}
		if len(got) != len(wantTotals) {
			t.Errorf("AllocatedTotals = %v\nwant %v", got, wantTotals)
		}
		for k, v := range wantTotals {
			if got[k] != v {
				t.Errorf("AllocatedTotals[%s] = %q, want %s", k, got[k], v)
			}
		}
		for i := 1; i < len(totals); i++ {
			if totals[i-1].DepartmentID > totals[i].DepartmentID {
				t.Errorf("AllocatedTotals not ordered by department: %+v", totals)
			}
		}
		u, err := f.s.Unallocated(f.ctx, f.finance, "2026-02")
		if err != nil {
			t.Fatal(err)
		}
		if len(u) != 2 || u[0].ServiceName != "Amazon S3" || !u[0].Amount.Equal(dec("7.25")) || u[0].Rows != 1 ||
			u[1].ServiceName != "Support" || !u[1].Amount.Equal(dec("0.0000001")) {
			t.Errorf("Unallocated = %+v", u)
		}
		var unalloc decimal.Decimal
		for _, a := range rep.Allocation {
			unalloc = unalloc.Add(a.Unallocated)
			if !a.Allocated.Add(a.Unallocated).Equal(dec("224.8500001")) || a.UnallocatedRows != 2 || a.AllocatedRows != 6 {
				t.Errorf("report allocation %+v", a)
			}
		}
		if !unalloc.Equal(dec("7.2500001")) {
			t.Errorf("report unallocated %s", unalloc)
		}
		if _, err := f.s.Unallocated(f.ctx, f.bio, "2026-02"); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("Unallocated as a requester = %v", err)
		}
	})
}

// TestBilledBasis allocates BilledCost when the service says so.
func TestBilledBasis(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.s.Basis = cloudbill.BasisBilled
		f.rule(cloudbill.AllocationRuleInput{Name: "All", Action: cloudbill.ActionAssign, DepartmentID: f.dept["IT"]})
		rep := f.importString("b.csv", csvOf(charge{billed: "12.00", effective: "10.00", service: "X"}), cloudbill.ImportOptions{})
		if got := f.allocationsOf(rep.ID, 2); !slices.Equal(got, []string{"IT=12"}) || rep.Basis != cloudbill.BasisBilled {
			t.Errorf("billed basis allocated %v (report basis %s)", got, rep.Basis)
		}
		rep = f.importString("e.csv", csvOf(charge{billed: "12.00", effective: "10.00", service: "Y"}), cloudbill.ImportOptions{Basis: cloudbill.BasisEffective})
		if got := f.allocationsOf(rep.ID, 2); !slices.Equal(got, []string{"IT=10"}) {
			t.Errorf("effective override allocated %v", got)
		}
	})
}

// TestRuleValidation: percentages must add up to exactly 100, and every
// wrong field is named.
func TestRuleValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		bio, chem := f.dept["BIO"], f.dept["CHEM"]
		cases := []struct {
			in    cloudbill.AllocationRuleInput
			field string
			text  string
		}{
			{cloudbill.AllocationRuleInput{Name: "90", Action: cloudbill.ActionSplit, Splits: []cloudbill.SplitShare{{bio, dec("50")}, {chem, dec("40")}}}, "splits", "add up to 90"},
			{cloudbill.AllocationRuleInput{Name: "99.99", Action: cloudbill.ActionSplit, Splits: []cloudbill.SplitShare{{bio, dec("33.33")}, {chem, dec("66.66")}}}, "splits", "99.99"},
			{cloudbill.AllocationRuleInput{Name: "101", Action: cloudbill.ActionSplit, Splits: []cloudbill.SplitShare{{bio, dec("50")}, {chem, dec("51")}}}, "splits", "101"},
			{cloudbill.AllocationRuleInput{Name: "twice", Action: cloudbill.ActionSplit, Splits: []cloudbill.SplitShare{{bio, dec("50")}, {bio, dec("50")}}}, "splits[1].department_id", "once"},
			{cloudbill.AllocationRuleInput{Name: "zero", Action: cloudbill.ActionSplit, Splits: []cloudbill.SplitShare{{bio, dec("0")}, {chem, dec("100")}}}, "splits[0].percent", "above 0"},
			{cloudbill.AllocationRuleInput{Name: "nobody", Action: cloudbill.ActionAssign}, "department_id", "department"},
			{cloudbill.AllocationRuleInput{Name: "ghost", Action: cloudbill.ActionAssign, DepartmentID: 999}, "department_id", "999"},
			{cloudbill.AllocationRuleInput{Name: "no offering", Action: cloudbill.ActionDriver, Driver: cloudbill.DriverSubscriptions}, "offering_id", "offering"},
			{cloudbill.AllocationRuleInput{Name: "no driver", Action: cloudbill.ActionDriver}, "driver", "headcount"},
			{cloudbill.AllocationRuleInput{Name: "half a tag", Action: cloudbill.ActionAssign, DepartmentID: bio, Match: cloudbill.RuleMatch{TagKey: "team"}}, "match.tag_value", "team"},
			{cloudbill.AllocationRuleInput{Action: cloudbill.ActionAssign, DepartmentID: bio}, "name", "name"},
			{cloudbill.AllocationRuleInput{Name: "x", Action: "move"}, "action", "assign"},
		}
		for _, c := range cases {
			_, err := f.s.CreateRule(f.ctx, f.finance, c.in)
			fields := engage.ErrorFields(err)
			found := false
			for _, fe := range fields {
				found = found || (fe.Field == c.field && strings.Contains(fe.Message, c.text))
			}
			if engage.ErrorCode(err) != engage.EINVALID || !found {
				t.Errorf("%s: %v; want %s mentioning %q", c.in.Name, err, c.field, c.text)
			}
		}
		if n := f.count("SELECT COUNT(*) FROM cloud_allocation_rules"); n != 0 {
			t.Errorf("%d rules stored from invalid input", n)
		}
		if _, err := f.s.CreateRule(f.ctx, f.bio, cloudbill.AllocationRuleInput{Name: "mine", Action: cloudbill.ActionAssign, DepartmentID: bio}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("requester CreateRule = %v", err)
		}
		if _, err := f.s.ListRules(f.ctx, f.bio); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("requester ListRules = %v", err)
		}
	})
}

// TestRuleOrderAndVersions: positions move rules, stale versions are
// refused, removal archives, every change is audited.
func TestRuleOrderAndVersions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		mk := func(name string, pos int) cloudbill.AllocationRule {
			return f.rule(cloudbill.AllocationRuleInput{Name: name, Position: pos, Action: cloudbill.ActionAssign, DepartmentID: f.dept["BIO"]})
		}
		a, b, c := mk("A", 0), mk("B", 0), mk("C", 0)
		dd := mk("D", 1)
		order := func() string {
			rules, err := f.s.ListRules(f.ctx, f.admin)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for i, r := range rules {
				if r.Position != i+1 {
					t.Errorf("rule %s at position %d, listed %d", r.Name, r.Position, i+1)
				}
				names = append(names, r.Name)
			}
			return strings.Join(names, "")
		}
		if o := order(); o != "DABC" {
			t.Fatalf("order %s, want DABC", o)
		}
		in := c.Input()
		in.Position = 2
		in.Name = "C2"
		c2, err := f.s.UpdateRule(f.ctx, f.finance, c.ID, c.Version, in)
		if err != nil || c2.Version != 2 {
			t.Fatalf("UpdateRule = %+v, %v", c2, err)
		}
		if o := order(); o != "DC2AB" {
			t.Fatalf("order %s, want DC2AB", o)
		}
		if _, err := f.s.UpdateRule(f.ctx, f.finance, c.ID, c.Version, in); engage.ErrorCode(err) != engage.ECONFLICT {
			t.Errorf("stale update = %v", err)
		}
		if err := f.s.DeleteRule(f.ctx, f.finance, a.ID, a.Version); err != nil {
			t.Fatal(err)
		}
		if o := order(); o != "DC2B" {
			t.Fatalf("order %s, want DC2B", o)
		}
		if _, err := f.s.FindRule(f.ctx, f.finance, a.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Errorf("archived rule found: %v", err)
		}
		if n := f.count("SELECT COUNT(*) FROM cloud_allocation_rules WHERE archived_at IS NOT NULL"); n != 1 {
			t.Errorf("%d archived rules", n)
		}
		if n := f.count("SELECT COUNT(*) FROM audit_events WHERE entity_type = 'cloud_allocation_rule'"); n != 6 {
			t.Errorf("%d audit events, want 6", n)
		}
		_, _ = b, dd
	})
}

// TestClosedPeriod: rows of a closed period are rejected with their line;
// a closed period cannot be reallocated.
func TestClosedPeriod(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.exec("INSERT INTO billing_periods(period, state) VALUES ('2026-01', 'closed'), ('2026-02', 'open')")
		rep := f.importString("jan-feb.csv", csvOf(
			charge{billed: "1.00", start: "2026-02-01T00:00:00Z", service: "S"},
			charge{billed: "2.00", start: "2026-01-31T23:00:00Z", service: "S"},
			charge{billed: "4.00", start: "2026-03-01T00:00:00Z", service: "S"},
			charge{billed: "8.00", start: "2026-01-01T00:00:00Z", provider: "GCP", service: "S"},
		), cloudbill.ImportOptions{})
		if rep.Added != 2 || rep.Rejected != 2 || rep.Rows != 4 || len(rep.Errors) != 2 {
			t.Fatalf("report %+v", rep)
		}
		for i, line := range []int{3, 5} {
			e := rep.Errors[i]
			if e.Line != line || e.Message != "period 2026-01 is closed; corrections are adjustments" {
				t.Errorf("error %d = %+v, want line %d", i, e, line)
			}
		}
		if len(rep.Totals) != 1 || rep.Totals[0].Provider != "AWS" || !rep.Totals[0].BilledCost.Equal(dec("5")) || rep.Totals[0].Rows != 2 {
			t.Errorf("totals %+v, want AWS 5.00 over 2 rows", rep.Totals)
		}
		if !slices.Equal(rep.Periods, []string{"2026-02", "2026-03"}) {
			t.Errorf("periods %v", rep.Periods)
		}
		if n := f.count("SELECT COUNT(*) FROM cloud_charge_batches WHERE period = '2026-01'"); n != 0 {
			t.Errorf("%d charges stored in the closed period", n)
		}
		if _, err := f.s.Reallocate(f.ctx, f.finance, "2026-01"); engage.ErrorCode(err) != engage.ECONFLICT {
			t.Errorf("Reallocate closed = %v", err)
		}
		if _, err := f.s.Reallocate(f.ctx, f.finance, "January"); engage.ErrorCode(err) != engage.EINVALID {
			t.Errorf("Reallocate January = %v", err)
		}
	})
}

// TestReallocate: after a rule is added, reallocating the open period moves
// the charges out of the bucket, in one go and audited; other periods keep
// theirs.
func TestReallocate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.s.BatchRows = 2
		rep := f.importString("feb.csv", csvOf(
			charge{billed: "10.00", service: "EC2", tagsJSON: `{"team":"bio"}`},
			charge{billed: "20.00", service: "EC2", tagsJSON: `{"team":"chem"}`},
			charge{billed: "30.00", service: "S3"},
			charge{billed: "40.00", service: "EC2", start: "2026-03-02T00:00:00Z", tagsJSON: `{"team":"bio"}`},
			charge{billed: "50.00", service: "EC2", start: "2026-02-28T00:00:00Z", tagsJSON: `{"TEAM":"bio"}`},
		), cloudbill.ImportOptions{})
		if rep.Added != 5 {
			t.Fatalf("added %d", rep.Added)
		}
		f.rule(cloudbill.AllocationRuleInput{Name: "Biology team", Match: cloudbill.RuleMatch{TagKey: "Team", TagValue: "bio"}, Action: cloudbill.ActionAssign, DepartmentID: f.dept["BIO"]})
		before, _ := f.s.AllocatedTotals(f.ctx, d, "2026-02")
		if len(before) != 0 {
			t.Fatalf("allocated before reallocating: %+v", before)
		}
		got, err := f.s.Reallocate(f.ctx, f.finance, "2026-02")
		if err != nil {
			t.Fatal(err)
		}
		if got.Charges != 4 || len(got.Allocation) != 1 || !got.Allocation[0].Allocated.Equal(dec("60")) || !got.Allocation[0].Unallocated.Equal(dec("50")) {
			t.Errorf("reallocation %+v", got)
		}
		after, err := f.s.AllocatedTotals(f.ctx, d, "2026-02")
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != 1 || after[0].DepartmentID != f.dept["BIO"] || !after[0].Amount.Equal(dec("60")) || after[0].Rows != 2 || after[0].ServiceName != "EC2" {
			t.Errorf("AllocatedTotals after = %+v", after)
		}
		if n := f.count("SELECT COALESCE(SUM(charges), 0) FROM cloud_charge_batches WHERE period = '2026-02'"); n != 4 {
			t.Errorf("%d allocations in February, want 4 (one per charge)", n)
		}
		// March was not reallocated: still unallocated.
		if march, _ := f.s.AllocatedTotals(f.ctx, d, "2026-03"); len(march) != 0 {
			t.Errorf("March allocated: %+v", march)
		}
		if n := f.count("SELECT COUNT(*) FROM audit_events WHERE action = 'reallocate'"); n != 1 {
			t.Errorf("%d reallocation audit events", n)
		}
		if _, err := f.s.Reallocate(f.ctx, f.bio, "2026-02"); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("requester Reallocate = %v", err)
		}
		// A split charge has a share per department, and is still one
		// charge when the period is reallocated again.
		f.rule(cloudbill.AllocationRuleInput{Name: "S3 shared", Match: cloudbill.RuleMatch{ServiceName: "S3"}, Action: cloudbill.ActionSplit,
			Splits: []cloudbill.SplitShare{{f.dept["BIO"], dec("40")}, {f.dept["CHEM"], dec("60")}}})
		for range 2 {
			got, err = f.s.Reallocate(f.ctx, f.finance, "2026-02")
			if err != nil || got.Charges != 4 || !got.Allocation[0].Allocated.Equal(dec("90")) || !got.Allocation[0].Unallocated.Equal(dec("20")) {
				t.Fatalf("reallocation with a split = %+v, %v", got, err)
			}
			if n := f.count("SELECT COALESCE(SUM(charges), 0) FROM cloud_charge_batches WHERE period = '2026-02'"); n != 5 {
				t.Errorf("%d shares in February, want 5", n)
			}
		}
		if got := f.allocationsOf(rep.ID, 4); !slices.Equal(got, []string{"BIO=12", "CHEM=18"}) {
			t.Errorf("S3 charge allocated %v", got)
		}
	})
}

// TestSubscriptionDriver splits by the quantity of an offering each
// department held in the charge's month, weighted by days.
func TestSubscriptionDriver(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var service, offering int64
		if err := f.insert(&service, `INSERT INTO services(slug, name, kind, family, sourcing, lifecycle, delivery_model, data_ceiling, arch_status, created_at, updated_at)
			VALUES ('lab', 'Lab', 'technical', 'compute', 'built', 'live', 'cloud', 'internal', 'standard', ?, ?) RETURNING id`, now, now); err != nil {
			t.Fatal(err)
		}
		if err := f.insert(&offering, `INSERT INTO offerings(service_id, slug, name, lifecycle, created_at, updated_at) VALUES (?, 'seats', 'Seats', 'live', ?, ?) RETURNING id`,
			service, now, now); err != nil {
			t.Fatal(err)
		}
		day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
		sub := func(dept string, start string, end string, segs ...any) {
			var endArg any
			if end != "" {
				endArg = day(end)
			}
			var id int64
			if err := f.insert(&id, `INSERT INTO subscriptions(department_id, offering_id, quantity, start_date, end_date, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, f.dept[dept], offering, segs[1], day(start), endArg, now, now); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < len(segs); i += 2 {
				f.exec("INSERT INTO subscription_segments(subscription_id, effective_from, quantity) VALUES (?, ?, ?)", id, day(segs[i].(string)), segs[i+1])
			}
		}
		// April 2026 has 30 days.
		sub("BIO", "2026-01-01", "", "2026-01-01", "10")                            // 10 × 30 = 300
		sub("CHEM", "2026-04-16", "", "2026-04-16", "10")                           // 10 × 15 = 150
		sub("IT", "2026-03-01", "2026-04-10", "2026-03-01", "1", "2026-04-06", "3") // 1 × 5 + 3 × 5 = 20
		sub("IT", "2026-05-01", "", "2026-05-01", "100")                            // not in April
		f.rule(cloudbill.AllocationRuleInput{Name: "Lab by seats", Action: cloudbill.ActionDriver, Driver: cloudbill.DriverSubscriptions, OfferingID: offering})
		rep := f.importString("apr.csv", csvOf(
			charge{billed: "47.00", start: "2026-04-03T00:00:00Z", service: "Lab"},
			charge{billed: "9.00", start: "2025-04-03T00:00:00Z", service: "Lab"}, // nobody subscribed: unallocated
		), cloudbill.ImportOptions{})
		if got := f.allocationsOf(rep.ID, 2); !slices.Equal(got, []string{"BIO=30", "CHEM=15", "IT=2"}) {
			t.Errorf("April allocated %v, want BIO=30 CHEM=15 IT=2", got)
		}
		if got := f.allocationsOf(rep.ID, 3); !slices.Equal(got, []string{"-=9"}) {
			t.Errorf("April 2025 allocated %v, want the bucket", got)
		}
	})
}

// TestChargesDrillDown: the rows behind a statement line, for the people
// who may read the department, page by page.
func TestChargesDrillDown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.rule(cloudbill.AllocationRuleInput{Name: "Split", Action: cloudbill.ActionSplit, Match: cloudbill.RuleMatch{ServiceName: "EC2"},
			Splits: []cloudbill.SplitShare{{f.dept["BIO"], dec("25")}, {f.dept["CHEM"], dec("75")}}})
		f.importString("feb.csv", csvOf(
			charge{billed: "10.00", service: "EC2", resource: "i-1", tagsJSON: `{"team":"bio"}`},
			charge{billed: "20.00", service: "EC2", resource: "i-2"},
			charge{billed: "30.00", service: "S3", resource: "b-1"},
		), cloudbill.ImportOptions{})
		filter := cloudbill.ChargeFilter{Period: "2026-02", DepartmentID: f.dept["BIO"], Provider: "AWS", ServiceName: "EC2", Limit: 1}
		// Like statements, the charges are for the department's budget
		// holders, not for every member.
		if _, _, err := f.s.Charges(f.ctx, f.bio, filter); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("a requester of BIO reading BIO's charges = %v; want forbidden", err)
		}
		holder := *f.bio
		holder.Roles = []access.Role{access.Requester, access.BudgetHolder}
		holder.Heads = []int64{f.dept["BIO"]}
		page1, next, err := f.s.Charges(f.ctx, &holder, filter)
		if err != nil || len(page1) != 1 || next == "" {
			t.Fatalf("page 1 = %+v, %q, %v", page1, next, err)
		}
		filter.Cursor = next
		page2, next, err := f.s.Charges(f.ctx, &holder, filter)
		if err != nil || len(page2) != 1 || next != "" {
			t.Fatalf("page 2 = %+v, %q, %v", page2, next, err)
		}
		c := page1[0]
		if c.ResourceID != "i-1" || !c.Amount.Equal(dec("2.5")) || !c.BilledCost.Equal(dec("10")) || c.Tags["team"] != "bio" ||
			c.DepartmentID != f.dept["BIO"] || c.RuleID == 0 || c.Line != 2 || c.Period != "2026-02" ||
			!c.ChargePeriodStart.Equal(time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC)) || len(c.Fingerprint) != 32 {
			t.Errorf("charge %+v", c)
		}
		if page2[0].ResourceID != "i-2" || !page2[0].Amount.Equal(dec("5")) {
			t.Errorf("second charge %+v", page2[0])
		}
		if _, _, err := f.s.Charges(f.ctx, &holder, cloudbill.ChargeFilter{Period: "2026-02", DepartmentID: f.dept["CHEM"]}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("BIO's budget holder reading CHEM = %v", err)
		}
		if _, _, err := f.s.Charges(f.ctx, f.bio, cloudbill.ChargeFilter{Period: "2026-02"}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Errorf("requester reading the bucket = %v", err)
		}
		bucket, _, err := f.s.Charges(f.ctx, f.finance, cloudbill.ChargeFilter{Period: "2026-02"})
		if err != nil || len(bucket) != 1 || bucket[0].ServiceName != "S3" || bucket[0].DepartmentID != 0 || !bucket[0].Amount.Equal(dec("30")) {
			t.Errorf("bucket = %+v, %v", bucket, err)
		}
		chem, _, err := f.s.Charges(f.ctx, f.finance, cloudbill.ChargeFilter{Period: "2026-02", DepartmentID: f.dept["CHEM"]})
		if err != nil || len(chem) != 2 || !chem[0].Amount.Equal(dec("7.5")) || !chem[1].Amount.Equal(dec("15")) {
			t.Errorf("CHEM for finance = %+v, %v", chem, err)
		}
	})
}

// TestChargesPagedAcrossBatches: pages of any size, across batches of a
// few shares each, give every share once, in order.
func TestChargesPagedAcrossBatches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.s.BatchCharges = 3
		f.s.BatchRows = 4
		var rows []charge
		for i := range 11 {
			rows = append(rows, charge{billed: fmt.Sprintf("%d.01", i+1), service: "EC2", resource: fmt.Sprintf("i-%02d", i)})
		}
		rows = append(rows, charge{billed: "7", service: "S3", resource: "b-1"})
		rep := f.importString("feb.csv", csvOf(rows...), cloudbill.ImportOptions{})
		if rep.Added != 12 {
			t.Fatalf("added %d", rep.Added)
		}
		if n := f.count("SELECT COUNT(*) FROM cloud_charge_batches WHERE service_name = 'EC2'"); n != 4 {
			t.Errorf("%d batches of EC2 charges, want 4 of at most 3", n)
		}
		filter := cloudbill.ChargeFilter{Period: "2026-02", ServiceName: "EC2", Limit: 100}
		all, next, err := f.s.Charges(f.ctx, f.finance, filter)
		if err != nil || len(all) != 11 || next != "" {
			t.Fatalf("all = %d, %q, %v", len(all), next, err)
		}
		for i, c := range all {
			if c.ResourceID != fmt.Sprintf("i-%02d", i) || !c.Amount.Equal(dec(fmt.Sprintf("%d.01", i+1))) || c.Line != i+2 {
				t.Errorf("charge %d = %s %s line %d", i, c.ResourceID, c.Amount, c.Line)
			}
		}
		for limit := 1; limit <= 12; limit++ {
			filter.Limit, filter.Cursor = limit, ""
			var got []string
			for pages := 0; ; pages++ {
				page, next, err := f.s.Charges(f.ctx, f.finance, filter)
				if err != nil || pages > 12 {
					t.Fatalf("limit %d: %v after %d pages", limit, err, pages)
				}
				for _, c := range page {
					got = append(got, c.ResourceID)
				}
				if next == "" {
					break
				}
				filter.Cursor = next
			}
			if len(got) != 11 || got[0] != "i-00" || got[10] != "i-10" || !slices.IsSorted(got) {
				t.Errorf("limit %d gave %v", limit, got)
			}
		}
	})
}

// TestChargesSurviveMigration: charges written as batches, turned back into
// rows by reverting migration 10 and into batches again, read the same:
// drill-down, totals, reallocation, and a re-import finds them all stored.
func TestChargesSurviveMigration(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.rule(cloudbill.AllocationRuleInput{Name: "Split", Action: cloudbill.ActionSplit, Match: cloudbill.RuleMatch{ServiceName: "EC2"},
			Splits: []cloudbill.SplitShare{{f.dept["BIO"], dec("25")}, {f.dept["CHEM"], dec("75")}}})
		file := csvOf(
			charge{billed: "10.00", service: "EC2", resource: "i-1", tagsJSON: `{"team":"bio \"quoted\" ü"}`},
			charge{billed: "0.0000001", service: "EC2", resource: "i-2"},
			charge{billed: "30.00", service: "S3", resource: "b-1", start: "2026-03-02T10:30:00Z"},
		)
		f.importString("feb.csv", file, cloudbill.ImportOptions{})
		read := func() string {
			var out []string
			for _, period := range []string{"2026-02", "2026-03"} {
				totals, err := f.s.AllocatedTotals(f.ctx, d, period)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, jsonOf(t, totals))
				for _, dept := range []int64{0, f.dept["BIO"], f.dept["CHEM"]} {
					charges, _, err := f.s.Charges(f.ctx, f.finance, cloudbill.ChargeFilter{Period: period, DepartmentID: dept})
					if err != nil {
						t.Fatal(err)
					}
					for i := range charges {
						charges[i].ID = 0 // a share's id is its batch's
					}
					out = append(out, jsonOf(t, charges))
				}
			}
			return strings.Join(out, "\n")
		}
		before := read()
		if !strings.Contains(before, `"amount":"0.000000075"`) || !strings.Contains(before, `bio \"quoted\" ü`) {
			t.Fatalf("before migrating: %s", before)
		}
		if err := d.MigrateTo(f.ctx, 9); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Migrate(f.ctx); err != nil {
			t.Fatal(err)
		}
		if after := read(); after != before {
			t.Errorf("after migrating down and up:\n%s\nwant\n%s", after, before)
		}
		if rep := f.importString("again.csv", file, cloudbill.ImportOptions{}); rep.Added != 0 || rep.Duplicates != 3 {
			t.Errorf("re-import after migrating: added %d, duplicates %d", rep.Added, rep.Duplicates)
		}
		rep, err := f.s.Reallocate(f.ctx, f.finance, "2026-02")
		if err != nil || rep.Charges != 2 {
			t.Fatalf("reallocation after migrating = %+v, %v", rep, err)
		}
		if got := read(); got != before {
			t.Errorf("after reallocating:\n%s\nwant\n%s", got, before)
		}
	})
}
