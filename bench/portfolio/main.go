// Command portfolio measures the portfolio's pages under load with a large
// register: it starts Engage in-process on a fresh database (SQLite in a
// temporary directory, or a new schema of the PostgreSQL database given
// with -database-url), applies a catalog of -services services and a
// process register of -processes processes (one value stream per 100),
// -applications applications and -links weighted links, opens -clients
// sessions and lets each of them loop, without pause, over the process map
// (GET /portfolio), a process's page (GET /portfolio/processes/{id}) and
// the heatmap (GET /portfolio/heatmap?view=…, its views in turn) for
// -duration after a warm-up. It prints, per page, the requests, errors
// (any answer but 200), throughput and latency percentiles, and the
// process's peak resident memory.
//
//	go run ./bench/portfolio                               # SQLite
//	go run ./bench/portfolio -database-url postgres://…    # PostgreSQL
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/engagehq/engage/bench/benchkit"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/landscape"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/process"
	"github.com/engagehq/engage/internal/web"
)

type options struct {
	processes, apps, services, links, clients int
	duration, warmup                          time.Duration
	databaseURL, cpuprofile, only             string
}

const stepWidth = 34

func main() {
	var o options
	flag.IntVar(&o.processes, "processes", 2000, "processes in the register (and one value stream per 100)")
	flag.IntVar(&o.apps, "applications", 1000, "applications")
	flag.IntVar(&o.services, "services", 5000, "catalog services")
	flag.IntVar(&o.links, "links", 20000, "links from processes to applications (60 %) and services (40 %)")
	flag.IntVar(&o.clients, "clients", 50, "people loading the pages at once")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "how long to measure")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "how long to load before measuring")
	flag.StringVar(&o.databaseURL, "database-url", "", "a PostgreSQL database to measure in (a fresh schema); SQLite when empty")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the measured run here")
	flag.StringVar(&o.only, "only", "", "load only these pages, comma-separated: map, process, heatmap")
	flag.Parse()
	if err := bench(o); err != nil {
		fmt.Fprintln(os.Stderr, "portfolio:", err)
		os.Exit(2)
	}
}

func step(what string, start time.Time) time.Duration { return benchkit.Step(stepWidth, what, start) }

func bench(o options) (err error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	t := time.Now()
	a, closeApp, err := benchkit.Open(ctx, o.databaseURL, "portfolio")
	if err != nil {
		return err
	}
	defer closeApp()
	step("open and migrate", t)
	sys := access.System("portfolio benchmark")
	dept, err := a.Org.CreateDepartment(ctx, sys, org.DepartmentInput{Code: "OPS", Name: "Operations"})
	if err != nil {
		return err
	}
	person, err := a.Org.CreatePerson(ctx, sys, org.PersonInput{Email: "reader@example.com", Name: "Rea Reader", DepartmentID: dept.ID, Active: true,
		Roles: []access.Role{access.Requester}})
	if err != nil {
		return err
	}
	t = time.Now()
	if _, err := a.Catalog.Apply(ctx, sys, catalogFile(o.services), false); err != nil {
		return fmt.Errorf("applying the catalog: %w", err)
	}
	step(fmt.Sprintf("catalog of %d services", o.services), t)
	t = time.Now()
	plan, err := a.Processes.ApplyRegister(ctx, sys, registerFile(o, person.Email), false)
	if err != nil {
		return fmt.Errorf("applying the register: %w", err)
	}
	step(fmt.Sprintf("register (%d created)", plan.Created), t)
	ids, err := processIDs(ctx, a, sys)
	if err != nil {
		return err
	}
	cookies := make([]*http.Cookie, o.clients)
	for i := range cookies {
		s, err := a.Auth.StartSession(ctx, person.ID)
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
	views := landscape.Views
	pages := []page{
		{"map", "process map", func(*rand.Rand, int) string { return "/portfolio" }},
		{"process", "process page", func(r *rand.Rand, _ int) string {
			return "/portfolio/processes/" + strconv.FormatInt(ids[r.IntN(len(ids))], 10)
		}},
		{"heatmap", "heatmap", func(_ *rand.Rand, k int) string { return "/portfolio/heatmap?view=" + views[k%len(views)] }},
	}
	if o.only != "" {
		keep := strings.Split(o.only, ",")
		pages = slices.DeleteFunc(pages, func(p page) bool { return !slices.Contains(keep, p.key) })
		if len(pages) == 0 {
			return fmt.Errorf("-only %s: name map, process or heatmap", o.only)
		}
	}
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: o.clients}}
	t = time.Now()
	measure(hc, base, cookies, pages, o.warmup)
	step("warm-up", t)
	var stop func()
	if o.cpuprofile != "" {
		if stop, err = benchkit.StartCPUProfile(o.cpuprofile); err != nil {
			return err
		}
	}
	results := measure(hc, base, cookies, pages, o.duration)
	if stop != nil {
		stop()
	}
	fmt.Printf("\n%d clients, %s\n%-14s %8s %6s %8s %8s %8s %8s %8s\n", o.clients, o.duration, "page", "requests", "errors", "req/s", "p50", "p90", "p99", "max")
	for i, res := range results {
		fmt.Printf("%-14s %8d %6d %8.0f %8s %8s %8s %8s\n", pages[i].name, len(res.lat), res.errs, float64(len(res.lat))/o.duration.Seconds(),
			ms(res.quantile(0.50)), ms(res.quantile(0.90)), ms(res.quantile(0.99)), ms(res.quantile(1)))
		for _, e := range res.examples {
			fmt.Println("   ", e)
		}
	}
	fmt.Printf("peak RSS %s\n", benchkit.ProcStatus("VmHWM:"))
	return nil
}

