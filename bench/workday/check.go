package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// usageSent is one usage record a meter sent.
type usageSent struct {
	key  string
	dept int64
	qty  decimal.Decimal
}

// ledger is what the day's people and meters made, as they were told by
// Engage's answers, kept to check what Engage stored.
type ledger struct {
	mu            sync.Mutex
	orders        map[string][]string // quote number → order numbers answered
	needs         map[string]string   // title → reference
	usage         map[string]usageSent
	accepted      int // records Engage said it stored on first sending
	dupFirst      int // records Engage called duplicates on first sending
	resentStored  int // records stored again when a batch was sent twice (must be 0)
	resentDup     int
	duplicateKeys int // keys a meter made twice (must be 0: a bug in the day itself)
}

func newLedger() *ledger {
	return &ledger{orders: map[string][]string{}, needs: map[string]string{}, usage: map[string]usageSent{}}
}

func (l *ledger) ordered(quote, order string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !slices.Contains(l.orders[quote], order) {
		l.orders[quote] = append(l.orders[quote], order)
	}
}

func (l *ledger) asked(title, ref string) {
	workdayNeeds.Store(ref, true)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.needs[title] = ref
}

func (l *ledger) metered(sent []usageSent, accepted, dups int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range sent {
		if _, ok := l.usage[s.key]; ok {
			l.duplicateKeys++
		}
		l.usage[s.key] = s
	}
	l.accepted += accepted
	l.dupFirst += dups
}

func (l *ledger) resent(accepted, dups int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.resentStored += accepted
	l.resentDup += dups
}

// checker collects what failed.
type checker struct{ failures []string }

func (c *checker) expect(ok bool, format string, args ...any) {
	if !ok {
		c.failures = append(c.failures, fmt.Sprintf(format, args...))
	}
}

// check compares what Engage stored with the ledger, after a last billing
// run of the day's month.
func (w *world) check(ctx context.Context) []string {
	c := &checker{}
	l := w.ledger
	l.mu.Lock()
	defer l.mu.Unlock()

	// Orders: one per quote ordered, whatever was sent twice.
	for q, os := range l.orders {
		c.expect(len(os) == 1, "quote %s: ordering it answered %d different orders %v", q, len(os), os)
	}
	rows, err := w.a.DB.Query(ctx, `SELECT q.number, COUNT(o.id) FROM orders o JOIN quotes q ON q.id = o.quote_id
		WHERE q.title = 'workday quote' GROUP BY q.number`)
	if err != nil {
		return append(c.failures, "reading orders: "+err.Error())
	}
	stored := map[string]int{}
	for rows.Next() {
		var q string
		var n int
		if err := rows.Scan(&q, &n); err != nil {
			rows.Close()
			return append(c.failures, err.Error())
		}
		stored[q] = n
	}
	rows.Close()
	for q, n := range stored {
		c.expect(n == 1, "quote %s has %d orders stored", q, n)
		_, known := l.orders[q]
		c.expect(known, "quote %s has an order the day was never told of", q)
	}
	for q := range l.orders {
		c.expect(stored[q] == 1, "quote %s: the order the day was given is not stored once (%d)", q, stored[q])
	}

	// Needs: each written once.
	rows, err = w.a.DB.Query(ctx, `SELECT title, COUNT(*) FROM needs WHERE title LIKE 'Workday need %' GROUP BY title`)
	if err != nil {
		return append(c.failures, "reading needs: "+err.Error())
	}
	needs := map[string]int{}
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			rows.Close()
			return append(c.failures, err.Error())
		}
		needs[t] = n
	}
	rows.Close()
	c.expect(len(needs) == len(l.needs), "%d needs stored, the day wrote %d", len(needs), len(l.needs))
	for t, n := range needs {
		c.expect(n == 1, "need %q stored %d times", t, n)
	}

	// Usage: every key stored once.
	c.expect(l.duplicateKeys == 0, "the meters made %d keys twice", l.duplicateKeys)
	c.expect(l.accepted == len(l.usage), "Engage stored %d records on first sending; %d were sent", l.accepted, len(l.usage))
	c.expect(l.dupFirst == 0, "%d records called duplicates when first sent", l.dupFirst)
	c.expect(l.resentStored == 0, "%d records stored again when their batch was sent twice", l.resentStored)

	// Statements: the metered lines priced independently, totals adding up.
	finance := w.find("finance@example.com")
	if _, err := w.call(finance, "", http.MethodPost, "/api/v1/billing/periods/"+w.period+"/run", nil, nil, nil); err != nil {
		return append(c.failures, "the last billing run: "+err.Error())
	}
	want := map[int64]decimal.Decimal{}
	for _, s := range l.usage {
		want[s.dept] = want[s.dept].Add(s.qty)
	}
	type line struct {
		OfferingID int64           `json:"offering_id"`
		Quantity   decimal.Decimal `json:"quantity"`
		Amount     decimal.Decimal `json:"amount"`
	}
	type statement struct {
		ID           int64           `json:"id"`
		DepartmentID int64           `json:"department_id"`
		Currency     string          `json:"currency"`
		Total        decimal.Decimal `json:"total"`
		Lines        []line          `json:"lines"`
	}
	var statements []statement
	for cursor := ""; ; {
		var page struct {
			Items      []statement `json:"items"`
			NextCursor string      `json:"next_cursor"`
		}
		path := "/api/v1/statements?period=" + w.period
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		if _, err := w.call(finance, "", http.MethodGet, path, nil, nil, &page); err != nil {
			return append(c.failures, "listing statements: "+err.Error())
		}
		statements = append(statements, page.Items...)
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	seen := map[int64]bool{}
	checkedLines := 0
	for _, st := range statements {
		if st.Lines == nil {
			var full statement
			if _, err := w.call(finance, "", http.MethodGet, "/api/v1/statements/"+strconv.FormatInt(st.ID, 10), nil, nil, &full); err != nil {
				return append(c.failures, "reading a statement: "+err.Error())
			}
			st = full
		}
		sum := decimal.Zero
		qty, amount, found := decimal.Zero, decimal.Zero, false
		for _, ln := range st.Lines {
			sum = sum.Add(ln.Amount)
			if ln.OfferingID == w.meterID {
				qty, amount, found = qty.Add(ln.Quantity), amount.Add(ln.Amount), true
			}
		}
		c.expect(sum.Equal(st.Total), "statement %d: total %s, its lines add up to %s", st.ID, st.Total, sum)
		if !found {
			continue
		}
		c.expect(st.Currency == "EUR", "statement %d: metered lines in %s", st.ID, st.Currency)
		seen[st.DepartmentID] = true
		checkedLines++
		sent := want[st.DepartmentID]
		c.expect(qty.Equal(sent), "department %d: statement says %s hours, the meters sent %s", st.DepartmentID, qty, sent)
		price := graduated(sent).Round(2)
		c.expect(amount.Equal(price), "department %d: statement charges %s for %s hours, priced independently %s", st.DepartmentID, amount, sent, price)
	}
	for d, q := range want {
		c.expect(seen[d], "department %d: the meters sent %s hours and no statement charges them", d, q)
	}
	fmt.Printf("checked: %d quotes ordered, %d needs, %d usage records (%d batches sent twice, %d records answered as duplicates), %d statements, %d metered lines priced independently\n",
		len(l.orders), len(l.needs), len(l.usage), l.resentDup/100, l.resentDup, len(statements), checkedLines)
	return c.failures
}

