package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/spend"
)

// Seats are measured for catalog subscriptions and sanctioned SaaS, and
// shadow apps are listed apart: Miro is paid by a subscription; Confluence
// is Atlassian's, a catalog vendor that sells a knowledge base user at
// €1.50 a person a month, which prices its idle seats; Loom is shadow.
func TestSeatsStanding(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		start := catalog.DateOf(apptest.Start.AddDate(0, -2, 0))
		if _, err := e.Catalog.ImportSubscriptions(ctx, system, []catalog.ExistingSubscription{
			{DepartmentCode: "DISC", OfferingSlug: "whiteboard-user", Quantity: decimal.NewFromInt(40), Start: start}}); err != nil {
			t.Fatal(err)
		}
		export := seatFile + "Confluence,atlassian.net,DISC,10,4,4,4,0,0,0\n"
		if _, err := e.Seats.ImportSeats(ctx, system, strings.NewReader(export)); err != nil {
			t.Fatal(err)
		}
		var disc int64
		if err := e.DB.QueryRow(ctx, "SELECT id FROM departments WHERE code = 'DISC'").Scan(&disc); err != nil {
			t.Fatal(err)
		}
		uses, err := e.Seats.Utilisation(ctx, system, disc, 30)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]spend.SeatUse{}
		var order []string
		for _, u := range uses {
			got[u.Application], order = u, append(order, u.Application)
		}
		if strings.Join(order, ",") != "Miro,Confluence,Loom" {
			t.Errorf("order %v; want Miro, Confluence, then the shadow app Loom", order)
		}
		if u := got["Miro"]; u.Standing != spend.StandingSubscription || u.Sanctioned != "" {
			t.Errorf("Miro: %+v", u)
		}
		if u := got["Confluence"]; u.Standing != spend.StandingSanctioned || !strings.Contains(u.Sanctioned, "In the catalog") ||
			u.Idle != 6 || u.Currency != "EUR" || !u.IdleMonthly.Equal(decimal.NewFromInt(9)) {
			t.Errorf("Confluence: %+v; want sanctioned, 6 idle seats at €1.50", u)
		}
		if u := got["Loom"]; u.Standing != spend.StandingShadow {
			t.Errorf("Loom: %+v; want a shadow app", u)
		}
		b := e.SignIn(t, "budget@example.com")
		_, body := b.Get("/spend/seats?department=" + decimal.NewFromInt(disc).String())
		paid, shadow := strings.Index(body, "Paid through IT or sanctioned"), strings.Index(body, "Shadow apps")
		if paid < 0 || shadow < paid || strings.Index(body, "Confluence") > shadow || strings.LastIndex(body, "Loom") < shadow {
			t.Errorf("the seats page does not list Loom apart as a shadow app:\n%s", body)
		}
	})
}
