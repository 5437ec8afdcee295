package main

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// TestMain runs the Engage child of killRun when asked to: the test
// binary is the program killRun starts, kills and starts again.
func TestMain(m *testing.M) {
	if childRequested() {
		os.Exit(child())
	}
	os.Exit(m.Run())
}

// TestKilledUnderLoad kills Engage (a child process) while senders post
// single events and batches as fast as it answers; they resend what was
// not acknowledged, and the usage stored afterwards equals the distinct
// events sent: none lost, none counted twice. On SQLite and PostgreSQL.
func TestKilledUnderLoad(t *testing.T) {
	engines := map[string]string{"sqlite": ""}
	if u := os.Getenv("ENGAGE_TEST_DATABASE_URL"); u != "" {
		engines["postgres"] = u
	} else if os.Getenv("CI") != "" {
		t.Fatal("ENGAGE_TEST_DATABASE_URL is not set")
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		url, ok := engines[engine]
		if !ok {
			continue
		}
		for _, batch := range []int{1, 20} {
			t.Run(fmt.Sprintf("%s/batch-%d", engine, batch), func(t *testing.T) {
				o := options{databaseURL: url, clients: 16, batch: batch, duration: 3 * time.Second, kill: true}
				res, err := killRun(context.Background(), o, os.Args[0])
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%d distinct events, %d stored, %d requests, %d unacknowledged ones resent, %d acknowledged events resent, %d found stored when resent",
					res.distinct, res.stored, res.requests, res.retries, res.resentAcked, res.duplicates)
				if res.kills != 1 || res.distinct == 0 || res.resentAcked == 0 || res.duplicates < res.resentAcked {
					t.Fatalf("killed %d times, %d events sent, %d acknowledged ones resent, %d duplicates", res.kills, res.distinct, res.resentAcked, res.duplicates)
				}
			})
		}
	}
}
