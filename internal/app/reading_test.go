package app_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/catalog"
)

// TestTimesInTheReadersZone: pages show times in the time zone of the
// reader's location, with the zone named, and dates one way everywhere.
func TestTimesInTheReadersZone(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		admin := e.SignIn(t, "admin@example.com") // works in London
		admin.Get("/admin/departments/new")
		if res, _ := admin.Post("/admin/departments", url.Values{"name": {"Time Zones"}, "code": {"TZ"}, "billing_mode": {"showback"}}); res.StatusCode != 303 {
			t.Fatalf("creating a department = %d", res.StatusCode)
		}
		// The clock reads 16 March 2026, 09:30 UTC: GMT in London.
		if _, body := admin.Get("/admin/audit"); !strings.Contains(body, "16 Mar 2026, 09:30 GMT") || strings.Contains(body, "09:30 UTC") {
			t.Errorf("the audit log does not show the change in London time:\n%s", between(body, "<tbody>", "</tbody>"))
		}
		// Moved to Tokyo, the same change reads 18:30 JST.
		moveTo(t, e, "admin@example.com", "TYO")
		if _, body := admin.Get("/admin/audit"); !strings.Contains(body, "16 Mar 2026, 18:30 JST") {
			t.Errorf("the audit log does not show the change in Tokyo time:\n%s", between(body, "<tbody>", "</tbody>"))
		}
		// Someone without a location reads UTC.
		moveTo(t, e, "admin@example.com", "")
		if _, body := admin.Get("/admin/audit"); !strings.Contains(body, "16 Mar 2026, 09:30 UTC") {
			t.Errorf("the audit log does not show the change in UTC:\n%s", between(body, "<tbody>", "</tbody>"))
		}
	})
}

// TestCloudChargesByResource: the charges behind a cloud line come in
// pages of 50, gathered by resource with a subtotal each; the service
// chosen is not repeated on every row.
func TestCloudChargesByResource(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		// 60 charges in September 2024: resource A three times and B twice,
		// in turns, then C 55 times.
		sample, err := os.ReadFile("../focus/testdata/focus_sample.csv")
		if err != nil {
			t.Fatal(err)
		}
		records, err := csv.NewReader(strings.NewReader(string(sample))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, name := range records[0] {
			col[name] = i
		}
		var file strings.Builder
		w := csv.NewWriter(&file)
		w.Write(records[0])
		add := func(n int, resource, cost string) {
			row := append([]string(nil), records[1]...)
			row[col["ResourceId"]], row[col["ResourceName"]] = "res-"+resource, "Resource "+resource
			row[col["BilledCost"]], row[col["EffectiveCost"]] = cost, cost
			row[col["ChargePeriodStart"]] = fmt.Sprintf("2024-09-%02d %02d:00:00", 1+n/24, n%24)
			row[col["ChargePeriodEnd"]] = fmt.Sprintf("2024-09-%02d %02d:59:59", 1+n/24, n%24)
			row[col["Id"]] = fmt.Sprint(90000 + n)
			w.Write(row)
		}
		for n, rc := range [][2]string{{"A", "1.10"}, {"B", "0.05"}, {"A", "2.20"}, {"B", "0.10"}, {"A", "3.30"}} {
			add(n, rc[0], rc[1])
		}
		for n := 5; n < 60; n++ {
			add(n, "C", "1.00")
		}
		w.Flush()
		finance := e.SignIn(t, "finance@example.com")
		finance.Get("/billing/cloud")
		if res, _ := postFileWith(t, e, finance, "/billing/cloud/imports", "resources.csv", file.String(), url.Values{"basis": {"effective"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("importing = %d", res.StatusCode)
		}

		service := records[1][col["ServiceName"]]
		res, body := finance.Get("/costs/cloud?period=2024-09&service=" + url.QueryEscape(service))
		if res.StatusCode != 200 {
			t.Fatalf("charges = %d", res.StatusCode)
		}
		groups := resourceGroups(body)
		want := []string{"Resource A|3 charges|6.60", "Resource B|2 charges|0.1500", "Resource C|45 charges|45.00"}
		if fmt.Sprint(groups) != fmt.Sprint(want) {
			t.Errorf("page 1 groups = %q, want %q", groups, want)
		}
		if n := strings.Count(body, `<tr class="charge">`); n != 50 {
			t.Errorf("page 1 has %d charges, want 50", n)
		}
		if n := strings.Count(body, service); n > 3 { // the title, the heading, the facts
			t.Errorf("the service name appears %d times on the page; want it said once, not on every row", n)
		}
		if got := text(body, "resource-count"); got != "3" {
			t.Errorf("resources on page 1 = %q, want 3", got)
		}
		next := regexp.MustCompile(`<p class="pager"><a href="[^"]*cursor(?:=|%3d)([A-Za-z0-9_-]+)[^"]*"[^>]*>Next page</a>`).FindStringSubmatch(body)
		if next == nil {
			t.Fatal("no link to page 2")
		}
		_, body = finance.Get("/costs/cloud?period=2024-09&service=" + url.QueryEscape(service) + "&cursor=" + next[1])
		if groups := resourceGroups(body); fmt.Sprint(groups) != fmt.Sprint([]string{"Resource C|10 charges|10.00"}) {
			t.Errorf("page 2 groups = %q", groups)
		}
	})
}

// resourceGroups reads the drill-down's groups: resource, number of
// charges, subtotal.
func resourceGroups(body string) []string {
	var out []string
	re := regexp.MustCompile(`(?s)<tr class="group"><th scope="rowgroup" colspan="5">([^<]*).*?<span>(\d+ charges?)</span></span></th>\s*<td class="num subtotal"[^>]*><strong>[^0-9]*([0-9.,]+)</strong>`)
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out = append(out, strings.TrimSpace(m[1])+"|"+m[2]+"|"+m[3])
	}
	return out
}

