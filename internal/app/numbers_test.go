package app_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/apptest"
)

// refused checks that a request was answered 422 with an error at location
// whose message contains want.
func refused(t *testing.T, what string, status int, problem map[string]any, location, want string) {
	t.Helper()
	if status != 422 || !slices.Contains(locations(problem), location) {
		t.Errorf("%s = %d %.400v; want 422 at %s", what, status, problem, location)
		return
	}
	for _, x := range problem["errors"].([]any) {
		m := x.(map[string]any)
		if m["location"] == location && !strings.Contains(fmt.Sprint(m["message"]), want) {
			t.Errorf("%s: message at %s = %q; want %q in it", what, location, m["message"], want)
		}
		if len(fmt.Sprint(m["message"])) > 300 {
			t.Errorf("%s: a message of %d characters", what, len(fmt.Sprint(m["message"])))
		}
	}
}

// TestAPIRefusesNumbersOutOfRange sends amounts and quantities beyond their
// range or precision, and currencies that are not the organisation's, to
// every entry point of the API: each is refused naming the field, and
// nothing is stored.
func TestAPIRefusesNumbersOutOfRange(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		finance := clientOf(t, e, "finance@example.com")
		admin := clientOf(t, e, "admin@example.com")
		board := clientOf(t, e, "board@example.com")
		bio := departmentByCode(t, e, "BIO")

		// Usage: a quantity of 1e400 or 1e-400, as a number or a string.
		for i, q := range []string{`1e400`, `"1e400"`, `1e-400`, `"0.0000001"`, `"-1"`} {
			rec := fmt.Sprintf(`{"idempotency_key":"limit-%d","time":"2026-03-10T08:00:00Z","department":"BIO","offering":"hpc-core-hours","quantity":%s,"unit":"unit-hour"}`, i, q)
			status, rep := finance.json("POST", "/usage", "["+rec+"]")
			if status != 422 || !slices.Contains(locations(rep), "body[0].quantity") {
				t.Errorf("usage of %s = %d %v", q, status, rep)
			}
		}
		var stored int
		if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM usage_keys WHERE idempotency_key LIKE 'limit-%'").Scan(&stored); err != nil || stored != 0 {
			t.Errorf("%d refused usage records stored (%v)", stored, err)
		}

		// Adjustments: ±1e400, 23 decimals, a currency that does not exist
		// and one the organisation does not use.
		adjust := func(amount, currency string) (int, map[string]any) {
			return finance.json("POST", "/billing/adjustments", fmt.Sprintf(`{"department_id":%d,"amount":%s,"currency":%q,"reason":"limits"}`, bio.ID, amount, currency))
		}
		for _, a := range []string{`"1e400"`, `"-1e400"`, `"0.00000000000000000000001"`, `"1000000000000000"`, `1e300`} {
			status, problem := adjust(a, "EUR")
			refused(t, "adjustment of "+a, status, problem, "body.amount", "")
		}
		// A JSON number beyond a float's range is refused when the body is read.
		if status, _ := adjust(`1e400`, "EUR"); status != 400 && status != 422 {
			t.Errorf("adjustment of the number 1e400 = %d", status)
		}
		status, problem := adjust(`"12.5"`, "ZZZ")
		refused(t, "adjustment in ZZZ", status, problem, "body.currency", "ISO 4217")
		status, problem = adjust(`"12.5"`, "SEK")
		refused(t, "adjustment in SEK", status, problem, "body.currency", "not one of the currencies")
		// An amount is in range once rounded to the currency's minor unit:
		// -999999999999999.9999 would be a line of -10^15.
		status, problem = adjust(`"-999999999999999.9999"`, "usd")
		refused(t, "adjustment that rounds out of range", status, problem, "body.amount", "")
		if status, _ := adjust(`"-999999999999999.99"`, "usd"); status != 200 && status != 201 {
			t.Errorf("an adjustment at the limit = %d", status)
		}
		var adjustments int
		if err := e.DB.QueryRow(ctx, "SELECT COUNT(*) FROM adjustments WHERE reason = 'limits' AND currency IN ('EUR', 'ZZZ', 'SEK')").Scan(&adjustments); err != nil || adjustments != 0 {
			t.Errorf("%d refused adjustments stored (%v)", adjustments, err)
		}

		// A rate plan: a unit price of 1e400, a tier bound of 1e-400, a
		// currency the organisation does not use.
		var offering int64
		if err := e.DB.QueryRow(ctx, "SELECT id FROM offerings WHERE slug = 'hpc-core-hours'").Scan(&offering); err != nil {
			t.Fatal(err)
		}
		plan := func(fields string) (int, map[string]any) {
			return admin.json("POST", fmt.Sprintf("/offerings/%d/rate-plans", offering),
				`{"currency":"EUR","unit":"unit-hour","effective_from":"2026-06-01","unit_price":"0.05","fixed_monthly":"0","one_time":"0","minimum":"0","tiers":[]`+fields+`}`)
		}
		status, problem = plan(`,"unit_price":"1e400"`)
		refused(t, "unit price 1e400", status, problem, "body.rate_plan[0].unit_price", "10^12")
		status, problem = plan(`,"unit_price":"0.00000000001"`)
		refused(t, "unit price with 11 decimals", status, problem, "body.rate_plan[0].unit_price", "10 decimal places")
		status, problem = plan(`,"minimum":"1e400"`)
		refused(t, "minimum 1e400", status, problem, "body.rate_plan[0].minimum", "10^15")
		status, problem = plan(`,"unit_price":"0","tier_mode":"graduated","tiers":[{"up_to":"1e-400","unit_price":"1"},{"unit_price":"1"}]`)
		refused(t, "tier bound 1e-400", status, problem, "body.rate_plan[0].tiers[0].up_to", "6 decimal places")
		status, problem = plan(`,"currency":"ZZZ"`)
		refused(t, "rate plan in ZZZ", status, problem, "body.rate_plan.currency", "ISO 4217")

		// A need's budget and an option's costs.
		need := func(fields string) (int, map[string]any) {
			return clientOf(t, e, "requester@example.com").json("POST", "/needs", `{"title":"Limits","problem":"p","outcome":"o","data_class":"internal","users":5`+fields+`}`)
		}
		status, problem = need(`,"budget_max":"1e400"`)
		refused(t, "budget 1e400", status, problem, "body.budget_max", "10^15")
		status, problem = need(`,"budget_min":"1e-400"`)
		refused(t, "budget 1e-400", status, problem, "body.budget_min", "4 decimal places")
		status, problem = need(`,"currency":"ZZZ"`)
		refused(t, "need in ZZZ", status, problem, "body.currency", "ISO 4217")
		var ref string
		if err := e.DB.QueryRow(ctx, "SELECT reference FROM needs WHERE state = 'assessment' ORDER BY id LIMIT 1").Scan(&ref); err != nil {
			t.Fatal(err)
		}
		option := func(fields string) (int, map[string]any) {
			return board.json("POST", "/needs/"+ref+"/options", `{"kind":"buy","title":"Limits","vendor":"V","data_ceiling":"restricted"`+fields+`}`)
		}
		status, problem = option(`,"one_time":"1e400","monthly":"10"`)
		refused(t, "option one-time 1e400", status, problem, "body.one_time", "10^15")
		status, problem = option(`,"one_time":"0","monthly":"1e400"`)
		refused(t, "option monthly 1e400", status, problem, "body.monthly", "10^15")
		status, problem = option(`,"one_time":"0","monthly":"10","currency":"ZZZ"`)
		refused(t, "option in ZZZ", status, problem, "body.currency", "ISO 4217")

		// Cost pools, one by one and from CSV.
		pool := func(amount, currency string) (int, map[string]any) {
			return finance.json("POST", "/cost-pools", fmt.Sprintf(`{"period":"2026-02","category":"labour","name":"Limits","amount":%q,"currency":%q}`, amount, currency))
		}
		status, problem = pool("1e400", "EUR")
		refused(t, "cost pool 1e400", status, problem, "body.amount", "10^15")
		status, problem = pool("10.00001", "EUR")
		refused(t, "cost pool with 5 decimals", status, problem, "body.amount", "4 decimal places")
		status, problem = pool("10", "ZZZ")
		refused(t, "cost pool in ZZZ", status, problem, "body.currency", "ISO 4217")
		status, problem = finance.json("POST", "/cost-pools", `{"period":"2026-02","category":"labour","name":"Limits","amount":"10","currency":"EUR",`+
			`"allocation":{"method":"percent","targets":[{"service":"cloud-vm","percent":"1e-400"},{"service":"hpc","percent":"100"}]}}`)
		refused(t, "cost pool share of 1e-400", status, problem, "body.allocation.targets[0].percent", "6 decimal places")
		sales := departmentByCode(t, e, "SALES")
		status, problem = finance.json("POST", "/cloud-allocation-rules", fmt.Sprintf(
			`{"name":"Limits","action":"split","splits":[{"department_id":%d,"percent":"0.0000001"},{"department_id":%d,"percent":"99.9999999"}]}`, bio.ID, sales.ID))
		refused(t, "allocation rule share with 7 decimals", status, problem, "body.splits[0].percent", "6 decimal places")
		status, out := finance.do("POST", "/cost-pools/import", "text/csv", "period,category,name,amount,currency\n2026-02,labour,A,1e400,EUR\n2026-02,labour,B,10,ZZZ\n")
		if status != 422 || !slices.Contains(locations(out), "body line 2: amount") || !slices.Contains(locations(out), "body line 3: currency") {
			t.Errorf("cost pools CSV = %d %v", status, out)
		}

		// A cloud bill: a default currency that does not exist; a row
		// whose cost is 1e400.
		focus := "BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ProviderName,ServiceName,ChargeCategory\n" +
			"1e400,1,EUR,2026-03-01T00:00:00Z,2026-03-02T00:00:00Z,Cloud,Compute,Usage\n" +
			"2,2,EUR,2026-03-01T00:00:00Z,2026-03-02T00:00:00Z,Cloud,Compute,Usage\n"
		status, problem = finance.do("POST", "/cloud-imports?name=limits.csv&currency=ZZZ", "text/csv", focus)
		refused(t, "cloud bill in ZZZ", status, problem, "query.currency", "ISO 4217")
		status, rep := finance.do("POST", "/cloud-imports?name=limits.csv", "text/csv", focus)
		found := false
		for _, x := range append(asList(rep["errors"]), asList(rep["rows"])...) {
			if m, ok := x.(map[string]any); ok && m["line"] == 2.0 && m["column"] == "BilledCost" && strings.Contains(fmt.Sprint(m["message"]), "10^15") {
				found = true
			}
		}
		if status == 422 {
			for _, x := range asList(rep["errors"]) {
				if m, ok := x.(map[string]any); ok && strings.Contains(fmt.Sprint(m["location"]), "line 2") &&
					strings.Contains(fmt.Sprint(m["message"]), "BilledCost") && strings.Contains(fmt.Sprint(m["message"]), "10^15") {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("cloud bill with a cost of 1e400 = %d %.600v; want line 2, BilledCost refused", status, rep)
		}
		if status == 201 && rep["added"] != 1.0 {
			t.Errorf("cloud bill with a cost of 1e400 added %v rows; want only the other", rep["added"])
		}

		// Comparing offerings for a quantity of 1e-400.
		status, problem = admin.do("GET", fmt.Sprintf("/compare?offering_id=%d,%d&quantity=1e-400", offering, offering+1), "", "")
		refused(t, "compare 1e-400", status, problem, "query.quantity", "decimal places")
	})
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// TestCostsPagesShowHugeStoredTotals: statements stored before amounts had
// bounds (a total of 401 digits) still show on the costs pages, which draw
// their charts without converting the amounts to floating point.
func TestCostsPagesShowHugeStoredTotals(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		bio := departmentByCode(t, e, "BIO")
		huge := decimal.New(1, 400)
		res, err := e.DB.Exec(ctx, "UPDATE statements SET total = ? WHERE department_id = ? AND period = '2026-02'", huge, bio.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Fatal("BIO has no statement for 2026-02")
		}
		f := e.SignIn(t, "finance@example.com")
		for _, path := range []string{"/costs?department=" + strconv.FormatInt(bio.ID, 10), "/costs?department=" + strconv.FormatInt(bio.ID, 10) + "&period=2026-02"} {
			res, body := f.Get(path)
			if res.StatusCode != 200 || !strings.Contains(body, "000,000,000,000,000,000,000") {
				t.Errorf("GET %s = %d, want the page with the stored total", path, res.StatusCode)
			}
		}
	})
}

