// Command billing measures Engage's metering and billing against the
// floors of the same engine: usage ingestion through POST /api/v1/usage,
// the FOCUS cloud-bill import, and the monthly billing run.
//
// It starts Engage in-process on a fresh database (SQLite in a temporary
// directory, or a new schema of the PostgreSQL database given with
// -database-url) and loads the demo organisation and catalog. Then:
//
//   - ingest: -usage generated usage records of the demo's metered
//     offerings are posted as NDJSON, -batch records to a request, by
//     -clients senders, each with a finance API token; the floor is a
//     multi-row INSERT of the same rows with the same driver into a plain
//     table without indexes.
//   - focus: a generated FOCUS 1.0 CSV of -focus rows (never held in
//     memory) goes through the import of `engage import focus`, with the
//     allocation rules of focusRules; the floor
//     is the same rows' main columns inserted the same way into a plain
//     table.
//   - run: the billing run of the month; the floor is a plain SQL GROUP BY
//     over the raw usage rows and over the month's cloud charges.
//
// It prints rows/s, elapsed time, the process's peak resident memory
// (VmHWM) and, on PostgreSQL, the CPU time of the server's processes.
//
//	go run ./bench/billing                                  # SQLite
//	go run ./bench/billing -database-url postgres://…       # PostgreSQL
//	go run ./bench/billing -usage 10000000 -focus 1000000 -only run
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/engagehq/engage/bench/benchkit"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/focus"
	"github.com/engagehq/engage/internal/focus/focussynth"
)

type options struct {
	usage, focus, batch, clients int
	only, databaseURL, email     string
	month                        string
	cpuprofile                   string
	noRules                      bool
}

func main() {
	var o options
	flag.IntVar(&o.usage, "usage", 1000000, "usage records to ingest")
	flag.IntVar(&o.focus, "focus", 200000, "rows of the generated FOCUS file")
	flag.IntVar(&o.batch, "batch", 50000, "usage records per request")
	flag.IntVar(&o.clients, "clients", 2, "concurrent senders of usage")
	flag.StringVar(&o.only, "only", "", "measure one part only: ingest, focus or run (run still loads both first)")
	flag.StringVar(&o.databaseURL, "database-url", "", "postgres:// URL of a database to work in (a new schema, dropped afterwards); SQLite in a temporary directory when empty")
	flag.StringVar(&o.email, "email", "finance@example.com", "demo account with the finance role whose API token sends usage")
	flag.StringVar(&o.month, "month", "2026-11", "the month (YYYY-MM) the usage and cloud charges fall in")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the measured parts to this file")
	flag.BoolVar(&o.noRules, "no-rules", false, "import the FOCUS file without allocation rules (every charge unallocated)")
	flag.Parse()
	if err := bench(o); err != nil {
		fmt.Fprintln(os.Stderr, "billing benchmark:", err)
		os.Exit(1)
	}
}

const stepWidth = 58

func step(what string, start time.Time) time.Duration { return benchkit.Step(stepWidth, what, start) }

// cpuAtStart is the process's CPU time when the step being measured began.
var cpuAtStart time.Duration

// start begins measuring a step.
func start() time.Time {
	cpuAtStart = benchkit.ProcessCPU()
	return time.Now()
}

func report(what string, rows int, d time.Duration, pg *pgCPU) {
	line := fmt.Sprintf("%-40s %10d rows %9.2f s %10.0f rows/s  CPU %5.1f s  peak RSS %s", what, rows, d.Seconds(), float64(rows)/d.Seconds(),
		(benchkit.ProcessCPU() - cpuAtStart).Seconds(), benchkit.ProcStatus("VmHWM:"))
	if pg != nil {
		line += fmt.Sprintf("  PostgreSQL CPU %.1f s", pg.since().Seconds())
	}
	fmt.Println(line)
}

