// Command discuss measures Engage's community discussions under load: a
// community's home page, a topic page with 200 replies, topic search and
// posting a reply, with 50,000 people, 200 communities, 100,000 topics and
// 1,000,000 replies stored, and 50 concurrent callers.
//
// It starts Engage in-process on a fresh database (SQLite in a temporary
// directory, or a new schema of the PostgreSQL database given with
// -database-url), loads the demo, inserts the people, communities,
// memberships, topics and replies in bulk, builds the topic search index
// once, then runs each scenario for -duration after a warm-up: -clients
// callers, each with an API token of a member of every community, one
// request after another without pause. "mixed" runs the four requests
// together, a quarter each. It prints the latency percentiles per request
// and the process's peak resident memory; CPU/req is the process's CPU
// time (Engage, the callers and, on SQLite, the database) over the
// scenario divided by its requests — on a shared machine a steadier
// measure than the latencies.
//
//	go run ./bench/discuss                                   # SQLite
//	go run ./bench/discuss -database-url postgres://…        # PostgreSQL
package main

import (
	"context"
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
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/discuss"
)

type options struct {
	load             loadOptions
	clients          int
	duration, warmup time.Duration
	databaseURL      string
	scenarios        string
	target           time.Duration
	cpuprofile       string
	memprofile       string
	tables           bool
	memoryLimit      int
	replyLanes       int
}

