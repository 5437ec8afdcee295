package tmf_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/notify"
	"github.com/engagehq/engage/internal/tmf"
)

const (
	quotes = tmf.QuoteBase
	orders = tmf.OrderBase
)

// monthlyOffering finds an offering the client may order, priced in EUR
// per unit and per month by a plan in force, with its unit price.
func monthlyOffering(t *testing.T, c client) (string, decimal.Decimal) {
	t.Helper()
	prices := c.do("GET", cat+"/productOfferingPrice?isBundle=false&priceType=recurring&lifecycleStatus=Launched&limit=1000", "").list(t)
	sellable := map[string]bool{}
	for _, o := range c.do("GET", cat+"/productOffering?isSellable=true&limit=1000&fields=productOfferingPrice", "").list(t) {
		for _, ref := range o["productOfferingPrice"].([]any) {
			sellable[ref.(map[string]any)["id"].(string)] = true
		}
	}
	for _, pop := range prices {
		price, _ := pop["price"].(map[string]any)
		if !sellable[pop["id"].(string)] || price["unit"] != "EUR" || pop["unitOfMeasure"] == nil {
			continue
		}
		v := decimal.RequireFromString(fmt.Sprint(price["value"]))
		if v.GreaterThanOrEqual(decimal.NewFromInt(1)) {
			full := c.do("GET", cat+"/productOffering?isSellable=true&limit=1000", "").list(t)
			for _, o := range full {
				for _, ref := range o["productOfferingPrice"].([]any) {
					if ref.(map[string]any)["id"] == pop["id"] {
						return o["id"].(string), v
					}
				}
			}
		}
	}
	t.Fatal("no sellable offering priced per unit per month in EUR")
	return "", decimal.Zero
}

// quoteCount is how many quotes the client sees.
func quoteCount(t *testing.T, c client) string {
	t.Helper()
	return c.do("GET", quotes+"/quote?limit=1", "").header.Get("X-Total-Count")
}

