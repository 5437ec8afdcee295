package demo_test

import (
	"context"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/backstage"
	"github.com/engagehq/engage/internal/demo"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/paging"
)

// TestDemoBackstage: the demo imports Backstage's example files: their
// organisation and infrastructure groups are the demo's Corporate Services
// and Information Technology (not new departments, not renamed), their
// Components applications of the portfolio; importing them again changes
// nothing.
func TestDemoBackstage(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		admin := principal(t, e, "admin@example.com")
		depts, _, err := e.Org.ListDepartments(ctx, admin, org.ListFilter{Limit: paging.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]string{}
		for _, d := range depts {
			names[d.Code] = d.Name
		}
		if len(depts) != 12 || names["CORP"] != "Corporate Services" || names["IT"] != "Information Technology" {
			t.Fatalf("departments after the Backstage import: %v", names)
		}
		apps, err := e.Processes.ListApplications(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]string{}
		for _, a := range apps {
			found[a.Ref] = a.Lifecycle
		}
		if found["artist-lookup"] != "plan" || found["playback-order"] != "active" {
			t.Fatalf("the Components are not applications of the portfolio: %v", found)
		}
		set, err := backstage.ReadFiles(demo.BackstageFiles())
		if err != nil {
			t.Fatal(err)
		}
		rep, err := e.Backstage.Import(ctx, admin, set, true)
		if err != nil || rep.Created != 0 || rep.Changed != 0 || rep.Files != len(demo.BackstageFiles()) {
			t.Fatalf("importing the demo's files again = %+v, %v", rep, err)
		}
	})
}
