// Command events measures CloudEvents usage through POST /api/v1/events:
// -clients senders, each sending -batch events a request, one request
// after another, as fast as the server answers, for -duration. It prints
// the acknowledged events a second, the requests a second, the latency of
// the requests (p50, p99, max) and the database's transactions per group,
// then checks that the stored usage equals the acknowledged events.
//
// With -kill, Engage runs in a child process that is killed (SIGKILL)
// half way through and started again; each sender resends what was not
// acknowledged until it is, and at the end the stored usage must equal the
// distinct events sent, exactly: none lost, none counted twice.
//
// Engage starts on a fresh database (SQLite in a temporary directory, or a
// new schema of the PostgreSQL database given with -database-url) with the
// demo organisation and catalog; the events are those of the demo's meter
// org.example.hpc.job.finished (a sum of $.core_hours, 1 each) for the
// CHEM department.
//
//	go run ./bench/events                                  # SQLite, single events
//	go run ./bench/events -batch 20                        # 20 events a request
//	go run ./bench/events -database-url postgres://…       # PostgreSQL
//	go run ./bench/events -kill                            # the kill test
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/engagehq/engage/bench/benchkit"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/demo"
)

// The demo meter the events go to, and who is charged.
const (
	eventType = "org.example.hpc.job.finished"
	subject   = "department/CHEM"
	offering  = "hpc-core-hours"
	dept      = "CHEM"
)

type options struct {
	databaseURL string
	clients     int
	batch       int
	duration    time.Duration
	kill        bool
	cpuprofile  string
}

func main() {
	if childRequested() {
		os.Exit(child())
	}
	var o options
	flag.StringVar(&o.databaseURL, "database-url", "", "PostgreSQL database to create a schema in (default: SQLite in a temporary directory)")
	flag.IntVar(&o.clients, "clients", 50, "senders, each sending one request after another")
	flag.IntVar(&o.batch, "batch", 1, "events a request (1: application/cloudevents+json; more: a batch)")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long the senders send")
	flag.BoolVar(&o.kill, "kill", false, "run Engage in a child process, kill it half way and start it again; check nothing is lost or counted twice")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the run (not with -kill)")
	flag.Parse()
	var res result
	var err error
	if o.kill {
		res, err = killRun(context.Background(), o, os.Args[0])
	} else {
		res, err = throughput(context.Background(), o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "events:", err)
		os.Exit(1)
	}
	res.print(o)
}

// result is what a run measured.
type result struct {
	engine            string
	acked, distinct   int64 // events acknowledged (first time), distinct events sent
	duplicates        int64 // events found already stored when sent again
	resentAcked       int64 // acknowledged events sent again after a kill
	requests, retries int64
	elapsed           time.Duration
	latencies         []time.Duration
	stored            int64 // usage records stored
	groups, commits   int64
	kills             int
	cpu               time.Duration // this process's CPU time during the run (server and senders)
}

func (r result) print(o options) {
	slices.Sort(r.latencies)
	pct := func(p float64) time.Duration {
		if len(r.latencies) == 0 {
			return 0
		}
		return r.latencies[min(len(r.latencies)-1, int(float64(len(r.latencies))*p))].Round(10 * time.Microsecond)
	}
	fmt.Printf("Engage CloudEvents: %s, %d clients, %d events a request, %s, %s, GOMAXPROCS=%d\n",
		r.engine, o.clients, o.batch, r.elapsed.Round(time.Millisecond), runtime.Version(), runtime.GOMAXPROCS(0))
	secs := r.elapsed.Seconds()
	fmt.Printf("  acknowledged events  %10d  %10.0f /s\n", r.acked, float64(r.acked)/secs)
	fmt.Printf("  requests answered    %10d  %10.0f /s\n", r.requests, float64(r.requests)/secs)
	fmt.Printf("  latency              p50 %s  p99 %s  max %s\n", pct(0.50), pct(0.99), pct(1))
	if r.cpu > 0 {
		fmt.Printf("  CPU of this process  %s (server and senders): %.0f events per CPU-second\n", r.cpu.Round(time.Millisecond), float64(r.acked)/r.cpu.Seconds())
	}
	if r.groups > 0 {
		fmt.Printf("  group commit         %d groups, %d transactions, %.1f requests a transaction\n", r.groups, r.commits, float64(r.requests)/float64(max(r.commits, 1)))
	}
	if o.kill {
		fmt.Printf("  killed %d time(s); %d unacknowledged requests resent; %d acknowledged events resent; %d events found already stored\n",
			r.kills, r.retries, r.resentAcked, r.duplicates)
	}
	fmt.Printf("  stored usage records %10d  (distinct events sent: %d)\n", r.stored, r.distinct)
}

