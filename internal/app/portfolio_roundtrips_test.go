package app_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/demo"
)

// readsOf returns the fewest reads the database ran while b loaded path,
// over a few loads once it is kept: work in the background (a delivery
// polled) may add a read to one of them, never to all.
func readsOf(t *testing.T, e *apptest.Engage, b *apptest.Browser, path string) int64 {
	t.Helper()
	fewest := int64(-1)
	for range 4 {
		before := e.DB.Reads()
		if res, _ := b.Get(path); res.StatusCode != http.StatusOK {
			t.Fatalf("%s = %d", path, res.StatusCode)
		}
		if n := e.DB.Reads() - before; fewest < 0 || n < fewest {
			fewest = n
		}
	}
	return fewest
}

// TestPortfolioPagesRoundTrips: once the register is kept, a reader's
// process map and heatmap ask the database only whether the register
// moved (and the risk view which needs it may read flag a process); a
// process's page asks that and, in one query, the needs linked to it
// (those listed and those flagging it), the names of its performers in
// one more when it has any, and at most one read besides (seven in all
// before).
func TestPortfolioPagesRoundTrips(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		reader := e.SignIn(t, "requester@example.com")
		p := principalOf(t, e, "requester@example.com")
		m, err := e.Processes.ProcessMap(ctx, p)
		if err != nil || len(m.Entries) == 0 {
			t.Fatalf("demo register = %d entries, %v", len(m.Entries), err)
		}
		for path, most := range map[string]int64{"/portfolio": 1, "/portfolio/heatmap?view=enablement": 1, "/portfolio/heatmap?view=risk": 2} {
			if n := readsOf(t, e, reader, path); n > most {
				t.Errorf("a reader's %s ran %d reads; want at most %d", path, n, most)
			}
		}
		performed := 0
		for _, entry := range m.Entries {
			d, err := e.Processes.Describe(ctx, p, entry.ID)
			if err != nil {
				t.Fatal(err)
			}
			most := int64(3)
			if len(d.Functions)+len(d.Locations) > 0 {
				most++
				performed++
			}
			if n := readsOf(t, e, reader, fmt.Sprintf("/portfolio/processes/%d", entry.ID)); n > most {
				t.Errorf("a reader's page of process %d ran %d reads; want at most %d", entry.ID, n, most)
			}
		}
		if performed == 0 {
			t.Error("no demo process has performers")
		}
	})
}

// TestProcessPageFlagsAsTheLandscape: the flags a process's page shows —
// read with the needs of the process in one query — are those the
// landscape's ProcessFlags gives, for every flagged process of the demo,
// to a requester and to an administrator, who reads more needs.
func TestProcessPageFlagsAsTheLandscape(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		for _, email := range []string{"requester@example.com", "admin@example.com"} {
			p := principalOf(t, e, email)
			risks, err := e.Landscape.Risks(ctx, p)
			if err != nil || len(risks) == 0 {
				t.Fatalf("%s: demo risks = %d, %v", email, len(risks), err)
			}
			b := e.SignIn(t, email)
			for _, r := range risks {
				want, err := e.Landscape.ProcessFlags(ctx, p, r.Process.ID)
				if err != nil {
					t.Fatal(err)
				}
				res, body := b.Get(fmt.Sprintf("/portfolio/processes/%d", r.Process.ID))
				if res.StatusCode != http.StatusOK {
					t.Fatalf("%s: process %d = %d", email, r.Process.ID, res.StatusCode)
				}
				var wantKinds, gotKinds []string
				for _, f := range want {
					wantKinds = append(wantKinds, f.Kind)
					for _, ev := range f.Evidence {
						if !strings.Contains(body, `href="`+ev.Href+`"`) {
							t.Errorf("%s: process %d's page does not show the evidence %s", email, r.Process.ID, ev.Href)
						}
					}
				}
				for _, part := range strings.Split(body, `data-flag="`)[1:] {
					gotKinds = append(gotKinds, part[:strings.IndexByte(part, '"')])
				}
				if !slices.Equal(gotKinds, wantKinds) {
					t.Errorf("%s: process %d's page flags %v; the landscape %v", email, r.Process.ID, gotKinds, wantKinds)
				}
			}
		}
	})
}

// TestWaitingCountAsTheList: the navigation's count of the needs waiting
// for each demo account, counted in one query, is the length of the list
// of them.
func TestWaitingCountAsTheList(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		ctx := context.Background()
		some := 0
		for _, a := range demo.Accounts {
			p := principalOf(t, e, a.Email)
			items, err := e.FrontDoor.WaitingFor(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			n, err := e.FrontDoor.WaitingCount(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(items) {
				t.Errorf("%s: %d needs waiting counted; %d listed", a.Email, n, len(items))
			}
			some += n
		}
		if some == 0 {
			t.Fatal("no need waits for any demo account")
		}
	})
}