func bench(o options) (err error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	engine := "SQLite"
	if o.databaseURL != "" {
		engine = "PostgreSQL"
	}
	month, err := time.Parse("2006-01", o.month)
	if err != nil {
		return fmt.Errorf("-month: %w", err)
	}
	fmt.Printf("Engage metering and billing: %s, %d usage records (%d a request, %d senders), %d FOCUS rows, month %s, %s, GOMAXPROCS=%d\n",
		engine, o.usage, o.batch, o.clients, o.focus, o.month, runtime.Version(), runtime.GOMAXPROCS(0))
	want := func(part string) bool { return o.only == "" || o.only == part || o.only == "run" }

	a, closeApp, err := benchkit.OpenDemo(ctx, o.databaseURL, "billing", stepWidth)
	if err != nil {
		return err
	}
	defer closeApp()
	var t time.Time
	var pg *pgCPU
	if o.databaseURL != "" {
		pg = &pgCPU{db: a.DB}
	}

	p, err := benchkit.Principal(ctx, a, o.email, "billing benchmark")
	if err != nil {
		return err
	}
	gen, err := newUsageGen(ctx, a.DB, month)
	if err != nil {
		return err
	}
	fmt.Printf("usage over %d departments × %d metered offerings\n", len(gen.depts), len(gen.offerings))

	stopProfile, err := benchkit.StartCPUProfile(o.cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()

	if want("ingest") && o.usage > 0 {
		if err := a.Listen(); err != nil {
			return err
		}
		served := make(chan error, 1)
		go func() { served <- a.Serve(ctx) }()
		defer func() {
			cancel()
			if e := <-served; e != nil && err == nil {
				err = e
			}
		}()
		// err is the named result the deferred stop above reads.
		var token string
		token, _, err = a.Auth.CreateToken(ctx, access.System("billing benchmark"), p.PersonID, "billing benchmark", nil)
		if err != nil {
			return err
		}
		fmt.Println("\ningestion")
		pg.start(ctx)
		t = start()
		if err := floorInsertUsage(ctx, a.DB, gen, o.usage); err != nil {
			return fmt.Errorf("floor insert: %w", err)
		}
		report("floor: multi-row INSERT, plain table", o.usage, time.Since(t), pg)
		pg.start(ctx)
		t = start()
		var accepted int
		accepted, err = ingest(a.URL()+"/api/v1/usage", token, gen, o.usage, o.batch, o.clients)
		if err != nil {
			return err
		}
		report("POST /api/v1/usage (NDJSON)", o.usage, time.Since(t), pg)
		if accepted != o.usage {
			return fmt.Errorf("%d of %d usage records accepted", accepted, o.usage)
		}
		pg.start(ctx)
		t = start()
		accepted, err = ingest(a.URL()+"/api/v1/usage", token, gen, min(o.usage, 200000), o.batch, o.clients)
		if err != nil {
			return err
		}
		report("  the first records again (duplicates)", min(o.usage, 200000), time.Since(t), pg)
		if accepted != 0 {
			return fmt.Errorf("%d duplicates accepted", accepted)
		}
	}

	if want("focus") && o.focus > 0 {
		fmt.Println("\nFOCUS import")
		pg.start(ctx)
		t = start()
		if err := floorInsertFocus(ctx, a.DB, month, o.focus); err != nil {
			return fmt.Errorf("floor insert: %w", err)
		}
		report("floor: multi-row INSERT, plain table", o.focus, time.Since(t), pg)
		pg.start(ctx)
		t = start()
		if err := readFocusOnly(o.focus, month); err != nil {
			return fmt.Errorf("reading FOCUS: %w", err)
		}
		report("reading alone (generate, parse, fingerprint)", o.focus, time.Since(t), pg)
		nrules := 0
		if !o.noRules {
			if nrules, err = focusRules(ctx, a, p); err != nil {
				return err
			}
		}
		pg.start(ctx)
		t = start()
		src := &focussynth.Stream{N: o.focus, Month: month}
		rep, err := a.CloudBill.Import(ctx, access.System("billing benchmark"), "synthetic.csv", src, cloudbill.ImportOptions{})
		if err != nil {
			return fmt.Errorf("FOCUS import: %w", err)
		}
		report(fmt.Sprintf("import (engage import focus, %d rules)", nrules), o.focus, time.Since(t), pg)
		fmt.Printf("  added %d, duplicates %d, rejected %d\n", rep.Added, rep.Duplicates, rep.Rejected)
	}

	if o.only == "" || o.only == "run" {
		fmt.Println("\nbilling run of", o.month)
		pg.start(ctx)
		t = start()
		var groups, n int
		err := a.DB.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(n), 0) FROM (SELECT department, offering, unit, SUM(CAST(quantity AS NUMERIC)) AS q, COUNT(*) AS n
			FROM bench_usage_raw WHERE period = ? GROUP BY department, offering, unit) g`, o.month).Scan(&groups, &n)
		if err != nil {
			return fmt.Errorf("floor GROUP BY: %w", err)
		}
		usageFloor := time.Since(t)
		report(fmt.Sprintf("floor: GROUP BY usage (%d groups)", groups), n, usageFloor, pg)
		pg.start(ctx)
		t = start()
		var cgroups, cn int
		err = a.DB.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(n), 0) FROM (SELECT sub_account_id, service_name, tags, COUNT(*) AS n, SUM(CAST(effective_cost AS NUMERIC)) AS c
			FROM bench_focus_raw WHERE period = ? GROUP BY sub_account_id, service_name, tags) g`, o.month).Scan(&cgroups, &cn)
		if err != nil {
			return fmt.Errorf("floor GROUP BY: %w", err)
		}
		cloudFloor := time.Since(t)
		report(fmt.Sprintf("floor: GROUP BY cloud charges (%d groups)", cgroups), cn, cloudFloor, pg)
		pg.start(ctx)
		t = start()
		rr, err := a.Billing.Run(ctx, p, o.month)
		if err != nil {
			return fmt.Errorf("billing run: %w", err)
		}
		d := time.Since(t)
		report("billing run", n+cn, d, pg)
		fmt.Printf("  %d statements; %.2f× the usage GROUP BY, %.2f× both GROUP BYs (target ≤ 0.5×)\n",
			rr.Statements, d.Seconds()/usageFloor.Seconds(), d.Seconds()/(usageFloor+cloudFloor).Seconds())
	}
	fmt.Printf("\npeak RSS of the process (VmHWM): %s\n", benchkit.ProcStatus("VmHWM:"))
	return nil
}

