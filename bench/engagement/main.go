// Command engagement measures Engage's engagement figures at scale: every
// community's figures, coverage and dark populations, and every
// department's score, read right after a change (a new signal), and the
// process's peak resident memory while reading them.
//
// It starts Engage in-process on a fresh database (SQLite in a temporary
// directory, or a new schema of the PostgreSQL database given with
// -database-url), then generates -people people in -departments
// departments, -locations locations and -functions functions, -communities
// communities whose members are about three communities per person, and
// -signals engagement signals spread over the last twelve months, each kept
// through the engagement service's Record as the areas send them (in
// transactions of -batch signals): a tenth open topics, most topics get an
// official IT answer and some an accepted solution, the rest are replies,
// votes and pulse answers. Then it records one more signal and times each
// read, -repeat times, printing the slowest.
//
//	go run ./bench/engagement                              # SQLite
//	go run ./bench/engagement -database-url postgres://…   # PostgreSQL
//	go run ./bench/engagement -people 5000 -signals 100000 # smaller
//	go run ./bench/engagement -keep                        # keep the data…
//	go run ./bench/engagement -reuse /tmp/engage-engagement-… # …and measure the reads on it again
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/engagehq/engage/bench/benchkit"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/activity"
	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/db"
)

type options struct {
	people, departments, locations, functions, communities, signals, batch, repeat int
	databaseURL, cpuprofile, reuse                                                 string
	keep                                                                           bool
}

func main() {
	var o options
	flag.IntVar(&o.people, "people", 50000, "people in the organisation")
	flag.IntVar(&o.departments, "departments", 60, "departments")
	flag.IntVar(&o.locations, "locations", 25, "locations")
	flag.IntVar(&o.functions, "functions", 12, "business functions")
	flag.IntVar(&o.communities, "communities", 200, "communities")
	flag.IntVar(&o.signals, "signals", 1000000, "engagement signals over the last twelve months")
	flag.IntVar(&o.batch, "batch", 5000, "signals recorded per transaction while generating")
	flag.IntVar(&o.repeat, "repeat", 3, "times each read is measured (the slowest is printed)")
	flag.StringVar(&o.databaseURL, "database-url", "", "postgres:// URL of a database to work in (a new schema, dropped afterwards); SQLite in a temporary directory when empty")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the reads to this file")
	flag.BoolVar(&o.keep, "keep", false, "keep the generated database (PostgreSQL schema or SQLite directory) to study it afterwards")
	flag.StringVar(&o.reuse, "reuse", "", "measure the reads on the SQLite directory a run with -keep left (migrated first), without generating anything")
	flag.Parse()
	if err := bench(o); err != nil {
		fmt.Fprintln(os.Stderr, "engagement benchmark:", err)
		os.Exit(1)
	}
}

const width = 52

func step(what string, start time.Time) time.Duration { return benchkit.Step(width, what, start) }

func bench(o options) error {
	ctx := context.Background()
	if o.reuse != "" {
		return reuse(ctx, o)
	}
	t := time.Now()
	a, closeApp, err := benchkit.Open(ctx, o.databaseURL, "engagement")
	if err != nil {
		return err
	}
	if !o.keep {
		defer closeApp()
	}
	step("open and migrate", t)
	t = time.Now()
	people, err := organisation(ctx, a.DB, o)
	if err != nil {
		return err
	}
	step(fmt.Sprintf("organisation: %d people", len(people)), t)
	t = time.Now()
	communities, err := makeCommunities(ctx, a, o, people)
	if err != nil {
		return err
	}
	step(fmt.Sprintf("%d communities and their members", len(communities)), t)
	t = time.Now()
	if err := signals(ctx, a, o, people, communities); err != nil {
		return err
	}
	elapsed := step(fmt.Sprintf("%d signals recorded", o.signals), t)
	fmt.Printf("%-*s %9.0f\n", width, "signals recorded per second", float64(o.signals)/elapsed.Seconds())
	return measureReads(ctx, a, o, people, communities)
}

// reuse opens Engage on the SQLite directory of an earlier run kept with
// -keep (migrating it to the current schema) and measures the reads.
func reuse(ctx context.Context, o options) error {
	t := time.Now()
	cfg := config.Default()
	cfg.Addr, cfg.DataDir = "127.0.0.1:0", o.reuse
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), nil)
	if err != nil {
		return err
	}
	defer a.Close()
	step("open and migrate the kept database", t)
	people, err := db.QueryIDs(ctx, a.DB, "SELECT id FROM people ORDER BY id")
	if err != nil {
		return err
	}
	communities, err := db.QueryIDs(ctx, a.DB, "SELECT id FROM communities ORDER BY id")
	if err != nil {
		return err
	}
	return measureReads(ctx, a, o, people, communities)
}

