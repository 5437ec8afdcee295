// Command catalogload measures how fast Engage answers catalog searches and
// service pages with a large catalog under many concurrent people.
//
// It starts Engage in-process on a fresh database (SQLite in a temporary
// directory, or a new schema of a PostgreSQL database given with
// -database-url), loads the demo organisation, applies a generated catalog
// file of -services services with -offerings-per-service offerings each,
// signs -clients people in through the sign-in form and lets each of them
// alternate, without pause, between the catalog search page
// (GET /catalog?q=…) and a service page (GET /catalog/{slug}) over
// loopback HTTP for -duration after a warm-up. With -api every client also
// calls GET /api/v1/services?q=… and GET /api/v1/services/{slug} with a
// bearer token; with -only tmf-offerings the clients list TMF620 product
// offerings instead, 100 a page with a fields selection. It prints, per endpoint, the requests, errors (any answer
// but 200), throughput and latency percentiles, and the process's peak
// resident memory.
//
//	go run ./bench/catalogload                                  # SQLite
//	go run ./bench/catalogload -database-url postgres://…       # PostgreSQL
//	go run ./bench/catalogload -cpuprofile cpu.out              # then: go tool pprof -top cpu.out
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/engagehq/engage/bench/benchkit"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/demo"
	"github.com/engagehq/engage/internal/tmf"
	"github.com/engagehq/engage/internal/web"
)

const sessionCookie = web.SessionCookie

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func newJar() *cookiejar.Jar {
	jar, _ := cookiejar.New(nil)
	return jar
}

type options struct {
	services, perService, clients int
	duration, warmup              time.Duration
	databaseURL                   string
	api                           bool
	email                         string
	seed                          uint64
	cpuprofile                    string
	mutexprofile                  string
	blockprofile                  string
	only                          string
	catalogOut                    string
}

func main() {
	var o options
	flag.IntVar(&o.services, "services", 5000, "services in the generated catalog")
	flag.IntVar(&o.perService, "offerings-per-service", 4, "offerings of each generated service")
	flag.IntVar(&o.clients, "clients", 50, "concurrent clients, each making one request after another without pause")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "how long to measure")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "how long to run the load, unmeasured, first")
	flag.StringVar(&o.databaseURL, "database-url", "", "postgres:// URL of a database to work in (a new schema, dropped afterwards); SQLite in a temporary directory when empty")
	flag.BoolVar(&o.api, "api", false, "also call the API's service search and service endpoints with a bearer token")
	flag.StringVar(&o.email, "email", "requester@example.com", "demo account the clients sign in as")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the generated catalog, queries and request choices")
	flag.StringVar(&o.only, "only", "", "comma-separated endpoints to call instead of the usual mix: search, service, api-search, api-service, tmf-offerings")
	flag.StringVar(&o.catalogOut, "catalog-out", "", "write the generated catalog file here (it can be applied with `engage apply`) and stop")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the measured run to this file")
	flag.StringVar(&o.mutexprofile, "mutexprofile", "", "write a mutex contention profile of the measured run to this file")
	flag.StringVar(&o.blockprofile, "blockprofile", "", "write a blocking profile (waits on channels, locks and the database pool) of the measured run to this file")
	flag.Parse()
	if o.services < 1 || o.perService < 1 || o.clients < 1 || o.duration <= 0 {
		fmt.Fprintln(os.Stderr, "catalogload: -services, -offerings-per-service, -clients and -duration must be positive")
		os.Exit(2)
	}
	if err := bench(o); err != nil {
		fmt.Fprintln(os.Stderr, "catalogload:", err)
		os.Exit(1)
	}
}

// step prints how long something took.
const stepWidth = 44

func step(what string, start time.Time) time.Duration { return benchkit.Step(stepWidth, what, start) }

