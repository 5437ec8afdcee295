package frontdoorpages

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/web/page"
)

// frontdoorHome is the front door: ask first, then my needs and my queue.
func (s *Pages) frontdoorHome(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), page.Principal(r)
	mine, next, err := s.FrontDoor.List(ctx, p, frontdoor.ListFilter{Mine: true, Limit: 20})
	if err != nil {
		return err
	}
	v := &homeView{Base: page.Base{Title: "Front door", Nav: "frontdoor"}, Mine: s.needRows(mine), MoreMine: next != "", Works: frontdoor.HasWorkQueue(p),
		Levels: serviceLevels()}
	if v.Works {
		queue, _, err := s.FrontDoor.List(ctx, p, frontdoor.ListFilter{Queue: true})
		if err != nil {
			return err
		}
		v.InQueue, v.Overdue = len(queue), countOverdue(queue)
	}
	s.Render(w, r, "need_home.html", v)
	return nil
}

func (s *Pages) needList(w http.ResponseWriter, r *http.Request) error {
	return s.listNeeds(w, r, false)
}

func (s *Pages) needQueue(w http.ResponseWriter, r *http.Request) error {
	return s.listNeeds(w, r, true)
}

// listNeeds is the list of needs with its filters, or the work queue
// ("waiting for you", overdue first); ?format=csv downloads it.
func (s *Pages) listNeeds(w http.ResponseWriter, r *http.Request, queue bool) error {
	q := r.URL.Query()
	f := frontdoor.ListFilter{State: frontdoor.State(q.Get("state")), DepartmentID: page.QueryInt(r, "department"), Mine: q.Get("mine") == "1",
		Overdue: q.Get("overdue") == "1", Query: strings.TrimSpace(q.Get("q")), Queue: queue, Cursor: q.Get("cursor"), Limit: 50}
	if q.Get("format") == "csv" {
		return s.needsCSV(w, r, f)
	}
	list, next, err := s.FrontDoor.List(r.Context(), page.Principal(r), f)
	if err != nil {
		return err
	}
	depts, err := s.departmentsOf(r)
	if err != nil {
		return err
	}
	path, title := "/needs", "Needs"
	if queue {
		path, title = "/needs/queue", "Waiting for you"
	}
	csvQuery := r.URL.Query()
	csvQuery.Del("cursor")
	csvQuery.Set("format", "csv")
	s.Render(w, r, "needs.html", &needsView{Base: page.Base{Title: title, Nav: "frontdoor"}, Rows: s.needRows(list), Next: next, Queue: queue,
		Path: path, Filter: f, States: frontdoor.States, Departments: depts, CSV: path + "?" + csvQuery.Encode(), Overdue: countOverdue(list),
		Works: frontdoor.HasWorkQueue(page.Principal(r))})
	return nil
}

// needsCSV writes every need of the list, not only its first page.
func (s *Pages) needsCSV(w http.ResponseWriter, r *http.Request, f frontdoor.ListFilter) error {
	f.Cursor, f.Limit = "", 500
	needs, err := page.AllPages(func(c string) ([]frontdoor.Need, string, error) {
		f.Cursor = c
		return s.FrontDoor.List(r.Context(), page.Principal(r), f)
	})
	if err != nil {
		return err
	}
	name := "needs"
	if f.Queue {
		name = "needs-waiting-for-you"
	}
	cw := page.CSVFile(w, fmt.Sprintf("%s-%s.csv", name, s.Clock.Now().UTC().Format("2006-01-02")))
	_ = cw.Write([]string{"reference", "title", "department", "requester", "state", "state_label", "in_state_since", "due_by", "overdue",
		"users", "data_class", "brm", "submitted_at", "created_at"})
	day := func(t interface{ Format(string) string }) string { return t.Format("2006-01-02") }
	for _, n := range needs {
		due, submitted := "", ""
		if n.DueBy != nil {
			due = day(n.DueBy.UTC())
		}
		if n.SubmittedAt != nil {
			submitted = day(n.SubmittedAt.UTC())
		}
		_ = cw.Write([]string{n.Reference, n.Title, n.DepartmentName, n.RequesterName, string(n.State), frontdoor.StateLabels[n.State],
			day(n.StateSince.UTC()), due, strconv.FormatBool(n.Overdue), strconv.Itoa(n.Users), n.DataClass, n.BRMName, submitted, day(n.CreatedAt.UTC())})
	}
	cw.Flush()
	return cw.Error()
}

// stageGroups fold the eleven states into the columns of the table by
// department.
var stageGroups = []struct {
	Label  string
	States []frontdoor.State
}{
	{"Draft", []frontdoor.State{frontdoor.Draft}},
	{"Being decided", []frontdoor.State{frontdoor.Submitted, frontdoor.Triage, frontdoor.Assessment, frontdoor.Decision}},
	{"Approved or in delivery", []frontdoor.State{frontdoor.Approved, frontdoor.InDelivery}},
	{"Delivered or closed", []frontdoor.State{frontdoor.Delivered, frontdoor.Closed}},
	{"Rejected or withdrawn", []frontdoor.State{frontdoor.Rejected, frontdoor.Withdrawn}},
}

