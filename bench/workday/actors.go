package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
)

// day runs every actor until ctx ends.
func (w *world) day(ctx context.Context) {
	var wg sync.WaitGroup
	start := func(fn func()) {
		wg.Add(1)
		go func() { defer wg.Done(); fn() }()
	}
	for _, p := range w.people {
		start(func() { w.requester(ctx, p) })
		switch {
		case p.has(access.PortfolioBoard):
			start(func() { w.board(ctx, p) })
		case p.has(access.BRM):
			start(func() { w.brm(ctx, p) })
		case p.has(access.ReviewerArchitecture), p.has(access.ReviewerSecurity), p.has(access.ReviewerFinance):
			start(func() { w.reviewer(ctx, p) })
		case p.has(access.Finance):
			start(func() { w.finance(ctx, p) })
		}
		if p.has(access.BudgetHolder) || p.isHeadOf {
			start(func() { w.approver(ctx, p) })
		}
	}
	for i := range w.o.meters {
		start(func() { w.meter(ctx, i) })
	}
	wg.Wait()
}

// pause waits a person's thinking time; false when the day is over.
func pause(ctx context.Context, r *rand.Rand, mean time.Duration) bool {
	d := time.Duration(r.ExpFloat64() * float64(mean))
	t := time.NewTimer(min(d, 6*mean))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// requester is what everyone does: look around the catalog, compare,
// quote and order, ask for something new, follow what they asked for.
func (w *world) requester(ctx context.Context, p *person) {
	r := p.rng
	for pause(ctx, r, w.o.think) {
		switch n := r.IntN(100); {
		case n < 12:
			w.page(p, "GET /", "/")
		case n < 34:
			w.page(p, "GET /catalog?q=…", "/catalog?q="+url.QueryEscape(pick(r, w.words)))
		case n < 50:
			if list := w.catalogOf(p); len(list) > 0 {
				w.page(p, "GET /catalog/{slug}", "/catalog/"+pick(r, list))
			}
		case n < 56:
			a, b := pick(r, w.offerings), pick(r, w.offerings)
			w.page(p, "GET /compare", fmt.Sprintf("/compare?o=%d&o=%d", a.id, b.id))
		case n < 74:
			w.quoteAndOrder(ctx, p)
		case n < 78:
			w.askForSomethingNew(p)
		case n < 84:
			w.page(p, "GET /needs", "/needs")
		case n < 90:
			w.page(p, "GET /orders", "/orders")
		case n < 95:
			w.page(p, "GET /inbox", "/inbox")
		default:
			w.page(p, "GET /announcements", "/announcements")
		}
	}
}

type quoteOut struct {
	Number  string `json:"number"`
	Monthly string `json:"monthly"`
}

type orderOut struct {
	Number string `json:"number"`
	Status string `json:"status"`
}

// quoteAndOrder prices a few offerings, saves the quote and, half the
// time, orders it — sometimes sending the order twice, as a person
// double-clicking or a program retrying would.
func (w *world) quoteAndOrder(ctx context.Context, p *person) {
	r := p.rng
	lines := []map[string]any{}
	for _, o := range pickDistinct(r, w.offerings, 1+r.IntN(3)) {
		lines = append(lines, map[string]any{"offering_id": o.id, "quantity": strconv.Itoa(o.min + r.IntN(o.max-o.min+1))})
	}
	in := map[string]any{"title": "workday quote", "lines": lines, "term_months": 12 * (1 + r.IntN(3))}
	if _, err := w.call(p, "POST /api/v1/quotes/preview", http.MethodPost, "/api/v1/quotes/preview", in, nil, nil); err != nil {
		return
	}
	var q quoteOut
	if _, err := w.call(p, "POST /api/v1/quotes", http.MethodPost, "/api/v1/quotes", in, nil, &q); err != nil {
		return
	}
	w.page(p, "GET /quotes/{number}", "/quotes/"+q.Number)
	if r.IntN(2) == 0 {
		return
	}
	key := fmt.Sprintf("workday-order-%d-%s", p.id, q.Number)
	var o orderOut
	if _, err := w.call(p, "POST /api/v1/quotes/{number}/order", http.MethodPost, "/api/v1/quotes/"+q.Number+"/order",
		map[string]any{"note": "workday"}, map[string]string{"Idempotency-Key": key}, &o); err != nil {
		return
	}
	w.ledger.ordered(q.Number, o.Number)
	if r.IntN(8) == 0 {
		var again orderOut
		if _, err := w.call(p, "POST /api/v1/quotes/{number}/order (again)", http.MethodPost, "/api/v1/quotes/"+q.Number+"/order",
			map[string]any{"note": "workday"}, map[string]string{"Idempotency-Key": key}, &again); err == nil {
			w.ledger.ordered(q.Number, again.Number)
		}
	}
	w.page(p, "GET /orders/{number}", "/orders/"+o.Number)
}

func pickDistinct[T any](r *rand.Rand, xs []T, n int) []T {
	idx := r.Perm(len(xs))[:min(n, len(xs))]
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = xs[j]
	}
	return out
}

