package spend_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/rating"
	"github.com/engagehq/engage/internal/spend"
)

// newService returns a spend service over d with the departments SALES
// and FIN.
func newService(t *testing.T, d *db.DB, codes ...string) *spend.Service {
	t.Helper()
	ctx := context.Background()
	clock := engage.NewFixedClock(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	o := &org.Service{DB: d, Clock: clock}
	sys := access.System("test")
	for _, c := range append([]string{"SALES", "FIN"}, codes...) {
		if _, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: c, Name: c + " department"}); err != nil {
			t.Fatal(err)
		}
	}
	cur, err := rating.NewCurrencies([]string{"GBP", "EUR", "USD", "CHF", "CAD"})
	if err != nil {
		t.Fatal(err)
	}
	return &spend.Service{DB: d, Org: o, Clock: clock, Currencies: cur}
}

func count(t *testing.T, d *db.DB, query string) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

const cardFile = "date,merchant,amount,currency,department,employee_email,mcc,memo,card_ref\n" +
	"2026-03-02,ZOOM.US 888-799-9666,14.99,GBP,SALES,ann@example.com,4816,monthly plan,A1\n" +
	"2026-03-03,STARBUCKS #12345,4.20,GBP,SALES,ann@example.com,5814,,A2\n" +
	"2026-03-03,STARBUCKS #12345,4.20,GBP,SALES,ann@example.com,5814,,A2\n" +
	"2026-03-04,FS *QUILLSTACK,120.00,EUR,FIN,bo@example.com,5734,seats,A3\n"

func TestImportCardLines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(t, d)
		admin := access.System("test")
		rep, err := s.Import(ctx, admin, "card.csv", strings.NewReader(cardFile))
		if err != nil {
			t.Fatal(err)
		}
		// Two equal coffee lines are two purchases.
		if rep.Kind != spend.KindCard || rep.Lines != 4 || rep.Added != 4 || rep.Unchanged != 0 || rep.Software != 2 || rep.ImportID == 0 {
			t.Fatalf("first import = %+v", rep)
		}
		// The same lines again, and one more: only the new one is added.
		again := cardFile + "2026-03-05,FS *MIRO,8.00,GBP,SALES,ann@example.com,,,A4\n"
		rep, err = s.Import(ctx, admin, "card.csv", strings.NewReader(again))
		if err != nil || rep.Added != 1 || rep.Unchanged != 4 || rep.Software != 1 {
			t.Fatalf("second import = %+v, %v", rep, err)
		}
		rep, err = s.Import(ctx, admin, "card.csv", strings.NewReader(again))
		if err != nil || rep.Added != 0 || rep.ImportID != 0 {
			t.Fatalf("third import = %+v, %v", rep, err)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM spend_lines"); n != 5 {
			t.Fatalf("%d lines stored; want 5", n)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM spend_imports"); n != 2 {
			t.Fatalf("%d imports stored; want 2 (one that added nothing is not kept)", n)
		}
		var vendor, amount, extra string
		var software bool
		var conf int
		if err := d.QueryRow(ctx, "SELECT vendor, software, confidence, CAST(amount AS TEXT), extra FROM spend_lines WHERE merchant = 'FS *QUILLSTACK'").
			Scan(&vendor, &software, &conf, &amount, &extra); err != nil {
			t.Fatal(err)
		}
		if vendor != "Quillstack" || !software || conf != 75 || amount != "120" && amount != "120.00" || extra != `{"card_ref":"A3"}` {
			t.Fatalf("stored %q %v %d %q %q", vendor, software, conf, amount, extra)
		}
	})
}

func TestImportNamesBadLines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(t, d)
		admin := access.System("test")
		head := "date,merchant,amount,currency,department,employee_email,mcc,memo\n"
		for _, c := range []struct{ name, body, want string }{
			{"amount", head + "2026-03-02,ZOOM,12,50,GBP,SALES,,,\n", "line 2"},
			{"bad amount", head + "2026-03-02,ZOOM,12.5x,GBP,SALES,,,\n", "line 2: amount"},
			{"date", head + "2026-03-02,ZOOM,1,GBP,SALES,,,\n2026-13-02,ZOOM,1,GBP,SALES,,,\n", "line 3: date"},
			{"currency", head + "2026-03-02,ZOOM,1,XYZ,SALES,,,\n", "line 2: currency"},
			{"cost centre", head + "2026-03-02,ZOOM,1,GBP,NOPE,,,\n", "line 2: department"},
			{"long descriptor", head + "2026-03-02," + strings.Repeat("Z", 10000) + ",1,GBP,SALES,,,\n", "line 2: merchant"},
			{"mcc", head + "2026-03-02,ZOOM,1,GBP,SALES,,57,\n", "line 2: mcc"},
			{"columns", "when,who,what\n2026-03-02,ZOOM,1\n", "no merchant"},
			{"cut", head + "2026-03-02,ZOOM,1,GBP,SALES,,,\n2026-03-02,ZOOM,1,GBP,SAL", "cut short"},
		} {
			t.Run(c.name, func(t *testing.T) {
				// A good line first: it must not be stored either.
				body := c.body
				if strings.HasPrefix(body, head) {
					body = head + "2026-01-01,SLACK,5,GBP,SALES,,,\n" + strings.TrimPrefix(body, head)
					c.want = strings.Replace(strings.Replace(c.want, "line 3", "line 4", 1), "line 2", "line 3", 1)
				}
				_, err := s.Import(ctx, admin, "bad.csv", strings.NewReader(body))
				msg := describe(err)
				if engage.ErrorCode(err) != engage.EINVALID || !strings.Contains(msg, c.want) {
					t.Fatalf("Import = %v (%s); want %q named", err, msg, c.want)
				}
				if n := count(t, d, "SELECT COUNT(*) FROM spend_lines") + count(t, d, "SELECT COUNT(*) FROM spend_imports"); n != 0 {
					t.Fatalf("%d rows stored after a bad file", n)
				}
			})
		}
	})
}

