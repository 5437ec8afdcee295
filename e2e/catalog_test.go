package e2e

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/org"
)

// stepTimeout bounds the browser work of one step of a story.
const stepTimeout = 20 * time.Second

// TestRequesterOrdersAndBudgetHolderApproves follows a purchase from end to
// end: Riley Chen of the Biology Laboratory finds servers in the catalog,
// compares the cloud VM with the legacy rack server, saves a quote for 20
// cloud VMs and orders it; the order's whole-term cost reaches €5,000, so
// Dana Whitfield, budget holder of Discovery Science above the lab, must
// approve it, in a browser of her own. Then the lab has the subscription.
//
// The amounts follow from the demo prices on the test clock's day,
// 2026-03-16: a medium cloud VM costs €62.00 a unit-month (since 1 January
// 2026), a standard rack server €180.00 a unit-month plus €2,500.00 once.
func TestRequesterOrdersAndBudgetHolderApproves(t *testing.T) {
	const (
		qty         = 20
		vmMonthly   = "€1,240.00"   // 20 × 62.00
		vmTerm      = "€44,640.00"  // 36 × 1,240.00
		srvMonthly  = "€3,600.00"   // 20 × 180.00
		srvOneTime  = "€2,500.00"   // once per order line
		srvTerm     = "€132,100.00" // 2,500.00 + 36 × 3,600.00
		today       = "2026-03-16"
		todayShown  = "16 Mar 2026" // as pages write it
		validUntil  = "15 Apr 2026" // a quote is valid for 30 days
		vmName      = "Cloud VM — medium (4 vCPU, 16 GB)"
		serverName  = "Rack server — standard"
		vmService   = "Cloud virtual machines"
		serverTitle = "Physical server (legacy)"
	)
	// A VM and a server are different units: the sentence says what each
	// column prices.
	summary := "Counted in different units (20 servers of " + serverName + ", 20 VMs of " + vmName + "): " + vmName + " costs €87,460.00 less over three years than " + serverName +
		" (€2,360.00 less each month), and is ready in 1 working day instead of 20 working days."

	browser := startBrowser(t, 2*len(apptest.Engines))
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := context.Background()
			sys := access.System("test")
			vm := offeringID(t, e, "cloud-vm", "cloud-vm-medium")
			server := offeringID(t, e, "physical-server", "physical-server-standard")
			// Dana Whitfield heads the Biology Laboratory (and Discovery
			// Science above it), so she is the lab's budget holder.
			if bio := department(t, e, "BIO"); bio.HeadName != "Dana Whitfield" {
				t.Fatalf("the demo's BIO head is %q; want Dana Whitfield", bio.HeadName)
			}
			name := "requester-orders-" + engine
			riley := openPage(t, browser, e.URL, name)

			step(t, "1. search the catalog", func() {
				riley.signIn("requester@example.com")
				riley.open("/catalog")
				riley.expectText(CSS("main h1"), "IT services")
				riley.do("typing in the search box", chromedp.SendKeys(CSS("#q"), "server"))
				riley.follow("searching the catalog", chromedp.Click(CSS(`form[role="search"] button[type="submit"]`)))
				if loc := riley.location(); !strings.Contains(loc, "q=server") {
					t.Errorf("after searching the page is %s, want the query q=server", loc)
				}
				if got := riley.text(CSS("main .toolbar p strong")); !strings.HasSuffix(got, "services") && !strings.HasSuffix(got, "service") {
					t.Errorf("result count = %q, want a number of services", got)
				}
				cards := riley.texts("main .cards .card h3")
				for _, want := range []string{vmService, serverTitle} {
					if !slices.Contains(cards, want) {
						t.Errorf("searching for server shows the cards %q, want one named %q", cards, want)
					}
				}
				riley.screenshot(name + "-search.png")
			}, riley)

			step(t, "2. compare the rack server with the cloud VM", func() {
				results := strings.TrimPrefix(riley.location(), e.URL)
				// Each service page lists its own offerings with a tick box
				// to compare them and today's price.
				for _, s := range []struct {
					slug, title, offering, price string
					id                           int64
				}{
					{"physical-server", serverTitle, serverName, "€180.00 per server-month, plus €2,500.00 to set up", server},
					{"cloud-vm", vmService, vmName, "€62.00 per VM-month", vm},
				} {
					riley.follow("opening "+s.title, chromedp.Click(CSS(`main .cards a[href="/catalog/`+s.slug+`"]`)))
					riley.expectText(CSS("main h1"), s.title)
					box := CSS("#cmp-" + strconv.FormatInt(s.id, 10))
					if label := riley.attr(box, "aria-label"); label != "Compare "+s.offering {
						t.Errorf("%s: tick box %s is labelled %q, want %q", s.slug, box, label, "Compare "+s.offering)
					}
					row := rowWith(riley.rows("#offerings + form table"), s.offering)
					if row == nil || !strings.Contains(row[2], s.price) {
						t.Errorf("%s: the row of %s is %q, want today's price %q", s.slug, s.offering, row, s.price)
					}
					riley.open(results)
				}
				// A service page compares only its own offerings, so the
				// cloud VM and the rack server are compared by address.
				riley.open("/compare?o=" + strconv.FormatInt(server, 10) + "&o=" + strconv.FormatInt(vm, 10) + "&qty=" + strconv.Itoa(qty))
				riley.expectText(CSS("main h1"), "Compare offerings")
				if v := riley.value(CSS("#qty")); v != strconv.Itoa(qty) {
					t.Errorf("How many? = %q, want %d", v, qty)
				}
				if got := riley.text(CSS("#summary")); got != summary {
					t.Errorf("comparison summary = %q, want %q", got, summary)
				}
				head := riley.texts("main table thead th")
				if len(head) != 3 || !strings.HasPrefix(head[1], serverName) || !strings.HasPrefix(head[2], vmName) {
					t.Fatalf("comparison columns = %q, want %s then %s", head, serverName, vmName)
				}
				rows := riley.rows("main table")
				for _, want := range [][]string{
					{"Per month", srvMonthly, vmMonthly},
					{"One-time", srvOneTime, "€0.00"},
					{"Three years", srvTerm, vmTerm + " cheapest"},
				} {
					if got := rowWith(rows, want[0]); !slices.Equal(got, want) {
						t.Errorf("comparison row %s = %q, want %q", want[0], got, want)
					}
				}
				if n := riley.count("main table tbody .label.ok"); n != 1 {
					t.Errorf("the comparison has %d cheapest labels, want 1", n)
				}
				if col := riley.evalString(`String([...document.querySelector('main table tbody .label.ok').closest('tr').cells].indexOf(document.querySelector('main table tbody .label.ok').closest('td')))`); col != "2" {
					t.Errorf("the cheapest label is in column %s, want column 2 (the cloud VM)", col)
				}
				if n := riley.count("main figure svg.chart rect"); n != 2 {
					t.Errorf("the chart has %d bars, want 2", n)
				}
				if got := riley.evalString(`(document.querySelector('svg.chart rect.bar-best')?.previousElementSibling?.textContent ?? '')`); got != vmName {
					t.Errorf("the highlighted bar of the chart is labelled %q, want %q", got, vmName)
				}
				if got := riley.texts("svg.chart text.chart-value"); !slices.Equal(got, []string{srvTerm, vmTerm}) {
					t.Errorf("chart values = %q, want %q", got, []string{srvTerm, vmTerm})
				}
				riley.screenshot(name + "-compare.png")
			}, riley)

			var quote string
			step(t, "3. get a quote for 20 cloud VMs", func() {
				link := `main table a[href^="/quotes/new?o=` + strconv.FormatInt(vm, 10) + `&"]`
				if got := riley.text(CSS(link)); got != "Get a quote" {
					t.Errorf("the cloud VM column's link says %q, want Get a quote", got)
				}
				riley.follow("clicking Get a quote under the cloud VM", chromedp.Click(CSS(link)))
				riley.expectText(CSS("main h1"), "Get a quote")
				if got := riley.evalString(`document.querySelector('#o0').selectedOptions[0].text`); got != vmService+" — "+vmName {
					t.Errorf("the first line of the quote is %q, want %q", got, vmService+" — "+vmName)
				}
				riley.do("entering the quantity",
					chromedp.Clear(CSS("#q0")),
					chromedp.SendKeys(CSS("#q0"), strconv.Itoa(qty)),
				)
				if status := riley.follow("pressing Update prices", chromedp.Click(CSS(`main form button[name="action"][value="price"]`))); status != 200 {
					t.Errorf("Update prices: status %d, want 200", status)
				}
				if v := riley.value(CSS("#q0")); v != strconv.Itoa(qty) {
					t.Errorf("after Update prices the quantity is %q, want %d", v, qty)
				}
				rows := riley.rows("main table.quote-lines")
				if got := rows[0]; len(got) < 2 || got[len(got)-2] != vmMonthly {
					t.Errorf("the first quote line = %q, want %s a month", got, vmMonthly)
				}
				if got := rowWith(rows, "Total"); !slices.Contains(got, vmMonthly) {
					t.Errorf("the live monthly total = %q, want %s", got, vmMonthly)
				}
				if got := rowWith(rows, "Over 36 months"); !slices.Contains(got, vmTerm) {
					t.Errorf("the live 36-month total = %q, want %s", got, vmTerm)
				}
				if v := riley.value(CSS("#term")); v != "36" {
					t.Errorf("term = %q, want 36 months", v)
				}
				riley.screenshot(name + "-quote-form.png")

				riley.follow("pressing Save quote", chromedp.Click(CSS(`main form button[name="action"][value="save"]`)))
				quote = riley.text(CSS("main h1"))
				if !regexp.MustCompile(`^Q-2026-\d{6}$`).MatchString(quote) {
					t.Fatalf("the saved quote's heading is %q, want a number like Q-2026-000002", quote)
				}
				if loc := riley.location(); !strings.HasSuffix(loc, "/quotes/"+quote) {
					t.Errorf("the saved quote is at %s, want /quotes/%s", loc, quote)
				}
				if flash := riley.text(CSS(".flash")); !strings.Contains(flash, "Quote "+quote+" saved") {
					t.Errorf("flash = %q, want it to say quote %s was saved", flash, quote)
				}
				facts := riley.facts()
				for k, want := range map[string]string{"For": "Biology Laboratory", "Valid until": validUntil, "Term": "36 months"} {
					if facts[k] != want {
						t.Errorf("quote %s = %q, want %q", k, facts[k], want)
					}
				}
				if !strings.HasPrefix(facts["Requested by"], "Riley Chen") {
					t.Errorf("quote Requested by = %q, want Riley Chen", facts["Requested by"])
				}
				rows = riley.rows("main .document table")
				line := rowWith(rows, "1")
				if line == nil || !strings.HasPrefix(line[1], vmService+" — "+vmName) ||
					!slices.Equal(line[2:], []string{strconv.Itoa(qty), "€0.00", vmMonthly, vmTerm}) {
					t.Errorf("quote line 1 = %q, want %s — %s, %d, €0.00, %s, %s", line, vmService, vmName, qty, vmMonthly, vmTerm)
				}
				if got := rowWith(rows, "Total"); !slices.Equal(got, []string{"Total", "€0.00", vmMonthly, vmTerm}) {
					t.Errorf("quote total = %q, want %s over 36 months", got, vmTerm)
				}
				riley.screenshot(name + "-quote.png")
			}, riley)

			var order, request string
			step(t, "4. order the quote", func() {
				if v := riley.value(CSS("#start_date")); v != today {
					t.Errorf("the order's start date is %q by default, want today %s", v, today)
				}
				riley.follow("pressing Order", chromedp.Click(CSS(`main form[action="/quotes/`+quote+`/order"] button[type="submit"]`)))
				order = strings.TrimPrefix(riley.text(CSS("main h1")), "Order ")
				if !regexp.MustCompile(`^ORD-2026-\d{6}$`).MatchString(order) {
					t.Fatalf("the order page's heading is %q, want Order ORD-2026-…", riley.text(CSS("main h1")))
				}
				if flash := riley.text(CSS(".flash")); !strings.Contains(flash, "waits for approval") {
					t.Errorf("flash = %q, want it to say the order waits for approval", flash)
				}
				if got := riley.text(CSS("#order-status")); got != "Waiting for approval" {
					t.Errorf("order status = %q, want Waiting for approval", got)
				}
				if got := riley.text(CSS("main ol.timeline")); !strings.Contains(got, "Waiting for approval.") {
					t.Errorf("the order's timeline = %q, want it waiting for approval", got)
				}
				if got := riley.facts()["Takes effect"]; got != todayShown {
					t.Errorf("the order takes effect %q, want %s", got, todayShown)
				}
				request = riley.attr(CSS(`main ol.timeline a[href^="/approvals/"]`), "href")
				riley.screenshot(name + "-order.png")
			}, riley)

			step(t, "5. the budget holder declines without a reason, then approves", func() {
				dana := openPage(t, browser, e.URL, name+"-budget-holder")
				defer dana.limit(stepTimeout)()
				dana.signIn("budget@example.com")
				dana.open("/approvals")
				dana.expectText(CSS("main h1"), "Approvals")
				title := "Order " + order + " for Biology Laboratory"
				href := dana.evalString(`([...document.querySelectorAll('main table a')].find(a => a.textContent.trim() === ` + quoteJS(title) + `)?.getAttribute('href') ?? '')`)
				if href == "" {
					t.Fatalf("the approvals inbox does not list %q: %s", title, dana.text(CSS("main")))
				}
				if href != request {
					t.Errorf("the inbox links %q to %s, the order page to %s", title, href, request)
				}
				row := rowWith(dana.rows(`main h2#waiting + .table-wrap table`), title)
				if row == nil || !strings.HasPrefix(row[0], title) || !strings.Contains(row[0], "Asked by Riley Chen for Biology Laboratory") ||
					!strings.HasPrefix(row[1], "Approve or decline") || amount(row[2]) != "44640.00" {
					t.Errorf("the inbox row = %q, want Riley Chen, Biology Laboratory, 44,640.00 EUR", row)
				}
				dana.follow("opening the request", chromedp.Click(CSS(`main table a[href="`+href+`"]`)))
				dana.expectText(CSS("main h1"), title)
				dana.expectText(CSS("#status"), "Waiting for approval")
				if got := dana.facts(); got["What it costs"] != vmTerm+" over 36 months ("+vmMonthly+" a month)" || got["Asked by"] != "Riley Chen" ||
					!strings.HasSuffix(got["Biology Laboratory spends now"], "on its services today, at today's prices") {
					t.Errorf("the request says %q, want Riley Chen asking for %s over 36 months and the lab's spend today", got, vmTerm)
				}
				// The approver sees what is ordered, not only the total.
				if asked := rowWith(dana.rows("#asked-lines"), vmService+" — "+vmName); asked == nil || asked[1] != strconv.Itoa(qty) || asked[3] != vmMonthly {
					t.Errorf("the request's order lines = %q, want %d × %s at %s a month", dana.rows("#asked-lines"), qty, vmName, vmMonthly)
				}

				if v := dana.value(CSS("#reason")); v != "" {
					t.Fatalf("the reason box holds %q, want it empty", v)
				}
				if status := dana.follow("declining without a reason", chromedp.Click(CSS(`main form button[name="verdict"][value="decline"]`))); status != 422 {
					t.Errorf("declining without a reason: status %d, want 422", status)
				}
				if got := dana.text(CSS(".error-summary")); !strings.Contains(got, "There is a problem") {
					t.Errorf("error summary = %q, want it to say there is a problem", got)
				}
				if got := dana.text(CSS(`.error-summary a[href="#reason"]`)); !strings.Contains(strings.ToLower(got), "reason") {
					t.Errorf("the error about #reason says %q, want it to ask for a reason", got)
				}
				if inv := dana.attr(CSS("#reason"), "aria-invalid"); inv != "true" {
					t.Errorf("#reason aria-invalid = %q, want true", inv)
				}
				dana.expectText(CSS("#status"), "Waiting for approval")
				dana.screenshot(name + "-decline-without-reason.png")

				dana.follow("approving", chromedp.Click(CSS(`main form button[name="verdict"][value="approve"]`)))
				dana.expectText(CSS("#status"), "Approved")
				if flash := dana.text(CSS(".flash")); !strings.Contains(flash, "You approved") {
					t.Errorf("flash = %q, want it to say you approved", flash)
				}
				if got := dana.text(CSS("main")); !strings.Contains(got, "Dana Whitfield approved") {
					t.Errorf("the request's timeline does not show Dana Whitfield's approval: %s", got)
				}
				if n := dana.count(`main form button[name="verdict"]`); n != 0 {
					t.Errorf("the approved request still offers %d decision buttons", n)
				}
				dana.screenshot(name + "-approved.png")
			}, riley)

			step(t, "6. the requester sees the order approved and the subscription", func() {
				riley.do("reloading the order", chromedp.Reload())
				if got := riley.text(CSS("#order-status")); got != "Approved" {
					t.Errorf("order status after the approval = %q, want Approved", got)
				}
				if got := riley.text(CSS("main ol.timeline")); !strings.Contains(got, "Subscriptions start on "+todayShown) {
					t.Errorf("the order's timeline = %q, want the subscriptions to start on %s", got, todayShown)
				}
				riley.follow("opening Your department's services", chromedp.Click(CSS(`main ol.timeline a[href="/subscriptions"]`)))
				riley.expectText(CSS("main h1"), "Your department's services")
				var found int
				for _, row := range riley.rows("main table") {
					if len(row) >= 3 && strings.HasPrefix(row[0], vmService+" — "+vmName) && row[1] == strconv.Itoa(qty) && row[2] == todayShown {
						found++
					}
				}
				if found != 1 {
					t.Errorf("Your department's services has %d rows %s — %s × %d since %s, want 1: %q",
						found, vmService, vmName, qty, todayShown, riley.rows("main table"))
				}
				riley.screenshot(name + "-subscriptions.png")
			}, riley)

			// The subscription is in the database, made by the order.
			o, err := e.Catalog.FindOrder(ctx, sys, order)
			if err != nil {
				t.Fatal(err)
			}
			if o.Status != catalog.OrderApproved || o.DepartmentName != "Biology Laboratory" {
				t.Errorf("order %s = %s for %s, want approved for Biology Laboratory", order, o.Status, o.DepartmentName)
			}
			subs, err := e.Catalog.ListSubscriptions(ctx, sys, catalog.SubscriptionFilter{DepartmentID: o.DepartmentID})
			if err != nil {
				t.Fatal(err)
			}
			var made []catalog.Subscription
			for _, s := range subs {
				if s.OrderID == o.ID {
					made = append(made, s)
				}
			}
			switch {
			case len(made) != 1:
				t.Errorf("order %s made %d subscriptions, want 1: %+v", order, len(made), made)
			case made[0].OfferingID != vm || !made[0].Quantity.Equal(decimal.NewFromInt(qty)) || made[0].StartDate.String() != today ||
				made[0].DepartmentName != "Biology Laboratory" || made[0].EndDate != nil:
				s := made[0]
				t.Errorf("subscription = offering %d, quantity %s from %s for %s, end %v; want offering %d (%s), %d from %s for Biology Laboratory, open-ended",
					s.OfferingID, s.Quantity, s.StartDate, s.DepartmentName, s.EndDate, vm, vmName, qty, today)
			}
		})
	}
}

