package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/notify"
)

// reuseNeedOf finds an approved need of the demo whose decision reuses a
// catalog offering, not ordered yet, looked after by the BRM at brmEmail.
func reuseNeedOf(t *testing.T, e *apptest.Engage, brmEmail string) frontdoor.Need {
	t.Helper()
	ctx := context.Background()
	brm := person(t, e, brmEmail)
	needs, _, err := e.FrontDoor.List(ctx, access.System("test"), frontdoor.ListFilter{State: frontdoor.Approved, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range needs {
		d, err := e.FrontDoor.Get(ctx, access.System("test"), n.Reference)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(d.Options, func(o frontdoor.NeedOption) bool { return o.ID == n.DecisionOptionID })
		if n.OrderNumber == "" && n.BRMID == brm.ID && i >= 0 && d.Options[i].Kind == "reuse" {
			return d.Need
		}
	}
	t.Fatal("no approved reuse need without an order in the demo")
	return frontdoor.Need{}
}

// A BRM ordering a need's reuse option orders for the need's department and
// requester, and the order says who placed it on whose behalf; the
// requester ordering afterwards gets that same order.
func TestBRMReuseOrderGoesToTheNeedsDepartment(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		n := reuseNeedOf(t, e, "brm@example.com")
		// The need's page offers the BRM the order, on the requester's behalf.
		if _, page := e.SignIn(t, "brm@example.com").Get("/needs/" + n.Reference); !strings.Contains(page, `id="form-order"`) ||
			!strings.Contains(page, "on behalf of "+n.RequesterName) {
			t.Errorf("the need's page does not offer the BRM to order %s on behalf of %s", n.Reference, n.RequesterName)
		}
		brm := clientOf(t, e, "brm@example.com")
		status, out := brm.json("POST", "/needs/"+n.Reference+"/order", "")
		if status != 201 {
			t.Fatalf("BRM ordering %s = %d %v", n.Reference, status, out)
		}
		number, _ := out["order"].(string)
		o, err := e.Catalog.FindOrder(context.Background(), access.System("test"), number)
		if err != nil {
			t.Fatal(err)
		}
		sam := person(t, e, "brm@example.com")
		if o.DepartmentID != n.DepartmentID || o.RequesterID != n.RequesterID || o.PlacedByID != sam.ID {
			t.Fatalf("order %s is for department %d, requester %d, placed by %d; want the need's department %d and requester %d, placed by the BRM %d",
				o.Number, o.DepartmentID, o.RequesterID, o.PlacedByID, n.DepartmentID, n.RequesterID, sam.ID)
		}
		b := e.SignIn(t, "brm@example.com")
		_, page := b.Get("/orders/" + o.Number)
		if want := "Sam Okafor on behalf of " + n.RequesterName; !strings.Contains(page, want) || !strings.Contains(page, n.DepartmentName) {
			t.Errorf("the order page does not say %q for %s", want, n.DepartmentName)
		}
		// Sent again, by the BRM or the need's requester: the same order.
		if status, again := brm.json("POST", "/needs/"+n.Reference+"/order", ""); status >= 300 || again["order"] != number {
			t.Errorf("ordering again = %d %v; want order %s", status, again, number)
		}
		var orders int
		if err := e.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM orders WHERE quote_id IN (SELECT id FROM quotes WHERE subject = ?)", n.Reference).Scan(&orders); err != nil || orders != 1 {
			t.Errorf("orders for %s = %d (%v); want 1", n.Reference, orders, err)
		}
	})
}

