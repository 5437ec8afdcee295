// Command reuse measures how fast Engage suggests what already exists for
// a need — catalog services and earlier needs from every department — with
// a large catalog and a long history of needs, under many concurrent
// callers.
//
// It starts Engage in-process on a fresh database (SQLite in a temporary
// directory, or a new schema of the PostgreSQL database given with
// -database-url), loads the demo organisation and its needs, applies a
// generated catalog file of -services services, inserts -needs needs in
// bulk, builds the reuse index once (and reports how long that took), then
// lets -clients callers, each with an API token, call
// GET /api/v1/needs-suggestions?text=… one after another without pause for
// -duration after a warm-up, with texts such as people type when they
// write a need. It prints the latency percentiles, the throughput and the
// process's peak resident memory.
//
//	go run ./bench/reuse                                   # SQLite
//	go run ./bench/reuse -database-url postgres://…        # PostgreSQL
//	go run ./bench/reuse -cpuprofile cpu.out -mutexprofile mutex.out
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/engagehq/engage/bench/benchkit"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/frontdoor"
)

type options struct {
	needs, services, perService, clients, perTx, limit int
	duration, warmup                                   time.Duration
	databaseURL, email                                 string
	seed                                               uint64
	target                                             time.Duration
	explain                                            bool
	cpuprofile, mutexprofile, blockprofile             string
}

func main() {
	var o options
	flag.IntVar(&o.needs, "needs", 100000, "needs inserted besides the demo's")
	flag.IntVar(&o.services, "services", 5000, "services in the generated catalog, besides the demo's")
	flag.IntVar(&o.perService, "offerings-per-service", 2, "offerings of each generated service")
	flag.IntVar(&o.clients, "clients", 50, "concurrent callers, each making one request after another without pause")
	flag.DurationVar(&o.duration, "duration", 30*time.Second, "how long to measure")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "how long to run the load, unmeasured, first")
	flag.StringVar(&o.databaseURL, "database-url", "", "postgres:// URL of a database to work in (a new schema, dropped afterwards); SQLite in a temporary directory when empty")
	flag.StringVar(&o.email, "email", "requester@example.com", "demo account whose API tokens the callers use")
	flag.IntVar(&o.limit, "limit", 5, "suggestions asked for of each kind (the API's limit parameter)")
	flag.IntVar(&o.perTx, "needs-per-transaction", 20000, "needs inserted per transaction while loading")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the generated catalog, needs and queries")
	flag.DurationVar(&o.target, "target", 100*time.Millisecond, "the 99th percentile to meet")
	flag.BoolVar(&o.explain, "explain", false, "afterwards, break a suggestion down into its parts and time each without HTTP")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the measured run to this file")
	flag.StringVar(&o.mutexprofile, "mutexprofile", "", "write a mutex contention profile of the measured run to this file")
	flag.StringVar(&o.blockprofile, "blockprofile", "", "write a blocking profile (locks, channels, the database pool) of the measured run to this file")
	flag.Parse()
	if o.needs < 0 || o.services < 0 || o.perService < 1 || o.clients < 1 || o.duration <= 0 || o.perTx < 1 {
		fmt.Fprintln(os.Stderr, "reuse: -needs and -services must not be negative; -offerings-per-service, -clients, -duration and -needs-per-transaction must be positive")
		os.Exit(2)
	}
	if err := bench(o); err != nil {
		fmt.Fprintln(os.Stderr, "reuse:", err)
		os.Exit(1)
	}
}

const stepWidth = 52

func step(what string, start time.Time) time.Duration { return benchkit.Step(stepWidth, what, start) }

