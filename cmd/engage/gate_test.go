package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/auth"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/frontdoor"
)

// TestGateCheck asks the delivery gate about the demo's needs, from the
// database directly and through a running Engage's API.
func TestGateCheck(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			cfg := config.Default()
			cfg.Addr = "127.0.0.1:0"
			cfg.Argon2 = auth.CheapArgon2()
			var dbFlag []string
			if engine == "sqlite" {
				cfg.DataDir = t.TempDir()
				dbFlag = []string{"--data", cfg.DataDir}
			} else {
				cfg.DatabaseURL = dbtest.PostgresURL(t)
				dbFlag = []string{"--database-url", cfg.DatabaseURL}
			}
			with := func(args ...string) []string { return append(args, dbFlag...) }
			if code, _, errs := runEngage(t, "", with("demo")...); code != 0 {
				t.Fatalf("demo = %d %q", code, errs)
			}

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			a, err := app.Open(ctx, cfg, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			// The first demo need in each state, and why the rejected one was rejected.
			first := func(state frontdoor.State) string {
				var ref string
				if err := a.DB.QueryRow(ctx, "SELECT reference FROM needs WHERE state = ? ORDER BY reference LIMIT 1", state).Scan(&ref); err != nil {
					t.Fatalf("a demo need that is %s: %v", state, err)
				}
				return ref
			}
			approved, inDelivery, rejected, closed := first(frontdoor.Approved), first(frontdoor.InDelivery), first(frontdoor.Rejected), first(frontdoor.Closed)
			var reason string
			if err := a.DB.QueryRow(ctx, `SELECT e.reason FROM need_events e JOIN needs n ON n.id = e.need_id
				WHERE n.reference = ? ORDER BY e.id DESC LIMIT 1`, rejected).Scan(&reason); err != nil || len(reason) < 20 {
				t.Fatalf("reason for rejecting %s: %q %v", rejected, reason, err)
			}

			for _, ref := range []string{approved, inDelivery, strings.ToLower(approved)} {
				code, out, errs := runEngage(t, "", with("gate", "check", ref)...)
				if code != 0 || !strings.Contains(out, strings.ToUpper(ref)+" ALLOWED") || errs != "" {
					t.Errorf("gate check %s = %d %q %q", ref, code, out, errs)
				}
			}
			code, out, errs := runEngage(t, "", with("gate", "check", rejected)...)
			if code != 1 || !strings.Contains(out, rejected+" NOT ALLOWED: Rejected: "+reason) || errs != "" {
				t.Errorf("gate check %s (rejected) = %d %q %q, want the reason %q", rejected, code, out, errs, reason)
			}
			if code, out, _ := runEngage(t, "", with("gate", "check", closed)...); code != 1 || !strings.Contains(out, "Closed") {
				t.Errorf("gate check %s (closed) = %d %q", closed, code, out)
			}
			code, out, _ = runEngage(t, "", with("gate", "check", "NEED-1999-0001")...)
			if code != 1 || !strings.Contains(out, "Unknown reference") {
				t.Errorf("gate check of an unknown reference = %d %q", code, out)
			}
			if code, _, errs := runEngage(t, "", with("gate", "check")...); code != 2 || !strings.Contains(errs, "reference") {
				t.Errorf("gate check without a reference = %d %q", code, errs)
			}

			// --json prints the answer for programs, with the same exit status.
			for ref, allowed := range map[string]bool{approved: true, rejected: false} {
				code, out, _ := runEngage(t, "", with("gate", "check", ref, "--json")...)
				var ans frontdoor.GateAnswer
				if err := json.Unmarshal([]byte(out), &ans); err != nil {
					t.Fatalf("gate check %s --json printed %q: %v", ref, out, err)
				}
				if ans.Reference != ref || ans.Allowed != allowed || (code == 0) != allowed || ans.Reason == "" || ans.State == "" {
					t.Errorf("gate check %s --json = %d %+v", ref, code, ans)
				}
			}

			// Over the API, as a delivery pipeline asks, with a token.
			if err := a.Listen(); err != nil {
				t.Fatal(err)
			}
			served := make(chan error, 1)
			go func() { served <- a.Serve(ctx) }()
			defer func() {
				cancel()
				if err := <-served; err != nil {
					t.Error(err)
				}
			}()
			// The pipeline's token may only ask the gate.
			code, out, errs = runEngage(t, "", with("token", "create", "owner@example.com", "--name", "delivery pipeline", "--scope", "gate")...)
			token := strings.TrimSpace(out)
			if code != 0 || !strings.HasPrefix(token, auth.TokenPrefix) {
				t.Fatalf("token create --scope gate = %d %q %q", code, out, errs)
			}
			if code, _, errs := runEngage(t, "", with("token", "create", "owner@example.com", "--scope", "everything")...); code == 0 || !strings.Contains(errs, "full or gate") {
				t.Errorf("token create --scope everything = %d %q", code, errs)
			}
			if code, _, errs := runEngage(t, "", "gate", "check", approved, "--url", a.URL()); code != 2 || !strings.Contains(errs, "ENGAGE_TOKEN") {
				t.Errorf("gate check --url without a token = %d %q", code, errs)
			}
			t.Setenv("ENGAGE_TOKEN", token)
			if code, out, errs := runEngage(t, "", "gate", "check", approved, "--url", a.URL()); code != 0 || !strings.Contains(out, approved+" ALLOWED") {
				t.Errorf("gate check %s --url = %d %q %q", approved, code, out, errs)
			}
			// It learns that the need was rejected, not why: that is for
			// those who may read the need.
			code, out, errs = runEngage(t, "", "gate", "check", rejected, "--url", a.URL()+"/", "--json")
			var ans frontdoor.GateAnswer
			if err := json.Unmarshal([]byte(out), &ans); err != nil || code != 1 || ans.Allowed || ans.State != frontdoor.Rejected ||
				ans.Reason != "Rejected." || ans.Title != "" || strings.Contains(out, reason) {
				t.Errorf("gate check %s --url --json = %d %q %q (%v)", rejected, code, out, errs, err)
			}
			if code, out, _ := runEngage(t, "", "gate", "check", "NEED-1999-0001", "--url", a.URL()); code != 1 || !strings.Contains(out, "Unknown reference") {
				t.Errorf("gate check of an unknown reference over the API = %d %q", code, out)
			}
			t.Setenv("ENGAGE_TOKEN", "not-a-token")
			if code, _, errs := runEngage(t, "", "gate", "check", approved, "--url", a.URL()); code != 1 || !strings.Contains(errs, "401") {
				t.Errorf("gate check with a bad token = %d %q", code, errs)
			}
		})
	}
}
