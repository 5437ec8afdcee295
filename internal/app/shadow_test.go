package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/spend"
)

// shadowFixture is card spend for Sales (and Marketing) with hand-computed
// figures at the test clock (2026-03-16): the window is 2025-03 to 2026-02,
// the run rate the spend of 2025-12, 2026-01 and 2026-02 × 4.
const shadowFixture = "date,merchant,amount,currency,department,employee_email,mcc,memo\n" +
	// Dropbox for Sales: 100 + 30 + 30 + 45.50 − 5.50 = 200.00 in the window;
	// the last 3 months 30 + 30 + 40 = 100 → 400.00 a year, 33.33 a month;
	// two people (c@ paid outside the window only).
	"2025-02-28,DROPBOX*ABC123,77.00,EUR,SALES,c@example.com,5734,\n" +
	"2025-06-10,DROPBOX*ABC123,100.00,EUR,SALES,a@example.com,5734,\n" +
	"2025-12-05,DROPBOX*ABC123,30.00,EUR,SALES,a@example.com,5734,\n" +
	"2026-01-05,WWW.DROPBOX.COM,30.00,EUR,SALES,B@example.com,5734,\n" +
	"2026-02-05,DROPBOX*ABC123,45.50,EUR,SALES,a@example.com,5734,\n" +
	"2026-02-20,DROPBOX*ABC123,-5.50,EUR,SALES,a@example.com,5734,refund\n" +
	"2026-03-02,DROPBOX*ABC123,99.00,EUR,SALES,c@example.com,5734,\n" +
	// Miro is the catalog's whiteboard vendor: sanctioned.
	"2026-02-07,FS *MIRO,16.00,EUR,SALES,a@example.com,5734,\n" +
	// Hootsuite: the board chose it for Marketing, not for Sales.
	"2026-02-08,HOOTSUITE,50.00,EUR,MKT,m@example.com,5734,\n" +
	"2026-02-08,HOOTSUITE,60.00,EUR,SALES,a@example.com,5734,\n"

func importShadowFixture(t *testing.T, e *apptest.Engage) {
	t.Helper()
	if _, err := e.Spend.Import(context.Background(), access.System("test"), "fixture.csv", strings.NewReader(shadowFixture)); err != nil {
		t.Fatal(err)
	}
}

// importShadowExtra adds Zoom and Slack for Sales to the fixture: cases to
// sanction and to dismiss.
func importShadowExtra(t *testing.T, e *apptest.Engage) {
	t.Helper()
	extra := "date,merchant,amount,currency,department,employee_email,mcc,memo\n" +
		"2026-02-09,ZOOM.US 888-799-9666,15.00,EUR,SALES,a@example.com,4816,\n" +
		"2026-02-10,SLACK T02K8ABCD,8.00,EUR,SALES,b@example.com,5734,\n"
	if _, err := e.Spend.Import(context.Background(), access.System("test"), "extra.csv", strings.NewReader(extra)); err != nil {
		t.Fatal(err)
	}
}

func findShadow(vs []spend.ShadowVendor, vendor, dept string) *spend.ShadowVendor {
	for i := range vs {
		if vs[i].Vendor == vendor && vs[i].DepartmentName == dept {
			return &vs[i]
		}
	}
	return nil
}

