package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

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

// TestCostsRecomputedInTheBackground: after a change of links, the process
// page and the map answer at once with the figures as stored, marked as
// being recomputed, and no page computes the month; once the change has
// settled the worker the app runs recomputes it, the marks go, and the
// figures equal a fresh recompute.
func TestCostsRecomputedInTheBackground(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		admin, finance := principalOf(t, e, "admin@example.com"), principalOf(t, e, "finance@example.com")
		fin := e.SignIn(t, "finance@example.com")
		before, err := e.ProcessCosts.Map(ctx, finance, "")
		if err != nil {
			t.Fatal(err)
		}
		var linked int64
		for _, pe := range before.Processes {
			if len(pe.OwnCharged) > 0 {
				linked = pe.ProcessID
				break
			}
		}
		path := fmt.Sprintf("/portfolio/processes/%d", linked)
		page := func(p string) string {
			t.Helper()
			res, body := fin.Get(p)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s = %d", p, res.StatusCode)
			}
			return body
		}
		if body := page(path); strings.Contains(body, `id="cost-recomputing"`) || !strings.Contains(body, `id="cost"`) {
			t.Fatal("before any change, the process page is marked as being recomputed, or shows no cost")
		}
		d, err := e.Processes.Describe(ctx, admin, linked)
		if err != nil || len(d.Services) == 0 {
			t.Fatalf("process %d: %d services, %v", linked, len(d.Services), err)
		}
		for _, l := range d.Services {
			if err := e.Processes.Unlink(ctx, admin, linked, "service", l.ServiceID); err != nil {
				t.Fatal(err)
			}
		}
		if body := page(path); !strings.Contains(body, `id="cost-recomputing"`) {
			t.Fatal("right after a change, the process page is not marked as being recomputed")
		}
		if body := page("/portfolio"); !strings.Contains(body, `id="map-recomputing"`) {
			t.Fatal("right after a change, the map is not marked as being recomputed")
		}
		if m, err := e.ProcessCosts.Map(ctx, finance, before.Period); err != nil || !m.Recomputing {
			t.Fatalf("the pages computed the month themselves (recomputing %v, %v)", m.Recomputing, err)
		}
		e.Clock.Advance(processcost.Settle)
		for deadline := time.Now().Add(30 * time.Second); strings.Contains(page(path), `id="cost-recomputing"`); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the month was not recomputed in the background within 30 s")
			}
		}
		if strings.Contains(page("/portfolio"), `id="map-recomputing"`) {
			t.Fatal("the map is still marked once the month is recomputed")
		}
		byWorker, err := e.ProcessCosts.Map(ctx, finance, before.Period)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.DB.Transact(ctx, func(tx *db.Tx) error { return e.ProcessCosts.Recompute(ctx, tx, before.Period) }); err != nil {
			t.Fatal(err)
		}
		fresh, err := e.ProcessCosts.Map(ctx, finance, before.Period)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(byWorker)
		b, _ := json.Marshal(fresh)
		if string(a) != string(b) || string(a) == "" {
			t.Errorf("the worker's figures differ from a fresh recompute:\n%s\n%s", a, b)
		}
		if own := byWorker.Of(linked).OwnCharged; len(own) > 0 {
			t.Errorf("unlinking its services left process %d's own figure at %v", linked, own)
		}
	})
}