var needSeq atomic.Int64

// askForSomethingNew writes a need and submits it.
func (w *world) askForSomethingNew(p *person) {
	r := p.rng
	n := needSeq.Add(1)
	title := fmt.Sprintf("Workday need %d", n)
	in := map[string]any{"title": title,
		"problem":    "Our team spends hours a week copying results between systems by hand.",
		"outcome":    "Results flow between the systems without retyping, with an audit trail.",
		"users":      5 + r.IntN(200),
		"data_class": pick(r, []string{"internal", "confidential"}),
		"budget_max": strconv.Itoa(5000 + 1000*r.IntN(50)), "currency": "EUR"}
	var need struct {
		Reference string `json:"reference"`
		Version   int    `json:"version"`
	}
	if _, err := w.call(p, "POST /api/v1/needs", http.MethodPost, "/api/v1/needs", in, nil, &need); err != nil {
		return
	}
	w.ledger.asked(title, need.Reference)
	if _, err := w.call(p, "POST /api/v1/needs/{ref}/actions/submit", http.MethodPost, "/api/v1/needs/"+need.Reference+"/actions/submit",
		map[string]any{"version": need.Version}, nil, nil); err != nil {
		return
	}
	w.page(p, "GET /needs/{ref}", "/needs/"+need.Reference)
}

// approver decides the approval requests waiting for them, approving
// nine in ten.
func (w *world) approver(ctx context.Context, p *person) {
	r := p.rng
	for pause(ctx, r, w.o.think) {
		w.page(p, "GET /approvals", "/approvals")
		var waiting struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		if _, err := w.call(p, "GET /api/v1/approval-requests?waiting_for_me", http.MethodGet, "/api/v1/approval-requests?waiting_for_me=true", nil, nil, &waiting); err != nil {
			continue
		}
		for _, it := range waiting.Items {
			verdict := map[string]any{"verdict": "approve"}
			if r.IntN(10) == 0 {
				verdict = map[string]any{"verdict": "decline", "reason": "Not in this year's budget."}
			}
			w.decide(p, it.ID, verdict)
		}
	}
}

// decide sends one decision. Two approvers of one stage deciding at the
// same moment is a race the product answers with 409 to the later one;
// that answer is counted apart, not as an error.
func (w *world) decide(p *person, id int64, verdict map[string]any) {
	w.call(p, racy+"POST /api/v1/approval-requests/{id}/decide", http.MethodPost, fmt.Sprintf("/api/v1/approval-requests/%d/decide", id), verdict, nil, nil)
}