// principalOf is the principal of the demo person at email.
func principalOf(t *testing.T, e *apptest.Engage, email string) *access.Principal {
	t.Helper()
	p, err := e.Org.Principal(context.Background(), person(t, e, email).ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// inboxTitles lists the titles in a person's inbox.
func inboxTitles(t *testing.T, e *apptest.Engage, email string) []string {
	t.Helper()
	items, _, err := e.Notify.ListInbox(context.Background(), principalOf(t, e, email), notify.InboxFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, it.Title)
	}
	return out
}

func offeringID(t *testing.T, e *apptest.Engage, slug string) int64 {
	t.Helper()
	var id int64
	if err := e.DB.QueryRow(context.Background(), "SELECT id FROM offerings WHERE slug = ?", slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// quoteLaptops gets a quote for n developer laptops as the person at email.
func quoteLaptops(t *testing.T, e *apptest.Engage, email string, n int) string {
	t.Helper()
	status, q := clientOf(t, e, email).json("POST", "/quotes", fmt.Sprintf(`{"lines":[{"offering_id":%d,"quantity":"%d"}]}`, offeringID(t, e, "laptop-developer"), n))
	if status != 201 {
		t.Fatalf("quote = %d %v", status, q)
	}
	return q["number"].(string)
}

// An order waiting for a budget holder is in their inbox, on their home
// page and counted in the navigation, in words they read; once they
// approve it the requester is told. The same form sent twice places one
// order.
func TestOrderApprovalIsToldAndWaitsForTheApprover(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		number := quoteLaptops(t, e, "requester@example.com", 3) // 3 × €62 a month and €90 once: €6,786.00 over 36 months
		riley := e.SignIn(t, "requester@example.com")
		res, _ := riley.Post("/quotes/"+number+"/order", url.Values{})
		first := res.Header.Get("Location")
		res, _ = riley.Post("/quotes/"+number+"/order", url.Values{})
		if !strings.HasPrefix(first, "/orders/ORD-") || res.Header.Get("Location") != first {
			t.Fatalf("the order form sent twice led to %q then %q; want the same order", first, res.Header.Get("Location"))
		}
		var orders int
		if err := e.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM orders o JOIN quotes q ON q.id = o.quote_id WHERE q.number = ?", number).Scan(&orders); err != nil || orders != 1 {
			t.Fatalf("orders of quote %s = %d (%v); want 1", number, orders, err)
		}
		order := strings.TrimPrefix(first, "/orders/")
		if _, page := riley.Get(first); !strings.Contains(page, "was already ordered") {
			t.Error("the order page after the form was sent again does not say the quote was already ordered")
		}
		if _, page := riley.Get("/quotes/" + number); !strings.Contains(page, `id="ordered"`) || !strings.Contains(page, `href="/orders/`+order+`"`) ||
			strings.Contains(page, `action="/quotes/`+number+`/order"`) {
			t.Errorf("the ordered quote's page still offers to order it, or does not link order %s", order)
		}
		summary := "€6,786.00 over 36 months (€186.00 a month and €90.00 once)"

		// Dana Whitfield, the Biology Laboratory's budget holder, is told.
		if titles := inboxTitles(t, e, "budget@example.com"); !slices.ContainsFunc(titles, func(s string) bool {
			return strings.Contains(s, "Waiting for your approval: Order "+order) && strings.Contains(s, summary)
		}) {
			t.Fatalf("the budget holder's inbox = %q; want the order waiting for approval with %q", titles, summary)
		}
		dana := e.SignIn(t, "budget@example.com")
		_, home := dana.Get("/")
		waitingList := regexp.MustCompile(`(?s)<table id="waiting-list">.*?</table>`).FindString(home)
		if !strings.Contains(waitingList, "Order "+order) || !strings.Contains(waitingList, summary) {
			t.Fatalf("the budget holder's home page does not list order %s waiting with %q", order, summary)
		}
		if !regexp.MustCompile(`id="nav-waiting">\d+<`).MatchString(home) {
			t.Error("the navigation shows no count of what waits for the budget holder")
		}
		_, page := dana.Get("/approvals")
		link := regexp.MustCompile(`href="(/approvals/\d+)">Order ` + order).FindStringSubmatch(page)
		if link == nil {
			t.Fatalf("/approvals does not list order %s", order)
		}
		_, req := dana.Get(link[1])
		if !strings.Contains(req, summary) || !strings.Contains(req, "spends") {
			t.Errorf("the approval page does not say %q and the department's current monthly spend", summary)
		}
		res, _ = dana.Post(link[1], url.Values{"verdict": {"approve"}})
		if res.StatusCode != 303 {
			t.Fatalf("approving = %d", res.StatusCode)
		}
		// Riley is told; Dana's list and count are empty again.
		if titles := inboxTitles(t, e, "requester@example.com"); !slices.Contains(titles, "Approved: Order "+order+" for Biology Laboratory") {
			t.Errorf("the requester's inbox = %q; want the approval", titles)
		}
		_, home = dana.Get("/")
		if waitingList := regexp.MustCompile(`(?s)<table id="waiting-list">.*?</table>`).FindString(home); strings.Contains(waitingList, "Order "+order) {
			t.Error("the decided order still waits on the budget holder's home page")
		}
	})
}