// TestStatementChartAndChange: the 13-month chart has a labelled scale and
// axes, each billed month its value, and a statement says how it moved
// against the month before.
func TestStatementChartAndChange(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		bio := departmentByCode(t, e, "BIO")
		for _, period := range []string{"2026-01", "2026-02"} {
			if _, err := e.Billing.Run(ctx, system, period); err != nil && engage.ErrorCode(err) != engage.ECONFLICT { // a closed month is billed already
				t.Fatal(err)
			}
		}
		totals := map[string]decimal.Decimal{}
		var currency string
		for _, period := range []string{"2026-01", "2026-02"} {
			var total decimal.Decimal
			if err := e.DB.QueryRow(ctx, "SELECT currency, total FROM statements WHERE department_id = ? AND period = ?", bio.ID, period).Scan(&currency, &total); err != nil {
				t.Fatal(err)
			}
			totals[period] = total
		}
		budget := e.SignIn(t, "budget@example.com")
		res, body := budget.Get(fmt.Sprintf("/costs?department=%d&period=2026-02", bio.ID))
		if res.StatusCode != 200 {
			t.Fatalf("costs = %d", res.StatusCode)
		}
		for _, want := range []string{`class="chart-axis-title" id="trend-` + currency + `-y-axis">Total (` + currency + `)</text>`,
			`class="chart-axis-title">Month</text>`, `class="chart-tick">` + string([]rune(catalog.FormatMoney(decimal.Zero, currency))[:1]) + `0</text>`} {
			if !strings.Contains(body, want) {
				t.Errorf("the trend chart lacks %s", want)
			}
		}
		var billed int
		if err := e.DB.QueryRow(ctx, "SELECT COUNT(DISTINCT period) FROM statements WHERE department_id = ? AND period BETWEEN '2025-02' AND '2026-02'", bio.ID).Scan(&billed); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(body, `class="chart-value"`); n != billed || billed < 2 {
			t.Errorf("the chart labels %d columns with their value, want the %d billed months", n, billed)
		}
		diff := totals["2026-02"].Sub(totals["2026-01"])
		word := "Up " + catalog.FormatMoney(diff, currency)
		if diff.IsNegative() {
			word = "Down " + catalog.FormatMoney(diff.Abs(), currency)
		} else if diff.IsZero() {
			word = "No change"
		}
		// The usage behind a usage line, day by day.
		usage := regexp.MustCompile(`<a class="no-print drill" href="(/costs/usage\?[^"]+)">See the usage records</a>`).FindStringSubmatch(body)
		if usage == nil {
			t.Fatal("BIO's February statement has no usage line to drill into")
		}
		_, page := budget.Get(strings.ReplaceAll(usage[1], "&amp;", "&"))
		if !strings.Contains(page, `class="chart-axis-title">Day of February 2026 (UTC)</text>`) || !strings.Contains(page, `id="usage-y-axis">Quantity`) ||
			strings.Count(page, "<rect ") != 28 {
			t.Errorf("the usage page has no chart of February day by day:\n%s", between(page, "<figure", "</figure>"))
		}
		change := regexp.MustCompile(`<p class="change" id="change-\d+">(.*?)</p>`).FindStringSubmatch(body)
		if change == nil || !strings.Contains(change[1], word) || !strings.Contains(change[1], "on January 2026, which came to "+catalog.FormatMoney(totals["2026-01"], currency)) {
			t.Errorf("statement change = %q, want %q against January's %s", change, word, totals["2026-01"])
		}
	})
}