var minorUnit = regexp.MustCompile(`^-?\d+\.\d\d$`)

// TestAPIAmountsInMinorUnits: statement totals and line amounts, quote and
// order amounts come out of the API as strings with the currency's minor
// unit, as in the CSV exports; unit prices and exact amounts keep their
// precision; an approved order's lines name the subscriptions they created.
func TestAPIAmountsInMinorUnits(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		finance := clientOf(t, e, "finance@example.com")
		requester := clientOf(t, e, "requester@example.com")
		check := func(what string, v any) {
			t.Helper()
			if s, ok := v.(string); !ok || !minorUnit.MatchString(s) {
				t.Errorf("%s = %#v; want a string with 2 decimal places", what, v)
			}
		}

		status, list := finance.do("GET", "/statements?period=2026-01", "", "")
		items := asList(list["items"])
		if status != 200 || len(items) == 0 {
			t.Fatalf("statements = %d %v", status, list)
		}
		for _, x := range items {
			check("statement total", x.(map[string]any)["total"])
		}
		id := items[0].(map[string]any)["id"]
		status, st := finance.do("GET", fmt.Sprintf("/statements/%v", id), "", "")
		if status != 200 || len(asList(st["lines"])) == 0 {
			t.Fatalf("statement = %d %v", status, st)
		}
		for _, x := range asList(st["lines"]) {
			check("line amount", x.(map[string]any)["amount"])
		}
		// A total that is a whole number of euros is "190.00", not "190".
		var total decimal.Decimal
		if err := e.DB.QueryRow(ctx, "SELECT total FROM statements WHERE id = ?", id).Scan(&total); err != nil {
			t.Fatal(err)
		}
		if got := st["total"]; got != total.StringFixed(2) {
			t.Errorf("total = %v; stored %s", got, total)
		}

		// The trend of monthly totals writes them the same way.
		status, trend := finance.do("GET", "/costs/trend?department_id="+strconv.FormatInt(departmentByCode(t, e, "BIO").ID, 10), "", "")
		if status != 200 || len(asList(trend["months"])) == 0 {
			t.Fatalf("trend = %d %v", status, trend)
		}
		for _, m := range asList(trend["months"]) {
			for _, x := range asList(m.(map[string]any)["totals"]) {
				check("trend total", x.(map[string]any)["amount"])
			}
		}

		// A cheap quote of one month takes effect without approval.
		var offering int64
		if err := e.DB.QueryRow(ctx, `SELECT o.id FROM offerings o JOIN services s ON s.id = o.service_id JOIN rate_plans p ON p.offering_id = o.id
			WHERE s.data_ceiling <> 'restricted' AND s.lifecycle = 'live' AND o.lifecycle = 'live' AND p.unit = 'person-month' AND p.currency = 'EUR'
			AND p.one_time = 0 AND p.effective_to IS NULL ORDER BY o.id LIMIT 1`).Scan(&offering); err != nil {
			t.Fatal(err)
		}
		status, quote := requester.json("POST", "/quotes", fmt.Sprintf(`{"title":"Minor units","term_months":1,"lines":[{"offering_id":%d,"quantity":"2"}]}`, offering))
		if status != 201 {
			t.Fatalf("quote = %d %v", status, quote)
		}
		for _, f := range []string{"one_time", "monthly", "term_total"} {
			check("quote "+f, quote[f])
			check("quote line "+f, asList(quote["lines"])[0].(map[string]any)[f])
		}
		status, order := requester.json("POST", fmt.Sprintf("/quotes/%v/order", quote["number"]), `{}`)
		if status != 201 || order["status"] != "approved" {
			t.Fatalf("order = %d %v", status, order)
		}
		check("order monthly", order["monthly"])
		check("order one_time", order["one_time"])
		line := asList(order["lines"])[0].(map[string]any)
		check("order line monthly", line["monthly"])
		var sub int64
		if err := e.DB.QueryRow(ctx, "SELECT s.id FROM subscriptions s JOIN orders o ON o.id = s.order_id WHERE o.number = ?", order["number"]).Scan(&sub); err != nil {
			t.Fatal(err)
		}
		if line["subscription_id"] != float64(sub) {
			t.Errorf("order line subscription_id = %v; want %d", line["subscription_id"], sub)
		}
		status, again := requester.do("GET", fmt.Sprintf("/orders/%v", order["number"]), "", "")
		if status != 200 || asList(again["lines"])[0].(map[string]any)["subscription_id"] != float64(sub) {
			t.Errorf("GET order = %d %v", status, again)
		}
		// Orders approved before lines recorded their subscriptions were
		// matched by the migration: every approved new order's lines do.
		var missing int
		if err := e.DB.QueryRow(ctx, `SELECT COUNT(*) FROM order_lines l JOIN orders o ON o.id = l.order_id
			WHERE o.kind = 'new' AND o.status = 'approved' AND l.subscription_id IS NULL`).Scan(&missing); err != nil || missing != 0 {
			t.Errorf("%d lines of approved new orders name no subscription (%v)", missing, err)
		}
	})
}