// Shadow spend against hand-computed figures: the window, the run rate,
// the people, the catalog service that does the same job and what moving
// would save; sanctioned by the catalog's vendor and the board's decision.
func TestShadowSpendFixture(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		importShadowFixture(t, e)
		ctx := context.Background()
		rep, err := e.Spend.Shadow(ctx, principalOf(t, e, "finance@example.com"), spend.ShadowFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.From != "2025-03" || rep.Through != "2026-02" {
			t.Fatalf("window %s–%s", rep.From, rep.Through)
		}
		d := findShadow(rep.Shadow, "Dropbox", "Sales")
		if d == nil {
			t.Fatalf("no Dropbox shadow spend for Sales in %+v", rep.Shadow)
		}
		if d.Currency != "EUR" || d.Lines != 5 || d.People != 2 || strings.Join(d.Emails, ",") != "a@example.com,b@example.com" ||
			d.Total.StringFixed(2) != "200.00" || d.RunRate.StringFixed(2) != "400.00" || d.Monthly.StringFixed(2) != "33.33" || d.Category != "file-sharing" {
			t.Fatalf("Dropbox for Sales = %+v", d)
		}
		if len(d.Months) != 12 || d.Months[3].Period != "2025-06" || d.Months[3].Amount.StringFixed(2) != "100.00" || d.Months[11].Amount.StringFixed(2) != "40.00" {
			t.Fatalf("months = %+v", d.Months)
		}
		if len(d.Alternatives) != 1 {
			t.Fatalf("alternatives = %+v", d.Alternatives)
		}
		alt := d.Alternatives[0]
		if alt.ServiceName != "File sync and share" || alt.OfferingName != "File sync per person" || alt.UnitPrice.StringFixed(2) != "3.20" ||
			alt.Monthly.StringFixed(2) != "6.40" || !alt.Comparable || alt.Saving.StringFixed(2) != "26.93" {
			t.Fatalf("alternative = %+v", alt)
		}
		if m := findShadow(rep.Sanctioned, "Miro", "Sales"); m == nil || !strings.Contains(m.Sanctioned, "Digital whiteboard") || findShadow(rep.Shadow, "Miro", "Sales") != nil {
			t.Fatalf("Miro for Sales is not sanctioned by the catalog: %+v", m)
		}
		if h := findShadow(rep.Sanctioned, "Hootsuite", "Marketing"); h == nil || !strings.Contains(h.Sanctioned, "Decided by the board") {
			t.Fatalf("Hootsuite for Marketing is not sanctioned by the board: %+v", h)
		}
		if h := findShadow(rep.Shadow, "Hootsuite", "Sales"); h == nil || h.RunRate.StringFixed(2) != "240.00" {
			t.Fatalf("Hootsuite for Sales is not shadow: %+v", h)
		}
	})
}

// Shadow spend follows the statements' rule; the names of the people
// paying are for those who may read the department's lines.
func TestShadowSpendAccess(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		importShadowFixture(t, e)
		ctx := context.Background()
		rep, err := e.Spend.Shadow(ctx, principalOf(t, e, "brm@example.com"), spend.ShadowFilter{})
		if err != nil || findShadow(rep.Shadow, "Dropbox", "Sales") == nil {
			t.Fatalf("Sales' BRM: %v %v", err, rep.Shadow)
		}
		for _, v := range append(rep.Shadow, rep.Sanctioned...) {
			if v.DepartmentName == "Finance" || v.DepartmentName == "Human Resources" {
				t.Fatalf("Sales' BRM sees %s's spend", v.DepartmentName)
			}
		}
		rep, err = e.Spend.Shadow(ctx, principalOf(t, e, "brm.corporate@example.com"), spend.ShadowFilter{})
		if err != nil || findShadow(rep.Shadow, "Dropbox", "Sales") != nil {
			t.Fatalf("another BRM sees Sales: %v", err)
		}
		if _, err := e.Spend.Shadow(ctx, principalOf(t, e, "requester@example.com"), spend.ShadowFilter{}); err == nil {
			t.Fatal("a requester reads shadow spend")
		}
		// The board reads every department's totals, not the people.
		rep, err = e.Spend.Shadow(ctx, principalOf(t, e, "board@example.com"), spend.ShadowFilter{})
		if d := findShadow(rep.Shadow, "Dropbox", "Sales"); err != nil || d == nil || d.People != 2 || len(d.Emails) != 0 {
			t.Fatalf("board: %v %+v", err, d)
		}
		// The page and the API say the same.
		res, html := e.SignIn(t, "brm@example.com").Get("/shadow")
		if res.StatusCode != http.StatusOK || !strings.Contains(html, "Dropbox") || !strings.Contains(html, "File sync and share") || !strings.Contains(html, "saves") || !strings.Contains(html, `id="shares"`) {
			t.Fatalf("shadow page = %d", res.StatusCode)
		}
		if res, _ := e.SignIn(t, "requester@example.com").Get("/shadow"); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a requester's shadow page = %d", res.StatusCode)
		}
		if status, out := clientOf(t, e, "brm@example.com").do("GET", "/shadow-measures", "", ""); status != http.StatusOK || len(out["departments"].([]any)) == 0 {
			t.Fatalf("API measures = %d %v", status, out)
		}
		status, out := clientOf(t, e, "finance@example.com").do("GET", "/shadow-spend?vendor=Dropbox", "", "")
		if items, _ := out["shadow"].([]any); status != http.StatusOK || len(items) != 1 || items[0].(map[string]any)["annual_run_rate"] != "400" {
			t.Fatalf("API = %d %v", status, out)
		}
	})
}

