package spend_test

import (
	"context"
	"strings"
	"testing"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/spend"
)

func TestLearnFromACorrection(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newService(t, d)
		fin := &access.Principal{Name: "Hannah", Roles: []access.Role{access.Finance}}
		head := "date,merchant,amount,currency,department,employee_email,mcc,memo\n"
		if _, err := s.Import(ctx, fin, "a.csv", strings.NewReader(head+"2026-03-02,SQ *KW DATA TOOLS,30.00,GBP,SALES,ann@example.com,,\n")); err != nil {
			t.Fatal(err)
		}
		var id int64
		var vendor string
		var conf int
		if err := d.QueryRow(ctx, "SELECT id, vendor, confidence FROM spend_lines").Scan(&id, &vendor, &conf); err != nil {
			t.Fatal(err)
		}
		if vendor != "Kw" || conf >= 60 {
			t.Fatalf("before = %s %d; want an unknown vendor waiting for a person", vendor, conf)
		}
		// A requester of the department may not teach the dictionary.
		req := &access.Principal{PersonID: 9, DepartmentID: 1, Email: "ann@example.com", Roles: []access.Role{access.Requester}}
		if _, err := s.Correct(ctx, req, id, spend.Correction{Vendor: "Kiwi Data", Software: true}); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("requester corrects = %v; want not found", err)
		}
		got, err := s.Correct(ctx, fin, id, spend.Correction{Vendor: "Kiwi Data", Software: true, Category: "analytics"})
		if err != nil || got.Vendor != "Kiwi Data" || got.Confidence != 1 {
			t.Fatalf("Correct = %+v, %v", got, err)
		}
		if err := d.QueryRow(ctx, "SELECT vendor, confidence FROM spend_lines WHERE id = ?", id).Scan(&vendor, &conf); err != nil || vendor != "Kiwi Data" || conf != 100 {
			t.Fatalf("the line after = %s %d %v", vendor, conf, err)
		}
		// A later line with that descriptor, printed otherwise, matches it.
		rep, err := s.Import(ctx, fin, "b.csv", strings.NewReader(head+"2026-04-02,kw data tools 0800123456,30.00,GBP,FIN,bo@example.com,,\n"))
		if err != nil || rep.Added != 1 || rep.Software != 1 || rep.Waiting != 0 {
			t.Fatalf("later import = %+v, %v", rep, err)
		}
		if err := d.QueryRow(ctx, "SELECT vendor FROM spend_lines WHERE department_id <> 1").Scan(&vendor); err != nil || vendor != "Kiwi Data" {
			t.Fatalf("later line = %s %v", vendor, err)
		}

		// Finance adds a vendor with a domain: lines on that domain are it.
		if _, err := s.AddVendor(ctx, req, spend.Vendor{Name: "Quillstack"}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("requester adds a vendor = %v", err)
		}
		v, err := s.AddVendor(ctx, fin, spend.Vendor{Name: "Quillstack", Category: "notes", Software: true, Aliases: []string{"Quill Stack Ltd"}, Domains: []string{"quillstack.io"}})
		if err != nil || v.Name != "Quillstack" {
			t.Fatalf("AddVendor = %+v, %v", v, err)
		}
		if _, err := s.AddVendor(ctx, fin, spend.Vendor{Name: "X", Domains: []string{"not a domain"}}); engage.ErrorCode(err) != engage.EINVALID {
			t.Fatalf("bad domain = %v", err)
		}
		dict, err := s.Dictionary(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{"QUILLSTACK.IO", "QUILL STACK LTD 12345", "PAYPAL *QUILLSTACK"} {
			if got := spend.NewMatcher(dict).Match(spend.Line{Merchant: m}); got.Vendor != "Quillstack" || !got.Known || got.Category != "notes" {
				t.Errorf("%s = %+v; want Quillstack", m, got)
			}
		}
	})
}
