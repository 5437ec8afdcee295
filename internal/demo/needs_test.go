package demo_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/frontdoor"
)

func principal(t *testing.T, e *apptest.Engage, email string) *access.Principal {
	t.Helper()
	ctx := context.Background()
	who, err := e.Org.FindPersonByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Org.Principal(ctx, who.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// needRows lists every need as "reference state state_since title", in
// reference order.
func needRows(t *testing.T, e *apptest.Engage) []string {
	t.Helper()
	rows, err := e.DB.Query(context.Background(), "SELECT reference, state, state_since, title FROM needs ORDER BY reference")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ref, state, title string
		var since time.Time
		if err := rows.Scan(&ref, &state, &since, &title); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s %s %s", ref, state, since.UTC().Format(time.RFC3339), title))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDemoNeeds(t *testing.T) {
	e := apptest.New(t, "sqlite")
	ctx := context.Background()
	now := e.Clock.Now()

	needs := needRows(t, e)
	if len(needs) < 140 || len(needs) > 160 {
		t.Fatalf("%d demo needs, want about 150", len(needs))
	}
	byState := map[frontdoor.State]int{}
	for _, n := range needs {
		byState[frontdoor.State(strings.Fields(n)[1])]++
	}
	for _, s := range frontdoor.States {
		if byState[s] < 3 {
			t.Errorf("%d needs are %s, want at least 3 (%v)", byState[s], s, byState)
		}
	}
	var departments int
	if err := e.DB.QueryRow(ctx, "SELECT COUNT(DISTINCT department_id) FROM needs").Scan(&departments); err != nil {
		t.Fatal(err)
	}
	if departments != 12 {
		t.Errorf("needs come from %d departments, want all 12", departments)
	}

	// Decisions: many reuse, some buy, few build, rejections with reasons.
	mix := map[string]int{}
	rows, err := e.DB.Query(ctx, "SELECT o.kind, COUNT(*) FROM needs n JOIN need_options o ON o.id = n.decision_option_id GROUP BY o.kind")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var kind string
		var n int
		if err := rows.Scan(&kind, &n); err != nil {
			t.Fatal(err)
		}
		mix[kind] = n
	}
	rows.Close()
	if mix["reuse"] < 10 || mix["buy"] < 5 || mix["build"] < 1 || mix["build"] > mix["buy"] || mix["reuse"] <= mix["buy"] {
		t.Errorf("decision mix %v: want many reuse, some buy, few build", mix)
	}
	var undecided int
	if err := e.DB.QueryRow(ctx, `SELECT COUNT(*) FROM needs WHERE state IN ('approved', 'in_delivery', 'delivered') AND
		(decision_option_id IS NULL OR decided_at IS NULL OR (SELECT COUNT(*) FROM need_options o WHERE o.need_id = needs.id) < 2)`).Scan(&undecided); err != nil {
		t.Fatal(err)
	}
	if undecided != 0 {
		t.Errorf("%d approved needs lack a decision or alternatives", undecided)
	}

	// The history lies in the months before now, in order, in working hours.
	rows, err = e.DB.Query(ctx, "SELECT need_id, at FROM need_events ORDER BY need_id, id")
	if err != nil {
		t.Fatal(err)
	}
	var last time.Time
	var lastNeed int64
	var oldest time.Time
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			t.Fatal(err)
		}
		if id == lastNeed && at.Before(last) {
			t.Errorf("need %d: event at %s before the previous one at %s", id, at, last)
		}
		if at.After(now) || at.Before(now.AddDate(-1, 0, 0)) {
			t.Errorf("need %d: event at %s, not in the year before %s", id, at, now)
		}
		if wd := at.Weekday(); wd == time.Saturday || wd == time.Sunday || at.Hour() < 8 || at.Hour() >= 18 {
			t.Errorf("need %d: event at %s, outside working hours", id, at)
		}
		if oldest.IsZero() || at.Before(oldest) {
			oldest = at
		}
		lastNeed, last = id, at
	}
	rows.Close()
	if now.Sub(oldest) < 120*24*time.Hour {
		t.Errorf("the oldest event is from %s: the history should span months", oldest)
	}
	// References count up by year of writing.
	rows, err = e.DB.Query(ctx, "SELECT reference, created_at FROM needs ORDER BY created_at, id")
	if err != nil {
		t.Fatal(err)
	}
	prev := map[int]int{}
	for rows.Next() {
		var ref string
		var created time.Time
		if err := rows.Scan(&ref, &created); err != nil {
			t.Fatal(err)
		}
		year, seq := 0, 0
		if _, err := fmt.Sscanf(ref, "NEED-%d-%d", &year, &seq); err != nil || year != created.Year() || seq != prev[year]+1 {
			t.Errorf("%s written on %s: want NEED-%d-%04d", ref, created.Format(time.DateOnly), created.Year(), prev[created.Year()]+1)
		}
		prev[year] = seq
	}
	rows.Close()

	// Reuse suggestions find the catalog service and the earlier needs.
	riley := principal(t, e, "requester@example.com")
	s, err := e.FrontDoor.Suggest(ctx, riley, "team chat for the lab", "", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Services) == 0 || s.Services[0].Slug != "team-chat" {
		t.Errorf("suggested services %v, want team-chat first", s.Services)
	}
	if len(s.Needs) == 0 || !slices.ContainsFunc(s.Needs, func(m frontdoor.NeedMatch) bool { return strings.Contains(strings.ToLower(m.Title), "chat") }) {
		t.Errorf("suggested needs %v, want earlier chat needs", s.Needs)
	}

	// The dashboard shows time in stage and needs that overstay.
	board := principal(t, e, "board@example.com")
	d, err := e.FrontDoor.Dashboard(ctx, board)
	if err != nil {
		t.Fatal(err)
	}
	if d.Total != len(needs) || len(d.Overdue) < 5 {
		t.Errorf("dashboard: %d needs, %d overdue; want %d needs and some overdue", d.Total, len(d.Overdue), len(needs))
	}
	waiting := 0
	for st := range frontdoor.ServiceLevels {
		waiting += byState[st]
	}
	if len(d.Overdue) >= waiting {
		t.Errorf("all %d needs waiting in a stage with a service level are overdue; want a mix", waiting)
	}
	stages := map[frontdoor.State]frontdoor.StageTime{}
	for _, st := range d.TimeInStage {
		stages[st.State] = st
	}
	for _, st := range []frontdoor.State{frontdoor.Draft, frontdoor.Submitted, frontdoor.Triage, frontdoor.Assessment, frontdoor.Decision,
		frontdoor.Approved, frontdoor.InDelivery, frontdoor.Delivered} {
		if stages[st].Count == 0 || stages[st].MedianHours <= 0 || stages[st].P90Hours < stages[st].MedianHours {
			t.Errorf("time in %s: %+v", st, stages[st])
		}
	}
	if d.DecisionMix["reuse"] < 10 || d.DecisionMix["rejected"] < 5 || d.SavedByReuse["EUR"].IsZero() {
		t.Errorf("decision mix %v, saved by reuse %v", d.DecisionMix, d.SavedByReuse)
	}

	// The gate: approved work may proceed, rejected work may not and says
	// why to those who may read the need (the board reads every need).
	gates := map[bool]int{}
	for _, n := range needs {
		f := strings.Fields(n)
		a, err := e.FrontDoor.Gate(ctx, board, f[0])
		if err != nil {
			t.Fatal(err)
		}
		state := frontdoor.State(f[1])
		want := state == frontdoor.Approved || state == frontdoor.InDelivery
		if a.Allowed != want || (state == frontdoor.Rejected && len(a.Reason) < len("Rejected: ")+20) {
			t.Errorf("gate for %s: %+v", n, a)
		}
		gates[a.Allowed]++
	}
	if gates[true] < 10 {
		t.Errorf("the gate allows %d needs", gates[true])
	}

	// The demo's order still waits for its budget holder.
	var pending int
	if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM orders WHERE status = 'pending'").Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if pending != 1 {
		t.Errorf("%d pending orders, want the demo's one", pending)
	}
	// Loading notified nobody: the history is in the past.
	var notified int
	if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM notify_events WHERE subject LIKE 'NEED-%'").Scan(&notified); err != nil {
		t.Fatal(err)
	}
	if notified != 0 {
		t.Errorf("%d notifications about demo needs", notified)
	}
	t.Logf("%d needs by state %v; decisions %v; %d overdue; oldest event %s", len(needs), byState, mix, len(d.Overdue), oldest.Format(time.DateOnly))

	// The same clock gives the same needs on PostgreSQL.
	t.Run("postgres", func(t *testing.T) {
		pg := apptest.New(t, "postgres")
		got := needRows(t, pg)
		for i := range max(len(got), len(needs)) {
			if i >= len(got) || i >= len(needs) || got[i] != needs[i] {
				t.Fatalf("need %d differs: PostgreSQL %q, SQLite %q", i, at(got, i), at(needs, i))
			}
		}
	})
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}