// page is one of the pages the clients load; path draws the k-th request.
type page struct {
	key  string // as -only names it
	name string
	path func(r *rand.Rand, k int) string
}

type result struct {
	lat      []time.Duration
	errs     int
	examples []string
}

func (r result) quantile(q float64) time.Duration { return benchkit.Quantile(r.lat, q) }

// measure lets every client loop over the pages for d; the latency runs
// from sending the request to the last byte of the answer.
func measure(hc *http.Client, base string, cookies []*http.Cookie, pages []page, d time.Duration) []result {
	deadline := time.Now().Add(d)
	var mu sync.Mutex
	out := make([]result, len(pages))
	var wg sync.WaitGroup
	for i, cookie := range cookies {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(i), 15))
			mine := make([]result, len(pages))
			for k := i; time.Now().Before(deadline); k++ {
				p := k % len(pages)
				took, err := benchkit.GetPage(hc, base+pages[p].path(r, k/len(pages)), cookie)
				mine[p].lat = append(mine[p].lat, took)
				if err != nil {
					mine[p].errs++
					if len(mine[p].examples) < 2 {
						mine[p].examples = append(mine[p].examples, err.Error())
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for p := range out {
				out[p].lat = append(out[p].lat, mine[p].lat...)
				out[p].errs += mine[p].errs
				if len(out[p].examples) < 2 {
					out[p].examples = append(out[p].examples, mine[p].examples...)
				}
			}
		})
	}
	wg.Wait()
	for p := range out {
		slices.Sort(out[p].lat)
	}
	return out
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func processIDs(ctx context.Context, a *app.App, p *access.Principal) ([]int64, error) {
	m, err := a.Processes.ProcessMap(ctx, p)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, e := range m.Entries {
		ids = append(ids, e.ID)
	}
	return ids, nil
}

var vendors = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne"}

// catalogFile is n services, a few of them retiring or sunset, most bought
// from one of a few vendors.
func catalogFile(n int) catalog.File {
	f := catalog.File{Name: "bench-catalog.yaml"}
	for i := range n {
		life, arch := "live", "standard"
		switch i % 50 {
		case 7:
			life = "retiring"
		case 19:
			arch = "sunset"
		}
		f.Services = append(f.Services, catalog.FileService{Slug: fmt.Sprintf("service-%d", i), Name: fmt.Sprintf("Service %d", i),
			Summary: "A service of the benchmark", Kind: "business", Family: "business-applications", Sourcing: "bought",
			Vendor: vendors[i%len(vendors)], Lifecycle: life, DeliveryModel: "cloud", DataCeiling: "internal", ArchStatus: arch,
			SLA: catalog.SLA{Availability: "99.9", LeadTimeDays: 2}, Audience: catalog.FileAudience{All: true}})
	}
	return f
}

// registerFile is the register: value streams of 100 processes, each
// process linked to applications and services in turn so that every link
// is distinct and an application's or a service's weights stay below 100.
func registerFile(o options, owner string) process.RegisterFile {
	f := process.RegisterFile{Kind: process.RegisterKind}
	for i := range o.apps {
		a := process.FileApplication{Ref: fmt.Sprintf("app-%d", i), Name: fmt.Sprintf("Application %d", i), Vendor: vendors[i%len(vendors)],
			Lifecycle: "active", FunctionalFit: 1 + i%5, TechnicalFit: 1 + (i/5)%5, Services: []string{fmt.Sprintf("service-%d", i%o.services)}}
		if i%3 != 0 {
			a.Owner = owner
		}
		f.Applications = append(f.Applications, a)
	}
	streams := max(1, o.processes/100)
	for s := range streams {
		f.Processes = append(f.Processes, process.FileProcess{Ref: fmt.Sprintf("vs-%d", s), Kind: process.ValueStream, Name: fmt.Sprintf("Value stream %d", s)})
	}
	enablements := []string{"", "manual", "partly_automated", "automated"}
	perProcess := max(1, o.links/max(1, o.processes))
	appLinks := perProcess * 6 / 10
	for i := range o.processes {
		fp := process.FileProcess{Ref: fmt.Sprintf("p-%d", i), Kind: process.Process, Name: fmt.Sprintf("Process %d", i),
			Parent: fmt.Sprintf("vs-%d", i%streams), Enablement: enablements[i%len(enablements)], Criticality: process.Criticalities[i%4]}
		// Every tenth process sits below the one before it.
		if i%10 == 9 {
			fp.Parent = fmt.Sprintf("p-%d", i-1)
		}
		for k := range perProcess {
			if k < appLinks {
				fp.Applications = append(fp.Applications, process.FileLink{Ref: fmt.Sprintf("app-%d", (i*appLinks+k)%o.apps), Weight: "4"})
			} else {
				fp.Services = append(fp.Services, process.FileLink{Ref: fmt.Sprintf("service-%d", (i*(perProcess-appLinks)+k-appLinks)%o.services), Weight: "10"})
			}
		}
		f.Processes = append(f.Processes, fp)
	}
	return f
}