// caseOf finds the case of vendor in dept in the list.
func caseOf(t *testing.T, cases []spend.ShadowCase, vendor, dept string) spend.ShadowCase {
	t.Helper()
	for _, c := range cases {
		if c.Vendor == vendor && c.DepartmentName == dept {
			return c
		}
	}
	t.Fatalf("no case for %s in %s among %d", vendor, dept, len(cases))
	return spend.ShadowCase{}
}

// Each action of the BRM's cases end to end: reach out opens a need Sales
// sees, replace makes the quote, onboard the draft service, sanction and
// dismiss check their input; each is safe to repeat, and a closed case
// takes no other action until new spend reopens it.
func TestShadowCaseActions(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		importShadowFixture(t, e)
		importShadowExtra(t, e)
		ctx := context.Background()
		brm := principalOf(t, e, "brm@example.com")
		queue, err := e.Spend.Cases(ctx, brm, spend.CaseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		dropbox := caseOf(t, queue, "Dropbox", "Sales")
		if dropbox.State != spend.CaseOpen || dropbox.RunRate.StringFixed(2) != "400.00" {
			t.Fatalf("Dropbox case = %+v", dropbox)
		}
		for i := 1; i < len(queue); i++ {
			if queue[i].RunRate.GreaterThan(queue[i-1].RunRate) {
				t.Fatalf("queue not worst first at %d", i)
			}
		}
		// Another BRM and a requester can do nothing with it.
		if _, err := e.Spend.ActOnCase(ctx, principalOf(t, e, "brm.corporate@example.com"), dropbox.ID, spend.ActReachOut, spend.CaseActionInput{}); err == nil {
			t.Fatal("another BRM reached out")
		}
		if _, err := e.Spend.Case(ctx, principalOf(t, e, "requester@example.com"), dropbox.ID); err == nil {
			t.Fatal("a requester reads a case")
		}
		if other, _ := e.Spend.Cases(ctx, principalOf(t, e, "brm.corporate@example.com"), spend.CaseFilter{}); len(other) > 0 {
			for _, c := range other {
				if c.DepartmentName == "Sales" {
					t.Fatal("another BRM's queue holds Sales")
				}
			}
		}
		// Reach out: a need for Sales' head, submitted, seen by Sales' people; again: the same.
		c, err := e.Spend.ActOnCase(ctx, brm, dropbox.ID, spend.ActReachOut, spend.CaseActionInput{})
		if err != nil || c.State != spend.CaseReachedOut || c.NeedRef == "" {
			t.Fatalf("reach out = %+v %v", c, err)
		}
		again, err := e.Spend.ActOnCase(ctx, brm, dropbox.ID, spend.ActReachOut, spend.CaseActionInput{})
		if err != nil || again.NeedRef != c.NeedRef {
			t.Fatalf("reach out again = %+v %v", again, err)
		}
		var member string
		if err := e.DB.QueryRow(ctx, `SELECT p.email FROM people p JOIN departments d ON d.id = p.department_id
			WHERE d.code = 'SALES' AND p.email <> 'head.sales@example.com' ORDER BY p.id LIMIT 1`).Scan(&member); err != nil {
			t.Fatal(err)
		}
		need, err := e.FrontDoor.Get(ctx, principalOf(t, e, member), c.NeedRef)
		if err != nil || need.Need.DepartmentName != "Sales" || need.Need.State == "draft" || !strings.Contains(need.Need.Problem, "Dropbox") {
			t.Fatalf("the need as Sales sees it = %+v %v", need.Need, err)
		}
		// What already exists, as the need's page suggests it from its title
		// and problem, names the catalog service that does Dropbox's job.
		sg, err := e.FrontDoor.Suggest(ctx, principalOf(t, e, member), need.Need.Title+" "+need.Need.Problem, need.Need.Reference, 5)
		if err != nil || !slices.ContainsFunc(sg.Services, func(c catalog.ServiceCard) bool { return c.Name == "File sync and share" }) {
			t.Fatalf("the need's reuse suggestions = %+v %v", sg.Services, err)
		}
		// Replace: a quote for the 2 people at 3.20, saving (33.33 − 6.40) × 12.
		c, err = e.Spend.ActOnCase(ctx, brm, dropbox.ID, spend.ActReplace, spend.CaseActionInput{})
		if err != nil || c.State != spend.CaseReplaced || c.QuoteNumber == "" || c.Saving.StringFixed(2) != "323.16" {
			t.Fatalf("replace = %+v %v", c, err)
		}
		q, err := e.Catalog.FindQuote(ctx, brm, c.QuoteNumber)
		if err != nil || len(q.Lines) != 1 || q.Lines[0].Quantity.String() != "2" || q.Monthly.StringFixed(2) != "6.40" || q.DepartmentName != "Sales" {
			t.Fatalf("quote = %+v %v", q, err)
		}
		if again, err := e.Spend.ActOnCase(ctx, brm, dropbox.ID, spend.ActReplace, spend.CaseActionInput{}); err != nil || again.QuoteNumber != c.QuoteNumber {
			t.Fatalf("replace again = %+v %v", again, err)
		}
		if _, err := e.Spend.ActOnCase(ctx, brm, dropbox.ID, spend.ActDismiss, spend.CaseActionInput{Reason: "x"}); err == nil || !strings.Contains(err.Error(), "replaced") {
			t.Fatalf("dismissing a replaced case: %v", err)
		}
		// Onboard Hootsuite for Sales: a planned, brokered service, which sanctions it.
		hoot := caseOf(t, queue, "Hootsuite", "Sales")
		c, err = e.Spend.ActOnCase(ctx, brm, hoot.ID, spend.ActOnboard, spend.CaseActionInput{})
		if err != nil || c.State != spend.CaseOnboarded || c.ServiceID == 0 {
			t.Fatalf("onboard = %+v %v", c, err)
		}
		svc, err := e.Catalog.FindService(ctx, principalOf(t, e, "admin@example.com"), "vendor-hootsuite")
		if err != nil || svc.Service.Vendor != "Hootsuite" || svc.Service.Lifecycle != "planned" || svc.Service.Sourcing != "brokered" {
			t.Fatalf("draft service = %+v %v", svc.Service, err)
		}
		// Sanction: the verdict and the date are checked, nothing is written on bad input.
		zoom := caseOf(t, queue, "Zoom", "Sales")
		for _, bad := range []spend.CaseActionInput{{}, {Verdict: "reject", ReviewBy: "2026-09-01"}, {Verdict: "approve", ReviewBy: "2026-03-01"}, {Verdict: "approve", ReviewBy: "soon"}} {
			if _, err := e.Spend.ActOnCase(ctx, brm, zoom.ID, spend.ActSanction, bad); err == nil {
				t.Fatalf("sanction with %+v accepted", bad)
			}
		}
		c, err = e.Spend.ActOnCase(ctx, brm, zoom.ID, spend.ActSanction, spend.CaseActionInput{Verdict: "approve_with_conditions", ReviewBy: "2026-09-01"})
		if err != nil || c.State != spend.CaseSanctioned || c.ReviewBy != "2026-09-01" {
			t.Fatalf("sanction = %+v %v", c, err)
		}
		rep, err := e.Spend.Shadow(ctx, brm, spend.ShadowFilter{})
		if err != nil || findShadow(rep.Shadow, "Zoom", "Sales") != nil || findShadow(rep.Shadow, "Hootsuite", "Sales") != nil ||
			!strings.Contains(findShadow(rep.Sanctioned, "Zoom", "Sales").Sanctioned, "Sanctioned by case") {
			t.Fatalf("after sanction and onboard: %v", err)
		}
		// Dismiss needs a reason; the case reappears with new spend after it closed.
		slack := caseOf(t, queue, "Slack", "Sales")
		if _, err := e.Spend.ActOnCase(ctx, brm, slack.ID, spend.ActDismiss, spend.CaseActionInput{Reason: "  "}); err == nil {
			t.Fatal("dismissed without a reason")
		}
		if c, err = e.Spend.ActOnCase(ctx, brm, slack.ID, spend.ActDismiss, spend.CaseActionInput{Reason: "A trial, cancelled"}); err != nil || c.State != spend.CaseDismissed {
			t.Fatalf("dismiss = %+v %v", c, err)
		}
		if _, err := e.Spend.ActOnCase(ctx, brm, 999999, spend.ActDismiss, spend.CaseActionInput{Reason: "x"}); err == nil {
			t.Fatal("acted on an unknown case")
		}
		e.Clock.Advance(50 * 24 * time.Hour) // 2026-05-05: the window now ends with April
		later := "date,merchant,amount,currency,department,employee_email,mcc,memo\n2026-04-02,SLACK T02K8ABCD,8.00,EUR,SALES,b@example.com,5734,\n"
		if _, err := e.Spend.Import(ctx, access.System("test"), "april.csv", strings.NewReader(later)); err != nil {
			t.Fatal(err)
		}
		d, err := e.Spend.Case(ctx, brm, slack.ID)
		if err != nil || d.Case.State != spend.CaseOpen || d.Case.Reopened != 1 || d.Events[len(d.Events)-1].Action != "reappear" {
			t.Fatalf("reappeared = %+v %v", d.Case, err)
		}
	})
}

