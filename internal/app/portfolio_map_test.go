package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/process"
	"github.com/engagehq/engage/internal/processcost"
)

// secondReplica starts a second Engage on e's database, as a second replica
// behind the same load balancer would be.
func secondReplica(t *testing.T, e *apptest.Engage, cfg config.Config) *apptest.Engage {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	second, err := app.Open(ctx, cfg, nil, e.Clock)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := second.Listen(); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- second.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		second.Close()
	})
	return &apptest.Engage{App: second, URL: second.URL(), Clock: e.Clock}
}

// TestProcessMapOnASecondReplica: two replicas of Engage share one
// PostgreSQL database; the process map, drawn once and kept on the second,
// shows at once a process added and renamed through the first, and costs
// recomputed there — to a requester (no costs) and to finance alike.
func TestProcessMapOnASecondReplica(t *testing.T) {
	var cfg config.Config
	e := apptest.NewWith(t, "postgres", func(c *config.Config) { cfg = *c })
	second := secondReplica(t, e, cfg)
	ctx := context.Background()
	admin, finance := principalOf(t, e, "admin@example.com"), principalOf(t, e, "finance@example.com")
	reader, fin := second.SignIn(t, "requester@example.com"), second.SignIn(t, "finance@example.com")
	shows := func(step string, b *apptest.Browser, want, not string) string {
		t.Helper()
		res, body := b.Get("/portfolio")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: the map on the second replica = %d", step, res.StatusCode)
		}
		if want != "" && !strings.Contains(body, want) {
			t.Fatalf("%s: the map on the second replica does not show %q", step, want)
		}
		if not != "" && strings.Contains(body, not) {
			t.Fatalf("%s: the map on the second replica still shows %q", step, not)
		}
		return body
	}
	shows("first read", reader, `id="process-map"`, "Night shift rota")
	shows("first read", fin, `id="map-costs"`, "Night shift rota")
	shows("kept", reader, `id="process-map"`, "Night shift rota")

	m, err := e.Processes.ProcessMap(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	created, err := e.Processes.Create(ctx, admin, process.Input{Kind: process.Process, ParentID: m.Entries[0].ID, Ref: "night-rota",
		Name: "Night shift rota", Criticality: "low"})
	if err != nil {
		t.Fatal(err)
	}
	shows("a process added on the first replica", reader, ">Night shift rota</a>", "")
	shows("a process added on the first replica", fin, ">Night shift rota</a>", "")
	in := created.Input()
	in.Name = "Night & weekend rota"
	if _, err := e.Processes.Update(ctx, admin, created.ID, created.Version, in); err != nil {
		t.Fatal(err)
	}
	shows("a rename on the first replica", reader, ">Night &amp; weekend rota</a>", "Night shift rota")

	// The costs: every service link of the first process with a figure is
	// removed and the month recomputed on the first replica; the second
	// shows the new unclaimed part.
	before, err := e.ProcessCosts.Map(ctx, finance, "")
	if err != nil {
		t.Fatal(err)
	}
	unclaimed := func(c []processcost.CostAmount) string {
		var parts []string
		for _, a := range c {
			parts = append(parts, catalog.FormatMoney(a.Amount, a.Currency))
		}
		return strings.Join(parts, " · ")
	}
	shows("costs", fin, unclaimed(before.Unclaimed.Charged), "")
	var linked int64
	for _, pe := range before.Processes {
		if len(pe.OwnCharged) > 0 {
			linked = pe.ProcessID
			break
		}
	}
	d, err := e.Processes.Describe(ctx, admin, linked)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range d.Services {
		if err := e.Processes.Unlink(ctx, admin, linked, "service", l.ServiceID); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.DB.Transact(ctx, func(tx *db.Tx) error { return e.ProcessCosts.Recompute(ctx, tx, before.Period) }); err != nil {
		t.Fatal(err)
	}
	after, err := e.ProcessCosts.Map(ctx, finance, before.Period)
	if err != nil {
		t.Fatal(err)
	}
	was, now := unclaimed(before.Unclaimed.Charged), unclaimed(after.Unclaimed.Charged)
	if was == now {
		t.Fatalf("unlinking the services of process %d left the unclaimed part at %s", linked, now)
	}
	shows("costs recomputed on the first replica", fin, now, was)
}
