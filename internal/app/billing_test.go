package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/focus"
)

const roundingSentence = "Each line is rounded to the cent, half away from zero; the total is the sum of the rounded lines."

var (
	lineAmount  = regexp.MustCompile(`class="num amount" data-amount="([^"]+)"`)
	statementTo = regexp.MustCompile(`class="num total" data-total="([^"]+)"`)
	usageLink   = regexp.MustCompile(`href="(/costs/usage\?department=\d+&amp;period=[0-9-]+&amp;offering=\d+)"`)
	csvLink     = regexp.MustCompile(`href="(/costs/statements/\d+/csv)"`)
)

// get fetches a path with a browser's cookies and returns status, content
// type and body.
func get(t *testing.T, b *apptest.Browser, path string) (int, string, []byte) {
	t.Helper()
	res, body := b.Get(path)
	return res.StatusCode, res.Header.Get("Content-Type"), []byte(body)
}

func csvRows(t *testing.T, raw []byte) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatalf("reading CSV: %v\n%s", err, raw)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func periodTotals(t *testing.T, e *apptest.Engage, period string) decimal.Decimal {
	t.Helper()
	list, err := e.Billing.Statements(context.Background(), system, billing.StatementFilter{Period: period})
	if err != nil || len(list) == 0 {
		t.Fatalf("statements of %s = %d, %v", period, len(list), err)
	}
	sum := decimal.Zero
	for _, st := range list {
		if st.Currency != "EUR" {
			t.Fatalf("the demo bills in EUR only; found %s", st.Currency)
		}
		sum = sum.Add(st.Total)
	}
	return sum
}

func TestBillingPeriodsRunAndClose(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		// The demo leaves the last two months open: February and March 2026.
		periods, err := e.Billing.Periods(context.Background(), system)
		if err != nil || len(periods) != 5 || periods[0].Period != "2026-03" || periods[1].State != "open" || periods[2].State != "closed" {
			t.Fatalf("demo periods = %+v, %v", periods, err)
		}
		f := e.SignIn(t, "finance@example.com")
		status, _, page := get(t, f, "/billing?period=2026-02")
		if status != 200 || !strings.Contains(string(page), "I understand a closed period never changes") || !strings.Contains(string(page), "February 2026 — open") {
			t.Fatalf("billing page = %d\n%s", status, page)
		}
		// Run: the report shows after the POST.
		res, body := f.Post("/billing/periods/2026-03/run", url.Values{})
		if res.StatusCode != 200 || !strings.Contains(body, "Billing run for March 2026") || !strings.Contains(body, `id="report-statements">12<`) {
			t.Fatalf("run = %d\n%s", res.StatusCode, body)
		}
		// Close without ticking the box: refused, with the reason.
		res, body = f.Post("/billing/periods/2026-02/close", url.Values{})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#confirm"`) {
			t.Fatalf("close without confirming = %d", res.StatusCode)
		}
		if st, _ := e.Billing.Periods(context.Background(), system); st[1].State != "open" {
			t.Fatal("February closed without confirmation")
		}
		res, body = f.Post("/billing/periods/2026-02/close", url.Values{"confirm": {"yes"}})
		if res.StatusCode != 200 || !strings.Contains(body, "Closed February 2026") || !strings.Contains(body, "February 2026 is closed") {
			t.Fatalf("close = %d\n%s", res.StatusCode, body)
		}
		// A closed period refuses a run, saying why.
		res, body = f.Post("/billing/periods/2026-02/run", url.Values{})
		if res.StatusCode != http.StatusConflict || !strings.Contains(html.UnescapeString(body), "Period 2026-02 is closed and never changes") {
			t.Fatalf("run of a closed period = %d\n%s", res.StatusCode, body)
		}
		// And through the API.
		finance := clientOf(t, e, "finance@example.com")
		if status, problem := finance.json("POST", "/billing/periods/2026-02/run", ""); status != http.StatusConflict ||
			!strings.Contains(problem["detail"].(string), "closed") {
			t.Fatalf("API run of a closed period = %d %v", status, problem)
		}
		// Requesters and budget holders do not reach billing.
		for _, who := range []string{"requester@example.com", "budget@example.com"} {
			b := e.SignIn(t, who)
			if res, _ := b.Get("/billing"); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s on /billing = %d; want 403", who, res.StatusCode)
			}
			if res, _ := b.Post("/billing/periods/2026-03/close", url.Values{"confirm": {"yes"}}); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s closing March = %d; want 403", who, res.StatusCode)
			}
		}

		// Adjustments: errors shown field by field, what was typed kept.
		res, body = f.Post("/billing/adjustments", url.Values{"amount": {"twelve"}, "currency": {"EUR"}, "reason": {""}, "corrects": {"2026-01"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad adjustment = %d", res.StatusCode)
		}
		for _, field := range []string{"department_id", "amount", "reason"} {
			if !strings.Contains(body, `href="#`+field+`"`) {
				t.Errorf("the error summary does not link to #%s", field)
			}
		}
		if !strings.Contains(body, `value="twelve"`) || !strings.Contains(body, `value="2026-01"`) {
			t.Error("the adjustment form lost what was typed")
		}
		bio := departmentByCode(t, e, "BIO")
		res, _ = f.Post("/billing/adjustments", url.Values{"department_id": {strconv.FormatInt(bio.ID, 10)}, "amount": {"-12.50"}, "currency": {"EUR"},
			"reason": {"Printer counted a jam as pages"}, "corrects": {"2026-02"}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/billing?period=2026-03" {
			t.Fatalf("adjustment = %d %s", res.StatusCode, res.Header.Get("Location"))
		}
	})
}

