package community_test

import (
	"context"
	"testing"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
)

// TestWithRightsReadsWhatRightsSays: the community and the reader's rights
// read in one query (WithRights, BySlugWithRights) are those FindBrief,
// FindBySlug and Rights read in four, for a member, someone who asked to
// join, someone who left, each staff role, an administrator, and an
// archived community (not found but for those who manage communities).
func TestWithRightsReadsWhatRightsSays(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := setup(t, d)
		open, err := w.s.Create(ctx, w.admin, community.Input{Slug: "iphone", Name: "iPhone", Kind: community.KindProduct})
		if err != nil {
			t.Fatal(err)
		}
		closed, err := w.s.Create(ctx, w.admin, community.Input{Slug: "mexico", Name: "Mexico", Kind: community.KindLocal,
			Visibility: community.Closed, LocationID: w.mexico.ID})
		if err != nil {
			t.Fatal(err)
		}
		cy := &access.Principal{PersonID: w.boID, Name: "Cy", Roles: []access.Role{access.Requester}}
		same := func(step string, p *access.Principal, id int64) {
			t.Helper()
			want, err := w.s.Rights(ctx, p, id)
			if err != nil {
				t.Fatal(err)
			}
			brief, err := w.s.FindBrief(ctx, p, id)
			if err != nil {
				t.Fatal(err)
			}
			c, got, err := w.s.WithRights(ctx, p, id)
			if err != nil || got != want || c != brief {
				t.Fatalf("%s, %s in %d: WithRights %+v %+v %v; want %+v %+v", step, p.Name, id, c, got, err, brief, want)
			}
			full, err := w.s.FindBySlug(ctx, p, brief.Slug)
			if err != nil {
				t.Fatal(err)
			}
			c, got, err = w.s.BySlugWithRights(ctx, p, " "+brief.Slug+" ")
			if err != nil || got != want || c != full {
				t.Fatalf("%s, %s in %s: BySlugWithRights %+v %+v %v; want %+v %+v", step, p.Name, brief.Slug, c, got, err, full, want)
			}
		}
		everyone := func(step string) {
			t.Helper()
			for _, p := range []*access.Principal{w.ana, w.bo, w.admin} {
				for _, id := range []int64{open.ID, closed.ID} {
					same(step, p, id)
				}
			}
		}
		everyone("no one joined")
		if _, err := w.s.Join(ctx, w.ana, open.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.Join(ctx, w.ana, closed.ID); err != nil {
			t.Fatal(err)
		}
		everyone("Ana joined one and asked to join the other")
		if _, err := w.s.Leave(ctx, w.ana, open.ID); err != nil {
			t.Fatal(err)
		}
		for _, role := range []community.StaffRole{community.ModeratorRole, community.ITStaff, community.Support} {
			if _, err := w.s.AddStaff(ctx, w.admin, closed.ID, w.boID, role); err != nil {
				t.Fatal(err)
			}
			everyone("Bo is " + string(role))
			same("Bo is "+string(role), cy, closed.ID)
		}
		if _, err := w.s.SetArchived(ctx, w.admin, open.ID, 1, true); err != nil {
			t.Fatal(err)
		}
		same("archived", w.admin, open.ID)
		if _, _, err := w.s.WithRights(ctx, w.ana, open.ID); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("Ana reads an archived community: %v", err)
		}
		if _, _, err := w.s.BySlugWithRights(ctx, w.ana, "nowhere"); engage.ErrorCode(err) != engage.ENOTFOUND {
			t.Fatalf("an unknown slug: %v", err)
		}
	})
}