type departmentRow struct {
	Name   string
	ID     int64
	Counts []int
	Total  int
}

type countRow struct {
	Key, Label string
	Count      int
	Share      string
}

type stageTimeRow struct {
	State, Median, P90 string
	Count              int
	Level              int // the service level in working days, 0 for none
}

// needDashboard is the front door at a glance.
func (s *Pages) needDashboard(w http.ResponseWriter, r *http.Request) error {
	// The headline counts the decisions of the days chosen, this quarter
	// (in the reader's time zone) unless asked.
	now := s.Clock.Now().In(page.ReaderZone(page.Principal(r)))
	fromText, toText, from, until, err := page.DayRange(r, now)
	if err != nil {
		return err
	}
	quarterFrom, quarterUntil := frontdoor.QuarterOf(now)
	if from.IsZero() {
		from = quarterFrom
	}
	if until.IsZero() {
		until = quarterUntil
	}
	d, err := s.FrontDoor.DashboardBetween(r.Context(), page.Principal(r), from, until)
	if err != nil {
		return err
	}
	rangeLabel := "this quarter"
	if !from.Equal(quarterFrom) || !until.Equal(quarterUntil) {
		rangeLabel = "from " + from.Format(page.DateLayout) + " to " + until.AddDate(0, 0, -1).Format(page.DateLayout)
	}
	var stages []countRow
	for _, st := range frontdoor.States {
		if n := d.ByState[st]; n > 0 {
			stages = append(stages, countRow{Key: string(st), Label: frontdoor.StateLabels[st], Count: n, Share: share(n, d.Total)})
		}
	}
	var groups []string
	for _, g := range stageGroups {
		groups = append(groups, g.Label)
	}
	var depts []departmentRow
	totals := departmentRow{Name: "All departments", Counts: make([]int, len(stageGroups))}
	for _, dc := range d.ByDepartment {
		row := departmentRow{Name: dc.DepartmentName, ID: dc.DepartmentID, Total: dc.Total, Counts: make([]int, len(stageGroups))}
		for i, g := range stageGroups {
			for _, st := range g.States {
				row.Counts[i] += dc.ByState[st]
			}
			totals.Counts[i] += row.Counts[i]
		}
		totals.Total += dc.Total
		depts = append(depts, row)
	}
	var times []stageTimeRow
	for _, st := range d.TimeInStage {
		times = append(times, stageTimeRow{State: frontdoor.StateLabels[st.State], Count: st.Count, Median: formatHours(st.MedianHours),
			P90: formatHours(st.P90Hours), Level: frontdoor.ServiceLevels[st.State]})
	}
	decided := 0
	for _, n := range d.DecisionMix {
		decided += n
	}
	var mix []countRow
	for _, k := range append(slices.Clone(frontdoor.OptionKinds), "rejected") {
		mix = append(mix, countRow{Key: k, Label: optionKindLabels[k], Count: d.DecisionMix[k], Share: share(d.DecisionMix[k], decided)})
	}
	savings := func(m map[string]decimal.Decimal) []saving {
		var out []saving
		for c, a := range m {
			out = append(out, saving{c, a})
		}
		slices.SortFunc(out, func(a, b saving) int { return strings.Compare(a.Currency, b.Currency) })
		return out
	}
	s.Render(w, r, "need_dashboard.html", &dashboardView{Base: page.Base{Title: "Front door dashboard", Nav: "frontdoor"}, D: d, Stages: stages,
		Chart: stageChart(stages), Groups: groups, Departments: depts, Totals: totals, Times: times, Mix: mix, Decided: decided,
		Saved: savings(d.SavedByReuse), Overdue: s.needRows(d.Overdue), SavedInRange: savings(d.SavedInRange), RangeLabel: rangeLabel,
		From: dayOr(fromText, from), To: dayOr(toText, until.AddDate(0, 0, -1))})
	return nil
}

// dayOr is a date filter as typed, or the day it defaults to.
func dayOr(typed string, day time.Time) string {
	if typed != "" {
		return typed
	}
	return day.Format(time.DateOnly)
}

func share(n, total int) string {
	if total == 0 {
		return "—"
	}
	return strconv.Itoa(int(math.Round(100*float64(n)/float64(total)))) + "%"
}

// stageChart draws how many needs are in each stage, as the comparison
// chart draws costs.
func stageChart(stages []countRow) *page.BarChart {
	if len(stages) == 0 {
		return nil
	}
	most := 0
	for _, st := range stages {
		most = max(most, st.Count)
	}
	ch := &page.BarChart{Title: "Needs by stage", Height: 40*len(stages) + 10,
		Describe: "Needs by stage; the table below has the figures.", Caption: "How many needs are in each stage today."}
	for i, st := range stages {
		ch.Bars = append(ch.Bars, page.Bar{Label: st.Label, Value: strconv.Itoa(st.Count), LabelY: float64(i*40 + 14), BarY: float64(i*40 + 20),
			ValueY: float64(i*40 + 31), Width: math.Max(360*float64(st.Count)/float64(most), 2)})
	}
	return ch
}