// A quote made through TMF648 is an Engage quote: the same number, prices
// and validity as Engage shows, and the same prices as the same quote made
// through Engage's own API; creating it is safe to repeat with an
// Idempotency-Key; bad input is refused in TMF's Error shape, writing
// nothing.
func TestTMF648Quote(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		c := clientOf(t, e, "requester@example.com")
		offering, _ := monthlyOffering(t, c)
		body := fmt.Sprintf(`{"@type":"Quote","description":"Lab seats","colour":"blue",
			"quoteItem":[{"id":"1","action":"add","quantity":3,"productOffering":{"id":%q},"note":[]}]}`, offering)
		a := c.do("POST", quotes+"/quote", body, "Idempotency-Key", "q-1")
		if a.status != 201 {
			t.Fatalf("create quote = %d %s", a.status, a.body)
		}
		q := a.object(t)
		id := q["id"].(string)
		if a.header.Get("Location") != quotes+"/quote/"+id || q["state"] != "approved" {
			t.Fatalf("created quote %s at %s: %s", id, a.header.Get("Location"), a.body)
		}
		if ign := a.header.Get(tmf.IgnoredHeader); ign != "colour, quoteItem[0].note" {
			t.Errorf("%s = %q", tmf.IgnoredHeader, ign)
		}
		again := c.do("POST", quotes+"/quote", body, "Idempotency-Key", "q-1")
		if again.status != 201 || again.object(t)["id"] != id || again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("repeated create = %d %s", again.status, again.body)
		}
		if got := c.do("GET", quotes+"/quote/"+id, ""); got.status != 200 || string(got.body) != string(a.body) {
			t.Fatalf("get quote = %d %s\nwant %s", got.status, got.body, a.body)
		}
		if list := c.do("GET", quotes+"/quote?limit=5", "").list(t); len(list) == 0 || list[0]["id"] != id {
			t.Fatalf("the list does not start with the new quote: %v", list)
		}

		// Engage shows the same quote, and makes the same prices for the
		// same lines through its own API.
		engageQuote, err := e.Catalog.FindQuote(context.Background(), access.System("test"), id)
		if err != nil {
			t.Fatal(err)
		}
		api := apiQuote(t, e, c.token, fmt.Sprintf(`{"title":"Lab seats","lines":[{"offering_id":%s,"quantity":"3"}]}`, offering))
		total := map[string]string{}
		for _, p := range q["quoteTotalPrice"].([]any) {
			pm := p.(map[string]any)
			total[pm["priceType"].(string)] = fmt.Sprint(pm["price"].(map[string]any)["dutyFreeAmount"].(map[string]any)["value"])
		}
		for _, c := range []struct{ name, tmf, engage, api string }{
			{"monthly", total["recurring"], engageQuote.Monthly.StringFixed(2), api["monthly"]},
			{"one-time", total["oneTime"], engageQuote.OneTime.StringFixed(2), api["one_time"]},
			{"term", total["total"], engageQuote.TermTotal.StringFixed(2), api["term_total"]},
		} {
			if c.tmf != c.engage || c.tmf != c.api {
				t.Errorf("%s: TMF %s, Engage %s, API %s", c.name, c.tmf, c.engage, c.api)
			}
		}
		if end := q["validFor"].(map[string]any)["endDateTime"]; end != engageQuote.ValidUntil.String()+"T23:59:59Z" || api["valid_until"] != engageQuote.ValidUntil.String() {
			t.Errorf("valid until: TMF %v, Engage %s, API %s", end, engageQuote.ValidUntil, api["valid_until"])
		}

		// Bad input: nothing is written.
		before := quoteCount(t, c)
		wantError(t, c.do("POST", quotes+"/quote", `{"description":"nothing"}`), 400, "quoteItem")
		wantError(t, c.do("POST", quotes+"/quote", `{"@type":"ProductOrder","quoteItem":[{"productOffering":{"id":"1"}}]}`), 400, "@type")
		wantError(t, c.do("POST", quotes+"/quote", `{"quoteItem":[{"quantity":2}]}`), 400, "quoteItem[0].productOffering.id")
		wantError(t, c.do("POST", quotes+"/quote", fmt.Sprintf(`{"quoteItem":[{"action":"delete","productOffering":{"id":%q}}]}`, offering)), 400, "quoteItem[0].action")
		wantError(t, c.do("POST", quotes+"/quote", fmt.Sprintf(`{"quoteItem":[{"quantity":2.5,"productOffering":{"id":%q}}]}`, offering)), 400, "quoteItem[0].quantity")
		wantError(t, c.do("POST", quotes+"/quote", fmt.Sprintf(`{"quoteItem":[{"productOffering":{"id":%q}},{"productOffering":{"id":"999999"}}]}`, offering)), 400,
			"quoteItem[1].productOffering.id")
		wantError(t, c.do("POST", quotes+"/quote", `not json`), 400)
		// An offering the department may not order.
		if hidden := hiddenOffering(t, e, c); hidden != "" {
			wantError(t, c.do("POST", quotes+"/quote", fmt.Sprintf(`{"quoteItem":[{"productOffering":{"id":%q}}]}`, hidden)), 400,
				"quoteItem[0].productOffering.id", "not offered to your department")
		}
		if after := quoteCount(t, c); after != before {
			t.Errorf("refused quotes were written: %s quotes before, %s after", before, after)
		}
		wantError(t, c.do("GET", quotes+"/quote/Q-1999-000001", ""), 404)
	})
}

// hiddenOffering is an offering an administrator sees and the client does
// not, or "" when the demo has none.
func hiddenOffering(t *testing.T, e *apptest.Engage, c client) string {
	t.Helper()
	mine := map[string]bool{}
	for _, o := range c.do("GET", cat+"/productOffering?limit=1000&fields=id", "").list(t) {
		mine[o["id"].(string)] = true
	}
	for _, o := range clientOf(t, e, "admin@example.com").do("GET", cat+"/productOffering?limit=1000&fields=id", "").list(t) {
		if !mine[o["id"].(string)] {
			return o["id"].(string)
		}
	}
	return ""
}

