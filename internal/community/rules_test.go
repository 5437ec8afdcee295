package community_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
)

// TestRulesFollowTheOrganisation: a person moving from the Maine site to
// the Mexico site is in the Mexico community at once and out of the Maine
// one, through org's observer; a person who left a community a rule puts
// them in stays out until they join again; a CSV import and a department
// moved in the tree re-evaluate too; the members page says why.
func TestRulesFollowTheOrganisation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		o := w.s.Org
		o.OnPeopleChanged(w.s.PeopleChanged)
		maine, err := o.CreateLocation(ctx, sys, org.LocationInput{Code: "ME", Name: "Maine site", Country: "US"})
		if err != nil {
			t.Fatal(err)
		}
		mx, err := w.s.Create(ctx, w.admin, community.Input{Slug: "mexico", Name: "Mexico", Kind: community.KindLocal, LocationID: w.mexico.ID})
		if err != nil {
			t.Fatal(err)
		}
		me, err := w.s.Create(ctx, w.admin, community.Input{Slug: "maine", Name: "Maine", Kind: community.KindLocal, LocationID: maine.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.AddRule(ctx, w.ana, mx.ID, community.RuleInput{Kind: community.RuleLocation, RefID: w.mexico.ID}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a requester added a rule: %v", err)
		}
		if _, err := w.s.AddRule(ctx, w.admin, mx.ID, community.RuleInput{Kind: community.RuleLocation, RefID: 99999}); !slices.Equal(fieldNames(err), []string{"ref_id"}) {
			t.Fatalf("a rule on no location: %v", err)
		}
		for _, c := range []community.Community{mx, me} {
			for range 2 { // adding the same rule twice adds it once
				if _, err := w.s.AddRule(ctx, w.admin, c.ID, community.RuleInput{Kind: community.RuleLocation, RefID: c.LocationID}); err != nil {
					t.Fatal(err)
				}
			}
		}
		members := func(c community.Community) []int64 {
			ids, err := w.s.MemberIDs(ctx, d, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		if got := members(mx); !slices.Equal(got, []int64{w.anaID, w.boID}) {
			t.Fatalf("Mexico members after the rule: %v", got)
		}
		if rules, _ := w.s.Rules(ctx, w.ana, mx.ID); len(rules) != 1 || rules[0].Label != "Works at Mexico site" {
			t.Fatalf("rules: %+v", rules)
		}
		// Bo leaves Mexico: the opt-out is kept while the rule still matches.
		if _, err := w.s.Leave(ctx, w.bo, mx.ID); err != nil {
			t.Fatal(err)
		}
		// Ana moves to Maine.
		ana, err := o.FindPersonByID(ctx, w.anaID)
		if err != nil {
			t.Fatal(err)
		}
		in := ana.Input()
		in.LocationID = maine.ID
		if _, err := o.UpdatePerson(ctx, sys, ana.ID, ana.Version, in); err != nil {
			t.Fatal(err)
		}
		if got := members(mx); len(got) != 0 {
			t.Fatalf("Mexico after Ana moved and Bo left: %v", got)
		}
		if got := members(me); !slices.Equal(got, []int64{w.anaID}) {
			t.Fatalf("Maine after Ana moved: %v", got)
		}
		// Bo's record changes and the rule matches again: still out.
		bo, _ := o.FindPersonByID(ctx, w.boID)
		bin := bo.Input()
		bin.Title = "Chemist"
		if _, err := o.UpdatePerson(ctx, sys, bo.ID, bo.Version, bin); err != nil {
			t.Fatal(err)
		}
		if got := members(mx); len(got) != 0 {
			t.Fatalf("a rule match cleared an opt-out: %v", got)
		}
		if r, err := w.s.Join(ctx, w.bo, mx.ID); err != nil || !r.Member {
			t.Fatalf("joining again: %+v %v", r, err)
		}
		list, err := w.s.Members(ctx, w.admin, mx.ID, community.MemberFilter{})
		if err != nil || len(list) != 1 || !list[0].ByHand || !list[0].ByRule || !slices.Equal(list[0].Rules, []string{"Works at Mexico site"}) {
			t.Fatalf("members page: %+v %v", list, err)
		}
		// A CSV import moves Bo to Maine.
		csv := "email,name,department_code,location_code,active\nbo@example.com,Bo,LAB,ME,true\n"
		if _, err := o.Import(ctx, sys, "people", strings.NewReader(csv)); err != nil {
			t.Fatal(err)
		}
		if got := members(me); !slices.Equal(got, []int64{w.anaID, w.boID}) {
			t.Fatalf("Maine after the import: %v", got)
		}
		if got := members(mx); !slices.Equal(got, []int64{w.boID}) {
			t.Fatalf("Mexico after the import keeps Bo, who joined by hand: %v", got)
		}
		// A department rule follows the tree: Lab moves under Science.
		sci, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "SCI", Name: "Science"})
		if err != nil {
			t.Fatal(err)
		}
		sc, err := w.s.Create(ctx, w.admin, community.Input{Slug: "science", Name: "Science", Kind: community.KindProduct})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.AddRule(ctx, w.admin, sc.ID, community.RuleInput{Kind: community.RuleDepartment, RefID: sci.ID}); err != nil {
			t.Fatal(err)
		}
		if got := members(sc); len(got) != 0 {
			t.Fatalf("Science before the move: %v", got)
		}
		lab, err := o.FindDepartment(ctx, sys, ana.DepartmentID)
		if err != nil {
			t.Fatal(err)
		}
		lin := lab.Input()
		lin.ParentID = sci.ID
		if _, err := o.UpdateDepartment(ctx, sys, lab.ID, lab.Version, lin); err != nil {
			t.Fatal(err)
		}
		if got := members(sc); !slices.Equal(got, []int64{w.anaID, w.boID}) {
			t.Fatalf("Science after Lab moved below it: %v", got)
		}
		// Removing the rule takes out those only it put in.
		rules, _ := w.s.Rules(ctx, w.admin, sc.ID)
		if err := w.s.RemoveRule(ctx, w.admin, sc.ID, rules[0].ID); err != nil {
			t.Fatal(err)
		}
		if got := members(sc); len(got) != 0 {
			t.Fatalf("Science after its rule went: %v", got)
		}
	})
}