func TestBudgetHolderReadsStatement(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		bio := departmentByCode(t, e, "BIO")
		list, err := e.Billing.Statements(ctx, system, billing.StatementFilter{Period: "2026-03", DepartmentID: bio.ID})
		if err != nil || len(list) != 1 {
			t.Fatalf("BIO's March statements = %+v, %v", list, err)
		}
		st := list[0]
		b := e.SignIn(t, "budget@example.com")
		// Dana heads Discovery Science: her own department by default.
		status, _, page := get(t, b, "/costs")
		if status != 200 || !strings.Contains(html.UnescapeString(string(page)), "<h1>Your department's costs for March 2026</h1>") ||
			!strings.Contains(string(page), "Biology Laboratory (BIO)") {
			t.Fatalf("costs = %d\n%s", status, page)
		}
		status, _, page = get(t, b, "/costs?department="+strconv.FormatInt(bio.ID, 10))
		body := html.UnescapeString(string(page))
		if status != 200 || !strings.Contains(body, roundingSentence) || !strings.Contains(body, "Charged to the department's cost centre") {
			t.Fatalf("BIO's costs = %d\n%s", status, page)
		}
		// The total is the sum of the lines shown.
		sum := decimal.Zero
		for _, m := range lineAmount.FindAllStringSubmatch(body, -1) {
			sum = sum.Add(decimal.RequireFromString(m[1]))
		}
		total := statementTo.FindStringSubmatch(body)
		if total == nil || !decimal.RequireFromString(total[1]).Equal(st.Total) || !sum.Equal(st.Total) {
			t.Fatalf("page total %v, lines add up to %s; statement %s", total, sum, st.Total)
		}
		for _, want := range []string{"Adjustment for 2026-01", "HPC core-hours", "The last 13 months", "Cloud and legacy services in March 2026", "<svg"} {
			if !strings.Contains(body, want) {
				t.Errorf("BIO's costs page lacks %q", want)
			}
		}
		// Drill down from the HPC usage line to its records.
		var hpc string
		for _, m := range usageLink.FindAllStringSubmatch(string(page), -1) {
			link := html.UnescapeString(m[1])
			if _, _, p := get(t, b, link); strings.Contains(string(p), "HPC core-hours") {
				hpc = link
			}
		}
		if hpc == "" {
			t.Fatal("no drill-down link to the HPC usage")
		}
		status, _, page = get(t, b, hpc)
		u, _ := url.Parse(hpc)
		offering, _ := strconv.ParseInt(u.Query().Get("offering"), 10, 64)
		recs, err := e.Billing.Usage(ctx, system, "2026-03", bio.ID, offering, 5000)
		if err != nil || len(recs) == 0 {
			t.Fatalf("usage = %d, %v", len(recs), err)
		}
		if status != 200 || strings.Count(string(page), "data-quantity=") != len(recs) || !strings.Contains(string(page), recs[0].IdempotencyKey) {
			t.Fatalf("usage page = %d with %d records; want %d", status, strings.Count(string(page), "data-quantity="), len(recs))
		}
		if status, ctype, raw := get(t, b, hpc+"&format=csv"); status != 200 || !strings.HasPrefix(ctype, "text/csv") || len(csvRows(t, raw)) != len(recs) {
			t.Errorf("usage CSV = %d %s", status, ctype)
		}
		// The CSV's total row is the statement total, and the lines add up to it.
		m := csvLink.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no CSV download beside the statement")
		}
		status, ctype, raw := get(t, b, m[1])
		if status != 200 || !strings.HasPrefix(ctype, "text/csv") {
			t.Fatalf("statement CSV = %d %s", status, ctype)
		}
		rows := csvRows(t, raw)
		sum = decimal.Zero
		for _, r := range rows[:len(rows)-1] {
			sum = sum.Add(decimal.RequireFromString(r["amount"]))
		}
		last := rows[len(rows)-1]
		if last["line"] != "total" || !decimal.RequireFromString(last["amount"]).Equal(st.Total) || !sum.Equal(st.Total) {
			t.Fatalf("CSV total row %v, lines %s; statement %s", last, sum, st.Total)
		}
		// Not a department Dana covers.
		sales := departmentByCode(t, e, "SALES")
		if res, _ := b.Get("/costs?department=" + strconv.FormatInt(sales.ID, 10)); res.StatusCode != http.StatusForbidden {
			t.Errorf("Sales' costs for Dana = %d; want 403", res.StatusCode)
		}
		// The home page shows her department's cost this month.
		if _, body := b.Get("/"); !strings.Contains(html.UnescapeString(body), "Your department's cost this month") || !strings.Contains(body, "in March 2026 so far") {
			t.Error("the budget holder's home page does not show the department's cost this month")
		}

		// The API: trend and breakdown, for what she may read.
		api := apiClient{t, e, e.Token(t, "budget@example.com")}
		status, trend := api.json("GET", "/costs/trend?department_id="+strconv.FormatInt(bio.ID, 10), "")
		months, _ := trend["months"].([]any)
		if status != 200 || len(months) != 13 {
			t.Fatalf("trend = %d %v", status, trend)
		}
		lastMonth := months[12].(map[string]any)
		totals := lastMonth["totals"].([]any)
		if lastMonth["period"] != "2026-03" || len(totals) != 1 || !decimal.RequireFromString(totals[0].(map[string]any)["amount"].(string)).Equal(st.Total) {
			t.Fatalf("trend's March = %v", lastMonth)
		}
		status, bd := api.json("GET", "/costs/breakdown?department_id="+strconv.FormatInt(bio.ID, 10)+"&period=2026-03", "")
		if status != 200 || len(bd["services"].([]any)) == 0 || len(bd["shares"].([]any)) != 1 {
			t.Fatalf("breakdown = %d %v", status, bd)
		}
		if status, _ := api.json("GET", "/costs/trend?department_id="+strconv.FormatInt(sales.ID, 10), ""); status != http.StatusForbidden {
			t.Errorf("Sales' trend for Dana = %d; want 403", status)
		}
		status, out := api.do("GET", "/statements/"+strconv.FormatInt(st.ID, 10)+"/csv", "", "")
		if status != 200 || !strings.Contains(out["raw"].(string), "statement,period,department") {
			t.Fatalf("API statement CSV = %d %v", status, out)
		}
	})
}