// offeringID looks up a demo offering by the URL names of its service and
// itself.
func offeringID(t *testing.T, e *apptest.Engage, service, offering string) int64 {
	t.Helper()
	d, err := e.Catalog.FindService(context.Background(), access.System("test"), service)
	if err != nil {
		t.Fatalf("finding the service %s: %v", service, err)
	}
	for _, o := range d.Offerings {
		if o.Slug == offering {
			return o.ID
		}
	}
	t.Fatalf("the service %s has no offering %s", service, offering)
	return 0
}

// department returns the demo department with a code.
func department(t *testing.T, e *apptest.Engage, code string) org.Department {
	t.Helper()
	list, _, err := e.Org.ListDepartments(context.Background(), access.System("test"), org.ListFilter{Query: code, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		if d.Code == code {
			return d
		}
	}
	t.Fatalf("the demo data has no department %s", code)
	return org.Department{}
}

// step runs one step of a story, bounding the browser work of each page
// with stepTimeout, and logs how long it took.
func step(t *testing.T, what string, fn func(), pages ...*page) {
	t.Helper()
	start := time.Now()
	for _, p := range pages {
		defer p.limit(stepTimeout)()
	}
	fn()
	t.Logf("%s: %s", what, time.Since(start).Round(time.Millisecond))
}

// limit bounds the page's browser work by d until the returned func runs.
func (p *page) limit(d time.Duration) func() {
	parent := p.ctx
	ctx, cancel := context.WithTimeout(parent, d)
	p.ctx = ctx
	return func() {
		cancel()
		p.ctx = parent
	}
}

// texts returns the visible text of every element that matches a CSS
// selector, trimmed.
func (p *page) texts(sel string) []string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(`+quoteJS(sel)+`)].map(e => (e.innerText ?? e.textContent).trim())`))
	if err != nil {
		p.t.Fatalf("reading the texts of %s: %v", sel, err)
	}
	return s
}

// rows returns the visible text of the cells of every row of the first
// table that matches a CSS selector: head, body and foot.
func (p *page) rows(table string) [][]string {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.WaitReady(CSS(table))); err != nil {
		p.t.Fatalf("waiting for %s: %v", table, err)
	}
	rows, err := chromedp.Run(p.ctx, chromedp.Evaluate[[][]string](`[...document.querySelector(`+quoteJS(table)+`).querySelectorAll('tbody tr, tfoot tr')]`+
		`.map(r => [...r.cells].map(c => c.innerText.trim().replace(/\s+/g, ' ')))`))
	if err != nil {
		p.t.Fatalf("reading the rows of %s: %v", table, err)
	}
	return rows
}

// facts returns the terms and descriptions of the page's first list of
// facts.
func (p *page) facts() map[string]string {
	p.t.Helper()
	m, err := chromedp.Run(p.ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries([...document.querySelectorAll('main dl.facts dt')]`+
		`.map(dt => [dt.innerText.trim(), (dt.nextElementSibling?.innerText ?? '').trim()]))`))
	if err != nil {
		p.t.Fatalf("reading the facts: %v", err)
	}
	return m
}

// rowWith returns the first row whose first cell with text starts with
// text, or nil.
func rowWith(rows [][]string, text string) []string {
	for _, r := range rows {
		for _, c := range r {
			if c != "" {
				if strings.HasPrefix(c, text) {
					return r
				}
				break
			}
		}
	}
	return nil
}

// amount keeps the digits and decimal point of an amount of euros written
// either way Engage writes them: "€44,640.00" or "44640.00 EUR".
func amount(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '.' {
			return r
		}
		return -1
	}, s)
}