func bench(o options) (err error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	engine := "SQLite"
	if o.databaseURL != "" {
		engine = "PostgreSQL"
	}
	fmt.Printf("Engage catalog load: %s, %d services × %d offerings, %d clients, %s (warm-up %s), %s, GOMAXPROCS=%d, %d CPUs\n",
		engine, o.services, o.perService, o.clients, o.duration, o.warmup, runtime.Version(), runtime.GOMAXPROCS(0), runtime.NumCPU())

	a, closeApp, err := benchkit.OpenDemo(ctx, o.databaseURL, "catalogload", stepWidth)
	if err != nil {
		return err
	}
	defer closeApp()
	var t time.Time

	// The catalog: a file written in memory, parsed and applied in one
	// transaction, as `engage apply` would.
	t = time.Now()
	taken, err := benchkit.DemoSlugs()
	if err != nil {
		return err
	}
	g := generate(o.seed, o.services, o.perService, time.Now(), taken)
	step(fmt.Sprintf("generate catalog file (%.1f MB)", float64(len(g.file))/(1<<20)), t)
	if o.catalogOut != "" {
		return os.WriteFile(o.catalogOut, g.file, 0o644)
	}
	t = time.Now()
	f, err := catalog.ParseFile("catalogload.yaml", strings.NewReader(string(g.file)))
	if err != nil {
		return fmt.Errorf("the generated catalog: %w", err)
	}
	parse := step("parse catalog file", t)
	fmt.Printf("%-44s %9s\n", "  peak RSS so far", benchkit.ProcStatus("VmHWM:"))
	g.file = nil
	t = time.Now()
	plan, err := a.Catalog.Apply(ctx, access.System("catalogload"), f, false)
	if err != nil {
		return fmt.Errorf("applying the generated catalog: %w", err)
	}
	apply := step(fmt.Sprintf("apply (%d services, %d offerings, %d prices)", plan.Count("service", catalog.ActionCreate),
		plan.Count("offering", catalog.ActionCreate), plan.Count("price", catalog.ActionCreate)), t)
	f = catalog.File{}
	fmt.Printf("%-44s %9s\n", "  peak RSS so far", benchkit.ProcStatus("VmHWM:"))

	p, err := benchkit.Principal(ctx, a, o.email, "catalogload")
	if err != nil {
		return err
	}
	// The first read after a change builds the snapshot; the second shows
	// what the same read costs without building it.
	t = time.Now()
	if _, err := a.Catalog.ListServices(ctx, p, catalog.ListFilter{Query: "server", Limit: 24}); err != nil {
		return err
	}
	first := time.Since(t)
	t = time.Now()
	if _, err := a.Catalog.ListServices(ctx, p, catalog.ListFilter{Query: "server", Limit: 24}); err != nil {
		return err
	}
	second := time.Since(t)
	fmt.Printf("%-44s %9s  (the same search again: %s)\n", "first search (builds the snapshot)", first.Round(time.Millisecond), second.Round(time.Microsecond))
	snapshot := first - second

	// Service pages are drawn from the services the person may see.
	visible, err := visibleSlugs(ctx, a, p)
	if err != nil {
		return err
	}
	qs := queries(o.seed, 2000)
	if err := describeQueries(ctx, a, p, qs); err != nil {
		return err
	}
	fmt.Printf("%-44s %9d (%d generated + the demo's)\n", "services visible to "+o.email, len(visible), len(g.slugs))
	loadHWM := benchkit.ProcStatus("VmHWM:")

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
	base := a.URL()

	t = time.Now()
	clients := make([]*client, o.clients)
	for i := range clients {
		c, err := signIn(base, o.email, demo.Password)
		if err != nil {
			return err
		}
		clients[i] = &client{cookie: c}
		if o.api || strings.Contains(o.only, "api-") || strings.Contains(o.only, "tmf-") {
			secret, _, err := a.Auth.CreateToken(ctx, access.System("catalogload"), p.PersonID, "catalogload "+strconv.Itoa(i), nil)
			if err != nil {
				return err
			}
			clients[i].token = secret
		}
	}
	step(fmt.Sprintf("sign in %d clients through POST /signin", o.clients), t)

	// TMF620's offering list: pages of 100 anywhere in what the person sees.
	offerings := 0
	if err := a.Catalog.EachOffering(ctx, p, func(*catalog.Offering, *catalog.Service) bool { offerings++; return true }); err != nil {
		return err
	}
	all := []endpoint{
		{key: "search", name: "GET /catalog?q=…", path: func(r *rand.Rand) string { return "/catalog?q=" + url.QueryEscape(pick(r, qs)) }},
		{key: "service", name: "GET /catalog/{slug}", path: func(r *rand.Rand) string { return "/catalog/" + pick(r, visible) }},
		{key: "api-search", name: "GET /api/v1/services?q=…", api: true, path: func(r *rand.Rand) string { return "/api/v1/services?q=" + url.QueryEscape(pick(r, qs)) }},
		{key: "api-service", name: "GET /api/v1/services/{slug}", api: true, path: func(r *rand.Rand) string { return "/api/v1/services/" + pick(r, visible) }},
		{key: "tmf-offerings", name: "GET /tmf-api/…/productOffering?fields=…&limit=100", api: true, path: func(r *rand.Rand) string {
			return tmf.CatalogBase + "/productOffering?fields=name,lifecycleStatus,isSellable,productOfferingPrice&limit=100&offset=" +
				strconv.Itoa(r.IntN(max(1, offerings-100)))
		}},
	}
	var eps []endpoint
	for _, e := range all {
		if (o.only == "" && (!e.api || o.api)) || slices.Contains(strings.Split(o.only, ","), e.key) {
			eps = append(eps, e)
		}
	}
	if len(eps) == 0 {
		return fmt.Errorf("-only %q: name search, service, api-search, api-service or tmf-offerings", o.only)
	}
	hc := &http.Client{Timeout: time.Minute,
		Transport:     &http.Transport{MaxIdleConns: 2 * o.clients, MaxIdleConnsPerHost: 2 * o.clients, IdleConnTimeout: 2 * time.Minute},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	t = time.Now()
	if n, errs, examples := warmUp(base, hc, clients, eps, o.warmup, o.seed); n > 0 {
		step(fmt.Sprintf("warm-up (%d requests, %d errors)", n, errs), t)
		for _, e := range examples {
			fmt.Println("  warm-up error:", e)
		}
	}

	stopProfile, err := benchkit.StartCPUProfile(o.cpuprofile)
	if err != nil {
		return err
	}
	if o.mutexprofile != "" {
		runtime.SetMutexProfileFraction(5)
	}
	if o.blockprofile != "" {
		runtime.SetBlockProfileRate(int(100 * time.Microsecond))
	}
	pgBefore, counted := pgCounters(o.databaseURL)
	postmaster := postmasterPID(o.databaseURL)
	cpuBefore := readCPU(postmaster)
	results := run(base, hc, clients, eps, o.duration, o.seed)
	cpu := readCPU(postmaster).sub(cpuBefore)
	pgAfter, _ := pgCounters(o.databaseURL)
	stopProfile()
	if o.mutexprofile != "" {
		if err := benchkit.WriteProfile("mutex", o.mutexprofile); err != nil {
			return err
		}
		fmt.Println("mutex profile written to", o.mutexprofile)
	}
	if o.blockprofile != "" {
		runtime.SetBlockProfileRate(0)
		if err := benchkit.WriteProfile("block", o.blockprofile); err != nil {
			return err
		}
		fmt.Println("block profile written to", o.blockprofile)
	}

	fmt.Println()
	fmt.Printf("| endpoint | requests | errors | req/s | p50 | p90 | p99 | max | avg size |\n")
	fmt.Printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	var total int
	var worst time.Duration
	for _, res := range results {
		n := len(res.lat)
		total += n
		worst = max(worst, res.quantile(0.99))
		fmt.Printf("| %s | %d | %d | %.0f | %s | %s | %s | %s | %.1f KB |\n", res.name, n, res.errs,
			float64(n)/res.elapsed.Seconds(), ms(res.quantile(0.50)), ms(res.quantile(0.90)), ms(res.quantile(0.99)), ms(res.quantile(1)),
			float64(res.bytes)/float64(max(n, 1))/1024)
	}
	fmt.Println()
	for _, res := range results {
		for _, e := range res.examples {
			fmt.Println("error:", e)
		}
	}
	var ms2 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms2)
	fmt.Printf("total %d requests in %s: %.0f req/s\n", total, results[0].elapsed.Round(time.Millisecond), float64(total)/results[0].elapsed.Seconds())
	other := max(0, cpu.busy-cpu.self-cpu.postgres)
	fmt.Printf("CPU time used during the run: this process %.1f s (%.2f ms a request), PostgreSQL %.1f s, other processes %.1f s, stolen %.1f s; %d CPUs × %.0f s = %.0f s\n",
		cpu.self, 1000*cpu.self/float64(max(total, 1)), cpu.postgres, other, cpu.steal, runtime.NumCPU(), results[0].elapsed.Seconds(),
		float64(runtime.NumCPU())*results[0].elapsed.Seconds())
	if other > 0.05*float64(runtime.NumCPU())*results[0].elapsed.Seconds() {
		fmt.Println("WARNING: other processes used the CPUs during the run; the figures are disturbed — run again on a quiet machine")
	}
	if counted {
		fmt.Printf("PostgreSQL (pg_stat_database, approximate): %.1f transactions a request (a statement outside a transaction is one); %d new connections\n",
			float64(pgAfter.transactions-pgBefore.transactions)/float64(max(total, 1)), pgAfter.sessions-pgBefore.sessions)
	}
	fmt.Printf("catalog load: parse %s + apply %s; first snapshot build ≈ %s\n", parse.Round(time.Millisecond), apply.Round(time.Millisecond), snapshot.Round(time.Millisecond))
	fmt.Printf("peak RSS (VmHWM): %s after loading, %s at the end; RSS now %s; live heap after GC %.0f MiB\n",
		loadHWM, benchkit.ProcStatus("VmHWM:"), benchkit.ProcStatus("VmRSS:"), float64(ms2.HeapAlloc)/(1<<20))
	verdict := "met"
	if worst >= 50*time.Millisecond {
		verdict = "NOT met"
	}
	fmt.Printf("p99 target of 50 ms: %s (worst endpoint p99 %s)\n", verdict, ms(worst))
	return nil
}

