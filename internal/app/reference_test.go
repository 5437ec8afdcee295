package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/frontdoor"
)

// TestSearchOpensReferences types need, order and quote references into the
// home page's search box: each opens its record for someone who may read
// it, and for anyone else the search says it found nothing, without telling
// whether the record exists.
func TestSearchOpensReferences(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		riley := person(t, e, "requester@example.com")
		needs, _, err := e.FrontDoor.List(ctx, system, frontdoor.ListFilter{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		var own string
		for _, n := range needs {
			if n.RequesterID == riley.ID && own == "" {
				own = n.Reference
			}
		}
		orders, err := e.Catalog.ListOrders(ctx, system, catalog.OrderFilter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		var order, quote string
		for _, o := range orders {
			if o.RequesterID == riley.ID && o.QuoteNumber != "" && order == "" {
				order, quote = o.Number, o.QuoteNumber
			}
		}
		if own == "" || order == "" || quote == "" {
			t.Fatalf("the demo lacks a record for the test: need %q, order %q, quote %q", own, order, quote)
		}
		b := e.SignIn(t, "requester@example.com")
		// As typed: lower case, without the leading zeros.
		loose := strings.ToLower(own[:len("NEED-2026-")]) + strings.TrimLeft(own[len("NEED-2026-"):], "0")
		for typed, want := range map[string]string{
			loose:                  "/needs/" + own,
			" " + order + " ":      "/orders/" + order,
			strings.ToLower(quote): "/quotes/" + quote,
		} {
			res, _ := b.Submit("/", "/search", map[string][]string{"q": {typed}})
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
				t.Errorf("searching %q = %d %s; want a redirect to %s", typed, res.StatusCode, res.Header.Get("Location"), want)
				continue
			}
			res, page := b.Get(want)
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s = %d", want, res.StatusCode)
			}
			// The quote's VM line is priced per VM, the unit the offering names.
			if strings.HasPrefix(want, "/quotes/") && !strings.Contains(page, "per VM-month") {
				t.Errorf("%s does not price its line per VM-month", want)
			}
		}
		// Kofi works in another department and reviews nothing of Riley's.
		b = e.SignIn(t, "moderator@example.com")
		for _, ref := range []string{own, order, quote, "NEED-2026-9999"} {
			res, page := b.Submit("/", "/search", map[string][]string{"q": {ref}})
			if res.StatusCode != http.StatusOK || !strings.Contains(page, "that you can see") {
				t.Errorf("searching %q someone may not read = %d %s; want the search page saying nothing was found", ref, res.StatusCode, res.Header.Get("Location"))
			}
		}
	})
}
