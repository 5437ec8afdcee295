package app_test

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/process"
)

// processPageFollows checks, through reader's page of a process of the
// demo, that every change made through first shows on the next request
// although the page keeps the register's detail: a link added, the
// linked application renamed, the process renamed, its performer's name
// changed, the link removed.
func processPageFollows(t *testing.T, first *apptest.Engage, reader *apptest.Browser) {
	t.Helper()
	ctx := context.Background()
	admin := principalOf(t, first, "admin@example.com")
	m, err := first.Processes.ProcessMap(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	var proc process.MapEntry
	for _, e := range m.Entries {
		if e.Kind == process.Process && e.Applications > 0 {
			proc = e
			break
		}
	}
	d, err := first.Processes.Describe(ctx, admin, proc.ID)
	if err != nil {
		t.Fatal(err)
	}
	apps, err := first.Processes.ListApplications(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	var other process.Application
	for _, a := range apps {
		linked := false
		for _, l := range d.Applications {
			linked = linked || l.ApplicationID == a.ID
		}
		if !linked {
			other = a
			break
		}
	}
	if proc.ID == 0 || other.ID == 0 {
		t.Fatalf("the demo has no process with applications (%d) or no other application (%d)", proc.ID, other.ID)
	}
	path := fmt.Sprintf("/portfolio/processes/%d", proc.ID)
	shows := func(step, want, not string) {
		t.Helper()
		res, body := reader.Get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s = %d", step, path, res.StatusCode)
		}
		if want != "" && !strings.Contains(body, template.HTMLEscapeString(want)) {
			t.Fatalf("%s: the process page does not show %q", step, want)
		}
		if not != "" && strings.Contains(body, template.HTMLEscapeString(not)) {
			t.Fatalf("%s: the process page still shows %q", step, not)
		}
	}
	shows("first read", proc.Name, other.Name)
	shows("kept", proc.Name, other.Name)

	if _, err := first.Processes.LinkApplication(ctx, admin, proc.ID, other.ID, decimal.NewFromInt(7)); err != nil {
		t.Fatal(err)
	}
	shows("a link added", other.Name, "")

	in := other.Input()
	in.Name = other.Name + " & Co renamed"
	if _, err := first.Processes.UpdateApplication(ctx, admin, other.ID, other.Version, in); err != nil {
		t.Fatal(err)
	}
	shows("the linked application renamed", in.Name, "")

	cur, err := first.Processes.Get(ctx, admin, proc.ID)
	if err != nil {
		t.Fatal(err)
	}
	pin := cur.Input()
	pin.Name = proc.Name + " (renamed)"
	if _, err := first.Processes.Update(ctx, admin, proc.ID, cur.Version, pin); err != nil {
		t.Fatal(err)
	}
	shows("the process renamed", pin.Name, "")

	fn, err := first.Org.CreateFunction(ctx, admin, org.FunctionInput{Code: "DETAILFN", Name: "Detail function"})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Processes.SetPerformers(ctx, admin, proc.ID, []int64{fn.ID}, nil); err != nil {
		t.Fatal(err)
	}
	shows("a performer set", "Detail function", "")
	if _, err := first.Org.UpdateFunction(ctx, admin, fn.ID, fn.Version, org.FunctionInput{Code: "DETAILFN", Name: "Renamed function"}); err != nil {
		t.Fatal(err)
	}
	shows("the performer renamed", "Renamed function", "Detail function")

	if err := first.Processes.Unlink(ctx, admin, proc.ID, "application", other.ID); err != nil {
		t.Fatal(err)
	}
	shows("the link removed", "", in.Name)
}

// TestProcessPageFollowsTheRegister: the process page keeps what the
// register says of each process, and shows every change at once.
func TestProcessPageFollowsTheRegister(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		processPageFollows(t, e, e.SignIn(t, "requester@example.com"))
	})
}

// TestProcessPageOnASecondReplica: two replicas share one PostgreSQL
// database; the second's process page shows at once what the first
// changed.
func TestProcessPageOnASecondReplica(t *testing.T) {
	var cfg config.Config
	e := apptest.NewWith(t, "postgres", func(c *config.Config) { cfg = *c })
	second := secondReplica(t, e, cfg)
	processPageFollows(t, e, second.SignIn(t, "requester@example.com"))
}
