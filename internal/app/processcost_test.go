package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/billing"
)

// TestProcessCostPages: on the demo, finance sees what processes cost on
// the map (not nothing), on a process's page with its trend drawn, on a
// journey's page, behind a figure (the shares add up to it) and as CSV; the
// map's processes and unclaimed part add up to the month's statements. A
// budget holder sees only their departments' part; a requester sees no
// cost and is refused the drill-down and the file.
func TestProcessCostPages(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		finance := principalOf(t, e, "finance@example.com")
		m, err := e.ProcessCosts.Map(ctx, finance, "")
		if err != nil {
			t.Fatal(err)
		}
		sts, err := e.Billing.Statements(ctx, finance, billing.StatementFilter{Period: m.Period})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]decimal.Decimal{}
		for _, st := range sts {
			want[st.Currency] = want[st.Currency].Add(st.Total)
		}
		claimed := decimal.Zero
		for _, a := range m.Total.Charged {
			if !a.Amount.Equal(want[a.Currency]) {
				t.Errorf("%s: processes + unclaimed = %s, statements %s", a.Currency, a.Amount, want[a.Currency])
			}
		}
		for _, a := range m.Unclaimed.Charged {
			claimed = m.Total.Total(a.Currency).Sub(a.Amount)
		}
		if len(m.Total.Charged) == 0 || !claimed.IsPositive() || len(m.Processes) < 20 {
			t.Fatalf("the demo's processes cost nothing in %s: %d processes with a figure, %s claimed", m.Period, len(m.Processes), claimed)
		}

		fin := e.SignIn(t, "finance@example.com")
		res, body := fin.Get("/portfolio")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="map-costs"`) || !strings.Contains(body, `class="cost"`) ||
			!strings.Contains(body, "/portfolio/costs.csv?period="+m.Period) {
			t.Fatalf("the map as finance = %d, without its costs", res.StatusCode)
		}
		var busiest int64
		for _, pe := range m.Processes {
			if len(pe.OwnCharged) > 0 && (busiest == 0 || pe.ProcessID < busiest) {
				busiest = pe.ProcessID
			}
		}
		path := fmt.Sprintf("/portfolio/processes/%d", busiest)
		res, body = fin.Get(path)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="cost"`) || !strings.Contains(body, "<svg") || !strings.Contains(body, `id="cost-trend"`) {
			t.Fatalf("a process as finance = %d, without its cost and trend", res.StatusCode)
		}
		drill := fmt.Sprintf("/portfolio/costs/process/%d?period=%s", busiest, m.Period)
		if !strings.Contains(body, strings.ReplaceAll(drill, "&", "&amp;")) {
			t.Errorf("the process page does not link to %s", drill)
		}
		res, body = fin.Get(drill)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="cost-shares"`) || !strings.Contains(body, "/costs?department=") {
			t.Fatalf("the drill-down = %d", res.StatusCode)
		}
		d, err := e.ProcessCosts.DrillDown(ctx, finance, "process", busiest, m.Period)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range d.Month.Charged {
			if rolled := m.Of(busiest).Charged; len(rolled) == 0 || !a.Amount.Equal(rolled[0].Amount) {
				t.Errorf("the drill-down adds up to %s; the map says %v", a.Amount, rolled)
			}
		}
		journeys, err := e.Processes.ListJourneys(ctx, finance)
		if err != nil || len(journeys) == 0 {
			t.Fatalf("journeys: %v", err)
		}
		if res, body := fin.Get(fmt.Sprintf("/portfolio/journeys/%d", journeys[0].ID)); res.StatusCode != http.StatusOK || !strings.Contains(body, `id="cost"`) {
			t.Fatalf("a journey as finance = %d, without its cost", res.StatusCode)
		}
		res, body = fin.Get("/portfolio/costs.csv?period=" + m.Period)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "period,ref,name,parent_ref,kind,currency,own_charged,charged,own_cost,cost") ||
			!strings.Contains(body, ",Unclaimed,") || !strings.Contains(body, ",Total,") {
			t.Fatalf("the CSV = %d: %.200s", res.StatusCode, body)
		}

		budget := principalOf(t, e, "budget@example.com")
		bm, err := e.ProcessCosts.Map(ctx, budget, m.Period)
		if err != nil {
			t.Fatal(err)
		}
		if !bm.Partial || bm.SeesCost || len(bm.Total.Cost) != 0 || bm.Total.Total("EUR").GreaterThanOrEqual(m.Total.Total("EUR")) {
			t.Errorf("a budget holder's map: partial %v, cost %v, %s of %s", bm.Partial, bm.Total.Cost, bm.Total.Total("EUR"), m.Total.Total("EUR"))
		}
		riley := e.SignIn(t, "requester@example.com")
		if res, body := riley.Get(path); res.StatusCode != http.StatusOK || strings.Contains(body, `id="cost"`) {
			t.Errorf("a process as a requester = %d, with its cost", res.StatusCode)
		}
		if _, body := riley.Get("/portfolio"); strings.Contains(body, `id="map-costs"`) {
			t.Error("the map shows costs to a requester")
		}
		for _, p := range []string{drill, "/portfolio/costs.csv", "/portfolio/costs/unclaimed/0"} {
			if res, _ := riley.Get(p); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s as a requester = %d; want 403", p, res.StatusCode)
			}
		}
	})
}