// describeQueries prints how many services the generated searches find,
// to show that they meet realistic numbers of matches.
func describeQueries(ctx context.Context, a *app.App, p *access.Principal, qs []string) error {
	totals := make([]int, 0, len(qs))
	words := 0
	for _, q := range qs {
		page, err := a.Catalog.ListServices(ctx, p, catalog.ListFilter{Query: q, Limit: 24})
		if err != nil {
			return err
		}
		totals = append(totals, page.Total)
		words += len(strings.Fields(q))
	}
	slices.Sort(totals)
	zero := 0
	for _, n := range totals {
		if n == 0 {
			zero++
		}
	}
	at := func(q float64) int { return totals[min(len(totals)-1, int(float64(len(totals))*q))] }
	fmt.Printf("%-44s %9s  (%d searches of %.1f words on average; e.g. %q, %q, %q)\n", "matches per search: p10/p50/p90/max",
		fmt.Sprintf("%d/%d/%d/%d", at(0.1), at(0.5), at(0.9), totals[len(totals)-1]), len(qs), float64(words)/float64(len(qs)), qs[0], qs[1], qs[2])
	if zero > 0 {
		fmt.Printf("%-44s %9.1f%%\n", "searches that find nothing", 100*float64(zero)/float64(len(qs)))
	}
	return nil
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
}