// throughput runs Engage in this process and measures it.
func throughput(ctx context.Context, o options) (result, error) {
	res := result{engine: engineName(o.databaseURL)}
	a, closeApp, err := benchkit.OpenDemo(ctx, o.databaseURL, "events", 40)
	if err != nil {
		return res, err
	}
	defer closeApp()
	token, err := financeToken(ctx, a)
	if err != nil {
		return res, err
	}
	if err := a.Listen(); err != nil {
		return res, err
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Serve(sctx) }()
	defer func() { stop(); <-done }()
	stopProfile, err := benchkit.StartCPUProfile(o.cpuprofile)
	if err != nil {
		return res, err
	}
	g0, c0 := a.Billing.GroupStats()
	l := newLoad(a.URL(), token, o)
	cpu0 := benchkit.ProcessCPU()
	l.run(time.Now().Add(o.duration), nil)
	res.cpu = benchkit.ProcessCPU() - cpu0
	stopProfile()
	g1, c1 := a.Billing.GroupStats()
	res.groups, res.commits = g1-g0, c1-c0
	l.fill(&res)
	if res.stored, err = storedRecords(ctx, a); err != nil {
		return res, err
	}
	if res.stored != res.distinct {
		return res, fmt.Errorf("%d usage records stored for %d distinct events acknowledged", res.stored, res.distinct)
	}
	return res, nil
}

func engineName(databaseURL string) string {
	if databaseURL != "" {
		return "PostgreSQL"
	}
	return "SQLite"
}

// financeToken makes an API token for the demo's finance account.
func financeToken(ctx context.Context, a *app.App) (string, error) {
	p, err := benchkit.Principal(ctx, a, "finance@example.com", "events benchmark")
	if err != nil {
		return "", err
	}
	token, _, err := a.Auth.CreateToken(ctx, access.System("events benchmark"), p.PersonID, "events benchmark", nil)
	return token, err
}

// storedRecords counts the usage records of the benchmark's offering and
// department (the demo has none of them).
func storedRecords(ctx context.Context, a *app.App) (int64, error) {
	var n int64
	err := a.DB.QueryRow(ctx, `SELECT COALESCE(SUM(t.records), 0) FROM usage_totals t JOIN offerings o ON o.id = t.offering_id
		JOIN departments d ON d.id = t.department_id WHERE o.slug = ? AND d.code = ?`, offering, dept).Scan(&n)
	return n, err
}

// load is the senders' state.
type load struct {
	url, token string
	clients    int
	batch      int
	hc         *http.Client
	run0       string // makes event ids unique to this run

	acked, distinct, requests, retries atomic.Int64
	duplicates, resentAcked            atomic.Int64
	mu                                 sync.Mutex
	latencies                          []time.Duration
	start                              time.Time
	elapsed                            time.Duration
}

func newLoad(url, token string, o options) *load {
	tr := &http.Transport{MaxIdleConns: o.clients * 2, MaxIdleConnsPerHost: o.clients * 2, IdleConnTimeout: time.Minute}
	return &load{url: url + "/api/v1/events", token: token, clients: o.clients, batch: o.batch,
		hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}, run0: strconv.FormatInt(time.Now().UnixNano(), 36)}
}

