package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/product"
)

// seatApps are the demo's single-sign-on applications paid by catalog
// subscriptions priced per person: the offering, the application's name
// and domain, and the share of seats used over 30, 60 and 90 days.
var seatApps = []struct {
	offering, app, domain string
	used                  [3]int // percent
}{
	{"crm-user", "Customer relationship management", "salesforce.com", [3]int{58, 66, 71}},
	{"lims-user", "Lab data management (LIMS)", "labvantage.com", [3]int{72, 80, 84}},
	{"eln-user", "Electronic lab notebook", "benchling.com", [3]int{64, 75, 81}},
	{"erp-user", "Finance ERP", "sap.com", [3]int{88, 93, 96}},
}

// seatSaaS are applications bought by card (their seats: assigned, then
// active over 30, 60 and 90 days).
var seatSaaS = []string{
	"Otter.ai,otter.ai,MKT,14,6,8,9",
	"Otter.ai,otter.ai,HR,9,3,4,6",
	"Mural,mural.co,RND,18,7,9,12",
	"Postman,postman.com,CLIN,8,6,7,7",
	"JetBrains,jetbrains.com,IT,25,19,22,23",
	"Autodesk,autodesk.com,MKT,6,2,2,3",
}

// loadSeats imports a single-sign-on export for the demo departments, with
// idle seats worth right-sizing.
func loadSeats(ctx context.Context, s product.Services) error {
	sys := access.System("demo data")
	subs, err := s.Catalog.ListSubscriptions(ctx, sys, catalog.SubscriptionFilter{})
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("application,domain,department,assigned,active_30,active_60,active_90,new_30,new_60,new_90\n")
	codes := map[int64]string{}
	depts, _, err := s.Org.ListDepartments(ctx, sys, org.ListFilter{Limit: 100})
	if err != nil {
		return err
	}
	for _, d := range depts {
		codes[d.ID] = d.Code
	}
	for _, sub := range subs {
		for _, a := range seatApps {
			if sub.OfferingName == "" || !strings.EqualFold(sub.ServiceName, a.app) {
				continue
			}
			n := int(sub.Quantity.IntPart())
			if n < 4 {
				continue
			}
			fmt.Fprintf(&b, "%s,%s,%s,%d", a.app, a.domain, codes[sub.DepartmentID], n)
			for _, u := range a.used {
				fmt.Fprintf(&b, ",%d", n*u/100)
			}
			for _, u := range a.used { // one person added lately, who has not signed in yet
				fmt.Fprintf(&b, ",%d", min(1, n-n*u/100))
			}
			b.WriteString("\n")
		}
	}
	for _, line := range seatSaaS {
		b.WriteString(line + ",1,1,1\n")
	}
	if _, err := s.Seats.ImportSeats(ctx, sys, strings.NewReader(b.String())); err != nil {
		return fmt.Errorf("loading the demo single-sign-on export: %w", err)
	}
	return nil
}