// visibleSlugs lists the slugs of every service the person may see,
// retired ones included, as the catalog lists them.
func visibleSlugs(ctx context.Context, a *app.App, p *access.Principal) ([]string, error) {
	var out []string
	all := make([]string, len(catalog.Lifecycles))
	for i, l := range catalog.Lifecycles {
		all[i] = l.Value
	}
	for offset := 0; ; offset += 200 {
		page, err := a.Catalog.ListServices(ctx, p, catalog.ListFilter{Lifecycles: all, Limit: 200, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, c := range page.Cards {
			out = append(out, c.Slug)
		}
		if len(page.Cards) == 0 || offset+len(page.Cards) >= page.Total {
			break
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the person sees no services")
	}
	return out, nil
}

type pgStats struct{ transactions, sessions int64 }

// pgCounters reads how many transactions the PostgreSQL database has
// committed or rolled back and how many connections were made to it. The
// server publishes these counts with up to about a second's delay.
func pgCounters(databaseURL string) (pgStats, bool) {
	if databaseURL == "" {
		return pgStats{}, false
	}
	d, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return pgStats{}, false
	}
	defer d.Close()
	var s pgStats
	if err := d.QueryRow("SELECT xact_commit + xact_rollback, sessions FROM pg_stat_database WHERE datname = current_database()").
		Scan(&s.transactions, &s.sessions); err != nil {
		return pgStats{}, false
	}
	return s, true
}

// postmasterPID finds the process id of the PostgreSQL server when it runs
// on this machine and the user may read its data directory setting, so
// that its CPU time is told apart from that of other servers; else 0.
func postmasterPID(databaseURL string) int {
	if databaseURL == "" {
		return 0
	}
	d, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return 0
	}
	defer d.Close()
	var dir string
	if err := d.QueryRow("SELECT setting FROM pg_settings WHERE name = 'data_directory'").Scan(&dir); err != nil || dir == "" {
		return 0
	}
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(line))
	return pid
}
