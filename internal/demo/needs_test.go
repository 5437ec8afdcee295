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

// needRows lists every need of the front door's demo as "reference state
// state_since title", in reference order (needs that came from another
// area, such as an idea, are that area's demo).
func needRows(t *testing.T, e *apptest.Engage) []string {
	t.Helper()
	rows, err := e.DB.Query(context.Background(), "SELECT reference, state, state_since, title FROM needs WHERE origin_kind = '' ORDER BY reference")
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
	if err := e.DB.QueryRow(ctx, `SELECT COUNT(*) FROM needs WHERE origin_kind = '' AND state IN ('approved', 'in_delivery', 'delivered') AND
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
	// Every need but the drafts never submitted, which are their authors'
	// (and the needs of other areas' demos, counted here too).
	var private, others int
	if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM needs WHERE state = 'draft' AND submitted_at IS NULL").Scan(&private); err != nil {
		t.Fatal(err)
	}
	if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM needs WHERE origin_kind <> '' AND submitted_at IS NOT NULL").Scan(&others); err != nil {
		t.Fatal(err)
	}
	if d.Total != len(needs)+others-private || len(d.Overdue) < 5 {
		t.Errorf("dashboard: %d needs, %d overdue; want %d needs and some overdue", d.Total, len(d.Overdue), len(needs)+others-private)
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

	// The demo's two orders still wait for their budget holder.
	var pending int
	if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM orders WHERE status = 'pending'").Scan(&pending); err != nil {
		t.Fatal(err)
	}
	if pending != 2 {
		t.Errorf("%d pending orders, want the demo's two", pending)
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
	if got := demoSummary(t, e); got != wantSummary {
		t.Errorf("the demo's needs changed:\n%s\nwant:\n%s", got, wantSummary)
	}

	// The same clock gives the same needs on PostgreSQL.
	t.Run("postgres", func(t *testing.T) {
		pg := apptest.New(t, "postgres")
		got := needRows(t, pg)
		for i := range max(len(got), len(needs)) {
			if i >= len(got) || i >= len(needs) || got[i] != needs[i] {
				t.Fatalf("need %d differs: PostgreSQL %q, SQLite %q", i, at(got, i), at(needs, i))
			}
		}
		if got := demoSummary(t, pg); got != wantSummary {
			t.Errorf("the demo's needs changed on PostgreSQL:\n%s\nwant:\n%s", got, wantSummary)
		}
	})
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// demoSummary is the demo's needs in short: how many each department has
// in each state, then a few needs told in full (who wrote them, budget,
// options, reviews, decision and the span of their history). The demo's
// needs are data: this pins what loading them gives.
func demoSummary(t *testing.T, e *apptest.Engage) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	rows, err := e.DB.Query(ctx, `SELECT d.code, n.state, COUNT(*) FROM needs n JOIN departments d ON d.id = n.department_id
		WHERE n.origin_kind = '' GROUP BY d.code, n.state ORDER BY d.code, n.state`)
	if err != nil {
		t.Fatal(err)
	}
	last := ""
	for rows.Next() {
		var dept, state string
		var n int
		if err := rows.Scan(&dept, &state, &n); err != nil {
			t.Fatal(err)
		}
		if dept != last {
			if last != "" {
				b.WriteString("\n")
			}
			b.WriteString(dept + ":")
			last = dept
		}
		fmt.Fprintf(&b, " %s %d", state, n)
	}
	rows.Close()
	b.WriteString("\n")
	for _, title := range []string{"A place to share large microscopy images with the CRO", "Sample tracking across Basel and Singapore",
		"Clinical trial management system", "Templates for medical writing", "Order status for customers", "Remote access to instrument PCs"} {
		var id int64
		var ref, state, requester, dept, sponsor, min, max, neededBy, decided string
		if err := e.DB.QueryRow(ctx, `SELECT n.id, n.reference, n.state, p.email, d.code, COALESCE(s.email, '-'),
			COALESCE(CAST(n.budget_min AS TEXT), '-'), COALESCE(CAST(n.budget_max AS TEXT), '-'), COALESCE(CAST(n.needed_by AS TEXT), '-'),
			COALESCE((SELECT o.title FROM need_options o WHERE o.id = n.decision_option_id), '-')
			FROM needs n JOIN people p ON p.id = n.requester_id JOIN departments d ON d.id = n.department_id
			LEFT JOIN people s ON s.id = n.sponsor_id WHERE n.title = ?`, title).Scan(&id, &ref, &state, &requester, &dept, &sponsor,
			&min, &max, &neededBy, &decided); err != nil {
			t.Fatalf("%s: %v", title, err)
		}
		fmt.Fprintf(&b, "%s %s %q: %s of %s, sponsor %s, budget %s–%s, needed by %.10s, decided %s\n",
			ref, state, title, requester, dept, sponsor, min, max, neededBy, decided)
		rows, err := e.DB.Query(ctx, `SELECT o.kind, o.title, o.vendor, CAST(o.one_time AS TEXT), CAST(o.monthly AS TEXT), p.email
			FROM need_options o JOIN people p ON p.id = o.created_by_id WHERE o.need_id = ? ORDER BY o.id`, id)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var kind, otitle, vendor, one, monthly, by string
			if err := rows.Scan(&kind, &otitle, &vendor, &one, &monthly, &by); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "  option %s %q %q %s + %s a month, by %s\n", kind, otitle, vendor, one, monthly, by)
		}
		rows.Close()
		rows, err = e.DB.Query(ctx, "SELECT kind, verdict, notes FROM need_reviews WHERE need_id = ? ORDER BY id", id)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var kind, verdict, notes string
			if err := rows.Scan(&kind, &verdict, &notes); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "  review %s %s %q\n", kind, verdict, notes)
		}
		rows.Close()
		rows, err = e.DB.Query(ctx, "SELECT at, action FROM need_events WHERE need_id = ? ORDER BY id", id)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		var first, end time.Time
		for rows.Next() {
			var at time.Time
			var action string
			if err := rows.Scan(&at, &action); err != nil {
				t.Fatal(err)
			}
			if first.IsZero() {
				first = at
			}
			end = at
			actions = append(actions, action)
		}
		rows.Close()
		fmt.Fprintf(&b, "  %s to %s: %s\n", first.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339), strings.Join(actions, " "))
	}
	return b.String()
}

// wantSummary is demoSummary on the test clock.
const wantSummary = `BIO: approved 2 assessment 2 closed 4 decision 1 delivered 2 draft 1 in_delivery 2 rejected 1 submitted 1 triage 1 withdrawn 1
CHEM: approved 1 assessment 1 closed 4 decision 2 draft 1 in_delivery 2 rejected 2 triage 2 withdrawn 1
CLIN: approved 2 assessment 2 closed 8 decision 1 draft 1 in_delivery 3 rejected 2 submitted 1
COM: approved 1 assessment 1 decision 1 delivered 1 rejected 1
CORP: closed 2 rejected 1 submitted 1
DISC: approved 1 assessment 1 closed 4 decision 1 delivered 1 draft 1 in_delivery 1 rejected 1 triage 1
FIN: approved 1 assessment 1 closed 3 decision 1 draft 1 in_delivery 2 rejected 1 submitted 1 withdrawn 1
HR: approved 2 closed 3 decision 1 in_delivery 1 rejected 1 triage 1 withdrawn 1
IT: approved 2 assessment 1 closed 4 delivered 1 draft 1 in_delivery 1 rejected 1 triage 1
MKT: approved 2 assessment 1 closed 3 decision 2 draft 1 in_delivery 1 rejected 1 submitted 1 triage 1 withdrawn 1
RND: assessment 1 decision 1 rejected 1 submitted 1 withdrawn 1
SALES: approved 2 assessment 2 closed 5 decision 2 delivered 1 draft 1 in_delivery 1 rejected 4 triage 2 withdrawn 2
NEED-2026-0052 in_delivery "A place to share large microscopy images with the CRO": clara.tan2@example.com of BIO, sponsor -, budget -–-, needed by 2026-03-28, decided Reuse File sync and share — External sharing add-on
  option reuse "Reuse File sync and share — External sharing add-on" "Microsoft" 0 + 13.2 a month, by brm@example.com
  option buy "IBM Aspera on Cloud for large transfers" "IBM" 0 + 1400 a month, by brm@example.com
  review architecture approve "Uses a standard platform; no new integration needed."
  review security approve "Vendor security questionnaire to be completed before go-live."
  review finance approve "Charge to the department's cost centre; review usage after six months."
  2026-02-10T17:08:00Z to 2026-03-12T10:49:00Z: create submit start_triage accept add_option add_option review_architecture review_security review_finance to_decision decide start_delivery
NEED-2026-0034 closed "Sample tracking across Basel and Singapore": uma.wang@example.com of BIO, sponsor -, budget -–-, needed by -, decided -
  2026-02-03T14:10:00Z to 2026-02-06T15:13:00Z: create submit start_triage merge
NEED-2026-0037 decision "Clinical trial management system": joao.murphy@example.com of CLIN, sponsor head.clin@example.com, budget 295000–492000, needed by 2026-05-02, decided -
  option buy "Veeva Vault CTMS" "Veeva" 85000 + 9500 a month, by brm@example.com
  option build "Trial management built on the data warehouse" "Solution delivery team" 180000 + 3000 a month, by architect@example.com
  review architecture approve "Uses a standard platform; no new integration needed."
  review security approve "Vendor security questionnaire to be completed before go-live."
  review finance approve "Charge to the department's cost centre; review usage after six months."
  2026-02-05T09:20:00Z to 2026-02-20T08:37:00Z: create submit start_triage accept add_option add_option review_architecture review_security review_finance to_decision
NEED-2026-0055 draft "Templates for medical writing": diego.weber@example.com of CLIN, sponsor -, budget -–-, needed by -, decided -
  2026-02-13T08:38:00Z to 2026-02-18T15:33:00Z: create submit start_triage request_info
NEED-2025-0020 rejected "Order status for customers": aaliyah.costa@example.com of SALES, sponsor head.sales@example.com, budget 74000–124000, needed by -, decided -
  option build "Customer order status portal" "Solution delivery team" 75000 + 900 a month, by architect@example.com
  option buy "A packaged product, with the process adapted to it" "Shortlisted vendor" 25000 + 3400 a month, by brm@example.com
  review architecture approve "Data must stay exportable in an open format."
  review finance reject "The benefit described does not justify the cost; see the board's decision."
  2025-12-22T09:04:00Z to 2026-01-06T14:09:00Z: create submit start_triage accept add_option add_option review_architecture review_finance reject
NEED-2025-0015 withdrawn "Remote access to instrument PCs": mia.dubois@example.com of BIO, sponsor -, budget -–-, needed by -, decided -
  option reuse "Reuse Virtual desktop — Shared lab desktop" "" 0 + 380 a month, by brm@example.com
  option buy "TeamViewer Tensor for instrument PCs" "TeamViewer" 0 + 550 a month, by brm@example.com
  review architecture approve_with_conditions "Sign-in through single sign-on only; no local accounts."
  review security approve_with_conditions "External users through guest accounts that expire after 90 days."
  2025-11-27T17:36:00Z to 2025-12-12T15:17:00Z: create submit start_triage accept add_option add_option review_architecture review_security withdraw
`
