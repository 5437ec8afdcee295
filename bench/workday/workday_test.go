package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/engagehq/engage/internal/dbtest"
)

// TestWorkday runs a short working day on both engines: no errors, and
// every order, need, usage record and metered statement line checked.
func TestWorkday(t *testing.T) {
	if testing.Short() {
		t.Skip("the working day takes a minute")
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			o := options{people: 60, meters: 2, duration: 15 * time.Second, think: 700 * time.Millisecond, seed: 3}
			if engine == "postgres" {
				o.databaseURL = os.Getenv(dbtest.EnvURL)
				if o.databaseURL == "" {
					if os.Getenv("CI") == "true" {
						t.Fatalf("%s is not set: the PostgreSQL half must run in CI (use ./scripts/test)", dbtest.EnvURL)
					}
					t.Skipf("%s is not set: skipping the PostgreSQL half on this machine", dbtest.EnvURL)
				}
			}
			ok, err := run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				t.Fatal("the working day had errors or failed a check (see the output above)")
			}
		})
	}
}