func bench(o options) (err error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	engine := "SQLite"
	if o.databaseURL != "" {
		engine = "PostgreSQL"
	}
	fmt.Printf("Engage reuse suggestions: %s, %d needs, %d services × %d offerings, %d clients, %s (warm-up %s), %s, GOMAXPROCS=%d, %d CPUs\n",
		engine, o.needs, o.services, o.perService, o.clients, o.duration, o.warmup, runtime.Version(), runtime.GOMAXPROCS(0), runtime.NumCPU())

	a, closeApp, err := benchkit.OpenDemo(ctx, o.databaseURL, "reuse", stepWidth)
	if err != nil {
		return err
	}
	defer closeApp()
	var t time.Time

	if o.services > 0 {
		t = time.Now()
		taken, err := benchkit.DemoSlugs()
		if err != nil {
			return err
		}
		file := catalogFile(o.seed, o.services, o.perService, time.Now().Year(), taken)
		f, err := catalog.ParseFile("reuse.yaml", strings.NewReader(string(file)))
		if err != nil {
			return fmt.Errorf("the generated catalog: %w", err)
		}
		plan, err := a.Catalog.Apply(ctx, access.System("reuse benchmark"), f, false)
		if err != nil {
			return fmt.Errorf("applying the generated catalog: %w", err)
		}
		step(fmt.Sprintf("catalog file of %.1f MB: %d services, %d offerings applied", float64(len(file))/(1<<20),
			plan.Count("service", catalog.ActionCreate), plan.Count("offering", catalog.ActionCreate)), t)
	}

	t = time.Now()
	last := time.Now()
	if err := loadNeeds(ctx, a.DB, o.needs, o.perTx, o.seed, time.Now().UTC(), func(done int) {
		if time.Since(last) > 5*time.Second {
			fmt.Printf("  %d needs …\n", done)
			last = time.Now()
		}
	}); err != nil {
		return fmt.Errorf("loading needs: %w", err)
	}
	load := step(fmt.Sprintf("insert %d needs", o.needs), t)
	var total, decided int
	if err := a.DB.QueryRow(ctx, "SELECT COUNT(*), COUNT(decision_option_id) FROM needs").Scan(&total, &decided); err != nil {
		return err
	}
	fmt.Printf("%-52s %9d (%d decided; %.0f needs/s)\n", "needs stored", total, decided, float64(o.needs)/load.Seconds())

	p, err := benchkit.Principal(ctx, a, o.email, "reuse benchmark")
	if err != nil {
		return err
	}
	// The catalog snapshot first, so that the first suggestion times the
	// reuse index alone; the second shows a suggestion without building.
	t = time.Now()
	if _, err := a.Catalog.ListServices(ctx, p, catalog.ListFilter{Query: "chat", Limit: 5}); err != nil {
		return err
	}
	step("first catalog search (builds the catalog snapshot)", t)
	t = time.Now()
	if _, err := a.FrontDoor.Suggest(ctx, p, "team chat for the lab", "", o.limit); err != nil {
		return err
	}
	first := time.Since(t)
	t = time.Now()
	s, err := a.FrontDoor.Suggest(ctx, p, "team chat for the lab", "", o.limit)
	if err != nil {
		return err
	}
	second := time.Since(t)
	fmt.Printf("%-52s %9s  (the same again: %s)\n", "first suggestion (builds the reuse index)", first.Round(time.Millisecond), second.Round(time.Microsecond))
	fmt.Printf("%-52s %9s\n", "  peak RSS after loading and indexing", benchkit.ProcStatus("VmHWM:"))
	if len(s.Services) == 0 || len(s.Needs) == 0 {
		return fmt.Errorf("\"team chat for the lab\" suggests %d services and %d needs; want some of each", len(s.Services), len(s.Needs))
	}
	qs := make([]string, 2000)
	qr := rand.New(rand.NewPCG(o.seed, 5))
	for i := range qs {
		qs[i] = query(qr)
	}
	if err := describeQueries(ctx, a.FrontDoor, p, qs[:200], o.limit); err != nil {
		return err
	}
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
	tokens := make([]string, o.clients)
	for i := range tokens {
		if tokens[i], _, err = a.Auth.CreateToken(ctx, access.System("reuse benchmark"), p.PersonID, "reuse benchmark "+strconv.Itoa(i), nil); err != nil {
			return err
		}
	}
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConns: 2 * o.clients, MaxIdleConnsPerHost: 2 * o.clients, IdleConnTimeout: 2 * time.Minute}}
	base := a.URL() + "/api/v1/needs-suggestions?limit=" + strconv.Itoa(o.limit) + "&text="

	if o.warmup > 0 {
		t = time.Now()
		w := measure(hc, base, tokens, qs, o.warmup, o.seed^0x5eed)
		step(fmt.Sprintf("warm-up (%d requests, %d errors)", len(w.lat), w.errs), t)
		for _, e := range w.examples {
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
	res := measure(hc, base, tokens, qs, o.duration, o.seed)
	stopProfile()
	for _, pr := range []struct{ name, path string }{{"mutex", o.mutexprofile}, {"block", o.blockprofile}} {
		if pr.path == "" {
			continue
		}
		if err := benchkit.WriteProfile(pr.name, pr.path); err != nil {
			return err
		}
		fmt.Printf("%s profile written to %s\n", pr.name, pr.path)
	}

	fmt.Println()
	fmt.Println("| endpoint | requests | errors | req/s | p50 | p90 | p99 | max | avg size |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	n := len(res.lat)
	fmt.Printf("| GET /api/v1/needs-suggestions?text=… | %d | %d | %.0f | %s | %s | %s | %s | %.1f KB |\n", n, res.errs, float64(n)/res.elapsed.Seconds(),
		ms(res.quantile(0.5)), ms(res.quantile(0.9)), ms(res.quantile(0.99)), ms(res.quantile(1)), float64(res.bytes)/float64(max(n, 1))/1024)
	fmt.Println()
	for _, e := range res.examples {
		fmt.Println("error:", e)
	}
	var mem runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&mem)
	fmt.Printf("first reuse index build: %s for %d needs\n", first.Round(time.Millisecond), total)
	fmt.Printf("peak RSS (VmHWM): %s after loading, %s at the end; live heap after GC %.0f MiB\n", loadHWM, benchkit.ProcStatus("VmHWM:"), float64(mem.HeapAlloc)/(1<<20))
	verdict := "met"
	if res.quantile(0.99) >= o.target {
		verdict = "NOT met"
	}
	fmt.Printf("p99 target of %s: %s (p99 %s)\n", o.target, verdict, ms(res.quantile(0.99)))
	if o.explain {
		return explain(ctx, a, p, qs[:300], o.limit, o.clients)
	}
	return nil
}

// result is what the callers measured.
type result struct {
	lat      []time.Duration // sorted
	errs     int
	bytes    int64
	elapsed  time.Duration
	examples []string
}

func (r result) quantile(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(float64(len(r.lat))*q+0.999999) - 1 // nearest rank
	return r.lat[max(0, min(i, len(r.lat)-1))]
}

// measure lets one caller per token ask for suggestions, one request after
// another, for d; a request started before the end is waited for.
func measure(hc *http.Client, base string, tokens, qs []string, d time.Duration, seed uint64) result {
	var mu sync.Mutex
	var out result
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i, token := range tokens {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(seed, uint64(i)))
			var lat []time.Duration
			var errs int
			var bytes int64
			var examples []string
			for time.Now().Before(deadline) {
				took, n, err := suggest(hc, base+url.QueryEscape(pick(r, qs)), token)
				lat, bytes = append(lat, took), bytes+n
				if err != nil {
					errs++
					if len(examples) < 3 {
						examples = append(examples, err.Error())
					}
				}
			}
			mu.Lock()
			out.lat = append(out.lat, lat...)
			out.errs += errs
			out.bytes += bytes
			if len(out.examples) < 3 {
				out.examples = append(out.examples, examples...)
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	out.elapsed = time.Since(start)
	slices.Sort(out.lat)
	return out
}

// suggest makes one request and reads the whole answer; the latency runs
// from sending the request to the last byte.
func suggest(hc *http.Client, u, token string) (time.Duration, int64, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	res, err := hc.Do(req)
	if err != nil {
		return time.Since(start), 0, err
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	took := time.Since(start)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d", u, res.StatusCode)
	}
	return took, n, err
}

// describeQueries prints what the texts find, to show that they meet
// realistic numbers of matches.
func describeQueries(ctx context.Context, fd *frontdoor.Service, p *access.Principal, qs []string, limit int) error {
	var services, needs, full int
	for _, q := range qs {
		s, err := fd.Suggest(ctx, p, q, "", limit)
		if err != nil {
			return err
		}
		services += len(s.Services)
		needs += len(s.Needs)
		if len(s.Needs) == limit {
			full++
		}
	}
	example, _ := json.Marshal(qs[:3])
	fmt.Printf("%-52s %9s  (%.1f services, %.1f needs per text; %d%% find %d needs; e.g. %s)\n", "suggestions for the texts asked", "",
		float64(services)/float64(len(qs)), float64(needs)/float64(len(qs)), 100*full/len(qs), limit, example)
	return nil
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
}