// TestWebFormsRefuseNumbersOutOfRange: the adjustment, need and cost pool
// forms refuse amounts beyond their range and currencies the organisation
// does not use, the error shown at the field.
func TestWebFormsRefuseNumbersOutOfRange(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		bio := strconv.FormatInt(departmentByCode(t, e, "BIO").ID, 10)
		f := e.SignIn(t, "finance@example.com")
		for _, c := range []struct{ amount, currency, field, want string }{
			{"1e400", "EUR", "amount", "10^15"},
			{"-1e400", "EUR", "amount", "10^15"},
			{"1.00000000000000000000001", "EUR", "amount", "4 decimal places"},
			{"12.50", "ZZZ", "currency", "ISO 4217"},
		} {
			res, body := f.Post("/billing/adjustments", url.Values{"department_id": {bio}, "amount": {c.amount}, "currency": {c.currency}, "reason": {"limits"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#`+c.field+`"`) || !strings.Contains(body, c.want) {
				t.Errorf("adjustment of %s %s = %d; want 422 at %s saying %q", c.amount, c.currency, res.StatusCode, c.field, c.want)
			}
		}
		res, body := f.Post("/billing/cost-pools", url.Values{"period": {"2026-02"}, "category": {"labour"}, "name": {"Limits"}, "amount": {"1e400"}, "currency": {"EUR"}, "method": {"none"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#amount"`) || !strings.Contains(body, "10^15") {
			t.Errorf("cost pool of 1e400 = %d", res.StatusCode)
		}
		riley := e.SignIn(t, "requester@example.com")
		res, body = riley.Post("/needs", url.Values{"action": {"save"}, "title": {"Limits"}, "problem": {"p"}, "data_class": {"internal"}, "users": {"5"},
			"budget_max": {"1e400"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#budget_max"`) || !strings.Contains(body, "10^15") {
			t.Errorf("need with a budget of 1e400 = %d", res.StatusCode)
		}
	})
}

// TestMigrationNamesOrderLinesSubscriptions: lines of new orders approved
// before lines recorded their subscription get it from migration 18, the
// same one approval gives them now.
func TestMigrationNamesOrderLinesSubscriptions(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		lines := func() map[string]int64 {
			t.Helper()
			rows, err := e.DB.Query(ctx, `SELECT l.order_id, l.position, COALESCE(l.subscription_id, 0) FROM order_lines l JOIN orders o ON o.id = l.order_id
				WHERE o.kind = 'new' AND o.status = 'approved'`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := map[string]int64{}
			for rows.Next() {
				var order, position, sub int64
				if err := rows.Scan(&order, &position, &sub); err != nil {
					t.Fatal(err)
				}
				out[fmt.Sprintf("%d/%d", order, position)] = sub
			}
			return out
		}
		// An order of two lines of one offering and one of another, small
		// enough to take effect without approval.
		requester := clientOf(t, e, "requester@example.com")
		var a, b int64
		if err := e.DB.QueryRow(ctx, `SELECT MIN(o.id), MAX(o.id) FROM offerings o JOIN services s ON s.id = o.service_id JOIN rate_plans p ON p.offering_id = o.id
			WHERE s.data_ceiling <> 'restricted' AND s.lifecycle = 'live' AND o.lifecycle = 'live' AND p.unit = 'person-month' AND p.currency = 'EUR'
			AND p.one_time = 0 AND p.effective_to IS NULL AND p.unit_price < 20`).Scan(&a, &b); err != nil || a == b {
			t.Fatalf("offerings %d and %d: %v", a, b, err)
		}
		status, quote := requester.json("POST", "/quotes", fmt.Sprintf(`{"term_months":1,"lines":[{"offering_id":%d,"quantity":"1"},{"offering_id":%d,"quantity":"1"},{"offering_id":%d,"quantity":"2"}]}`, a, b, a))
		if status != 201 {
			t.Fatalf("quote = %d %v", status, quote)
		}
		if status, order := requester.json("POST", fmt.Sprintf("/quotes/%v/order", quote["number"]), `{}`); status != 201 || order["status"] != "approved" {
			t.Fatalf("order = %d %v", status, order)
		}
		want := lines()
		if len(want) < 3 {
			t.Fatalf("approved new order lines: %v", want)
		}
		if err := e.DB.MigrateTo(ctx, 17); err != nil {
			t.Fatal(err)
		}
		for k, sub := range lines() {
			if sub != 0 {
				t.Fatalf("before migration 18, line %s names subscription %d", k, sub)
			}
		}
		if err := e.DB.MigrateTo(ctx, 18); err != nil {
			t.Fatal(err)
		}
		if got := lines(); !maps.Equal(got, want) {
			t.Errorf("after migration 18 the lines name %v; approval named %v", got, want)
		}
	})
}