func main() {
	var o options
	flag.IntVar(&o.load.people, "people", 50000, "people in the organisation (the demo's and generated ones)")
	flag.IntVar(&o.load.communities, "communities", 200, "communities generated besides the demo's")
	flag.IntVar(&o.load.topics, "topics", 100000, "topics generated")
	flag.IntVar(&o.load.replies, "replies", 1000000, "replies generated")
	flag.IntVar(&o.load.hot, "hot", 200, "topics with 200 replies each (taken from -replies)")
	flag.IntVar(&o.load.perTx, "rows-per-transaction", 20000, "rows inserted per transaction while loading")
	flag.Uint64Var(&o.load.seed, "seed", 1, "seed of the generated data and requests")
	flag.IntVar(&o.clients, "clients", 50, "concurrent callers, each making one request after another without pause")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "how long to measure each scenario")
	flag.DurationVar(&o.warmup, "warmup", 3*time.Second, "how long to run each scenario, unmeasured, first")
	flag.StringVar(&o.databaseURL, "database-url", "", "postgres:// URL of a database to work in (a new schema, dropped afterwards); SQLite in a temporary directory when empty")
	flag.StringVar(&o.scenarios, "scenarios", "page,topic,search,reply,mixed", "scenarios to run, in order")
	flag.DurationVar(&o.target, "target", 50*time.Millisecond, "the 99th percentile to meet")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the measured runs to this file")
	flag.StringVar(&o.memprofile, "memprofile", "", "write a heap profile at the end to this file (live objects after a collection, and what the measured runs allocated)")
	flag.IntVar(&o.memoryLimit, "memory-limit-mib", config.DefaultMemoryLimitMiB, "the server's soft memory limit in MiB, as engage serve --memory-limit-mib sets it; 0 for none")
	flag.IntVar(&o.replyLanes, "reply-lanes", 0, "groups of replies stored at once (discuss.Service.ReplyLanes); 0 for Engage's default, one")
	flag.BoolVar(&o.tables, "tables", false, "on PostgreSQL, print after each scenario the scans and rows read of each table per request")
	flag.Parse()
	if o.load.people < 0 || o.load.communities < 1 || o.load.topics < 1 || o.load.replies < 0 || o.clients < 1 || o.duration <= 0 || o.load.perTx < 1 {
		fmt.Fprintln(os.Stderr, "discuss: -communities, -topics, -clients, -duration and -rows-per-transaction must be positive")
		os.Exit(2)
	}
	if err := bench(o); err != nil {
		fmt.Fprintln(os.Stderr, "discuss:", err)
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
	fmt.Printf("Engage discussions: %s, %d people, %d communities, %d topics, %d replies, %d clients, %s per scenario (warm-up %s), %s, GOMAXPROCS=%d, %d CPUs\n",
		engine, o.load.people, o.load.communities, o.load.topics, o.load.replies, o.clients, o.duration, o.warmup, runtime.Version(),
		runtime.GOMAXPROCS(0), runtime.NumCPU())
	cfg := config.Default()
	cfg.MemoryLimitMiB = o.memoryLimit
	cfg.ApplyMemoryLimit()
	a, closeApp, err := benchkit.OpenDemo(ctx, o.databaseURL, "discuss", stepWidth)
	if err != nil {
		return err
	}
	defer closeApp()

	// The callers are demo people without special roles.
	clients, err := db.QueryIDs(ctx, a.DB, `SELECT p.id FROM people p WHERE p.active AND NOT EXISTS
		(SELECT 1 FROM person_roles r WHERE r.person_id = p.id AND r.role <> 'requester') ORDER BY p.id LIMIT ?`, o.clients)
	if err != nil || len(clients) < o.clients {
		return fmt.Errorf("finding %d callers (%d): %v", o.clients, len(clients), err)
	}
	o.load.clients, o.load.now = clients, a.Clock.Now()
	t := time.Now()
	w, err := load(ctx, a.DB, o.load, func(s string) { fmt.Printf("  %s\n", s) })
	if err != nil {
		return fmt.Errorf("loading: %w", err)
	}
	step("bulk load", t)
	if o.databaseURL != "" {
		// A database holding this much has been vacuumed and analysed by
		// autovacuum long ago; a bulk load leaves that to do, and
		// autovacuum would do it during the first scenarios, on the
		// same two cores. Do it now, outside the measures.
		t = time.Now()
		if _, err := a.DB.Exec(ctx, "VACUUM (ANALYZE) people, communities, community_members, discuss_topics, discuss_followers, discuss_replies"); err != nil {
			return fmt.Errorf("vacuuming the loaded tables: %w", err)
		}
		step("vacuum and analyse the loaded tables", t)
	}
	p, err := a.Org.Principal(ctx, clients[0], "discuss benchmark")
	if err != nil {
		return err
	}
	t = time.Now()
	if err := a.Discussions.LoadIndex(ctx); err != nil {
		return err
	}
	step("topic search index (first load)", t)
	if found, err := a.Discussions.SearchTopics(ctx, p, "outlook password", discuss.SearchFilter{}); err != nil || len(found) == 0 {
		return fmt.Errorf("search finds %d topics: %v", len(found), err)
	}
	loadHWM := benchkit.ProcStatus("VmHWM:")
	fmt.Printf("%-52s %9s\n", "peak RSS after loading and indexing", loadHWM)
	reset := resetPeak()
	fmt.Printf("%-52s %9s\n", "RSS once the loader's garbage is collected", benchkit.ProcStatus("VmRSS:"))
	heap := watchHeap()

	a.Discussions.ReplyLanes = o.replyLanes
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
		if tokens[i], _, err = a.Auth.CreateToken(ctx, access.System("discuss benchmark"), clients[i], "discuss benchmark", nil); err != nil {
			return err
		}
	}
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConns: 2 * o.clients, MaxIdleConnsPerHost: 2 * o.clients, IdleConnTimeout: 2 * time.Minute}}
	base := a.URL()
	reqs := requests(base, w)

	stopProfile, err := benchkit.StartCPUProfile(o.cpuprofile)
	if err != nil {
		return err
	}
	fmt.Println()
	fmt.Println("| scenario | request | requests | errors | req/s | p50 | p90 | p99 | max | CPU/req | KB/answer |")
	fmt.Println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	worst := time.Duration(0)
	for _, sc := range strings.Split(o.scenarios, ",") {
		kinds := []string{sc}
		if sc == "mixed" {
			kinds = []string{"page", "topic", "search", "reply"}
		}
		for _, k := range kinds {
			if reqs[k] == nil {
				return fmt.Errorf("no scenario %q: choose page, topic, search, reply or mixed", k)
			}
		}
		if o.warmup > 0 {
			measure(hc, reqs, kinds, tokens, o.warmup, 77)
		}
		var before tableReads
		if o.tables && o.databaseURL != "" {
			if before, err = readTables(ctx, a.DB); err != nil {
				return err
			}
		}
		groups0, _ := a.Discussions.ReplyGroups()
		stmts0 := a.DB.Statements()
		cpu, gcs := benchkit.ProcessCPU(), gcCount()
		res := measure(hc, reqs, kinds, tokens, o.duration, 1)
		cpu, gcs = benchkit.ProcessCPU()-cpu, gcCount()-gcs
		stmts := a.DB.Statements() - stmts0
		all := 0
		for _, r := range res {
			all += len(r.lat)
		}
		fmt.Printf("  %d garbage collections (%.1f a second)\n", gcs, float64(gcs)/o.duration.Seconds())
		if slices.Contains(kinds, "reply") {
			groups, commits := a.Discussions.ReplyGroups()
			replies, busy := a.Discussions.ReplyCommitter()
			fmt.Printf("  replies so far: %d in %d groups stored in %d transactions; the committer busy %s, %s a reply\n",
				replies, groups, commits, busy.Round(time.Millisecond), ms(busy/time.Duration(max(replies, 1))))
			fmt.Printf("  statements in transactions during the scenario: %d, %.1f a group of replies\n",
				stmts, float64(stmts)/float64(max(groups-groups0, 1)))
		}
		if before != nil {
			after, err := readTables(ctx, a.DB)
			if err != nil {
				return err
			}
			printTables(before, after, all)
		}
		for _, k := range kinds {
			r := res[k]
			n := len(r.lat)
			fmt.Printf("| %s | %s | %d | %d | %.0f | %s | %s | %s | %s | %s | %.1f |\n", sc, labels[k], n, r.errs, float64(n)/r.elapsed.Seconds(),
				ms(r.quantile(0.5)), ms(r.quantile(0.9)), ms(r.quantile(0.99)), ms(r.quantile(1)), ms(cpu/time.Duration(max(all, 1))),
				float64(r.bytes)/float64(max(n, 1))/1024)
			worst = max(worst, r.quantile(0.99))
			for _, e := range r.examples {
				fmt.Println("  error:", e)
			}
		}
	}
	stopProfile()
	if o.memprofile != "" {
		runtime.GC()
		if err := benchkit.WriteProfile("heap", o.memprofile); err != nil {
			return err
		}
		fmt.Println("heap profile written to", o.memprofile)
	}
	fmt.Println()
	if reset {
		fmt.Printf("peak RSS (VmHWM): %s after loading; while serving (peak reset after loading): %s\n", loadHWM, benchkit.ProcStatus("VmHWM:"))
	} else {
		fmt.Printf("peak RSS (VmHWM): %s after loading, %s at the end (could not reset the peak)\n", loadHWM, benchkit.ProcStatus("VmHWM:"))
	}
	fmt.Println(heap.done())
	verdict := "met"
	if worst >= o.target {
		verdict = "NOT met"
	}
	fmt.Printf("p99 target of %s: %s (worst p99 %s)\n", o.target, verdict, ms(worst))
	return nil
}