// A budget holder ordering for their own department above the threshold
// goes to the next budget holder up, and the request says so.
func TestBudgetHolderOrderGoesToTheNextBudgetHolderUp(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		number := quoteLaptops(t, e, "budget@example.com", 3)
		status, out := clientOf(t, e, "budget@example.com").json("POST", "/quotes/"+number+"/order", "{}")
		if status != 201 || out["status"] != "pending" {
			t.Fatalf("Dana's order = %d %v; want it waiting for approval", status, out)
		}
		r, err := e.Approval.FindRequest(context.Background(), access.System("test"), int64(out["approval_request_id"].(float64)))
		if err != nil {
			t.Fatal(err)
		}
		head := person(t, e, "head.rnd@example.com")
		st, _ := r.Stage(1)
		if len(st.Approvers) != 1 || st.Approvers[0].PersonID != head.ID || !strings.Contains(st.Approvers[0].Note, "Research & Development") {
			t.Fatalf("approvers of the budget holder's own order = %+v; want the head of Research & Development, saying why", st.Approvers)
		}
		if titles := inboxTitles(t, e, "head.rnd@example.com"); len(titles) == 0 || !strings.Contains(titles[0], "Waiting for your approval") {
			t.Errorf("the next budget holder up was not told: %q", titles)
		}
	})
}

// The portfolio board's /approvals lists the needs waiting for its decision.
func TestBoardApprovalsListNeedsWaitingForDecision(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		needs, _, err := e.FrontDoor.List(context.Background(), principalOf(t, e, "board@example.com"), frontdoor.ListFilter{Queue: true, State: frontdoor.Decision})
		if err != nil || len(needs) == 0 {
			t.Fatalf("the demo has no needs waiting for the board (%v)", err)
		}
		_, page := e.SignIn(t, "board@example.com").Get("/approvals")
		if strings.Contains(page, "Nothing is waiting for your decision") {
			t.Fatal("the board's /approvals says nothing waits")
		}
		status, list := clientOf(t, e, "board@example.com").do("GET", "/waiting", "", "")
		for _, n := range needs {
			if !strings.Contains(page, `href="/needs/`+n.Reference+`"`) {
				t.Errorf("the board's /approvals does not list %s, waiting for its decision", n.Reference)
			}
			if !strings.Contains(fmt.Sprint(list), n.Reference) {
				t.Errorf("GET /api/v1/waiting = %d, without %s", status, n.Reference)
			}
		}
	})
}

// post sends a JSON POST with an Idempotency-Key.
func postWithKey(t *testing.T, e *apptest.Engage, token, path, key, body string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", e.URL+"/api/v1"+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return res, out
}

// A POST sent again with the same Idempotency-Key answers with the first
// answer and creates nothing more; the key with another body is refused.
func TestIdempotencyKeyReplaysTheFirstAnswer(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		token := e.Token(t, "requester@example.com")
		body := fmt.Sprintf(`{"lines":[{"offering_id":%d,"quantity":"2"}]}`, offeringID(t, e, "laptop-developer"))
		count := func() int {
			var n int
			if err := e.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM quotes").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		res, first := postWithKey(t, e, token, "/quotes", "quote-1", body)
		if res.StatusCode != 201 || res.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("first POST = %d %v", res.StatusCode, first)
		}
		res, again := postWithKey(t, e, token, "/quotes", "quote-1", body)
		if res.StatusCode != 201 || res.Header.Get("Idempotent-Replayed") != "true" || again["number"] != first["number"] {
			t.Fatalf("the repeat = %d %v (replayed %q); want the first answer, quote %v", res.StatusCode, again, res.Header.Get("Idempotent-Replayed"), first["number"])
		}
		if n := count(); n != before+1 {
			t.Errorf("two POSTs with one key made %d quotes; want 1", n-before)
		}
		res, problem := postWithKey(t, e, token, "/quotes", "quote-1", strings.Replace(body, `"2"`, `"3"`, 1))
		if res.StatusCode != 422 || !strings.Contains(fmt.Sprint(problem["detail"]), "different request body") {
			t.Errorf("the key with another body = %d %v; want 422", res.StatusCode, problem)
		}
		// Another person's key of the same name is theirs alone.
		res, other := postWithKey(t, e, e.Token(t, "budget@example.com"), "/quotes", "quote-1", body)
		if res.StatusCode != 201 || other["number"] == first["number"] {
			t.Errorf("another person's POST with the same key = %d %v; want a quote of their own", res.StatusCode, other)
		}
		// Ordering with a key, twice: one order.
		path := "/quotes/" + first["number"].(string) + "/order"
		_, o1 := postWithKey(t, e, token, path, "order-1", "{}")
		res, o2 := postWithKey(t, e, token, path, "order-1", "{}")
		if o1["number"] == nil || o2["number"] != o1["number"] || res.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("ordering twice with one key = %v then %v", o1, o2)
		}
		// The OpenAPI document says so on every POST.
		status, doc := clientOf(t, e, "requester@example.com").json("GET", "/openapi.json", "")
		if status != 200 || !strings.Contains(fmt.Sprint(doc["paths"].(map[string]any)["/quotes"]), "Idempotency-Key") {
			t.Error("the OpenAPI document does not describe Idempotency-Key on POST /quotes")
		}
	})
}