func TestRequesterSeesNoCosts(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		bio := departmentByCode(t, e, "BIO")
		list, _ := e.Billing.Statements(context.Background(), system, billing.StatementFilter{Period: "2026-03", DepartmentID: bio.ID})
		r := e.SignIn(t, "requester@example.com")
		status, _, page := get(t, r, "/costs")
		body := string(page)
		if status != 200 || !strings.Contains(body, "shown to its budget holders") {
			t.Fatalf("requester's costs = %d\n%s", status, page)
		}
		if strings.Contains(body, "€") || strings.Contains(body, "data-amount") || strings.Contains(body, "<svg") {
			t.Error("the requester's costs page shows numbers")
		}
		if res, _ := r.Get("/costs/statements/" + strconv.FormatInt(list[0].ID, 10) + "/csv"); res.StatusCode != http.StatusNotFound {
			t.Errorf("requester's statement CSV = %d; want 404", res.StatusCode)
		}
		if res, _ := r.Get("/costs/usage?period=2026-03&offering=1"); res.StatusCode != http.StatusForbidden {
			t.Errorf("requester's usage = %d; want 403", res.StatusCode)
		}
		if _, home := r.Get("/"); strings.Contains(home, "cost this month") {
			t.Error("the requester's home page shows the department's cost")
		}
	})
}

