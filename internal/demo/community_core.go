package demo

import (
	"context"
	"fmt"

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/product"
)

// The demo's communities: product communities for iPhone, Chrome OS and
// Outlook; service communities for messaging and collaboration (with a
// sponsor) and client computing (without one: flagged); local communities
// for the Mexico site, the Maine site and the Science function, each with
// its rule and its local support contact. The Mexico and Maine sites are
// added here, and some of the demo's people move there — through the
// organisation service, so the rules put them in their site's community
// as a real move would. Nobody in Human Resources belongs to any
// community: they are the demo's dark population.

// Demo community handles, for tests and the other community steps.
const (
	CommunityIPhone    = "iphone"
	CommunityChromeOS  = "chrome-os"
	CommunityOutlook   = "outlook"
	CommunityMessaging = "collaboration"
	CommunityClient    = "client-computing"
	CommunityMexico    = "mexico-site"
	CommunityMaine     = "maine-site"
	CommunityScience   = "science"
)

// Demo sites added for the local communities.
const (
	LocationMexico = "MEX"
	LocationMaine  = "PWM"
)

// demoPeople returns up to n generated people (no named account) of the
// departments given, by id.
func demoPeople(ctx context.Context, d *db.DB, n int, codes ...string) ([]int64, error) {
	args := make([]any, 0, len(codes)+1)
	for _, c := range codes {
		args = append(args, c)
	}
	args = append(args, n)
	return db.QueryIDs(ctx, d, `SELECT p.id FROM people p JOIN departments dp ON dp.id = p.department_id
		WHERE dp.code IN (`+db.Placeholders(len(codes))+`) AND p.email LIKE '%.%@example.com' AND p.email NOT LIKE 'head.%'
		AND p.email NOT IN ('brm.corporate@example.com', 'finance.reviewer@example.com')
		ORDER BY p.id LIMIT ?`, args...)
}

