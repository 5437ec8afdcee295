package community_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/org"
)

var sys = access.System("test")

type world struct {
	s              *community.Service
	d              *db.DB
	admin, ana, bo *access.Principal
	anaID, boID    int64
	mexico         org.Location
}

func setup(t *testing.T, d *db.DB) world {
	t.Helper()
	ctx := context.Background()
	clock := engage.NewFixedClock(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC))
	o := &org.Service{DB: d, Clock: clock}
	dept, err := o.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "LAB", Name: "Lab"})
	if err != nil {
		t.Fatal(err)
	}
	mx, err := o.CreateLocation(ctx, sys, org.LocationInput{Code: "MX", Name: "Mexico site", Country: "MX"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, email := range []string{"ana@example.com", "bo@example.com"} {
		p, err := o.CreatePerson(ctx, sys, org.PersonInput{Email: email, Name: email, DepartmentID: dept.ID, LocationID: mx.ID, Active: true,
			Roles: []access.Role{access.Requester}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	return world{s: &community.Service{DB: d, Clock: clock, Org: o}, d: d, mexico: mx, anaID: ids[0], boID: ids[1],
		admin: &access.Principal{PersonID: ids[0], Name: "admin", Roles: []access.Role{access.Admin}},
		ana:   &access.Principal{PersonID: ids[0], Name: "Ana", DepartmentID: dept.ID, Roles: []access.Role{access.Requester}},
		bo:    &access.Principal{PersonID: ids[1], Name: "Bo", DepartmentID: dept.ID, Roles: []access.Role{access.Requester}}}
}

// TestJoinLeaveAndRights: an open community is joined in one step and a
// closed one on request; a closed community's discussions are read only by
// its members; only administrators and moderators create communities, and
// a repeated create answers with the community created.
func TestJoinLeaveAndRights(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		if _, err := w.s.Create(ctx, w.ana, community.Input{Slug: "iphone", Name: "iPhone", Kind: community.KindProduct}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a requester created a community: %v", err)
		}
		if _, err := w.s.Create(ctx, w.admin, community.Input{Slug: "Bad Slug", Kind: "club"}); !slices.Equal(fieldNames(err), []string{"kind", "name", "slug"}) {
			t.Fatalf("bad input: %v", err)
		}
		in := community.Input{Slug: "iphone", Name: "iPhone", Kind: community.KindProduct}
		open, err := w.s.Create(ctx, w.admin, in)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := w.s.Create(ctx, w.admin, in); err != nil || again.ID != open.ID {
			t.Fatalf("repeated create: %v %v", again.ID, err)
		}
		closed, err := w.s.Create(ctx, w.admin, community.Input{Slug: "mexico", Name: "Mexico", Kind: community.KindLocal,
			Visibility: community.Closed, LocationID: w.mexico.ID})
		if err != nil {
			t.Fatal(err)
		}
		r, err := w.s.Join(ctx, w.ana, open.ID)
		if err != nil || !r.Member || !r.Post || !r.Read {
			t.Fatalf("joining an open community: %+v %v", r, err)
		}
		r, err = w.s.Join(ctx, w.ana, closed.ID)
		if err != nil || r.Member || !r.Requested || r.Read {
			t.Fatalf("asking to join a closed community: %+v %v", r, err)
		}
		if ids, _ := w.s.Readable(ctx, w.ana); !slices.Equal(ids, []int64{open.ID}) {
			t.Fatalf("readable: %v", ids)
		}
		if ids, _ := w.s.MemberIDs(ctx, d, open.ID); !slices.Equal(ids, []int64{w.anaID}) {
			t.Fatalf("members: %v", ids)
		}
		if r, err = w.s.Leave(ctx, w.ana, open.ID); err != nil || r.Member || !r.Join {
			t.Fatalf("leaving: %+v %v", r, err)
		}
		if ids, _ := w.s.MemberIDs(ctx, d, open.ID); len(ids) != 0 {
			t.Fatalf("members after leaving: %v", ids)
		}
	})
}

func fieldNames(err error) []string {
	var out []string
	for _, f := range engage.ErrorFields(err) {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return out
}
