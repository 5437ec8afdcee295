// Command workday runs a working day of Engage, compressed: many people of
// the demo organisation browsing and searching the catalog, comparing,
// quoting and ordering, budget holders deciding the orders that wait for
// them, needs submitted and moved through triage, reviews and the board,
// meters sending usage, and finance running the month — all at once, over
// loopback HTTP against an Engage started in-process on a fresh database
// (SQLite in a temporary directory, or a new schema of the PostgreSQL
// database given with -database-url).
//
// It prints p50/p99 per page and API operation, the errors (there must be
// none), the process's peak resident memory, and then checks what the day
// left behind: every order, need and usage record it made stored exactly
// once (whatever it sent twice included), and every statement line of the
// metered offering it used equal to an independent pricing of the usage it
// sent, every statement's total the sum of its lines. It exits 1 when any
// error happened or any check fails.
//
//	go run ./bench/workday                              # SQLite, 1,000 people, 10 minutes
//	go run ./bench/workday -database-url postgres://…   # PostgreSQL
//	go run ./bench/workday -duration 1m -people 200     # a short day
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"
)

type options struct {
	people      int
	meters      int
	duration    time.Duration
	think       time.Duration
	databaseURL string
	seed        uint64
	cpuprofile  string
}

func main() {
	var o options
	flag.IntVar(&o.people, "people", 1000, "simulated people of the demo organisation, each acting one step after another with a pause between")
	flag.IntVar(&o.meters, "meters", 8, "meters sending usage, each a batch of records every second")
	flag.DurationVar(&o.duration, "duration", 10*time.Minute, "how long the day lasts")
	flag.DurationVar(&o.think, "think", 8*time.Second, "a person's mean pause between two steps (exponentially distributed)")
	flag.StringVar(&o.databaseURL, "database-url", "", "postgres:// URL of a database to work in (a new schema, dropped afterwards); SQLite in a temporary directory when empty")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of every random choice")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the day to this file")
	flag.Parse()
	if o.people < 20 || o.meters < 1 || o.duration <= 0 || o.think <= 0 {
		fmt.Fprintln(os.Stderr, "workday: -people must be at least 20, -meters, -duration and -think positive")
		os.Exit(2)
	}
	ok, err := run(context.Background(), o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "workday:", err)
		os.Exit(1)
	}
	if !ok {
		fmt.Println("RESULT: FAILED")
		os.Exit(1)
	}
	fmt.Println("RESULT: passed (no errors; every check held)")
}

func engineName(databaseURL string) string {
	if databaseURL != "" {
		return "PostgreSQL"
	}
	return "SQLite"
}

func header(o options) string {
	return fmt.Sprintf("Engage working day: %s, %d people (mean pause %s), %d meters, %s, %s, GOMAXPROCS=%d, %d CPUs",
		engineName(o.databaseURL), o.people, o.think, o.meters, o.duration, runtime.Version(), runtime.GOMAXPROCS(0), runtime.NumCPU())
}