func describe(err error) string {
	msg := engage.ErrorMessage(err)
	for _, f := range engage.ErrorFields(err) {
		msg += "\n" + f.Field + ": " + f.Message
	}
	return msg
}

func TestImportInvoiceLines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d)
		file := "vendor,invoice,amount,currency,cost_center,gl_account,date\n" +
			"Atlassian Pty Ltd,INV-1001,1200.00,USD,SALES,6100,2026-04-30\n" +
			"Hilton Hotels,INV-77,310.50,GBP,FIN,6400,\n"
		rep, err := s.Import(context.Background(), access.System("test"), "ap.csv", strings.NewReader(file))
		if err != nil || rep.Kind != spend.KindInvoice || rep.Added != 2 || rep.Software != 1 {
			t.Fatalf("Import = %+v, %v", rep, err)
		}
		var period, vendor string
		if err := d.QueryRow(context.Background(), "SELECT period, vendor FROM spend_lines WHERE invoice = 'INV-77'").Scan(&period, &vendor); err != nil {
			t.Fatal(err)
		}
		if period != "2026-12" || vendor != "Hilton" {
			t.Fatalf("INV-77 = %s %s; want the import's month and Hilton", period, vendor)
		}
	})
}

func TestImportAccess(t *testing.T) {
	d := dbtest.OpenSQLite(t)
	s := newService(t, d)
	for _, p := range []*access.Principal{nil, {PersonID: 1, Roles: []access.Role{access.Requester}}, {PersonID: 2, Roles: []access.Role{access.BRM}, BRMFor: []int64{1}}} {
		if _, err := s.Import(context.Background(), p, "card.csv", strings.NewReader(cardFile)); err == nil {
			t.Fatalf("%+v imported spend", p)
		}
	}
	fin := &access.Principal{Roles: []access.Role{access.Finance}}
	if _, err := s.Import(context.Background(), fin, "card.csv", strings.NewReader(cardFile)); err != nil {
		t.Fatal(err)
	}
	ann := &access.Principal{Email: "Ann@example.com", DepartmentID: 1, Roles: []access.Role{access.Requester}}
	if spend.CanReadLines(ann, 1) || !spend.CanReadOwnLine(ann, "ann@example.com") || spend.CanReadOwnLine(ann, "bo@example.com") {
		t.Fatal("a requester must see their own lines only")
	}
	head := &access.Principal{Roles: []access.Role{access.BudgetHolder}, Heads: []int64{1}}
	brm := &access.Principal{Roles: []access.Role{access.BRM}, BRMFor: []int64{1}}
	if !spend.CanReadLines(head, 1) || spend.CanReadLines(head, 2) || !spend.CanReadLines(brm, 1) || !spend.CanReadLines(fin, 2) {
		t.Fatal("heads, BRMs and finance read their departments' lines")
	}
}

// The shared sample imports whole, once.
func TestImportSample(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newService(t, d, "MKT", "HR", "IT", "DISC", "RND", "CLIN", "CHEM", "BIO", "CORP", "COM")
		f, err := os.Open("testdata/card_transactions_2026.csv")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rep, err := s.Import(context.Background(), access.System("test"), "sample.csv", f)
		if err != nil || rep.Lines != 1152 || rep.Added != 1152 || rep.Software != 654 {
			t.Fatalf("Import = %+v, %v", rep, err)
		}
	})
}

// TestImportManyLinesOfAPeriod: a file with more lines of a month than one
// run of keys holds writes its keys a run at a time; the same file again
// adds nothing, also after imports that make the month's runs merge, and
// equal lines stay counted.
func TestImportManyLinesOfAPeriod(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(t, d)
		admin := access.System("test")
		file := func(from, to int, cents string) string {
			var b strings.Builder
			b.WriteString("date,merchant,amount,currency,department\n")
			for i := from; i < to; i++ {
				fmt.Fprintf(&b, "2026-04-%02d,FS *MIRO,%d.%s,GBP,SALES\n", 1+i%28, i%5000, cents)
			}
			return b.String()
		}
		// 70,000 lines, each amount and day met 5 or so times: most lines
		// have an equal line before them.
		big := file(0, 70000, "00")
		rep, err := s.Import(ctx, admin, "big.csv", strings.NewReader(big))
		if err != nil || rep.Added != 70000 {
			t.Fatalf("first import = %+v, %v", rep, err)
		}
		// Ten small files of the same month: its runs are merged.
		for i := range 10 {
			if rep, err := s.Import(ctx, admin, "small.csv", strings.NewReader(file(i, i+1, "50"))); err != nil || rep.Added != 1 {
				t.Fatalf("small import %d = %+v, %v", i, rep, err)
			}
		}
		if n := count(t, d, "SELECT COUNT(*) FROM spend_line_keys"); n > 8 {
			t.Fatalf("%d runs of keys; want at most 8", n)
		}
		rep, err = s.Import(ctx, admin, "big.csv", strings.NewReader(big+"2026-04-01,FS *MIRO,0.00,GBP,SALES\n"))
		if err != nil || rep.Added != 1 || rep.Unchanged != 70000 {
			t.Fatalf("the file again with one more equal line = %+v, %v", rep, err)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM spend_lines"); n != 70011 {
			t.Fatalf("%d lines stored; want 70,011", n)
		}
	})
}
