package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
)

// Finance follows the costs page to the spend pages, imports a card file
// with the import page's form (a bad one first, its lines named, nothing
// stored), filters the lines, confirms a waiting match in the review queue
// and adds a vendor to the dictionary; the BRM reviews a department's
// queue; a requester sees only their own lines and cannot import.
func TestSpendPages(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		var rnd int64
		if err := e.DB.QueryRow(ctx, "SELECT id FROM departments WHERE code = 'RND'").Scan(&rnd); err != nil {
			t.Fatal(err)
		}
		count := func() int {
			var n int
			if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM spend_lines").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		f := e.SignIn(t, "finance@example.com")
		_, costs := f.Get("/costs")
		if !hasLink(costs, "/spend") {
			t.Fatal("the costs page does not lead to the spend lines")
		}
		_, lines := f.Get("/spend")
		for _, to := range []string{"/spend/import", "/spend/review", "/spend/vendors"} {
			if !hasLink(lines, to) {
				t.Fatalf("the spend lines page has no link to %s", to)
			}
		}
		res, imp := f.Get("/spend/import")
		form, ok := apptest.FormFor(imp, "/spend/import")
		if res.StatusCode != 200 || !ok || form.Values().Get("form_key") == "" {
			t.Fatalf("import page = %d, form %v", res.StatusCode, ok)
		}
		fields := url.Values{"form_key": {form.Values().Get("form_key")}}
		bad := "date,merchant,amount,currency,department,employee_email,mcc,memo\n" +
			"2026-03-02,SQ *KW DATA TOOLS,30.00,GBP,RND,requester@example.com,,\n" +
			"2026-03-03,ZOOM.US 888-799-9666,lots,GBP,RND,head.rnd@example.com,4816,\n"
		res, body := postFileWith(t, e, f, "/spend/import", "march.csv", bad, fields)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Line 3: amount") || count() != before {
			t.Fatalf("bad file = %d, %d lines stored; page names line 3: %v", res.StatusCode, count()-before, strings.Contains(body, "Line 3: amount"))
		}
		good := strings.Replace(bad, "lots", "14.99", 1)
		fields.Set("form_key", "spend-import-1")
		res, body = postFileWith(t, e, f, "/spend/import", "march.csv", good, fields)
		if res.StatusCode != 200 || !strings.Contains(body, "New lines stored</dt><dd>2") || !strings.Contains(body, "New lines waiting for a person</dt><dd>1") || count() != before+2 {
			t.Fatalf("import = %d, %d lines stored:\n%s", res.StatusCode, count()-before, body)
		}
		// The same form sent again imports nothing more.
		if res, _ = postFileWith(t, e, f, "/spend/import", "march.csv", good, fields); res.StatusCode != http.StatusSeeOther || count() != before+2 {
			t.Fatalf("repeat = %d, %d lines", res.StatusCode, count()-before)
		}
		// The lines, filtered by department, vendor, month and software.
		res, body = f.Submit("/spend", "/spend", url.Values{"department": {fmt.Sprint(rnd)}, "vendor": {"Zoom"}, "period": {"2026-03"}, "software": {"yes"}})
		if res.StatusCode != 200 || !strings.Contains(body, "ZOOM.US 888-799-9666") || strings.Contains(body, "KW DATA TOOLS") {
			t.Fatalf("filtered lines = %d:\n%s", res.StatusCode, body)
		}
		if res, body = f.Get(fmt.Sprintf("/spend?department=%d&period=March", rnd)); !strings.Contains(body, "A month is written YYYY-MM") {
			t.Fatalf("a bad month = %d", res.StatusCode)
		}
		// The review queue: the unknown merchant waits; finance names it.
		review := fmt.Sprintf("/spend/review?department=%d", rnd)
		res, body = f.Get(review)
		if res.StatusCode != 200 || !strings.Contains(body, "SQ *KW DATA TOOLS") {
			t.Fatalf("review = %d:\n%s", res.StatusCode, body)
		}
		var id int64
		if err := e.DB.QueryRow(ctx, "SELECT id FROM spend_lines WHERE merchant = 'SQ *KW DATA TOOLS'").Scan(&id); err != nil {
			t.Fatal(err)
		}
		action := fmt.Sprintf("/spend/lines/%d/match", id)
		if res, body = f.Submit(review, action, url.Values{"vendor": {""}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("no vendor = %d", res.StatusCode)
		}
		res, _ = f.Submit(review, action, url.Values{"vendor": {"Kiwi Data"}, "software": {"yes"}, "category": {"analytics"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm = %d", res.StatusCode)
		}
		if _, body = f.Get(review); strings.Contains(body, "SQ *KW DATA TOOLS") {
			t.Fatal("the confirmed line still waits")
		}
		if _, body = f.Get(fmt.Sprintf("/spend?department=%d&vendor=Kiwi+Data", rnd)); !strings.Contains(body, "confirmed by") {
			t.Fatalf("the line does not show its confirmation:\n%s", body)
		}
		// The dictionary: a vendor added, with its names.
		res, _ = f.Submit("/spend/vendors", "/spend/vendors", url.Values{"name": {"Acmeflow"}, "category": {"workflow"}, "aliases": {"ACME FLOW"}, "domains": {"acmeflow.io"}, "software": {"yes"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add vendor = %d", res.StatusCode)
		}
		if _, body = f.Get("/spend/vendors"); !strings.Contains(body, "Acmeflow") || !strings.Contains(body, "acmeflow.io") {
			t.Fatal("the added vendor is not listed")
		}
		if res, body = f.Submit("/spend/vendors", "/spend/vendors", url.Values{"name": {"Bad"}, "domains": {"not a domain"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "is not a web domain") {
			t.Fatalf("bad domain = %d", res.StatusCode)
		}
		// The BRM of R&D reviews; the requester sees only their own line.
		brm := e.SignIn(t, "brm@example.com")
		if res, _ := brm.Get(review); res.StatusCode != 200 {
			t.Fatalf("BRM's review = %d", res.StatusCode)
		}
		req := e.SignIn(t, "requester@example.com")
		res, body = req.Get(fmt.Sprintf("/spend?department=%d&period=2026-03", rnd))
		if res.StatusCode != 200 || !strings.Contains(body, "SQ *KW DATA TOOLS") || strings.Contains(body, "ZOOM.US 888-799-9666") {
			t.Fatalf("requester's lines = %d", res.StatusCode)
		}
		if res, body = req.Get("/spend/import"); res.StatusCode != 200 || strings.Contains(body, `action="/spend/import"`) {
			t.Fatalf("requester's import page = %d, shows the form", res.StatusCode)
		}
		if res, _ = postFileWith(t, e, req, "/spend/import", "march.csv", good, nil); res.StatusCode != http.StatusForbidden {
			t.Fatalf("requester's import = %d", res.StatusCode)
		}
	})
}

func hasLink(page, to string) bool {
	for _, l := range apptest.Links(page) {
		if l.Href == to {
			return true
		}
	}
	return false
}

// The review queue's correction form sent as rendered with bad input —
// no vendor, blanks, a vendor or a category too long: the page answers 422
// with the error beside the line's field and linked from the summary, the
// form keeps what was typed, and nothing is written.
func TestSpendReviewCorrectionErrors(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		var rnd int64
		if err := e.DB.QueryRow(ctx, "SELECT id FROM departments WHERE code = 'RND'").Scan(&rnd); err != nil {
			t.Fatal(err)
		}
		file := "date,merchant,amount,currency,department,employee_email,mcc,memo\n2026-03-02,SQ *KW DATA TOOLS,30.00,GBP,RND,requester@example.com,,\n"
		if _, err := e.Spend.Import(ctx, access.System("test"), "march.csv", strings.NewReader(file)); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := e.DB.QueryRow(ctx, "SELECT id FROM spend_lines WHERE merchant = 'SQ *KW DATA TOOLS'").Scan(&id); err != nil {
			t.Fatal(err)
		}
		state := func() string {
			var names, audits int
			var vendor, reason string
			if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM spend_vendor_names").Scan(&names); err != nil {
				t.Fatal(err)
			}
			if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM audit_events WHERE action = 'spend.match'").Scan(&audits); err != nil {
				t.Fatal(err)
			}
			if err := e.DB.QueryRow(ctx, "SELECT vendor, reason FROM spend_lines WHERE id = ?", id).Scan(&vendor, &reason); err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(names, audits, vendor, reason)
		}
		before := state()
		f := e.SignIn(t, "finance@example.com")
		review := fmt.Sprintf("/spend/review?department=%d", rnd)
		action := fmt.Sprintf("/spend/lines/%d/match", id)
		long := strings.Repeat("K", 101)
		for _, c := range []struct {
			vendor, category, field string
		}{
			{"", "", "vendor"},
			{"   ", "analytics", "vendor"},
			{long, "analytics", "vendor"},
			{"Kiwi Data", strings.Repeat("c", 61), "category"},
		} {
			res, html := f.Submit(review, action, url.Values{"vendor": {c.vendor}, "software": {"no"}, "category": {c.category}})
			field := fmt.Sprintf("%s-%d", c.field, id)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, `id="`+field+`-error"`) || !strings.Contains(html, `href="#`+field+`"`) {
				t.Fatalf("vendor %q, category %q = %d, want the error beside %s: %s", c.vendor, c.category, res.StatusCode, field, messages(html))
			}
			form, ok := apptest.FormFor(html, action)
			if !ok {
				t.Fatalf("the rejected page has no form for the line")
			}
			if got := form.Values(); got.Get("vendor") != c.vendor || got.Get("category") != c.category || got.Get("software") != "no" ||
				got.Get("department") != fmt.Sprint(rnd) {
				t.Fatalf("the rejected form holds %v, want what was typed", got)
			}
			if after := state(); after != before {
				t.Fatalf("a rejected correction wrote: %s, was %s", after, before)
			}
		}
	})
}