// TestAuditLogReadable: the audit log says which fields a change changed,
// before and after, filters by day, person and kind, and downloads as CSV.
func TestAuditLogReadable(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		admin := e.SignIn(t, "admin@example.com")
		admin.Get("/admin/departments/new")
		res, _ := admin.Post("/admin/departments", url.Values{"name": {"Audit Trail"}, "code": {"AUD"}, "billing_mode": {"showback"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("creating a department = %d", res.StatusCode)
		}
		var id int64
		if err := e.DB.QueryRow(ctx, "SELECT id FROM departments WHERE code = 'AUD'").Scan(&id); err != nil {
			t.Fatal(err)
		}
		admin.Get(fmt.Sprintf("/admin/departments/%d/edit", id))
		res, _ = admin.Post(fmt.Sprintf("/admin/departments/%d", id), url.Values{"name": {"Audit and Trail"}, "code": {"AUD"},
			"billing_mode": {"chargeback"}, "version": {"1"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("renaming the department = %d", res.StatusCode)
		}

		// Alex's department changes of today: the creation and the rename.
		today := "/admin/audit?from=2026-03-16&to=2026-03-16&actor=alex&entity_type=department"
		_, body := admin.Get(today)
		rows := regexp.MustCompile(`<tr id="event-\d+">`).FindAllString(body, -1)
		if len(rows) != 2 {
			t.Fatalf("today's department changes by Alex: %d rows, want 2:\n%s", len(rows), between(body, `<tbody>`, `</table></div>`))
		}
		rename := between(body, rows[0], "</tr>\n")
		for _, want := range []string{`<th scope="row">Name</th><td class="before">Audit Trail</td><td class="after">Audit and Trail</td>`,
			`<th scope="row">Billing mode</th><td class="before">showback</td><td class="after">chargeback</td>`} {
			if !strings.Contains(rename, want) {
				t.Errorf("the rename does not show %s:\n%s", want, rename)
			}
		}
		if strings.Contains(rename, `<th scope="row">Code</th>`) {
			t.Errorf("the rename lists the code, which did not change:\n%s", rename)
		}
		if strings.Contains(body, `<pre class="json">`) {
			t.Error("the audit log still shows raw JSON")
		}
		for _, want := range []string{`<input type="date" id="from" name="from" value="2026-03-16">`, `<option value="department" selected>Department</option>`,
			`value="alex"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the filters do not keep %s", want)
			}
		}
		// Another day, another person: nothing.
		for _, q := range []string{"/admin/audit?from=2026-03-17&entity_type=department", "/admin/audit?actor=nobody-here&entity_type=department",
			"/admin/audit?to=2026-03-15&actor=alex&entity_type=department"} {
			if _, body := admin.Get(q); strings.Contains(body, "Audit Trail") {
				t.Errorf("%s lists the department's changes", q)
			}
		}
		if res, _ := admin.Get("/admin/audit?from=16/03/2026"); res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a date that is not one = %d, want it refused", res.StatusCode)
		}

		// The CSV has the same two changes, and what changed in words.
		link := regexp.MustCompile(`<a href="([^"]*format=csv[^"]*)" download>`).FindStringSubmatch(body)
		if link == nil {
			t.Fatal("no CSV link on the audit log")
		}
		res, csvBody := admin.Get("/admin/audit" + strings.ReplaceAll(link[1], "&amp;", "&"))
		records, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
		if err != nil || res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("audit CSV = %d %v: %s", res.StatusCode, err, csvBody)
		}
		if len(records) != 3 || strings.Join(records[0], ",") != "at,actor,action,entity_type,entity_id,summary,changes,before,after" {
			t.Fatalf("audit CSV = %q, want a header and 2 rows", records)
		}
		if r := records[1]; r[0] != "2026-03-16T09:30:00Z" || r[1] != "Alex Morgan" || r[3] != "department" ||
			!strings.Contains(r[6], "name: Audit Trail → Audit and Trail") || !strings.Contains(r[6], "billing_mode: showback → chargeback") {
			t.Errorf("the rename in the CSV = %q", r)
		}
		// The API filters the same way.
		api := clientOf(t, e, "admin@example.com")
		status, got := api.json("GET", "/audit-events?entity_type=department&actor=ALEX&from=2026-03-16T00:00:00Z&until=2026-03-17T00:00:00Z", "")
		if items, _ := got["items"].([]any); status != 200 || len(items) != 2 {
			t.Errorf("API audit events of the day = %d, %d items; want 2: %v", status, len(items), got)
		}
		if status, got := api.json("GET", "/audit-events?entity_type=department&until=2026-03-16T00:00:00Z&actor=alex", ""); status != 200 || strings.Contains(fmt.Sprint(got), "Audit Trail") {
			t.Errorf("API audit events before the day = %d: %v", status, got)
		}
		// Administrators only.
		if res, _ := e.SignIn(t, "finance@example.com").Get("/admin/audit?format=csv"); res.StatusCode != http.StatusForbidden {
			t.Errorf("audit CSV for finance = %d, want 403", res.StatusCode)
		}
	})
}

// TestNeedsDashboardHeadline: the dashboard opens on four figures: needs
// open now, overdue, decided in the range (this quarter by default) and
// what reuse saved; the range is chosen with two dates.
func TestNeedsDashboardHeadline(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		count := func(query string, args ...any) int {
			t.Helper()
			var n int
			if err := e.DB.QueryRow(ctx, query, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		open := count("SELECT COUNT(*) FROM needs WHERE state NOT IN ('draft', 'closed', 'rejected', 'withdrawn')")
		decided := func(from, until time.Time) int {
			return count("SELECT COUNT(*) FROM needs WHERE decision_option_id IS NOT NULL AND decided_at >= ? AND decided_at < ?", from.UTC(), until.UTC())
		}
		var zone string
		if err := e.DB.QueryRow(ctx, "SELECT l.time_zone FROM people p JOIN locations l ON l.id = p.location_id WHERE p.email = 'board@example.com'").Scan(&zone); err != nil {
			t.Fatal(err)
		}
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		quarter := decided(time.Date(2026, 1, 1, 0, 0, 0, 0, loc), time.Date(2026, 4, 1, 0, 0, 0, 0, loc))
		march := decided(time.Date(2026, 3, 1, 0, 0, 0, 0, loc), time.Date(2026, 3, 11, 0, 0, 0, 0, loc))
		if open == 0 || quarter == 0 || march == 0 || march == quarter {
			t.Fatalf("the demo data does not exercise the headline: %d open, %d decided this quarter, %d in 1–10 March", open, quarter, march)
		}

		board := e.SignIn(t, "board@example.com") // sees every need
		_, body := board.Get("/needs/dashboard")
		figure := func(body, id string) string {
			m := regexp.MustCompile(`(?s)<li id="` + id + `"[^>]*>.*?<span class="figure">(.*?)</span>`).FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no headline figure %s", id)
			}
			return m[1]
		}
		overdue := strings.Count(between(body, `id="overdue-needs"`, "</table>"), `<span class="label overdue">`)
		if got := figure(body, "headline-open"); got != fmt.Sprint(open) {
			t.Errorf("open = %s, want %d", got, open)
		}
		if got := figure(body, "headline-overdue"); got != fmt.Sprint(overdue) || overdue == 0 {
			t.Errorf("overdue = %s, want the %d of the overdue table", got, overdue)
		}
		if got := figure(body, "headline-decided"); got != fmt.Sprint(quarter) || !strings.Contains(body, "by the board this quarter") {
			t.Errorf("decided this quarter = %s, want %d", got, quarter)
		}
		if !strings.Contains(body, `<input type="date" id="from" name="from" value="2026-01-01">`) || !strings.Contains(body, `<input type="date" id="to" name="to" value="2026-03-31">`) {
			t.Error("the range does not default to this quarter, 1 January to 31 March 2026")
		}
		if strings.Index(body, `id="headline"`) > strings.Index(body, `id="stages"`) {
			t.Error("the headline figures are not at the top")
		}

		_, body = board.Get("/needs/dashboard?from=2026-03-01&to=2026-03-10")
		if got := figure(body, "headline-decided"); got != fmt.Sprint(march) || !strings.Contains(body, "by the board from 1 Mar 2026 to 10 Mar 2026") {
			t.Errorf("decided 1–10 March = %s, want %d", got, march)
		}
		if got := figure(body, "headline-open"); got != fmt.Sprint(open) {
			t.Errorf("open with a range = %s, want %d: open needs are those open now", got, open)
		}
		if res, _ := board.Get("/needs/dashboard?from=2026-03-10&to=2026-03-01"); res.StatusCode == 200 {
			t.Error("a range that ends before it starts is shown")
		}
	})
}

// TestNeedPageProgress: a need's page opens with its stages, done, current
// and to come; a decided need says what was decided before anything else;
// the forms to propose an option and record a review open on demand.
func TestNeedPageProgress(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		ref := func(where string) string {
			t.Helper()
			var r string
			if err := e.DB.QueryRow(ctx, "SELECT reference FROM needs WHERE "+where+" ORDER BY id LIMIT 1").Scan(&r); err != nil {
				t.Fatalf("no demo need where %s: %v", where, err)
			}
			return r
		}
		steps := func(body string) string {
			var out []string
			for _, m := range regexp.MustCompile(`<li class="(done|current|todo)"[^>]*>([^<]+)`).FindAllStringSubmatch(between(body, `<ol class="progress"`, "</ol>"), -1) {
				out = append(out, m[2]+"="+m[1])
			}
			return strings.Join(out, ", ")
		}
		board := e.SignIn(t, "board@example.com")

		_, body := board.Get("/needs/" + ref("state = 'approved' AND decision_option_id IS NOT NULL"))
		if got, want := steps(body), "Draft=done, Submitted=done, Being triaged=done, Being assessed=done, Waiting for a decision=done, Approved=current, In delivery=todo, Delivered=todo, Closed=todo"; got != want {
			t.Errorf("an approved need's stages = %q, want %q", got, want)
		}
		if !strings.Contains(body, `<li class="current" aria-current="step">Approved</li>`) {
			t.Error("the current stage is not marked as the current step")
		}
		decision, about, options := strings.Index(body, `<h2 id="decision">`), strings.Index(body, `<h2 id="about">`), strings.Index(body, `<h2 id="options">`)
		if decision < 0 || decision > about || decision > options || strings.Count(body, `<h2 id="decision">`) != 1 {
			t.Errorf("the decision is not summarised first: at %d, about at %d, options at %d", decision, about, options)
		}
		if !strings.Contains(between(body, `<h2 id="decision">`, "</section>"), "The portfolio board chose") {
			t.Error("the decision summary does not say what the board chose")
		}

		_, body = board.Get("/needs/" + ref("state = 'rejected'"))
		if got := steps(body); !strings.HasSuffix(got, "Rejected=current") || strings.Contains(got, "todo") || !strings.HasPrefix(got, "Draft=done") {
			t.Errorf("a rejected need's stages = %q, want the stages it went through, then Rejected", got)
		}
		if strings.Index(body, `<h2 id="decision">`) > strings.Index(body, `<h2 id="about">`) {
			t.Error("a rejected need does not say so first")
		}

		_, body = board.Get("/needs/" + ref("state = 'triage'"))
		if got := steps(body); !strings.HasPrefix(got, "Draft=done, Submitted=done, Being triaged=current, Being assessed=todo") {
			t.Errorf("a need in triage: stages = %q", got)
		}
		if strings.Index(body, `<h2 id="decision">`) < strings.Index(body, `<h2 id="options">`) {
			t.Error("an undecided need puts the decision first")
		}

		// The BRM's forms wait behind their summaries until asked for.
		brm := e.SignIn(t, "brm@example.com")
		var need string
		rows, err := e.DB.Query(ctx, "SELECT reference FROM needs WHERE state = 'assessment' ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for rows.Next() {
			var r string
			rows.Scan(&r)
			refs = append(refs, r)
		}
		rows.Close()
		for _, r := range refs {
			if _, body := brm.Get("/needs/" + r); strings.Contains(body, `id="option-details"`) {
				need = r
				break
			}
		}
		if need == "" {
			t.Fatal("the BRM may propose an option on no need being assessed")
		}
		_, body = brm.Get("/needs/" + need)
		if !strings.Contains(body, `<details class="form-details no-print" id="option-details">`) {
			t.Error("the option form is open before it is asked for")
		}
		if !strings.Contains(body, `href="?form=option#option-details"`) {
			t.Error("What you can do does not link to the option form")
		}
		_, body = brm.Get("/needs/" + need + "?form=option")
		if !strings.Contains(body, `<details class="form-details no-print" id="option-details" open>`) {
			t.Error("the option form is closed when asked for")
		}
	})
}

// moveTo moves a person to the location with the given code ("" for none).
func moveTo(t *testing.T, e *apptest.Engage, email, code string) {
	t.Helper()
	ctx := context.Background()
	var personID, locationID int64
	if err := e.DB.QueryRow(ctx, "SELECT id FROM people WHERE email = ?", email).Scan(&personID); err != nil {
		t.Fatal(err)
	}
	if code != "" {
		if err := e.DB.QueryRow(ctx, "SELECT id FROM locations WHERE code = ?", code).Scan(&locationID); err != nil {
			t.Fatal(err)
		}
	}
	person, err := e.Org.FindPersonByID(ctx, personID)
	if err != nil {
		t.Fatal(err)
	}
	in := person.Input()
	in.LocationID = locationID
	if _, err := e.Org.UpdatePerson(ctx, system, person.ID, person.Version, in); err != nil {
		t.Fatal(err)
	}
}

// between returns the part of s from the first from to the next to, for
// failure messages.
func between(s, from, to string) string {
	i := strings.Index(s, from)
	if i < 0 {
		return s
	}
	j := strings.Index(s[i:], to)
	if j < 0 {
		return s[i:]
	}
	return s[i : i+j+len(to)]
}