// graduated prices hours by the metered offering's tiers: the first 1,000
// at 0.0525, the next 4,000 at 0.041, the rest at 0.0275 — written here
// again, apart from Engage's rating, to check it.
func graduated(q decimal.Decimal) decimal.Decimal {
	tiers := []struct {
		upTo  int64
		price string
	}{{1000, "0.0525"}, {5000, "0.041"}, {0, "0.0275"}}
	total, from := decimal.Zero, decimal.Zero
	for _, t := range tiers {
		top := q
		if t.upTo > 0 {
			top = decimal.Min(q, decimal.NewFromInt(t.upTo))
		}
		if top.GreaterThan(from) {
			total = total.Add(top.Sub(from).Mul(decimal.RequireFromString(t.price)))
		}
		if t.upTo == 0 || q.LessThanOrEqual(decimal.NewFromInt(t.upTo)) {
			break
		}
		from = decimal.NewFromInt(t.upTo)
	}
	return total
}

// report prints the latency table and returns the number of errors.
func (w *world) report(elapsed time.Duration) int {
	s := w.stats
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.lat))
	for n := range s.lat {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Println()
	fmt.Println("| page or operation | requests | errors | p50 | p99 | max |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: |")
	total, errs := 0, 0
	for _, n := range names {
		lat := s.lat[n]
		slices.Sort(lat)
		q := func(f float64) string {
			d := lat[min(len(lat)-1, int(f*float64(len(lat))))]
			return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
		}
		fmt.Printf("| %s | %d | %d | %s | %s | %s |\n", n, len(lat), s.errs[n], q(0.5), q(0.99), q(1))
		total += len(lat)
		errs += s.errs[n]
	}
	fmt.Println()
	fmt.Printf("%d requests in %s (%.0f a second), %d errors\n", total, elapsed.Round(time.Second), float64(total)/elapsed.Seconds(), errs)
	if len(s.races) > 0 {
		fmt.Print("answered 409 because someone else acted first (expected, not errors):")
		for _, n := range sortedKeys(s.races) {
			fmt.Printf(" %s %d;", n, s.races[n])
		}
		fmt.Println()
	}
	for _, e := range s.examples {
		fmt.Println("error:", e)
	}
	return errs
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