func TestJournalAndFOCUSExports(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		f := e.SignIn(t, "finance@example.com")
		// January 2026 is closed: its journal is final and balances.
		status, ctype, raw := get(t, f, "/billing/periods/2026-01/journal.csv")
		if status != 200 || !strings.HasPrefix(ctype, "text/csv") {
			t.Fatalf("journal = %d %s", status, ctype)
		}
		rows := csvRows(t, raw)
		debits, credits := decimal.Zero, decimal.Zero
		showback := map[string]bool{"FIN": true, "HR": true, "IT": true, "CORP": true}
		for _, r := range rows {
			if r["debit"] != "" {
				debits = debits.Add(decimal.RequireFromString(r["debit"]))
				if r["account"] != "6400" || showback[r["cost_centre"]] {
					t.Errorf("debit row %v", r)
				}
			}
			if r["credit"] != "" {
				credits = credits.Add(decimal.RequireFromString(r["credit"]))
				if r["account"] != "4900" || r["cost_centre"] != "IT" {
					t.Errorf("credit row %v", r)
				}
			}
			if r["status"] != "final" || r["currency"] != "EUR" {
				t.Errorf("row %v", r)
			}
		}
		// Eight chargeback departments (R&D, Commercial, Discovery Science, Clinical Development, Sales, Marketing and the
		// two labs), two rows each.
		if len(rows) != 16 || !debits.Equal(credits) || debits.IsZero() {
			t.Fatalf("journal: %d rows, debits %s, credits %s", len(rows), debits, credits)
		}
		// The summary on the page says which departments are left out.
		_, body := f.Get("/billing?period=2026-01")
		if !strings.Contains(body, "Not in the journal:") || !strings.Contains(body, "Finance (€") || !strings.Contains(body, "showback: shown for information, never charged") {
			t.Error("the billing page does not say showback departments are left out of the journal")
		}
		// Other account codes.
		_, _, raw = get(t, f, "/billing/periods/2026-01/journal.csv?expense_account=6410&recovery_account=4910")
		if rows := csvRows(t, raw); rows[0]["account"] != "6410" || rows[1]["account"] != "4910" {
			t.Errorf("journal with other accounts = %v", rows[:2])
		}

		// FOCUS: reads back, and its BilledCost adds up to the statements.
		for _, path := range []string{"/billing/periods/2026-03/focus.csv", "api"} {
			if path == "api" {
				req, _ := http.NewRequest("GET", e.URL+"/api/v1/billing/periods/2026-03/focus", nil)
				req.Header.Set("Authorization", "Bearer "+e.Token(t, "finance@example.com"))
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				raw, _ = io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
					t.Fatalf("API FOCUS = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
				}
			} else if status, ctype, raw = get(t, f, path); status != 200 || !strings.HasPrefix(ctype, "text/csv") {
				t.Fatalf("FOCUS = %d %s", status, ctype)
			}
			rd, err := focus.NewReader(bytes.NewReader(raw), focus.Options{})
			if err != nil {
				t.Fatal(err)
			}
			sum := decimal.Zero
			n := 0
			for {
				row, err := rd.Next()
				if errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					t.Fatalf("FOCUS row: %v", err)
				}
				n++
				sum = sum.Add(row.BilledCost)
				if row.ProviderName != billing.ProviderName || row.SubAccountId == "" || !row.BilledCost.Equal(row.EffectiveCost) {
					t.Fatalf("FOCUS row %+v", row)
				}
			}
			if want := periodTotals(t, e, "2026-03"); n == 0 || !sum.Equal(want) {
				t.Fatalf("%s: %d rows, BilledCost %s; statements add up to %s", path, n, sum, want)
			}
		}
		// A requester gets neither.
		r := e.SignIn(t, "requester@example.com")
		for _, path := range []string{"/billing/periods/2026-01/journal.csv", "/billing/periods/2026-03/focus.csv"} {
			if res, _ := r.Get(path); res.StatusCode != http.StatusForbidden {
				t.Errorf("requester %s = %d; want 403", path, res.StatusCode)
			}
		}
	})
}