// run sends until the deadline; then each sender stops making new events
// and resends what is not acknowledged until it is. pause, when set, is
// waited on after a failed request (the server is being restarted).
func (l *load) run(until time.Time, pause func()) {
	var wg sync.WaitGroup
	l.start = time.Now()
	for c := range l.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.sender(c, until, pause)
		}()
	}
	wg.Wait()
	l.elapsed = time.Since(l.start)
}

func (l *load) sender(c int, until time.Time, pause func()) {
	var lat []time.Duration
	defer func() {
		l.mu.Lock()
		l.latencies = append(l.latencies, lat...)
		l.mu.Unlock()
	}()
	seq := 0
	var body []byte
	var pending []byte // a request not acknowledged, to send again
	// After a failure (the server was killed), the last acknowledged
	// request is sent once more too: its events must count as duplicates.
	var last []byte
	again := false
	for {
		if pending == nil && again && last != nil {
			again = false
			if _, dup, err := l.post(last); err == nil {
				l.duplicates.Add(int64(dup))
				l.resentAcked.Add(int64(l.batch))
			}
			continue
		}
		if pending == nil {
			if time.Now().After(until) {
				return
			}
			body = l.request(body[:0], c, &seq)
			l.distinct.Add(int64(l.batch))
		} else {
			body = pending
			l.retries.Add(1)
		}
		t := time.Now()
		acc, dup, err := l.post(body)
		if err != nil {
			pending, again = body, true
			if pause != nil {
				pause()
			} else {
				fmt.Fprintln(os.Stderr, "events: request failed:", err)
				time.Sleep(50 * time.Millisecond)
			}
			continue
		}
		lat = append(lat, time.Since(t))
		l.requests.Add(1)
		l.acked.Add(int64(acc))
		l.duplicates.Add(int64(dup))
		pending, last, body = nil, body, make([]byte, 0, len(body))
	}
}

// request writes the next request body of sender c.
func (l *load) request(b []byte, c int, seq *int) []byte {
	one := func(b []byte) []byte {
		*seq++
		b = append(b, `{"specversion":"1.0","id":"`...)
		b = append(b, l.run0...)
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(c), 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(*seq), 10)
		b = append(b, `","source":"//bench.example.org/meter","type":"`+eventType+`","subject":"`+subject+`","data":{"core_hours":1}}`...)
		return b
	}
	if l.batch == 1 {
		return one(b)
	}
	b = append(b, '[')
	for i := range l.batch {
		if i > 0 {
			b = append(b, ',')
		}
		b = one(b)
	}
	return append(b, ']')
}

// post sends a request and returns the events accepted and those already
// stored; any error or an answer other than 200 means the events are not
// acknowledged.
func (l *load) post(body []byte) (accepted, duplicates int, err error) {
	req, err := http.NewRequest(http.MethodPost, l.url, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+l.token)
	if l.batch == 1 {
		req.Header.Set("Content-Type", "application/cloudevents+json")
	} else {
		req.Header.Set("Content-Type", "application/cloudevents-batch+json")
	}
	res, err := l.hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, 0, err
	}
	if res.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("status %d: %.300s", res.StatusCode, raw)
	}
	var rep struct{ Accepted, Duplicates int }
	if err := json.Unmarshal(raw, &rep); err != nil {
		return 0, 0, err
	}
	return rep.Accepted, rep.Duplicates, nil
}

func (l *load) fill(r *result) {
	r.acked, r.distinct, r.requests, r.retries = l.acked.Load(), l.distinct.Load(), l.requests.Load(), l.retries.Load()
	r.duplicates, r.resentAcked = l.duplicates.Load(), l.resentAcked.Load()
	r.elapsed, r.latencies = l.elapsed, l.latencies
}

// The child process: Engage serving the database the parent prepared.
const childEnv = "ENGAGE_EVENTS_CHILD"

type childConfig struct {
	Addr, DataDir, DatabaseURL string
}

func childRequested() bool { return os.Getenv(childEnv) != "" }