type signals []activity.Signal

func (s *signals) Record(_ context.Context, _ *db.Tx, sig activity.Signal) error {
	*s = append(*s, sig)
	return nil
}

// TestStaffRequestsAndSignals: managers edit with the version read, name
// staff and the sponsor; a closed community's moderator grants a request;
// joining by hand sends a signal; the sponsor flag goes when a sponsor is
// named.
func TestStaffRequestsAndSignals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		var sent signals
		w.s.Signals = &sent
		c, err := w.s.Create(ctx, w.admin, community.Input{Slug: "lab", Name: "Lab", Kind: community.KindProduct, Visibility: community.Closed})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.AddStaff(ctx, w.ana, c.ID, w.boID, community.ModeratorRole); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a requester named staff: %v", err)
		}
		st, err := w.s.AddStaff(ctx, w.admin, c.ID, w.boID, community.ModeratorRole)
		if err != nil || len(st.Moderators) != 1 || st.Moderators[0].ID != w.boID {
			t.Fatalf("staff: %+v %v", st, err)
		}
		if r, err := w.s.Join(ctx, w.ana, c.ID); err != nil || !r.Requested {
			t.Fatalf("asking: %+v %v", r, err)
		}
		if len(sent) != 0 {
			t.Fatalf("a request sent a signal: %+v", sent)
		}
		if _, err := w.s.Requests(ctx, w.ana, c.ID); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a requester read requests: %v", err)
		}
		reqs, err := w.s.Requests(ctx, w.bo, c.ID)
		if err != nil || len(reqs) != 1 || reqs[0].PersonID != w.anaID {
			t.Fatalf("requests: %+v %v", reqs, err)
		}
		for range 2 {
			if err := w.s.Decide(ctx, w.bo, c.ID, w.anaID, true); err != nil {
				t.Fatal(err)
			}
		}
		if r, _ := w.s.Rights(ctx, w.ana, c.ID); !r.Member || !r.Read {
			t.Fatalf("after the grant: %+v", r)
		}
		if len(sent) != 1 || sent[0].Kind != activity.Joined || sent[0].PersonID != w.anaID {
			t.Fatalf("signals: %+v", sent)
		}
		in := c.Input()
		in.Kind, in.ServiceID = community.KindService, 0
		if _, err := w.s.Update(ctx, w.admin, c.ID, c.Version, in); !slices.Equal(fieldNames(err), []string{"service_id"}) {
			t.Fatalf("a service community without a service: %v", err)
		}
		in = c.Input()
		in.SponsorID = w.boID
		up, err := w.s.Update(ctx, w.admin, c.ID, c.Version, in)
		if err != nil || up.SponsorID != w.boID || up.Version != c.Version+1 {
			t.Fatalf("update: %+v %v", up, err)
		}
		if _, err := w.s.Update(ctx, w.admin, c.ID, c.Version, in); engage.ErrorCode(err) != engage.ECONFLICT {
			t.Fatalf("a stale edit: %v", err)
		}
		if st, _ := w.s.Staff(ctx, w.ana, c.ID); st.Sponsor == nil || st.Sponsor.ID != w.boID {
			t.Fatalf("sponsor: %+v", st)
		}
		if a, err := w.s.SetArchived(ctx, w.admin, c.ID, up.Version, true); err != nil || !a.Archived {
			t.Fatalf("archive: %+v %v", a, err)
		}
		if _, err := w.s.Find(ctx, w.ana, c.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("an archived community is found: %v", err)
		}
		if list, _ := w.s.Directory(ctx, w.ana, community.ListFilter{}); len(list) != 0 {
			t.Fatalf("directory: %+v", list)
		}
	})
}

// TestRejoiningAClosedCommunityARuleAdmits: someone a rule puts in a
// closed community who left comes back by joining, without a request.
func TestRejoiningAClosedCommunityARuleAdmits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		c, err := w.s.Create(ctx, w.admin, community.Input{Slug: "mx", Name: "Mexico", Kind: community.KindLocal, Visibility: community.Closed,
			LocationID: w.mexico.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.AddRule(ctx, w.admin, c.ID, community.RuleInput{Kind: community.RuleLocation, RefID: w.mexico.ID}); err != nil {
			t.Fatal(err)
		}
		if r, err := w.s.Leave(ctx, w.bo, c.ID); err != nil || r.Member || !r.Ask {
			t.Fatalf("leaving: %+v %v", r, err)
		}
		if r, err := w.s.Join(ctx, w.bo, c.ID); err != nil || !r.Member || r.Requested {
			t.Fatalf("coming back: %+v %v", r, err)
		}
		if reqs, err := w.s.Requests(ctx, w.admin, c.ID); err != nil || len(reqs) != 0 {
			t.Fatalf("requests: %+v %v", reqs, err)
		}
	})
}
