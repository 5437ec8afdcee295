package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
)

// TestNavigationCountIsFreshAfterOwnAction: the navigation's count of what
// waits is kept for a second, but whoever acts — through a page or the API —
// sees the new count on their very next page.
func TestNavigationCountIsFreshAfterOwnAction(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		riley := clientOf(t, e, "requester@example.com")
		var orders []string
		for range 2 {
			number := quoteLaptops(t, e, "requester@example.com", 3) // above the lab's €5,000 threshold
			status, out := riley.json("POST", "/quotes/"+number+"/order", "{}")
			if status != http.StatusCreated || out["status"] != "pending" {
				t.Fatalf("ordering quote %s = %d %v; want an order waiting for approval", number, status, out)
			}
			orders = append(orders, out["number"].(string))
		}
		dana := e.SignIn(t, "budget@example.com")
		_, approvals := dana.Get("/approvals")
		var requests []string
		for _, order := range orders {
			link := regexp.MustCompile(`href="/approvals/(\d+)">Order ` + order).FindStringSubmatch(approvals)
			if link == nil {
				t.Fatalf("/approvals does not list order %s", order)
			}
			requests = append(requests, link[1])
		}
		count := func() int {
			t.Helper()
			_, page := dana.Get("/catalog")
			m := regexp.MustCompile(`id="nav-waiting">(\d+)<`).FindStringSubmatch(page)
			if m == nil {
				return 0
			}
			n, _ := strconv.Atoi(m[1])
			return n
		}
		before := count()
		if before < 2 {
			t.Fatalf("the navigation counts %d waiting for the budget holder; want the two orders at least", before)
		}
		if res, _ := dana.Post("/approvals/"+requests[0], url.Values{"verdict": {"approve"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approving through the page = %d", res.StatusCode)
		}
		if got := count(); got != before-1 {
			t.Fatalf("right after approving through the page the navigation counts %d; want %d", got, before-1)
		}
		if status, out := clientOf(t, e, "budget@example.com").json("POST", "/approval-requests/"+requests[1]+"/decide", `{"verdict":"approve"}`); status != http.StatusOK {
			t.Fatalf("approving through the API = %d %v", status, out)
		}
		if got := count(); got != before-2 {
			t.Fatalf("right after approving through the API the navigation counts %d; want %d", got, before-2)
		}
		if _, page := dana.Get("/catalog"); before == 2 && strings.Contains(page, `id="nav-waiting"`) {
			t.Error("the navigation still shows a count when nothing waits")
		}
	})
}