type needDetail struct {
	Need struct {
		Reference string `json:"reference"`
		State     string `json:"state"`
		Version   int    `json:"version"`
	} `json:"need"`
	Reviews []struct {
		Kind string `json:"kind"`
	} `json:"reviews"`
	Options []struct {
		ID int64 `json:"id"`
	} `json:"options"`
	Actions []string `json:"actions"`
}

type needList struct {
	Items []struct {
		Reference string `json:"reference"`
		State     string `json:"state"`
	} `json:"items"`
}

// queue lists the needs waiting for p in one state, as their work queue
// page and the API show them, at most a handful at a time.
func (w *world) queue(p *person, state string) []string {
	w.page(p, "GET /needs/queue", "/needs?waiting_for_me=1")
	var l needList
	if _, err := w.call(p, "GET /api/v1/needs?waiting_for_me", http.MethodGet, "/api/v1/needs?waiting_for_me=true&state="+state+"&limit=5", nil, nil, &l); err != nil {
		return nil
	}
	var refs []string
	for _, it := range l.Items {
		if it.State == state && isWorkday(it.Reference) {
			refs = append(refs, it.Reference)
		}
	}
	return refs
}

// isWorkday says whether a need was written today by the day's people;
// the demo's own needs are left as they are.
var workdayNeeds sync.Map

func isWorkday(ref string) bool { _, ok := workdayNeeds.Load(ref); return ok }

func (w *world) detail(p *person, ref string) (needDetail, bool) {
	var d needDetail
	_, err := w.call(p, "GET /api/v1/needs/{ref}", http.MethodGet, "/api/v1/needs/"+ref, nil, nil, &d)
	return d, err == nil
}

// act moves a need; a 409 means someone else moved it first.
func (w *world) act(p *person, d needDetail, action string, body map[string]any) bool {
	if !slices.Contains(d.Actions, action) {
		return false
	}
	if body == nil {
		body = map[string]any{}
	}
	body["version"] = d.Need.Version
	_, err := w.call(p, racy+"POST /api/v1/needs/{ref}/actions/"+action, http.MethodPost, "/api/v1/needs/"+d.Need.Reference+"/actions/"+action, body, nil, nil)
	return err == nil
}

// brm triages the needs of the departments they cover, proposes an option
// and sends assessed needs to the board.
func (w *world) brm(ctx context.Context, p *person) {
	r := p.rng
	for pause(ctx, r, w.o.think) {
		for _, ref := range w.queue(p, "submitted") {
			if d, ok := w.detail(p, ref); ok {
				w.act(p, d, "start_triage", nil)
			}
		}
		for _, ref := range w.queue(p, "triage") {
			if d, ok := w.detail(p, ref); ok {
				w.act(p, d, "accept", nil)
			}
		}
		for _, ref := range w.queue(p, "assessment") {
			d, ok := w.detail(p, ref)
			if !ok || len(d.Reviews) < 3 {
				continue
			}
			if len(d.Options) == 0 {
				opt := map[string]any{"kind": "build", "title": "Build an integration", "one_time": "12000.00", "monthly": "350.00",
					"currency": "EUR", "delivery_days": 60, "data_ceiling": "confidential", "version": d.Need.Version}
				w.call(p, racy+"POST /api/v1/needs/{ref}/options", http.MethodPost, "/api/v1/needs/"+ref+"/options", opt, nil, nil)
				if d, ok = w.detail(p, ref); !ok {
					continue
				}
			}
			w.act(p, d, "to_decision", nil)
		}
	}
}

// reviewer records their review of the needs being assessed.
func (w *world) reviewer(ctx context.Context, p *person) {
	kind := "architecture"
	switch {
	case p.has(access.ReviewerSecurity):
		kind = "security"
	case p.has(access.ReviewerFinance):
		kind = "finance"
	}
	r := p.rng
	for pause(ctx, r, w.o.think) {
		for _, ref := range w.queue(p, "assessment") {
			d, ok := w.detail(p, ref)
			if !ok || slices.ContainsFunc(d.Reviews, func(rv struct {
				Kind string `json:"kind"`
			}) bool {
				return rv.Kind == kind
			}) {
				continue
			}
			w.call(p, racy+"POST /api/v1/needs/{ref}/reviews", http.MethodPost, "/api/v1/needs/"+ref+"/reviews",
				map[string]any{"kind": kind, "verdict": "approve", "notes": "Fits the standards.", "version": d.Need.Version}, nil, nil)
		}
	}
}