// The BRM works a case on the pages and through the API: the queue, the
// case page's forms (a bad one answers 422 with the field named), and the
// API's errors for an unknown case and a closed one.
func TestShadowCasePagesAndAPI(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		importShadowFixture(t, e)
		b := e.SignIn(t, "brm@example.com")
		res, html := b.Get("/shadow/cases")
		if res.StatusCode != http.StatusOK || !strings.Contains(html, "Dropbox") {
			t.Fatalf("queue = %d", res.StatusCode)
		}
		c := caseOf(t, mustCases(t, e), "Dropbox", "Sales")
		path := fmt.Sprintf("/shadow/cases/%d", c.ID)
		res, html = b.Submit(path, path+"/dismiss", url.Values{"reason": {""}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html, "reason-error") {
			t.Fatalf("dismiss without a reason = %d", res.StatusCode)
		}
		if res, _ = b.Submit(path, path+"/reach_out", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("reach out = %d", res.StatusCode)
		}
		res, html = b.Get(path)
		if res.StatusCode != http.StatusOK || !strings.Contains(html, `id="need"`) || !strings.Contains(html, "Reached out") {
			t.Fatalf("reach out = %d", res.StatusCode)
		}
		if res, _ := e.SignIn(t, "brm.corporate@example.com").Get(path); res.StatusCode != http.StatusNotFound {
			t.Fatalf("another BRM's view of the case = %d", res.StatusCode)
		}
		api, apiPath := clientOf(t, e, "brm@example.com"), fmt.Sprintf("/shadow-cases/%d", c.ID)
		if status, out := api.json("POST", apiPath+"/replace", `{}`); status != http.StatusOK || out["state"] != "replaced" {
			t.Fatalf("API replace = %d %v", status, out)
		}
		if status, _ := api.json("POST", apiPath+"/dismiss", `{"reason":"late"}`); status != http.StatusConflict {
			t.Fatalf("API dismiss of a replaced case = %d", status)
		}
		// The demo's BRMs sanctioned one case and dismissed another.
		states := map[string]int{}
		for _, c := range mustCasesAll(t, e) {
			states[c.State]++
		}
		if states[spend.CaseSanctioned] == 0 || states[spend.CaseDismissed] == 0 || states[spend.CaseOpen] == 0 {
			t.Fatalf("demo case states = %v", states)
		}
		if status, _ := api.json("POST", "/shadow-cases/999999/dismiss", `{"reason":"x"}`); status != http.StatusNotFound {
			t.Fatalf("API unknown case = %d", status)
		}
		if status, out := api.do("GET", apiPath, "", ""); status != http.StatusOK || len(out["events"].([]any)) != 3 {
			t.Fatalf("API case = %d %v", status, out)
		}
	})
}