func loadCoreCommunities(ctx context.Context, d *db.DB, s product.Services) error {
	sys := access.System("demo data")
	o, cs := s.Org, s.Communities
	person := func(email string) (int64, error) {
		p, err := o.FindPersonByEmail(ctx, email)
		return p.ID, err
	}
	admin, err := person("admin@example.com")
	if err != nil {
		return err
	}
	adminP := &access.Principal{PersonID: admin, Name: "Alex Morgan", Roles: []access.Role{access.Admin}}
	moderator, err := person("moderator@example.com")
	if err != nil {
		return err
	}
	owner, err := person("owner@example.com")
	if err != nil {
		return err
	}
	cio, err := person("board@example.com")
	if err != nil {
		return err
	}
	sites := map[string]org.Location{}
	for _, l := range []org.LocationInput{
		{Code: LocationMexico, Name: "Mexico City Site", City: "Mexico City", Country: "MX", Region: "North America", TimeZone: "America/Mexico_City"},
		{Code: LocationMaine, Name: "Maine Site", City: "Portland", Country: "US", Region: "North America", TimeZone: "America/New_York"},
	} {
		loc, err := o.CreateLocation(ctx, sys, l)
		if err != nil {
			return fmt.Errorf("demo site %s: %w", l.Code, err)
		}
		sites[l.Code] = loc
	}
	sci, _, err := o.ListFunctions(ctx, sys, org.ListFilter{Query: "Science", Limit: 1})
	if err != nil || len(sci) == 0 {
		return fmt.Errorf("demo function Science: %w", err)
	}
	service := func(slug string) (int64, error) {
		svc, err := s.Catalog.FindService(ctx, sys, slug)
		return svc.Service.ID, err
	}
	chat, err := service("team-chat")
	if err != nil {
		return err
	}
	laptops, err := service("laptops")
	if err != nil {
		return err
	}
	offering, err := offeringID(ctx, d, "laptop-developer")
	if err != nil {
		return err
	}
	itPeople, err := demoPeople(ctx, d, 3, "IT")
	if err != nil || len(itPeople) < 3 {
		return fmt.Errorf("demo IT people: %v %w", itPeople, err)
	}
	type demoCommunity struct {
		in    community.Input
		rules []community.RuleInput
		staff map[community.StaffRole][]int64
	}
	list := []demoCommunity{
		{in: community.Input{Slug: CommunityIPhone, Name: "iPhone", Kind: community.KindProduct,
			Description: "Tips, questions and news about the **iPhone** at work: mail, calendar, the company apps and travel."},
			staff: map[community.StaffRole][]int64{community.ModeratorRole: {moderator}, community.ITStaff: {itPeople[0]}}},
		{in: community.Input{Slug: CommunityChromeOS, Name: "Chrome OS", Kind: community.KindProduct, Visibility: community.Closed,
			Description: "For the pilot of Chromebooks in the field teams. Closed while the pilot runs: ask to join."},
			staff: map[community.StaffRole][]int64{community.ModeratorRole: {moderator}, community.ITStaff: {itPeople[1]}}},
		{in: community.Input{Slug: CommunityOutlook, Name: "Outlook", Kind: community.KindProduct,
			Description: "Mail, calendars and meeting rooms in **Outlook**: questions, tips and what changes next."},
			staff: map[community.StaffRole][]int64{community.ITStaff: {owner}}},
		{in: community.Input{Slug: CommunityMessaging, Name: "Messaging and collaboration", Kind: community.KindService, ServiceID: chat,
			SponsorID: cio, Description: "Team chat, mail, meetings and shared files: how IT runs them and what comes next."},
			rules: []community.RuleInput{{Kind: community.RuleDepartment, RefID: 0}},
			staff: map[community.StaffRole][]int64{community.ModeratorRole: {moderator}, community.ITStaff: {owner}}},
		{in: community.Input{Slug: CommunityClient, Name: "Client computing", Kind: community.KindService, ServiceID: laptops,
			Description: "Laptops, desktops and phones: ordering, refresh and support."},
			rules: []community.RuleInput{{Kind: community.RuleOffering, RefID: offering}},
			staff: map[community.StaffRole][]int64{community.ITStaff: {itPeople[2]}}},
		{in: community.Input{Slug: CommunityMexico, Name: "Mexico City Site", Kind: community.KindLocal, LocationID: sites[LocationMexico].ID,
			Description: "Everyone at the Mexico City site: local IT news, outages and help."},
			rules: []community.RuleInput{{Kind: community.RuleLocation, RefID: sites[LocationMexico].ID}},
			staff: map[community.StaffRole][]int64{community.Support: {itPeople[0]}, community.ModeratorRole: {moderator}}},
		{in: community.Input{Slug: CommunityMaine, Name: "Maine Site", Kind: community.KindLocal, LocationID: sites[LocationMaine].ID,
			Description: "Everyone at the Maine site: local IT news, outages and help."},
			rules: []community.RuleInput{{Kind: community.RuleLocation, RefID: sites[LocationMaine].ID}},
			staff: map[community.StaffRole][]int64{community.Support: {itPeople[1]}}},
		{in: community.Input{Slug: CommunityScience, Name: "Science", Kind: community.KindLocal, FunctionID: sci[0].ID,
			Description: "Scientists everywhere: lab systems, data and computing for research."},
			rules: []community.RuleInput{{Kind: community.RuleFunction, RefID: sci[0].ID}},
			staff: map[community.StaffRole][]int64{community.Support: {itPeople[2]}, community.ModeratorRole: {moderator}}},
	}
	itDept, err := departmentID(ctx, d, "IT")
	if err != nil {
		return err
	}
	made := map[string]community.Community{}
	for _, dc := range list {
		c, err := cs.Create(ctx, adminP, dc.in)
		if err != nil {
			return fmt.Errorf("demo community %s: %w", dc.in.Slug, err)
		}
		made[c.Slug] = c
		for _, r := range dc.rules {
			if r.Kind == community.RuleDepartment && r.RefID == 0 {
				r.RefID = itDept
			}
			if _, err := cs.AddRule(ctx, adminP, c.ID, r); err != nil {
				return fmt.Errorf("demo community %s: %w", dc.in.Slug, err)
			}
		}
		for role, ids := range dc.staff {
			for _, id := range ids {
				if _, err := cs.AddStaff(ctx, adminP, c.ID, id, role); err != nil {
					return fmt.Errorf("demo community %s: %w", dc.in.Slug, err)
				}
			}
		}
	}
	// People move to the new sites; their site's community takes them in.
	for _, move := range []struct {
		site  string
		n     int
		codes []string
	}{{LocationMexico, 30, []string{"CLIN", "BIO"}}, {LocationMaine, 25, []string{"SALES", "MKT"}}} {
		ids, err := demoPeople(ctx, d, move.n, move.codes...)
		if err != nil {
			return err
		}
		for _, id := range ids {
			p, err := o.FindPersonByID(ctx, id)
			if err != nil {
				return err
			}
			in := p.Input()
			in.LocationID = sites[move.site].ID
			if _, err := o.UpdatePerson(ctx, sys, p.ID, p.Version, in); err != nil {
				return fmt.Errorf("moving %s to %s: %w", p.Email, move.site, err)
			}
		}
	}
	// Some join the product communities by hand; two ask to join Chrome OS.
	for _, join := range []struct {
		slug  string
		n     int
		codes []string
	}{{CommunityIPhone, 24, []string{"SALES", "MKT"}}, {CommunityOutlook, 18, []string{"FIN", "CORP"}}, {CommunityChromeOS, 8, []string{"SALES"}},
		{CommunityMessaging, 12, []string{"CLIN", "SALES"}}} {
		ids, err := demoPeople(ctx, d, join.n, join.codes...)
		if err != nil {
			return err
		}
		for _, id := range ids {
			p, err := o.Principal(ctx, id, "demo")
			if err != nil {
				return err
			}
			if _, err := cs.Join(ctx, p, made[join.slug].ID); err != nil {
				return fmt.Errorf("demo join %s: %w", join.slug, err)
			}
			if join.slug == CommunityChromeOS && id != ids[len(ids)-1] && id != ids[len(ids)-2] {
				if err := cs.Decide(ctx, adminP, made[join.slug].ID, id, true); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func offeringID(ctx context.Context, d *db.DB, slug string) (int64, error) {
	var id int64
	err := d.QueryRow(ctx, "SELECT id FROM offerings WHERE slug = ?", slug).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("demo offering %s: %w", slug, err)
	}
	return id, nil
}

func departmentID(ctx context.Context, d *db.DB, code string) (int64, error) {
	var id int64
	err := d.QueryRow(ctx, "SELECT id FROM departments WHERE code = ?", code).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("demo department %s: %w", code, err)
	}
	return id, nil
}