// board decides the needs sent to it: the first option, or a rejection
// one time in five.
func (w *world) board(ctx context.Context, p *person) {
	r := p.rng
	for pause(ctx, r, w.o.think) {
		w.page(p, "GET /needs/dashboard", "/needs/dashboard")
		for _, ref := range w.queue(p, "decision") {
			d, ok := w.detail(p, ref)
			if !ok || len(d.Options) == 0 {
				continue
			}
			if r.IntN(5) == 0 {
				w.act(p, d, "reject", map[string]any{"reason": "Another department's tool does this already."})
				continue
			}
			w.act(p, d, "decide", map[string]any{"option_id": d.Options[0].ID, "reason": "Cheapest over three years."})
		}
	}
}

// finance runs the month now and then and reads the statements.
func (w *world) finance(ctx context.Context, p *person) {
	r := p.rng
	for pause(ctx, r, 4*w.o.think) {
		if _, err := w.call(p, "POST /api/v1/billing/periods/{period}/run", http.MethodPost, "/api/v1/billing/periods/"+w.period+"/run", nil, nil, nil); err != nil {
			continue
		}
		w.page(p, "GET /billing", "/billing")
		w.call(p, "GET /api/v1/statements?period", http.MethodGet, "/api/v1/statements?period="+w.period, nil, nil, nil)
	}
}

// meter sends a batch of usage records every second, each record for a
// department of the organisation; one batch in ten is sent a second time,
// as a meter that did not hear the answer would.
func (w *world) meter(ctx context.Context, i int) {
	r := rand.New(rand.NewPCG(w.o.seed, uint64(1000+i)))
	p := w.find("admin@example.com")
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		batch := make([]map[string]any, 0, 100)
		var sent []usageSent
		now := time.Now().UTC()
		if now.Format("2006-01") != w.period {
			continue // the day crossed into another month: the check prices one
		}
		for k := range 100 {
			code := pick(r, w.codes)
			qty := decimal.New(int64(1+r.IntN(40000)), -3) // 0.001 to 40.000 hours
			key := fmt.Sprintf("workday-%d-%d-%d", i, n, k)
			batch = append(batch, map[string]any{"idempotency_key": key, "time": now.Format(time.RFC3339Nano), "department": code,
				"offering": w.meterSlug, "quantity": qty.String(), "unit": "unit-hour", "source": "workday-meter"})
			sent = append(sent, usageSent{key: key, dept: w.deptCodes[code], qty: qty})
		}
		var rep struct {
			Accepted   int `json:"accepted"`
			Duplicates int `json:"duplicates"`
			Rejected   int `json:"rejected"`
		}
		if _, err := w.call(p, "POST /api/v1/usage", http.MethodPost, "/api/v1/usage", batch, nil, &rep); err != nil {
			continue
		}
		w.ledger.metered(sent, rep.Accepted, rep.Duplicates)
		if rep.Rejected > 0 {
			w.stats.record("POST /api/v1/usage", 0, errors.New(strconv.Itoa(rep.Rejected)+" usage records refused"))
		}
		if r.IntN(10) == 0 {
			var again struct {
				Accepted   int `json:"accepted"`
				Duplicates int `json:"duplicates"`
			}
			if _, err := w.call(p, "POST /api/v1/usage (again)", http.MethodPost, "/api/v1/usage", batch, nil, &again); err == nil {
				w.ledger.resent(again.Accepted, again.Duplicates)
			}
		}
	}
}