// child serves until killed.
func child() int {
	var cc childConfig
	if err := json.Unmarshal([]byte(os.Getenv(childEnv)), &cc); err != nil {
		fmt.Fprintln(os.Stderr, "events child:", err)
		return 2
	}
	cfg := config.Default()
	cfg.Addr, cfg.DataDir, cfg.DatabaseURL = cc.Addr, cc.DataDir, cc.DatabaseURL
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, logger, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "events child:", err)
		return 1
	}
	if err := a.Listen(); err != nil {
		fmt.Fprintln(os.Stderr, "events child:", err)
		return 1
	}
	if err := a.Serve(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "events child:", err)
		return 1
	}
	return 0
}

// killRun prepares a database, serves it from a child process (the
// program at self), kills the child half way through the senders' run and
// starts it again, and then counts what was stored.
func killRun(ctx context.Context, o options, self string) (result, error) {
	res := result{engine: engineName(o.databaseURL)}
	cc := childConfig{}
	if o.databaseURL != "" {
		u, drop, err := benchkit.FreshSchema(o.databaseURL, "events")
		if err != nil {
			return res, err
		}
		defer drop()
		cc.DatabaseURL = u
	} else {
		dir, err := os.MkdirTemp("", "engage-events-")
		if err != nil {
			return res, err
		}
		defer os.RemoveAll(dir)
		cc.DataDir = dir
	}
	cfg := config.Default()
	cfg.DataDir, cfg.DatabaseURL = cc.DataDir, cc.DatabaseURL
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.Open(ctx, cfg, logger, nil)
	if err != nil {
		return res, err
	}
	if err := demo.Load(ctx, a.DB, a.Services); err != nil {
		a.Close()
		return res, err
	}
	token, err := financeToken(ctx, a)
	a.Close()
	if err != nil {
		return res, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	cc.Addr = ln.Addr().String()
	ln.Close()
	raw, _ := json.Marshal(cc)
	base := "http://" + cc.Addr

	var mu sync.Mutex
	var cmd *exec.Cmd
	var stderr bytes.Buffer
	start := func() error {
		c := exec.Command(self)
		c.Env = append(os.Environ(), childEnv+"="+string(raw))
		c.Stdout, c.Stderr = &stderr, &stderr
		if err := c.Start(); err != nil {
			return err
		}
		cmd = c
		return waitReady(base, 60*time.Second)
	}
	if err := start(); err != nil {
		return res, fmt.Errorf("starting Engage: %w\n%s", err, stderr.String())
	}
	// While the child is being killed and started again, the senders wait.
	restarted := make(chan struct{})
	var restarting atomic.Bool
	pause := func() {
		if restarting.Load() {
			<-restarted
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	l := newLoad(base, token, o)
	half := time.Now().Add(o.duration / 2)
	killed := make(chan error, 1)
	go func() {
		time.Sleep(time.Until(half))
		mu.Lock()
		defer mu.Unlock()
		restarting.Store(true)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			killed <- err
			return
		}
		_ = cmd.Wait()
		res.kills++
		err := start()
		restarting.Store(false)
		close(restarted)
		killed <- err
	}()
	l.run(time.Now().Add(o.duration), pause)
	if err := <-killed; err != nil {
		return res, fmt.Errorf("restarting Engage: %w\n%s", err, stderr.String())
	}
	mu.Lock()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	mu.Unlock()
	l.fill(&res)

	a, err = app.Open(ctx, cfg, logger, nil)
	if err != nil {
		return res, err
	}
	defer a.Close()
	if res.stored, err = storedRecords(ctx, a); err != nil {
		return res, err
	}
	if res.stored != res.distinct {
		return res, fmt.Errorf("after the kill: %d usage records stored for %d distinct events sent (%d acknowledged the first time)",
			res.stored, res.distinct, res.acked)
	}
	return res, nil
}

// waitReady waits until Engage answers /healthz.
func waitReady(base string, most time.Duration) error {
	deadline := time.Now().Add(most)
	for {
		res, err := http.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return errors.New("Engage did not become ready")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