// apiQuote makes a quote through /api/v1.
func apiQuote(t *testing.T, e *apptest.Engage, token, body string) map[string]string {
	t.Helper()
	req, _ := http.NewRequest("POST", e.URL+"/api/v1/quotes", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 201 {
		t.Fatalf("API quote = %d %v %v", res.StatusCode, err, out)
	}
	m := map[string]string{}
	for k, v := range out {
		m[k] = fmt.Sprint(v)
	}
	return m
}

// callbacks is a hub's receiving end: it keeps every delivery it is sent.
type callbacks struct {
	mu   sync.Mutex
	got  []delivery
	serv *httptest.Server
}

type delivery struct {
	header http.Header
	body   []byte
}

func newCallbacks(t *testing.T) *callbacks {
	cb := &callbacks{}
	cb.serv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		cb.mu.Lock()
		cb.got = append(cb.got, delivery{r.Header.Clone(), b})
		cb.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(cb.serv.Close)
	return cb
}

// tmfEvents are the TMF events delivered so far, each checked against its
// published schema and its signature.
func (cb *callbacks) tmfEvents(t *testing.T, secret string, e *apptest.Engage) []map[string]any {
	t.Helper()
	if _, err := e.Notify.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	cb.mu.Lock()
	defer cb.mu.Unlock()
	var out []map[string]any
	for _, d := range cb.got {
		if err := notify.Verify(secret, d.header, d.body, e.Clock.Now(), 0); err != nil {
			t.Fatalf("delivery signature: %v", err)
		}
		var env struct {
			ID   int64           `json:"id"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(d.body, &env); err != nil {
			t.Fatal(err)
		}
		var ev map[string]any
		if err := json.Unmarshal(env.Data, &ev); err != nil {
			t.Fatal(err)
		}
		checkSchema(t, "hub event", definition(t, ev["eventType"].(string)), env.Data)
		ev["engageEventID"] = env.ID
		out = append(out, ev)
	}
	// Deliveries run side by side: the events' order is that of Engage's
	// event ids.
	slices.SortStableFunc(out, func(a, b map[string]any) int {
		return cmp.Compare(a["engageEventID"].(int64), b["engageEventID"].(int64))
	})
	return out
}

// orderStates are the states of an order that state change events told of.
func orderStates(events []map[string]any, id string) []string {
	var out []string
	for _, ev := range events {
		o, _ := ev["event"].(map[string]any)["productOrder"].(map[string]any)
		if ev["eventType"] == "ProductOrderStateChangeEvent" && o["id"] == id {
			out = append(out, o["state"].(string))
		}
	}
	return out
}

// A TMF622 order is an Engage order: it goes through the approval policy
// (the demo's budget holder approves orders of €5,000 or more), its state
// follows the order's, every change reaches the hub's callback, signed;
// an order can be cancelled; a quote made through TMF648 is ordered once.
func TestTMF622OrderThroughApprovalAndHub(t *testing.T) {
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			e := apptest.NewWith(t, engine, func(c *config.Config) { c.AllowPrivateWebhooks = true })
			ctx := context.Background()
			admin, requester := clientOf(t, e, "admin@example.com"), clientOf(t, e, "requester@example.com")
			cb := newCallbacks(t)

			wantError(t, requester.do("POST", orders+"/hub", fmt.Sprintf(`{"callback":%q}`, cb.serv.URL)), 403)
			wantError(t, admin.do("POST", orders+"/hub", fmt.Sprintf(`{"callback":%q,"query":"eventType=QuoteCreateEvent"}`, cb.serv.URL)), 400, "query")
			wantError(t, admin.do("POST", orders+"/hub", `{"query":"eventType=ProductOrderStateChangeEvent"}`), 400, "callback")
			hub := admin.do("POST", orders+"/hub", fmt.Sprintf(`{"callback":%q,"query":"eventType=ProductOrderStateChangeEvent,ProductOrderCreateEvent"}`, cb.serv.URL))
			secret := hub.header.Get(tmf.SecretHeader)
			if hub.status != 201 || secret == "" || hub.object(t)["callback"] != cb.serv.URL {
				t.Fatalf("hub = %d %s", hub.status, hub.body)
			}

			offering, price := monthlyOffering(t, requester)
			// Enough units that the whole term reaches €5,000.
			qty := decimal.NewFromInt(5000).Div(price.Mul(decimal.NewFromInt(36))).Ceil().IntPart() + 1
			orderBody := fmt.Sprintf(`{"@type":"ProductOrder","description":"New lab","productOrderItem":[{"id":"1","action":"add","quantity":%d,
				"productOffering":{"id":%q}}],"channel":[]}`, qty, offering)
			a := requester.do("POST", orders+"/productOrder", orderBody)
			o := a.object(t)
			if a.status != 201 || o["state"] != "acknowledged" || a.header.Get(tmf.IgnoredHeader) != "channel" || len(o["quote"].([]any)) != 1 {
				t.Fatalf("create order = %d %s (%s)", a.status, a.body, a.header.Get(tmf.IgnoredHeader))
			}
			id := o["id"].(string)
			// Others read it exactly when Engage lets them.
			for _, email := range []string{"brm.corporate@example.com", "finance@example.com", "owner@example.com", "security@example.com"} {
				token := e.Token(t, email)
				p, err := e.Auth.TokenPrincipal(ctx, token)
				if err != nil {
					t.Fatal(err)
				}
				_, ferr := e.Catalog.FindOrder(ctx, p, id)
				if got := (client{t, e, token}).do("GET", orders+"/productOrder/"+id, ""); (got.status == 200) != (ferr == nil) || (ferr != nil && got.status != 404) {
					t.Errorf("%s reading order %s = %d; Engage says %v", email, id, got.status, ferr)
				}
			}

			// Its approvers approve it, stage by stage.
			order, err := e.Catalog.FindOrder(ctx, access.System("test"), id)
			if err != nil {
				t.Fatal(err)
			}
			req, err := e.Approval.FindRequest(ctx, access.System("test"), order.ApprovalRequestID)
			if err != nil || req.Status != approval.Pending || req.Amount.LessThan(decimal.NewFromInt(5000)) {
				t.Fatalf("order %s's approval request = %+v, %v", id, req, err)
			}
			for i := 0; req.Status == approval.Pending && i < 5; i++ {
				stage := req.Stages[req.CurrentStage-1]
				approver, err := e.Org.FindPerson(ctx, access.System("test"), stage.Approvers[0].PersonID)
				if err != nil {
					t.Fatal(err)
				}
				ap, err := e.Auth.TokenPrincipal(ctx, e.Token(t, approver.Email))
				if err != nil {
					t.Fatal(err)
				}
				if req, err = e.Approval.Decide(ctx, ap, req.ID, approval.DecideInput{Verdict: approval.Approve}); err != nil {
					t.Fatal(err)
				}
			}
			if req.Status != approval.Approved {
				t.Fatalf("approval request after every stage: %+v", req)
			}
			if got := requester.do("GET", orders+"/productOrder/"+id, "").object(t); got["state"] != "completed" || got["completionDate"] == nil {
				t.Fatalf("approved order: %v", got)
			}
			events := cb.tmfEvents(t, secret, e)
			if states := orderStates(events, id); !slices.Equal(states, []string{"acknowledged", "completed"}) {
				t.Fatalf("the hub heard of states %v; want acknowledged, completed (%d events)", states, len(events))
			}
			if events[0]["eventType"] != "ProductOrderCreateEvent" {
				t.Errorf("first event %v; want ProductOrderCreateEvent", events[0]["eventType"])
			}

			// Another order is cancelled while it waits for approval.
			second := requester.do("POST", orders+"/productOrder", orderBody).object(t)
			wantError(t, requester.do("POST", orders+"/cancelProductOrder", fmt.Sprintf(`{"productOrder":{"id":%q}}`, second["id"])), 400, "cancellationReason")
			cancel := requester.do("POST", orders+"/cancelProductOrder", fmt.Sprintf(`{"@type":"CancelProductOrder","cancellationReason":"Plans changed","productOrder":{"id":%q}}`, second["id"]))
			if cancel.status != 201 || cancel.object(t)["state"] != "done" {
				t.Fatalf("cancel = %d %s", cancel.status, cancel.body)
			}
			got := requester.do("GET", orders+"/productOrder/"+second["id"].(string), "").object(t)
			if got["state"] != "cancelled" || got["cancellationReason"] != "Plans changed" {
				t.Fatalf("cancelled order: %v", got)
			}
			if c := requester.do("GET", orders+"/cancelProductOrder/"+second["id"].(string), ""); c.status != 200 {
				t.Fatalf("get cancellation = %d %s", c.status, c.body)
			}
			if l := requester.do("GET", orders+"/cancelProductOrder", "").list(t); len(l) == 0 || l[0]["id"] != second["id"] {
				t.Fatalf("cancellations: %v", l)
			}
			wantError(t, requester.do("POST", orders+"/cancelProductOrder", fmt.Sprintf(`{"cancellationReason":"again","productOrder":{"id":%q}}`, id)), 409)
			if states := orderStates(cb.tmfEvents(t, secret, e), second["id"].(string)); !slices.Equal(states, []string{"acknowledged", "cancelled"}) {
				t.Fatalf("the hub heard of the second order's states %v", states)
			}

			// A quote made through TMF648 is ordered by naming it, once.
			qa := requester.do("POST", quotes+"/quote", fmt.Sprintf(`{"quoteItem":[{"quantity":1,"productOffering":{"id":%q}}]}`, offering))
			qid := qa.object(t)["id"].(string)
			byQuote := fmt.Sprintf(`{"quote":[{"id":%q}],"productOrderItem":[{"id":"1","action":"add","productOffering":{"id":%q}}]}`, qid, offering)
			first := requester.do("POST", orders+"/productOrder", byQuote)
			repeat := requester.do("POST", orders+"/productOrder", byQuote)
			if first.status != 201 || repeat.object(t)["id"] != first.object(t)["id"] || first.header.Get(tmf.IgnoredHeader) != "productOrderItem" {
				t.Fatalf("ordering quote %s = %d %s, again %s", qid, first.status, first.body, repeat.body)
			}
			if q := requester.do("GET", quotes+"/quote/"+qid, "").object(t); q["state"] != "accepted" {
				t.Fatalf("ordered quote state %v", q["state"])
			}
			list := requester.do("GET", orders+"/productOrder?limit=2", "")
			if l := list.list(t); len(l) != 2 || l[0]["id"] != first.object(t)["id"] || list.header.Get("X-Total-Count") == "" {
				t.Fatalf("order list: %s", list.body)
			}

			// Bad orders write nothing, not even their quote.
			before := quoteCount(t, requester)
			wantError(t, requester.do("POST", orders+"/productOrder", `{"productOrderItem":[]}`), 400, "productOrderItem")
			wantError(t, requester.do("POST", orders+"/productOrder", fmt.Sprintf(`{"requestedStartDate":"2001-01-01T00:00:00Z","productOrderItem":[{"id":"1","action":"add","productOffering":{"id":%q}}]}`, offering)), 400, "requestedStartDate")
			wantError(t, requester.do("POST", orders+"/productOrder", fmt.Sprintf(`{"@type":"Quote","productOrderItem":[{"id":"1","action":"add","productOffering":{"id":%q}}]}`, offering)), 400, "@type")
			if hidden := hiddenOffering(t, e, requester); hidden != "" {
				wantError(t, requester.do("POST", orders+"/productOrder", fmt.Sprintf(`{"productOrderItem":[{"id":"1","action":"add","productOffering":{"id":%q}}]}`, hidden)), 400,
					"productOrderItem[0].productOffering.id")
			}
			if after := quoteCount(t, requester); after != before {
				t.Errorf("refused orders left quotes: %s before, %s after", before, after)
			}

			hubID := hub.object(t)["id"].(string)
			wantError(t, admin.do("DELETE", quotes+"/hub/"+hubID, ""), 404)
			if d := admin.do("DELETE", orders+"/hub/"+hubID, ""); d.status != 204 {
				t.Fatalf("delete hub = %d %s", d.status, d.body)
			}
			wantError(t, admin.do("DELETE", orders+"/hub/"+hubID, ""), 404)
		})
	}
}
