// Command ranking measures the board's ranking with many needs waiting for
// its decision: it starts Engage in-process with the demo on a fresh
// database (SQLite in a temporary directory, or a new schema of the
// PostgreSQL database given with -database-url), takes -needs more needs
// to the board's decision the way people do (created, triaged, reviewed,
// priced, sent to the board), times one ranking read, then opens -clients
// sessions of the board and lets each load the ranking page
// (GET /portfolio/ranking) without pause for -duration after a warm-up. It
// prints the requests, errors (any answer but 200), throughput, latency
// percentiles and the process's peak resident memory.
//
//	go run ./bench/ranking                               # SQLite
//	go run ./bench/ranking -database-url postgres://…    # PostgreSQL
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/engagehq/engage/bench/benchkit"
	"github.com/engagehq/engage/internal/web"
)

type options struct {
	needs, clients                int
	duration, warmup              time.Duration
	databaseURL, cpuprofile, path string
}

const stepWidth = 40

func main() {
	var o options
	flag.IntVar(&o.needs, "needs", 500, "needs taken to the board's decision, beside the demo's")
	flag.IntVar(&o.clients, "clients", 50, "board members loading the ranking at once")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "how long to measure")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "how long to load before measuring")
	flag.StringVar(&o.databaseURL, "database-url", "", "a PostgreSQL database to measure in (a fresh schema); SQLite when empty")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the measured run here")
	flag.StringVar(&o.path, "path", "/portfolio/ranking", "the page loaded")
	flag.Parse()
	if err := bench(o); err != nil {
		fmt.Fprintln(os.Stderr, "ranking:", err)
		os.Exit(2)
	}
}

func step(what string, start time.Time) time.Duration { return benchkit.Step(stepWidth, what, start) }

func bench(o options) (err error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, closeApp, err := benchkit.OpenDemo(ctx, o.databaseURL, "ranking", stepWidth)
	if err != nil {
		return err
	}
	defer closeApp()
	ps, err := demoPeople(ctx, a)
	if err != nil {
		return err
	}
	m, err := a.Processes.ProcessMap(ctx, ps.board)
	if err != nil {
		return err
	}
	var processes []int64
	for _, e := range m.Entries {
		processes = append(processes, e.ID)
	}
	t := time.Now()
	if err := seedNeeds(ctx, a, ps, o.needs, processes, a.Clock.Now()); err != nil {
		return err
	}
	step(fmt.Sprintf("%d needs taken to the board", o.needs), t)
	t = time.Now()
	r, err := a.Portfolio.Ranking(ctx, ps.board)
	if err != nil {
		return err
	}
	step(fmt.Sprintf("one ranking of %d needs", len(r.Needs)), t)
	cookies := make([]*http.Cookie, o.clients)
	for i := range cookies {
		s, err := a.Auth.StartSession(ctx, ps.board.PersonID)
		if err != nil {
			return err
		}
		cookies[i] = &http.Cookie{Name: web.SessionCookie, Value: s.Token}
	}
	base, wait, err := benchkit.Serve(ctx, a)
	if err != nil {
		return err
	}
	defer func() {
		cancel()
		if e := wait(); e != nil && err == nil {
			err = e
		}
	}()
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: o.clients}}
	t = time.Now()
	measure(hc, base+o.path, cookies, o.warmup)
	step("warm-up", t)
	stop, err := benchkit.StartCPUProfile(o.cpuprofile)
	if err != nil {
		return err
	}
	lat, errs, examples := measure(hc, base+o.path, cookies, o.duration)
	stop()
	q := func(f float64) string {
		return fmt.Sprintf("%.1fms", float64(benchkit.Quantile(lat, f).Microseconds())/1000)
	}
	fmt.Printf("\n%d clients, %s, GET %s (%d needs ranked)\n%8s %6s %8s %8s %8s %8s %8s\n", o.clients, o.duration, o.path, len(r.Needs),
		"requests", "errors", "req/s", "p50", "p90", "p99", "max")
	fmt.Printf("%8d %6d %8.0f %8s %8s %8s %8s\n", len(lat), errs, float64(len(lat))/o.duration.Seconds(), q(0.5), q(0.9), q(0.99), q(1))
	for _, e := range examples {
		fmt.Println("   ", e)
	}
	fmt.Printf("peak RSS %s\n", benchkit.ProcStatus("VmHWM:"))
	return nil
}

// measure lets every client load url without pause for d; the latency runs
// from sending the request to the last byte of the answer.
func measure(hc *http.Client, url string, cookies []*http.Cookie, d time.Duration) (lat []time.Duration, errs int, examples []string) {
	deadline := time.Now().Add(d)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, cookie := range cookies {
		wg.Go(func() {
			var mine []time.Duration
			var bad []string
			for time.Now().Before(deadline) {
				took, err := benchkit.GetPage(hc, url, cookie)
				mine = append(mine, took)
				if err != nil {
					bad = append(bad, err.Error())
				}
			}
			mu.Lock()
			defer mu.Unlock()
			lat = append(lat, mine...)
			errs += len(bad)
			if len(examples) < 2 && len(bad) > 0 {
				examples = append(examples, bad[0])
			}
		})
	}
	wg.Wait()
	slices.Sort(lat)
	return lat, errs, examples
}