func mustCasesAll(t *testing.T, e *apptest.Engage) []spend.ShadowCase {
	t.Helper()
	list, err := e.Spend.Cases(context.Background(), access.System("test"), spend.CaseFilter{All: true})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func mustCases(t *testing.T, e *apptest.Engage) []spend.ShadowCase {
	t.Helper()
	list, err := e.Spend.Cases(context.Background(), principalOf(t, e, "brm@example.com"), spend.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// The shadow share: Sales' shadow spend in June 2025 (Dropbox, 100.00 EUR)
// beside its statements of that month; the measures count the cases.
func TestShadowShares(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		importShadowFixture(t, e)
		ctx := context.Background()
		sales := person(t, e, "head.sales@example.com").DepartmentID
		stmts, err := e.Billing.Statements(ctx, access.System("test"), billing.StatementFilter{Period: "2025-06", DepartmentID: sales})
		if err != nil {
			t.Fatal(err)
		}
		billed := decimal.Zero
		for _, st := range stmts {
			if st.Currency == "EUR" {
				billed = billed.Add(st.Total)
			}
		}
		shares, err := e.Spend.ShadowShares(ctx, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		got := shares[sales]
		if got.Currency != "EUR" || got.Shadow.StringFixed(2) != "100.00" || !got.Technology.Equal(billed.Add(decimal.NewFromInt(100))) {
			t.Fatalf("Sales' share = %+v; statements %s", got, billed)
		}
		brm := principalOf(t, e, "brm@example.com")
		c := caseOf(t, mustCases(t, e), "Dropbox", "Sales")
		if _, err := e.Spend.ActOnCase(ctx, brm, c.ID, spend.ActReplace, spend.CaseActionInput{}); err != nil {
			t.Fatal(err)
		}
		m, err := e.Spend.Measures(ctx, brm, sales)
		if err != nil || m.CasesOpened < 2 || m.CasesResolved != 1 || m.ShadowCasesByState["replaced"] != 1 || m.MedianDaysToResolve != 0 ||
			len(m.MovedIntoCatalog) != 1 || m.MovedIntoCatalog[0].Amount.StringFixed(2) != "400.00" || m.SavedAYear[0].Amount.StringFixed(2) != "323.16" {
			t.Fatalf("measures = %+v %v", m, err)
		}
		if len(m.Departments) != 1 || m.Departments[0].DepartmentName != "Sales" || m.Departments[0].Share <= 0 || len(m.Departments[0].Months) != 12 {
			t.Fatalf("Sales' shares = %+v", m.Departments)
		}
	})
}