var labels = map[string]string{"page": "GET /communities/{slug}", "topic": "GET /communities/{slug}/topics/{id} (200 replies)",
	"search": "GET /api/v1/topics-search?q=…", "reply": "POST /api/v1/topics/{id}/replies"}

var queries = []string{"outlook password", "vpn drops", "printer offline", "laptop slow", "team chat crashing", "wifi basel lab",
	"sharepoint sync", "outlok pasword", "chromeb", "badge reader blocked", "docking station second screen", "video calls freeze",
	"mfa", "lims slow", "password reset", "headset", "calendar error", "onedrive will not sync"}

// requests makes the request of each kind for a random generator.
func requests(base string, w world) map[string]func(r *rand.Rand) (*http.Request, error) {
	return map[string]func(r *rand.Rand) (*http.Request, error){
		"page": func(r *rand.Rand) (*http.Request, error) {
			c := w.communities[r.IntN(len(w.communities))]
			return http.NewRequest(http.MethodGet, base+"/communities/"+c.slug, nil)
		},
		"topic": func(r *rand.Rand) (*http.Request, error) {
			t := w.hot[r.IntN(len(w.hot))]
			return http.NewRequest(http.MethodGet, base+"/communities/"+t.slug+"/topics/"+strconv.FormatInt(t.id, 10), nil)
		},
		"search": func(r *rand.Rand) (*http.Request, error) {
			return http.NewRequest(http.MethodGet, base+"/api/v1/topics-search?q="+url.QueryEscape(queries[r.IntN(len(queries))]), nil)
		},
		"reply": func(r *rand.Rand) (*http.Request, error) {
			id := w.replyable[r.IntN(len(w.replyable))]
			req, err := http.NewRequest(http.MethodPost, base+"/api/v1/topics/"+strconv.FormatInt(id, 10)+"/replies",
				strings.NewReader(`{"body": "Thanks — restarting the client fixed it here too."}`))
			if err == nil {
				req.Header.Set("Content-Type", "application/json")
			}
			return req, err
		},
	}
}

// result is what the callers measured of one kind of request.
type result struct {
	lat      []time.Duration // sorted
	errs     int
	bytes    int64 // of the answers' bodies
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

// measure lets one caller per token make requests of the given kinds, in
// turn at random, for d; a request started before the end is waited for.
func measure(hc *http.Client, reqs map[string]func(*rand.Rand) (*http.Request, error), kinds, tokens []string, d time.Duration, seed uint64) map[string]*result {
	var mu sync.Mutex
	out := map[string]*result{}
	for _, k := range kinds {
		out[k] = &result{}
	}
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i, token := range tokens {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(seed, uint64(i)))
			mine := map[string]*result{}
			for _, k := range kinds {
				mine[k] = &result{}
			}
			for time.Now().Before(deadline) {
				k := kinds[r.IntN(len(kinds))]
				took, n, err := do(hc, reqs[k], r, token)
				m := mine[k]
				m.lat, m.bytes = append(m.lat, took), m.bytes+n
				if err != nil {
					m.errs++
					if len(m.examples) < 2 {
						m.examples = append(m.examples, err.Error())
					}
				}
			}
			mu.Lock()
			for k, m := range mine {
				o := out[k]
				o.lat, o.errs, o.bytes = append(o.lat, m.lat...), o.errs+m.errs, o.bytes+m.bytes
				if len(o.examples) < 3 {
					o.examples = append(o.examples, m.examples...)
				}
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, r := range out {
		r.elapsed = time.Since(start)
		slices.Sort(r.lat)
	}
	return out
}

// do makes one request and reads the whole answer; the latency runs from
// sending the request to the last byte.
func do(hc *http.Client, make func(*rand.Rand) (*http.Request, error), r *rand.Rand, token string) (time.Duration, int64, error) {
	req, err := make(r)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	start := time.Now()
	res, err := hc.Do(req)
	if err != nil {
		return time.Since(start), 0, err
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	took := time.Since(start)
	if err == nil && res.StatusCode >= 300 {
		err = fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, res.StatusCode)
	}
	return took, n, err
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
}