// readFocusOnly reads the generated FOCUS file as the import does, and
// stores nothing: the most the import could reach on this machine with
// storage for free.
func readFocusOnly(n int, month time.Time) error {
	rd, err := focus.NewReader(&focussynth.Stream{N: n, Month: month}, focus.Options{})
	if err != nil {
		return err
	}
	for got := 0; ; got++ {
		_, err := rd.Next()
		if err == io.EOF {
			if got != n {
				return fmt.Errorf("read %d rows of %d", got, n)
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// ingest posts n records as NDJSON, batch to a request, from clients
// senders; each request body is generated while it is sent.
func ingest(u, token string, gen *usageGen, n, batch, clients int) (int, error) {
	hc := &http.Client{Timeout: 10 * time.Minute}
	var mu sync.Mutex
	var accepted int
	var firstErr error
	next := 0
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				from := next
				next += batch
				stop := firstErr != nil
				mu.Unlock()
				if stop || from >= n {
					return
				}
				to := min(from+batch, n)
				acc, err := post(hc, u, token, gen, from, to)
				mu.Lock()
				accepted += acc
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return accepted, firstErr
}

func post(hc *http.Client, u, token string, gen *usageGen, from, to int) (int, error) {
	pr, pw := io.Pipe()
	go func() {
		buf := make([]byte, 0, 64<<10)
		for i := from; i < to; i++ {
			buf = gen.appendNDJSON(buf, i)
			if len(buf) > 60<<10 || i == to-1 {
				if _, err := pw.Write(buf); err != nil {
					return
				}
				buf = buf[:0]
			}
		}
		pw.Close()
	}()
	req, err := http.NewRequest(http.MethodPost, u, pr)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("POST usage: %s: %.500s", resp.Status, body)
	}
	// {"received":…,"accepted":N,…}
	s := string(body)
	i := strings.Index(s, `"accepted":`)
	if i < 0 {
		return 0, fmt.Errorf("POST usage: %.500s", body)
	}
	s = s[i+len(`"accepted":`):]
	j := strings.IndexAny(s, ",}")
	acc, err := strconv.Atoi(strings.TrimSpace(s[:j]))
	if err != nil {
		return 0, err
	}
	if !strings.Contains(string(body), `"rejected":0`) {
		return acc, fmt.Errorf("POST usage: records rejected: %.500s", body)
	}
	return acc, nil
}

// pgCPU measures the CPU time of PostgreSQL's server processes of the
// database cluster, read from /proc for the postmaster's children.
type pgCPU struct {
	db    *db.DB
	pids  []int
	begin time.Duration
}

func (c *pgCPU) start(ctx context.Context) {
	if c == nil {
		return
	}
	if c.pids == nil {
		var dir string
		if err := c.db.QueryRow(ctx, "SELECT current_setting('data_directory')").Scan(&dir); err == nil {
			if b, err := os.ReadFile(dir + "/postmaster.pid"); err == nil {
				if pid, err := strconv.Atoi(strings.SplitN(string(b), "\n", 2)[0]); err == nil {
					c.pids = []int{pid}
				}
			}
		}
	}
	c.begin = c.total()
}

func (c *pgCPU) since() time.Duration {
	if c == nil {
		return 0
	}
	return c.total() - c.begin
}

// total sums utime+stime of the postmaster and every process whose parent
// it is, plus what its exited children used (cutime+cstime).
func (c *pgCPU) total() time.Duration {
	if len(c.pids) == 0 {
		return 0
	}
	root := c.pids[0]
	entries, _ := os.ReadDir("/proc")
	var ticks int64
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		ppid, _ := strconv.Atoi(f[1])
		if pid != root && ppid != root {
			continue
		}
		for k := 11; k <= 12; k++ { // utime, stime
			v, _ := strconv.ParseInt(f[k], 10, 64)
			ticks += v
		}
		if pid == root {
			for k := 13; k <= 14; k++ { // cutime, cstime
				v, _ := strconv.ParseInt(f[k], 10, 64)
				ticks += v
			}
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}
