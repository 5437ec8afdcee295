package demo_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/process"
)

// TestDemoRegister: the demo's register has six value streams, about 60
// processes each enabled by applications and services, customer journeys
// through processes customers touch, 40 applications (and 2 from Backstage) whose weights add up
// to at most 100 %, and demo needs linked to its processes.
func TestDemoRegister(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		reader := principal(t, e, "requester@example.com")
		m, err := e.Processes.ProcessMap(ctx, reader)
		if err != nil {
			t.Fatal(err)
		}
		streams, processes := 0, 0
		for _, entry := range m.Entries {
			if entry.Kind == process.ValueStream {
				streams++
				continue
			}
			processes++
			if entry.Applications == 0 || entry.Services == 0 || entry.Enablement == "" {
				t.Errorf("%s has %d applications, %d services, enablement %q", entry.Ref, entry.Applications, entry.Services, entry.Enablement)
			}
		}
		if streams != 6 || processes < 55 || processes > 65 {
			t.Fatalf("%d value streams, %d processes", streams, processes)
		}
		apps, err := e.Processes.ListApplications(ctx, reader)
		if err != nil || len(apps) != 40+2 { // the register's, and two Backstage Components (backstage_test.go)
			t.Fatalf("%d applications, %v", len(apps), err)
		}
		journeys, err := e.Processes.ListJourneys(ctx, reader)
		if err != nil || len(journeys) < 5 {
			t.Fatalf("%d journeys, %v", len(journeys), err)
		}
		// Each application's and service's weights add up to at most 100 %.
		sums := map[string]decimal.Decimal{}
		for _, entry := range m.Entries {
			d, err := e.Processes.Describe(ctx, reader, entry.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range d.Applications {
				sums["application "+l.Ref] = sums["application "+l.Ref].Add(l.Weight)
			}
			for _, l := range d.Services {
				sums["service "+l.Slug] = sums["service "+l.Slug].Add(l.Weight)
			}
		}
		for what, sum := range sums {
			if sum.GreaterThan(decimal.NewFromInt(100)) {
				t.Errorf("%s is weighted %s %% in all", what, sum)
			}
		}
		var linked int
		if err := e.DB.QueryRow(ctx, "SELECT COUNT(DISTINCT need_id) FROM need_processes").Scan(&linked); err != nil {
			t.Fatal(err)
		}
		if linked < 60 {
			t.Fatalf("%d demo needs are linked to processes", linked)
		}
		// The process page lists the needs that refer to a process.
		var experiments int64
		for _, entry := range m.Entries {
			if entry.Ref == "run-experiments" {
				experiments = entry.ID
			}
		}
		got, _, err := e.FrontDoor.List(ctx, principal(t, e, "admin@example.com"), frontdoor.ListFilter{ProcessID: experiments, Limit: 500})
		if err != nil || len(got) == 0 {
			t.Fatalf("needs that refer to run-experiments: %d, %v", len(got), err)
		}
		// Only the need's BRM, architects and administrators link it afterwards.
		if _, err := e.FrontDoor.LinkProcesses(ctx, principal(t, e, "budget@example.com"), got[0].Reference, []int64{experiments}); engage.ErrorCode(err) != engage.EFORBIDDEN {
			t.Fatalf("a budget holder links a need: %v", err)
		}
		if _, err := e.FrontDoor.LinkProcesses(ctx, principal(t, e, "admin@example.com"), got[0].Reference, []int64{experiments, 999999}); !strings.Contains(fmt.Sprint(engage.ErrorFields(err)), "999999") {
			t.Fatalf("an unknown process: %v", err)
		}
	})
}
