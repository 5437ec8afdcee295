package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/spend"
)

// When an applied catalog file makes a service name a shadow vendor, the
// vendor's open cases close as sanctioned by the catalog, without waiting
// for the next import; when the catalog stops naming it, they reopen. A
// sync run again changes nothing.
func TestShadowCasesFollowTheCatalog(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		importShadowFixture(t, e)
		ctx := context.Background()
		admin, brm := principalOf(t, e, "admin@example.com"), principalOf(t, e, "brm@example.com")
		dropbox := caseOf(t, mustCases(t, e), "Dropbox", "Sales")
		apply := func(vendor string) {
			t.Helper()
			var out bytes.Buffer
			if err := e.Catalog.Export(ctx, admin, &out); err != nil {
				t.Fatal(err)
			}
			f, err := catalog.ParseFile("catalog.yaml", &out)
			if err != nil {
				t.Fatal(err)
			}
			for i := range f.Services {
				if f.Services[i].Slug == "file-sync" {
					f.Services[i].Vendor = vendor
				}
			}
			if _, err := e.Catalog.Apply(ctx, admin, f, false); err != nil {
				t.Fatal(err)
			}
		}
		// waitFor reads the case until it is in state, as the sync runs
		// after the apply's commit, in the background.
		waitFor := func(state string) spend.CaseDetail {
			t.Helper()
			deadline := time.Now().Add(20 * time.Second)
			for {
				d, err := e.Spend.Case(ctx, brm, dropbox.ID)
				if err != nil {
					t.Fatal(err)
				}
				if d.Case.State == state {
					return d
				}
				if time.Now().After(deadline) {
					t.Fatalf("the Dropbox case is %s, want %s: %+v", d.Case.State, state, d.Events)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		apply("Dropbox")
		d := waitFor(spend.CaseSanctioned)
		last := d.Events[len(d.Events)-1]
		if d.Case.SecurityVerdict != "" || !strings.Contains(d.Case.Reason, "In the catalog: File sync and share") || last.Action != "sanctioned" {
			t.Fatalf("sanctioned by the catalog: %+v, last event %+v", d.Case, last)
		}
		// Nothing more happens when the cases are brought up to date again.
		if err := e.Spend.SyncCases(ctx); err != nil {
			t.Fatal(err)
		}
		if again, err := e.Spend.Case(ctx, brm, dropbox.ID); err != nil || len(again.Events) != len(d.Events) || again.Case.State != spend.CaseSanctioned {
			t.Fatalf("a second sync: %+v %v", again.Case, err)
		}
		rep, err := e.Spend.Shadow(ctx, brm, spend.ShadowFilter{Vendor: "Dropbox"})
		if err != nil || findShadow(rep.Shadow, "Dropbox", "Sales") != nil || findShadow(rep.Sanctioned, "Dropbox", "Sales") == nil {
			t.Fatalf("Dropbox for Sales after the apply: %+v %v", rep, err)
		}
		apply("Microsoft")
		d = waitFor(spend.CaseOpen)
		if last = d.Events[len(d.Events)-1]; d.Case.Reopened != 1 || last.Action != "reopen" || d.Case.Reason != "" {
			t.Fatalf("reopened: %+v, last event %+v", d.Case, last)
		}
	})
}

// When the board decides a buy option from a shadow vendor for Sales, the
// vendor's case for Sales closes as sanctioned by the board at once.
func TestShadowCasesFollowTheBoard(t *testing.T) {
	apptest.Run(t, func(t *testing.T, e *apptest.Engage) {
		importShadowFixture(t, e)
		ctx := context.Background()
		brm := principalOf(t, e, "brm@example.com")
		hoot := caseOf(t, mustCases(t, e), "Hootsuite", "Sales")
		var member string
		if err := e.DB.QueryRow(ctx, `SELECT p.email FROM people p JOIN departments d ON d.id = p.department_id
			WHERE d.code = 'SALES' AND p.email <> 'head.sales@example.com' ORDER BY p.id LIMIT 1`).Scan(&member); err != nil {
			t.Fatal(err)
		}
		n := askAs(t, e, member, "Social media scheduling")
		n = move(t, e, member, n, "submit")
		n = move(t, e, "brm@example.com", n, "start_triage", "accept")
		for email, kind := range map[string]string{"architect@example.com": "architecture", "security@example.com": "security", "finance.reviewer@example.com": "finance"} {
			if _, err := e.FrontDoor.Review(ctx, mustPrincipal(t, e, email), n.Reference, kind, "approve", "", 0); err != nil {
				t.Fatal(err)
			}
		}
		n, _ = e.FrontDoor.Find(ctx, mustPrincipal(t, e, member), n.Reference)
		n = move(t, e, "brm@example.com", n, "to_decision")
		monthly, zero := decimal.RequireFromString("12"), decimal.Zero
		opt, err := e.FrontDoor.AddOption(ctx, brm, n.Reference, frontdoor.NeedOptionInput{Kind: "buy", Title: "Hootsuite Team", Vendor: "Hootsuite",
			Monthly: &monthly, OneTime: &zero, DataCeiling: "confidential"})
		if err != nil {
			t.Fatal(err)
		}
		n, _ = e.FrontDoor.Find(ctx, mustPrincipal(t, e, member), n.Reference)
		n, err = e.FrontDoor.Act(ctx, mustPrincipal(t, e, "board@example.com"), n.Reference, "decide",
			frontdoor.ActInput{Version: n.Version, OptionID: opt.ID, Reason: "Buy it for Sales."})
		if err != nil || n.State != frontdoor.Approved {
			t.Fatalf("the board's decision = %s %v", n.State, err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			d, err := e.Spend.Case(ctx, brm, hoot.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d.Case.State == spend.CaseSanctioned {
				if !strings.Contains(d.Case.Reason, "Decided by the board: "+n.Reference) {
					t.Fatalf("sanctioned because %q", d.Case.Reason)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the Hootsuite case for Sales is still %s after the board's decision", d.Case.State)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}
