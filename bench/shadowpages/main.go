// Command shadowpages measures the shadow-spend page and a BRM's queue of
// shadow cases with many spend lines stored: it starts Engage in-process on
// a fresh database (SQLite in a temporary directory, or a new schema of the
// PostgreSQL database given with -database-url) with the twelve cost
// centres of the card sample, four BRMs of three departments each and a
// finance officer, imports -lines generated card lines (as
// bench/spendimport does), then lets -clients callers request the pages
// over HTTP for -duration each, and prints the latencies.
//
//	go run ./bench/shadowpages                                  # SQLite, 5,000,000 lines
//	go run ./bench/shadowpages -database-url postgres://…       # PostgreSQL
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/engagehq/engage/bench/benchkit"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/spend"
)

func main() {
	lines := flag.Int("lines", 5000000, "card lines to store")
	databaseURL := flag.String("database-url", "", "PostgreSQL URL (a fresh schema is made in it); SQLite when empty")
	clients := flag.Int("clients", 50, "callers at once")
	duration := flag.Duration("duration", 10*time.Second, "how long each scenario runs")
	warmup := flag.Duration("warmup", 2*time.Second, "requests before each scenario, not counted")
	target := flag.Duration("target", 50*time.Millisecond, "the p99 to meet")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the scenarios here")
	flag.Parse()
	if err := run(*lines, *databaseURL, *clients, *duration, *warmup, *target, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(lines int, databaseURL string, clients int, duration, warmup, target time.Duration, cpuprofile string) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	config.Default().ApplyMemoryLimit() // the server's
	a, closeApp, err := benchkit.Open(ctx, databaseURL, "shadowpages")
	if err != nil {
		return err
	}
	defer closeApp()
	sys := access.System("shadowpages")
	var brms []int64
	for i := range 4 {
		p, err := a.Org.CreatePerson(ctx, sys, org.PersonInput{Email: fmt.Sprintf("brm%d@example.com", i), Name: fmt.Sprintf("BRM %d", i),
			Active: true, Roles: []access.Role{access.Requester, access.BRM}})
		if err != nil {
			return err
		}
		brms = append(brms, p.ID)
	}
	fin, err := a.Org.CreatePerson(ctx, sys, org.PersonInput{Email: "finance@example.com", Name: "Finance", Active: true,
		Roles: []access.Role{access.Requester, access.Finance}})
	if err != nil {
		return err
	}
	for i, c := range benchkit.SpendDepartments {
		if _, err := a.Org.CreateDepartment(ctx, sys, org.DepartmentInput{Code: c, Name: c, BRMID: brms[i%len(brms)]}); err != nil {
			return err
		}
	}
	start := time.Now()
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(benchkit.GenerateSpend(pw, lines, 1)) }()
	rep, err := a.Spend.Import(ctx, sys, "generated.csv", pr)
	if err != nil {
		return err
	}
	fmt.Printf("imported %d lines (%d software) in %s\n", rep.Lines, rep.Software, time.Since(start).Round(time.Millisecond))
	queue, err := a.Spend.Cases(ctx, sys, spend.CaseFilter{})
	if err != nil {
		return err
	}
	fmt.Printf("%d open shadow cases\n", len(queue))

	base, wait, err := benchkit.Serve(ctx, a)
	if err != nil {
		return err
	}
	defer func() { cancel(); _ = wait() }()
	tokens := map[string][]string{}
	for i := range clients {
		who := brms[i%len(brms)]
		tok, _, terr := a.Auth.CreateToken(ctx, sys, who, "shadowpages", nil)
		if terr != nil {
			return terr
		}
		tokens["brm"] = append(tokens["brm"], tok)
		tok, _, err = a.Auth.CreateToken(ctx, sys, fin.ID, "shadowpages", nil)
		if err != nil {
			return err
		}
		tokens["finance"] = append(tokens["finance"], tok)
	}
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConns: 2 * clients, MaxIdleConnsPerHost: 2 * clients}}
	scenarios := []struct{ name, who, path string }{
		{"shadow spend, a BRM (3 departments)", "brm", "/shadow"},
		{"shadow spend, finance (12 departments)", "finance", "/shadow"},
		{"the BRM's queue", "brm", "/shadow/cases"},
	}
	stop, err := benchkit.StartCPUProfile(cpuprofile)
	if err != nil {
		return err
	}
	fmt.Println()
	fmt.Printf("%d clients, %s each\n\n", clients, duration)
	fmt.Println("| page | request | requests | errors | req/s | p50 | p99 | max | CPU/req |")
	fmt.Println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	worst := time.Duration(0)
	for _, sc := range scenarios {
		url := base + sc.path
		if warmup > 0 {
			measure(hc, url, tokens[sc.who], warmup)
		}
		cpu := benchkit.ProcessCPU()
		lat, errs, elapsed, example := measure(hc, url, tokens[sc.who], duration)
		cpu = benchkit.ProcessCPU() - cpu
		p99 := benchkit.Quantile(lat, 0.99)
		worst = max(worst, p99)
		fmt.Printf("| %s | GET %s | %d | %d | %.0f | %s | %s | %s | %s |\n", sc.name, sc.path, len(lat), errs, float64(len(lat))/elapsed.Seconds(),
			ms(benchkit.Quantile(lat, 0.5)), ms(p99), ms(benchkit.Quantile(lat, 1)), ms(cpu/time.Duration(max(len(lat), 1))))
		if example != "" {
			fmt.Println("  error:", example)
		}
	}
	stop()
	fmt.Printf("\npeak RSS %s\n", benchkit.ProcStatus("VmHWM:"))
	verdict := "met"
	if worst >= target {
		verdict = "NOT met"
	}
	fmt.Printf("p99 target of %s: %s (worst p99 %s)\n", target, verdict, ms(worst))
	return nil
}

// measure lets one caller per token get url for d; a request started
// before the end is waited for. It returns the latencies sorted.
func measure(hc *http.Client, url string, tokens []string, d time.Duration) (lat []time.Duration, errs int, elapsed time.Duration, example string) {
	var mu sync.Mutex
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for _, token := range tokens {
		wg.Go(func() {
			var mine []time.Duration
			bad, ex := 0, ""
			for time.Now().Before(deadline) {
				took, err := get(hc, url, token)
				mine = append(mine, took)
				if err != nil {
					bad++
					ex = err.Error()
				}
			}
			mu.Lock()
			lat, errs = append(lat, mine...), errs+bad
			if ex != "" {
				example = ex
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(lat)
	return lat, errs, time.Since(start), example
}

func get(hc *http.Client, url, token string) (time.Duration, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return benchkit.Timed(hc, req)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
