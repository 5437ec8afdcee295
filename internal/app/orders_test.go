package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/frontdoor"
)

// reuseNeedOf finds an approved need of the demo whose decision reuses a
// catalog offering, not ordered yet, looked after by the BRM at brmEmail.
func reuseNeedOf(t *testing.T, e *apptest.Engage, brmEmail string) frontdoor.Need {
	t.Helper()
	ctx := context.Background()
	brm := person(t, e, brmEmail)
	needs, _, err := e.FrontDoor.List(ctx, access.System("test"), frontdoor.ListFilter{State: frontdoor.Approved, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range needs {
		d, err := e.FrontDoor.Get(ctx, access.System("test"), n.Reference)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(d.Options, func(o frontdoor.NeedOption) bool { return o.ID == n.DecisionOptionID })
		if n.OrderNumber == "" && n.BRMID == brm.ID && i >= 0 && d.Options[i].Kind == "reuse" {
			return d.Need
		}
	}
	t.Fatal("no approved reuse need without an order in the demo")
	return frontdoor.Need{}
}

// A BRM ordering a need's reuse option orders for the need's department and
// requester, and the order says who placed it on whose behalf; the
// requester ordering afterwards gets that same order.
func TestBRMReuseOrderGoesToTheNeedsDepartment(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		n := reuseNeedOf(t, e, "brm@example.com")
		brm := clientOf(t, e, "brm@example.com")
		status, out := brm.json("POST", "/needs/"+n.Reference+"/order", "")
		if status != 201 {
			t.Fatalf("BRM ordering %s = %d %v", n.Reference, status, out)
		}
		number, _ := out["order"].(string)
		o, err := e.Catalog.FindOrder(context.Background(), access.System("test"), number)
		if err != nil {
			t.Fatal(err)
		}
		sam := person(t, e, "brm@example.com")
		if o.DepartmentID != n.DepartmentID || o.RequesterID != n.RequesterID || o.PlacedByID != sam.ID {
			t.Fatalf("order %s is for department %d, requester %d, placed by %d; want the need's department %d and requester %d, placed by the BRM %d",
				o.Number, o.DepartmentID, o.RequesterID, o.PlacedByID, n.DepartmentID, n.RequesterID, sam.ID)
		}
		b := e.SignIn(t, "brm@example.com")
		_, page := b.Get("/orders/" + o.Number)
		if want := "Sam Okafor on behalf of " + n.RequesterName; !strings.Contains(page, want) || !strings.Contains(page, n.DepartmentName) {
			t.Errorf("the order page does not say %q for %s", want, n.DepartmentName)
		}
		// Sent again, by the BRM or the need's requester: the same order.
		if status, again := brm.json("POST", "/needs/"+n.Reference+"/order", ""); status >= 300 || again["order"] != number {
			t.Errorf("ordering again = %d %v; want order %s", status, again, number)
		}
		var orders int
		if err := e.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM orders WHERE quote_id IN (SELECT id FROM quotes WHERE subject = ?)", n.Reference).Scan(&orders); err != nil || orders != 1 {
			t.Errorf("orders for %s = %d (%v); want 1", n.Reference, orders, err)
		}
	})
}
