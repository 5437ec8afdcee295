package spend_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/spend"
)

// TestKeptSumsEqualARescan: the sums the shadow-spend page reads equal
// the lines summed again, after imports (with equal lines, lines outside
// the window, lines waiting for a person), corrections that make lines
// software and not, an import that sums the lines stored before the sums
// were kept, and the same file again.
func TestKeptSumsEqualARescan(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(t, d, "RND")
		fin := &access.Principal{Name: "Hannah", Roles: []access.Role{access.Finance}}
		r := rand.New(rand.NewPCG(16, 42))
		merchants := []string{"ZOOM.US 888-799-9666", "FS *MIRO", "SQ *KW DATA TOOLS", "PAYPAL *EVERNOTE", "STARBUCKS #12345", "SLACK T02K8ABCD", "KW DATA TOOLS"}
		const head = "date,merchant,amount,currency,department,employee_email,mcc,memo\n"
		file := func(n int) string {
			var b strings.Builder
			for range n {
				m := merchants[r.IntN(len(merchants))]
				mcc := ""
				if r.IntN(2) == 0 && !strings.Contains(m, "KW") {
					mcc = "5734"
				}
				email := ""
				if r.IntN(5) > 0 {
					email = fmt.Sprintf("P%d@Example.com", r.IntN(6))
				}
				fmt.Fprintf(&b, "%d-%02d-%02d,%s,%d.%03d,%s,%s,%s,%s,\n", 2025+r.IntN(2), 1+r.IntN(12), 1+r.IntN(28), m,
					r.IntN(300)-20, r.IntN(1000), []string{"GBP", "EUR"}[r.IntN(2)], []string{"SALES", "FIN", "RND"}[r.IntN(3)], email, mcc)
			}
			return b.String()
		}
		check := func(step string) {
			t.Helper()
			kept, lines, ok, err := spend.SoftwareSpendBoth(ctx, s, s.Clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				t.Fatalf("%s: the sums are not kept", step)
			}
			if len(lines) == 0 {
				t.Fatalf("%s: no software spend", step)
			}
			if a, b := summary(kept), summary(lines); a != b {
				t.Fatalf("%s: kept sums\n%s\nlines summed again\n%s", step, a, b)
			}
		}
		first := file(400)
		if _, err := s.Import(ctx, fin, "a.csv", strings.NewReader(head+first)); err != nil {
			t.Fatal(err)
		}
		check("first import")
		if _, err := s.Import(ctx, fin, "b.csv", strings.NewReader(head+first+file(300))); err != nil {
			t.Fatal(err)
		}
		check("second import")
		correct := func(merchant string, c spend.Correction) {
			var id int64
			if err := d.QueryRow(ctx, "SELECT MIN(id) FROM spend_lines WHERE merchant = ?", merchant).Scan(&id); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Correct(ctx, fin, id, c); err != nil {
				t.Fatal(err)
			}
		}
		correct("SQ *KW DATA TOOLS", spend.Correction{Vendor: "KW Data Tools", Category: "analytics", Software: true})
		check("a waiting descriptor confirmed as software")
		correct("ZOOM.US 888-799-9666", spend.Correction{Vendor: "Zoom", Category: "meetings", Software: false})
		check("a software vendor corrected to not software")
		// Lines stored before the sums were kept: the next import sums them.
		if _, err := d.Exec(ctx, "DELETE FROM spend_sums"); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, "INSERT INTO settings(key, value) VALUES ('spend.sums_stale', '1')"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Import(ctx, fin, "c.csv", strings.NewReader(head+file(200))); err != nil {
			t.Fatal(err)
		}
		check("an import after the sums were not kept")
		if rep, err := s.Import(ctx, fin, "b.csv", strings.NewReader(head+first)); err != nil || rep.Added != 0 {
			t.Fatalf("the same file again = %+v, %v", rep, err)
		}
		check("the same file again")
	})
}

// summary writes software spend in an order of its own, to compare.
func summary(vs []spend.ShadowVendor) string {
	var out []string
	for _, v := range vs {
		var ms []string
		for _, m := range v.Months {
			ms = append(ms, m.Period+"="+m.Amount.String())
		}
		out = append(out, fmt.Sprintf("%s|%d|%s lines=%d last=%s people=%d %v total=%s rate=%s monthly=%s %s", v.Vendor, v.DepartmentID, v.Currency,
			v.Lines, v.LastSpentOn, v.People, v.Emails, v.Total, v.RunRate, v.Monthly, strings.Join(ms, " ")))
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// TestCasesKeptAtImport: an import opens the cases of the shadow spend it
// finds, and reading the queue, a case or the shadow spend writes nothing.
func TestCasesKeptAtImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(t, d)
		fin := &access.Principal{Name: "Hannah", Roles: []access.Role{access.Finance}}
		file := "date,merchant,amount,currency,department,employee_email,mcc,memo\n" +
			"2026-10-02,ZOOM.US 888-799-9666,14.99,GBP,SALES,ann@example.com,4816,\n" +
			"2026-11-02,ZOOM.US 888-799-9666,14.99,GBP,SALES,bo@example.com,4816,\n" +
			"2026-11-03,FS *MIRO,8.00,GBP,FIN,cy@example.com,5734,\n"
		if _, err := s.Import(ctx, fin, "a.csv", strings.NewReader(file)); err != nil {
			t.Fatal(err)
		}
		state := func() string {
			var cases, events int
			var latest string
			if err := d.QueryRow(ctx, "SELECT COUNT(*), COALESCE(CAST(MAX(updated_at) AS TEXT), '') FROM shadow_cases").Scan(&cases, &latest); err != nil {
				t.Fatal(err)
			}
			if err := d.QueryRow(ctx, "SELECT COUNT(*) FROM shadow_case_events").Scan(&events); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("%d cases, %d events, latest change %s", cases, events, latest)
		}
		before := state()
		if !strings.HasPrefix(before, "2 cases, 2 events") {
			t.Fatalf("after the import: %s; want the 2 cases opened", before)
		}
		admin := access.System("test")
		queue, err := s.Cases(ctx, admin, spend.CaseFilter{})
		if err != nil || len(queue) != 2 {
			t.Fatalf("queue = %+v, %v", queue, err)
		}
		if _, err := s.Case(ctx, admin, queue[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Shadow(ctx, admin, spend.ShadowFilter{}); err != nil {
			t.Fatal(err)
		}
		if after := state(); after != before {
			t.Fatalf("reading wrote: %s, then %s", before, after)
		}
	})
}
