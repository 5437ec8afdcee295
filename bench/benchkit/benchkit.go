// Package benchkit holds what Engage's benchmark programs share: a fresh
// PostgreSQL schema per run, the process's memory figures, profiles, and
// the demo catalog's URL names.
package benchkit

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx driver for database/sql

	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/demo"
)

// FreshSchema creates a schema named prefix_<random> in the PostgreSQL
// database at base and returns a URL that works in it, and a function that
// drops it.
func FreshSchema(base, prefix string) (string, func(), error) {
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		return "", nil, errors.New("-database-url must start with postgres://")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	buf := make([]byte, 4)
	_, _ = crand.Read(buf)
	schema := prefix + "_" + hex.EncodeToString(buf)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		return "", nil, fmt.Errorf("creating schema %s: %w", schema, err)
	}
	drop := func() {
		if d, err := sql.Open("pgx", base); err == nil {
			_, _ = d.Exec("DROP SCHEMA " + schema + " CASCADE")
			d.Close()
		}
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// ProcStatus reads a memory figure of the process (VmHWM: the peak
// resident set size; VmRSS: the current one) from /proc, in MiB.
func ProcStatus(field string) string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return strings.TrimSpace(v)
			}
			return fmt.Sprintf("%.0f MiB", float64(kb)/1024)
		}
	}
	return "unknown"
}

// WriteProfile writes the named runtime profile (mutex, heap…) to path.
func WriteProfile(name, path string) error {
	pf, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(name).WriteTo(pf, 0); err != nil {
		pf.Close()
		return err
	}
	return pf.Close()
}

// DemoSlugs returns the URL names the demo catalog uses, so that generated
// services and offerings avoid them.
func DemoSlugs() (map[string]bool, error) {
	f, err := catalog.ParseFile("demo catalog", strings.NewReader(string(demo.CatalogFile())))
	if err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	for _, s := range f.Services {
		taken[s.Slug] = true
		for _, o := range s.Offerings {
			taken[o.Slug] = true
		}
	}
	return taken, nil
}

// Open starts Engage in-process on a fresh database — SQLite in a
// temporary directory, or a new schema of the PostgreSQL database at
// databaseURL when it is set — listening on a free loopback port, logging
// warnings only. close stops it and removes the database.
func Open(ctx context.Context, databaseURL, name string) (a *app.App, close func(), err error) {
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	var cleanup func()
	if databaseURL != "" {
		u, drop, err := FreshSchema(databaseURL, name)
		if err != nil {
			return nil, nil, err
		}
		cfg.DatabaseURL, cleanup = u, drop
	} else {
		dir, err := os.MkdirTemp("", "engage-"+name+"-")
		if err != nil {
			return nil, nil, err
		}
		cfg.DataDir, cleanup = dir, func() { os.RemoveAll(dir) }
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err = app.Open(ctx, cfg, logger, nil)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return a, func() { a.Close(); cleanup() }, nil
}

// Step prints what and the time since start, the name in a column width
// wide, and returns the time.
func Step(width int, what string, start time.Time) time.Duration {
	d := time.Since(start)
	fmt.Printf("%-*s %9s\n", width, what, d.Round(time.Millisecond))
	return d
}

// OpenDemo is Open followed by the demo's organisation, catalog and needs,
// printing how long each took.
func OpenDemo(ctx context.Context, databaseURL, name string, width int) (a *app.App, close func(), err error) {
	t := time.Now()
	a, close, err = Open(ctx, databaseURL, name)
	if err != nil {
		return nil, nil, err
	}
	Step(width, "open and migrate", t)
	t = time.Now()
	if err := demo.Load(ctx, a.DB, a.Services); err != nil {
		close()
		return nil, nil, fmt.Errorf("loading the demo: %w", err)
	}
	Step(width, "demo organisation, catalog and needs", t)
	return a, close, nil
}

// Principal is the demo person with email, acting in the named benchmark.
func Principal(ctx context.Context, a *app.App, email, name string) (*access.Principal, error) {
	person, err := a.Org.FindPersonByEmail(ctx, email)
	if err != nil {
		return nil, fmt.Errorf("-email %s: %w", email, err)
	}
	return a.Org.Principal(ctx, person.ID, name)
}

// StartCPUProfile profiles the CPU into path, when it is not empty, until
// stop is called.
func StartCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	pf, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(pf); err != nil {
		pf.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		pf.Close()
		fmt.Println("CPU profile written to", path)
	}, nil
}

// ProcessCPU is the CPU time this process has used so far, user and
// system.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Serve starts a serving on its loopback port until ctx ends, returning its
// base URL and a function that waits for the server to stop and returns
// what stopped it (nil when ctx ended it).
func Serve(ctx context.Context, a *app.App) (base string, wait func() error, err error) {
	if err := a.Listen(); err != nil {
		return "", nil, err
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx) }()
	return a.URL(), func() error { return <-served }, nil
}

// Quantile is the nearest-rank quantile q (0 to 1) of sorted latencies: the
// smallest at or above q of them all.
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*q+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// ThreadWait is the time the calling thread has spent ready to run but
// waiting for a CPU (the second field of /proc/thread-self/schedstat); 0
// where Linux does not say. Measured around work done on one thread
// (runtime.LockOSThread), beside its elapsed and CPU times, it tells
// whether slow work waited for the CPU (other work on the machine) or for
// something else (locks, the disk).
func ThreadWait() time.Duration {
	b, err := os.ReadFile("/proc/thread-self/schedstat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	ns, _ := strconv.ParseInt(f[1], 10, 64)
	return time.Duration(ns)
}