// TestBRMReadsOnlyTheCostsOfDepartmentsTheyCover: Sam Okafor is a BRM who
// works in IT, but IT's BRM is Priya Nair. Sam reads the costs of R&D and
// Commercial, which he covers, and not IT's, on the services, the pages and
// the API.
func TestBRMReadsOnlyTheCostsOfDepartmentsTheyCover(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		it, bio := departmentByCode(t, e, "IT"), departmentByCode(t, e, "BIO")
		if list, err := e.Billing.Statements(ctx, system, billing.StatementFilter{Period: "2026-03", DepartmentID: it.ID}); err != nil || len(list) == 0 {
			t.Fatalf("IT's March statements = %d, %v; the demo should bill IT", len(list), err)
		}
		sam, err := e.Org.Principal(ctx, person(t, e, "brm@example.com").ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		if sam.DepartmentID != it.ID {
			t.Fatalf("Sam works in department %d; want IT (%d)", sam.DepartmentID, it.ID)
		}
		if _, err := e.Billing.Statements(ctx, sam, billing.StatementFilter{Period: "2026-03", DepartmentID: it.ID}); err == nil {
			t.Error("Sam reads IT's statements")
		}
		if _, err := e.Billing.Trend(ctx, sam, it.ID, "2026-03", 13); err == nil {
			t.Error("Sam reads IT's cost trend")
		}
		if _, err := e.Billing.Breakdown(ctx, sam, it.ID, "2026-03"); err == nil {
			t.Error("Sam reads IT's cost breakdown")
		}
		if _, err := e.Billing.Usage(ctx, sam, "2026-03", it.ID, 0, 10); err == nil {
			t.Error("Sam reads IT's usage")
		}
		if _, _, err := e.CloudBill.Charges(ctx, sam, cloudbill.ChargeFilter{Period: "2026-03", DepartmentID: it.ID}); err == nil {
			t.Error("Sam reads IT's cloud charges")
		}
		all, err := e.Billing.Statements(ctx, sam, billing.StatementFilter{Period: "2026-03"})
		if err != nil {
			t.Fatal(err)
		}
		sawBIO := false
		for _, st := range all {
			if st.DepartmentID == it.ID {
				t.Error("Sam's list of statements includes IT's")
			}
			sawBIO = sawBIO || st.DepartmentID == bio.ID
		}
		if !sawBIO {
			t.Error("Sam's list of statements lacks the Biology Laboratory's, which he covers through R&D")
		}

		b := e.SignIn(t, "brm@example.com")
		if status, _, page := get(t, b, "/costs?department="+strconv.FormatInt(it.ID, 10)); status == http.StatusOK && strings.Contains(string(page), "data-total=") {
			t.Errorf("the costs page shows IT's statement to Sam (%d)", status)
		}
		if status, _, _ := get(t, b, "/costs?department="+strconv.FormatInt(bio.ID, 10)); status != http.StatusOK {
			t.Errorf("BIO's costs for Sam = %d; want 200", status)
		}
		token := e.Token(t, "brm@example.com")
		var out any
		if status := getJSON(t, e, token, "/api/v1/statements?period=2026-03&department_id="+strconv.FormatInt(it.ID, 10), &out); status != http.StatusForbidden {
			t.Errorf("IT's statements through the API for Sam = %d; want 403", status)
		}
	})
}
