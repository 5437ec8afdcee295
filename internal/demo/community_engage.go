package demo

import (
	"context"
	"fmt"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/product"
)

// DarkSitePeople is how many people work at the Leeds site, besides the
// demo organisation's People.
const DarkSitePeople = 12

// Engagement is measured from the signals the other steps send as they
// play a year of communities, needs and orders. One group of the demo
// organisation is out of everyone's reach: the twelve people of the Leeds
// distribution centre's operations, who order nothing, ask for nothing and
// join no community — the dark population IT should go and meet.
func loadDarkSite(ctx context.Context, _ *db.DB, s product.Services) error {
	sys := access.System("demo data")
	o := s.Org
	loc, err := o.CreateLocation(ctx, sys, org.LocationInput{Code: "LDS", Name: "Leeds Distribution Centre", City: "Leeds", Country: "GB",
		Region: "EMEA", TimeZone: "Europe/London"})
	if err != nil {
		return fmt.Errorf("demo dark site: %w", err)
	}
	fns, _, err := o.ListFunctions(ctx, sys, org.ListFilter{Query: "Operations", Limit: 10})
	if err != nil || len(fns) == 0 {
		return fmt.Errorf("demo dark site: no Operations function (%v)", err)
	}
	depts, _, err := o.ListDepartments(ctx, sys, org.ListFilter{Query: "Corporate Services", Limit: 10})
	if err != nil || len(depts) == 0 {
		return fmt.Errorf("demo dark site: no Corporate Services department (%v)", err)
	}
	first := []string{"Aisha", "Ben", "Callum", "Dev", "Ellie", "Fraser", "Gemma", "Hamza", "Isla", "Jack", "Kerry", "Liam"}
	for i, name := range first[:DarkSitePeople] {
		if _, err := o.CreatePerson(ctx, sys, org.PersonInput{Email: fmt.Sprintf("leeds.ops%02d@example.com", i+1), Name: name + " Hartley",
			Title: "Warehouse Operative", DepartmentID: depts[0].ID, LocationID: loc.ID, FunctionID: fns[0].ID, Active: true,
			Roles: []access.Role{access.Requester}}); err != nil {
			return fmt.Errorf("demo dark site: %w", err)
		}
	}
	return nil
}
