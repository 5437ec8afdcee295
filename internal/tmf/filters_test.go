package tmf_test

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// ids lists the ids of a list's items.
func ids(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it["id"].(string)
	}
	return out
}

// The quote, order and cancellation lists filter by attribute (state, ids,
// dates compared with gt, gte, lt and lte) as TMF620's lists do, with
// offset, limit and fields; every answer is checked against the published
// documents, and a bad filter is a TMF Error.
func TestTMF648And622ListFilters(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		c := clientOf(t, e, "requester@example.com")
		offering, _ := monthlyOffering(t, c)
		quote := func() string {
			a := c.do("POST", quotes+"/quote", fmt.Sprintf(`{"quoteItem":[{"quantity":1,"productOffering":{"id":%q}}]}`, offering))
			if a.status != 201 {
				t.Fatalf("create quote = %d %s", a.status, a.body)
			}
			return a.object(t)["id"].(string)
		}
		open, ordered := quote(), quote()
		a := c.do("POST", orders+"/productOrder", fmt.Sprintf(`{"quote":[{"id":%q}],"productOrderItem":[{"id":"1","action":"add","productOffering":{"id":%q}}]}`, ordered, offering))
		if a.status != 201 {
			t.Fatalf("create order = %d %s", a.status, a.body)
		}
		order := a.object(t)
		orderID, state := order["id"].(string), order["state"].(string)

		// Quotes by state, id and date.
		list := func(path string) []map[string]any {
			t.Helper()
			a := c.do("GET", path, "")
			items := a.list(t)
			if a.header.Get("X-Total-Count") != strconv.Itoa(len(items)) && len(items) < 1000 {
				t.Errorf("%s: X-Total-Count %s for %d items", path, a.header.Get("X-Total-Count"), len(items))
			}
			return items
		}
		accepted := ids(list(quotes + "/quote?state=accepted&limit=1000"))
		if !slices.Contains(accepted, ordered) || slices.Contains(accepted, open) {
			t.Errorf("accepted quotes %v; want %s and not %s", accepted, ordered, open)
		}
		if got := ids(list(quotes + "/quote?id=" + open + "," + ordered)); !slices.Equal(got, []string{ordered, open}) {
			t.Errorf("quotes by id = %v", got)
		}
		now := e.Clock.Now().UTC()
		today := now.Format("2006-01-02")
		since := ids(list(quotes + "/quote?quoteDate.gte=" + today))
		if !slices.Contains(since, open) || !slices.Contains(since, ordered) {
			t.Errorf("quotes since today %v lack %s, %s", since, open, ordered)
		}
		if before := ids(list(quotes + "/quote?quoteDate.lt=" + today + "&limit=1000")); slices.Contains(before, open) {
			t.Errorf("quotes before today %v hold today's %s", before, open)
		}
		if got := ids(list(quotes + "/quote?quoteDate.gt=" + now.Format("2006-01-02T15:04:05Z") + "&state=approved")); len(got) != 0 {
			t.Errorf("quotes after now = %v", got)
		}
		// Paging and fields apply to what the filters keep.
		page := c.do("GET", quotes+"/quote?quoteDate.gte="+today+"&offset=1&limit=1&fields=state", "")
		items := page.list(t)
		if len(items) != 1 || items[0]["id"] != since[1] || items[0]["quoteDate"] != nil || items[0]["quoteItem"] == nil || items[0]["state"] == nil ||
			page.header.Get("X-Total-Count") != strconv.Itoa(len(since)) {
			t.Errorf("second page of one = %s (total %s); want %s of %d", page.body, page.header.Get("X-Total-Count"), since[1], len(since))
		}

		// Orders by state, quote and date.
		if got := ids(list(orders + "/productOrder?quote.id=" + ordered)); !slices.Equal(got, []string{orderID}) {
			t.Errorf("orders of quote %s = %v", ordered, got)
		}
		for _, it := range list(orders + "/productOrder?state=" + state + "&limit=1000") {
			if it["state"] != state {
				t.Errorf("order %v in a list of %s", it, state)
			}
		}
		if got := ids(list(orders + "/productOrder?orderDate.gte=" + today + "&fields=id")); !slices.Contains(got, orderID) {
			t.Errorf("orders since today = %v", got)
		}
		if got := ids(list(orders + "/productOrder?orderDate.lt=" + today + "&limit=1000")); slices.Contains(got, orderID) {
			t.Errorf("orders before today %v hold %s", got, orderID)
		}
		if got := list(orders + "/cancelProductOrder?productOrder.id=" + orderID); len(got) != 0 {
			t.Errorf("cancellations of an order not cancelled = %v", got)
		}

		// Bad filters.
		wantError(t, c.do("GET", quotes+"/quote?state.gt=approved", ""), 400, "state.gt", "Only dates")
		wantError(t, c.do("GET", quotes+"/quote?quoteDate.gt=yesterday", ""), 400, "quoteDate.gt")
		wantError(t, c.do("GET", quotes+"/quote?colour=blue", ""), 400, "colour")
		wantError(t, c.do("GET", orders+"/productOrder?orderDate.after=2026-01-01", ""), 400, "orderDate.after")
		wantError(t, c.do("GET", orders+"/cancelProductOrder?quote.id=Q", ""), 400, "quote.id")
	})
}