// measureReads records one signal before each read and times the read.
func measureReads(ctx context.Context, a *app.App, o options, people, communities []int64) error {
	if a.DB.Engine() == db.Postgres {
		// What autovacuum would have done by now in a database that grew
		// over a year: the planner's statistics of the generated tables.
		t := time.Now()
		if _, err := a.DB.Exec(ctx, "ANALYZE"); err != nil {
			return err
		}
		step("ANALYZE", t)
	}

	stop, err := benchkit.StartCPUProfile(o.cpuprofile)
	if err != nil {
		return err
	}
	// The peak resident set from here on: the reads, not the generation.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	sys := access.System("bench")
	reads := []struct {
		name string
		read func() error
	}{
		{"every community's figures", func() error { _, err := a.Engagement.CommunityFigures(ctx, sys); return err }},
		{"coverage and dark populations", func() error { _, err := a.Engagement.Coverage(ctx, sys); return err }},
		{"every department's score", func() error { _, err := a.Engagement.Scores(ctx, sys); return err }},
		{"one department's score and 12-month trend", func() error { _, err := a.Engagement.Score(ctx, sys, 1); return err }},
		{"one community's figures with topics and people", func() error {
			_, err := a.Engagement.Community(ctx, sys, "community-1")
			return err
		}},
	}
	// elapsed = CPU + waiting for a CPU (other work on the machine) +
	// waiting for anything else (locks, the disk): the last column. The
	// CPU is the process's (the garbage collector's too, on other
	// threads), the wait the reading thread's, so "other" is a floor.
	fmt.Printf("%-*s %9s %9s %9s %9s\n", width, "read right after a change (slowest of -repeat)", "elapsed", "CPU", "CPU wait", "other")
	total, totalCPU, totalWait := time.Duration(0), time.Duration(0), time.Duration(0)
	for _, r := range reads {
		slowest, slowestCPU, slowestWait := time.Duration(0), time.Duration(0), time.Duration(0)
		for i := range o.repeat {
			// A change first: the figures are read right after it.
			if err := a.DB.Transact(ctx, func(tx *db.Tx) error {
				return a.Engagement.Record(ctx, tx, activity.Signal{Kind: activity.Replied, PersonID: people[i], CommunityID: communities[0], TopicID: 1})
			}); err != nil {
				return err
			}
			// On one thread, so that its wait for a CPU is the read's.
			runtime.LockOSThread()
			start, cpu, wait := time.Now(), cpuTime(), benchkit.ThreadWait()
			err := r.read()
			took, used, waited := time.Since(start), cpuTime()-cpu, benchkit.ThreadWait()-wait
			runtime.UnlockOSThread()
			if err != nil {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			if took > slowest {
				slowest, slowestCPU, slowestWait = took, used, waited
			}
		}
		if !strings.HasPrefix(r.name, "one ") {
			total, totalCPU, totalWait = total+slowest, totalCPU+slowestCPU, totalWait+slowestWait
		}
		fmt.Printf("%-*s %9s %9s %9s %9s\n", width, r.name, ms(slowest), ms(slowestCPU), ms(slowestWait), ms(max(0, slowest-slowestCPU-slowestWait)))
	}
	stop()
	fmt.Printf("%-*s %9s %9s %9s %9s\n", width, "all figures, coverage, every score (sum)", ms(total), ms(totalCPU), ms(totalWait),
		ms(max(0, total-totalCPU-totalWait)))
	fmt.Printf("%-*s %9s\n", width, "peak resident memory while reading (VmHWM)", benchkit.ProcStatus("VmHWM:"))
	return nil
}

func ms(d time.Duration) string { return d.Round(time.Millisecond).String() }

// cpuTime is the CPU time the process has used (user and system): with
// SQLite, the database's work too.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// organisation inserts departments, locations, functions and people in
// bulk, and returns the people's ids.
func organisation(ctx context.Context, d *db.DB, o options) ([]int64, error) {
	now := time.Now().UTC()
	err := d.Transact(ctx, func(tx *db.Tx) error {
		for i := 1; i <= o.departments; i++ {
			if _, err := tx.Exec(ctx, "INSERT INTO departments(code, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
				fmt.Sprintf("D%03d", i), fmt.Sprintf("Department %03d", i), now, now); err != nil {
				return err
			}
		}
		for i := 1; i <= o.locations; i++ {
			if _, err := tx.Exec(ctx, "INSERT INTO locations(code, name, country, created_at, updated_at) VALUES (?, ?, 'GB', ?, ?)",
				fmt.Sprintf("L%03d", i), fmt.Sprintf("Location %03d", i), now, now); err != nil {
				return err
			}
		}
		for i := 1; i <= o.functions; i++ {
			if _, err := tx.Exec(ctx, "INSERT INTO functions(code, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
				fmt.Sprintf("F%03d", i), fmt.Sprintf("Function %03d", i), now, now); err != nil {
				return err
			}
		}
		const chunk = 500
		for start := 0; start < o.people; start += chunk {
			n := min(chunk, o.people-start)
			args := make([]any, 0, 7*n)
			for i := start; i < start+n; i++ {
				args = append(args, fmt.Sprintf("p%06d@bench.example", i), fmt.Sprintf("Person %06d", i),
					1+i%o.departments, 1+(i/7)%o.locations, 1+(i/3)%o.functions, now, now)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO people(email, name, department_id, location_id, function_id, created_at, updated_at) VALUES "+
				db.ValueRows(n, 7), args...); err != nil {
				return err
			}
		}
		return nil
	}, db.BulkWrite())
	if err != nil {
		return nil, fmt.Errorf("generating the organisation: %w", err)
	}
	return db.QueryIDs(ctx, d, "SELECT id FROM people ORDER BY id")
}

// makeCommunities creates the communities through the community service
// and gives each person about three of them.
func makeCommunities(ctx context.Context, a *app.App, o options, people []int64) ([]int64, error) {
	sys := access.System("bench")
	var ids []int64
	for i := 1; i <= o.communities; i++ {
		c, err := a.Communities.Create(ctx, sys, community.Input{Slug: fmt.Sprintf("community-%d", i), Name: fmt.Sprintf("Community %d", i),
			Kind: community.KindProduct})
		if err != nil {
			return nil, err
		}
		ids = append(ids, c.ID)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now().UTC()
	err := a.DB.Transact(ctx, func(tx *db.Tx) error {
		const chunk = 500
		var args []any
		flush := func() error {
			if len(args) == 0 {
				return nil
			}
			_, err := tx.Exec(ctx, "INSERT INTO community_members(community_id, person_id, by_hand, since) VALUES "+db.ValueRows(len(args)/4, 4)+
				" ON CONFLICT (community_id, person_id) DO NOTHING", args...)
			args = args[:0]
			return err
		}
		for i, p := range people {
			if i%10 == 9 {
				continue // a tenth belong to no community
			}
			for range 3 {
				args = append(args, ids[skewed(rng, len(ids))], p, true, now)
				if len(args)/4 == chunk {
					if err := flush(); err != nil {
						return err
					}
				}
			}
		}
		return flush()
	}, db.BulkWrite())
	return ids, err
}

// skewed picks an index below n, the first ones more often (a few large
// communities, many small ones).
func skewed(rng *rand.Rand, n int) int {
	f := rng.Float64()
	return int(f * f * float64(n))
}

// signals records o.signals signals through the engagement service.
func signals(ctx context.Context, a *app.App, o options, people, communities []int64) error {
	rng := rand.New(rand.NewPCG(3, 4))
	now := time.Now().UTC()
	year := 365 * 24 * time.Hour
	topics := 0
	for done := 0; done < o.signals; {
		n := min(o.batch, o.signals-done)
		err := a.DB.Transact(ctx, func(tx *db.Tx) error {
			for i := range n {
				// Signals in order of time, oldest first, over the year.
				at := now.Add(-year + time.Duration(float64(year)*float64(done+i)/float64(o.signals)))
				person := people[rng.IntN(len(people))]
				c := communities[skewed(rng, len(communities))]
				s := activity.Signal{PersonID: person, CommunityID: c, At: at}
				switch r := rng.IntN(100); {
				case r < 10 || topics == 0:
					topics++
					s.Kind, s.TopicID, s.Ref, s.Title = activity.TopicOpened, int64(topics), fmt.Sprintf("topic:%d", topics), fmt.Sprintf("Topic %d", topics)
				case r < 18:
					s.Kind, s.TopicID = activity.ITAnswered, int64(max(1, topics-rng.IntN(20)))
				case r < 21:
					s.Kind, s.TopicID = activity.Accepted, int64(max(1, topics-rng.IntN(40)))
				case r < 70:
					s.Kind, s.TopicID = activity.Replied, int64(max(1, topics-rng.IntN(50)))
				case r < 85:
					s.Kind, s.TopicID = activity.Voted, int64(max(1, topics-rng.IntN(200)))
				case r < 95:
					s.Kind, s.Survey, s.Score = activity.PulseAnswer, "csat", 1+rng.IntN(5)
					benchPulse(&s, c)
				case r < 98:
					s.Kind, s.Survey, s.Score, s.CommunityID = activity.PulseAnswer, "nps", rng.IntN(11), 0
					benchPulse(&s, 0)
				case r < 99:
					s.Kind, s.CommunityID = activity.NeedSent, 0
				default:
					s.Kind, s.CommunityID = activity.Ordered, 0
				}
				if err := a.Engagement.Record(ctx, tx, s); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("recording signals: %w", err)
		}
		done += n
	}
	return nil
}

// benchPulse makes s answer its month's pulse: one a month per community
// (CSAT), and one a month about a service (NPS, community 0), each open
// for its calendar month, so the current month's are still open.
func benchPulse(s *activity.Signal, community int64) {
	s.PulseOpens = time.Date(s.At.Year(), s.At.Month(), 1, 0, 0, 0, 0, time.UTC)
	s.PulseCloses = s.PulseOpens.AddDate(0, 1, 0)
	s.PulseID = 1_000_000_000 + community*100_000 + int64(s.At.Year()*12+int(s.At.Month()))
	s.Ref = fmt.Sprintf("pulse:%d", s.PulseID)
}
