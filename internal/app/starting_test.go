package app_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/app"
	"github.com/engagehq/engage/internal/apptest"
	"github.com/engagehq/engage/internal/auth"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/dbtest"
	"github.com/engagehq/engage/internal/demo"
)

// startingConfig is a configuration for engine on a fresh database (the
// same PostgreSQL schema for every call with the same url).
func startingConfig(t *testing.T, engine, url string) config.Config {
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.Argon2 = auth.CheapArgon2()
	if engine == "postgres" {
		cfg.DatabaseURL = url
	} else {
		cfg.DataDir = t.TempDir()
	}
	return cfg
}

// running is Engage's Run in the background: done closes when Run returns
// err.
type running struct {
	done chan struct{}
	err  error
}

// stopped fails the test if Run has returned.
func (r *running) stopped(t *testing.T) {
	t.Helper()
	select {
	case <-r.done:
		t.Fatalf("a replica stopped: %v", r.err)
	default:
	}
}

// boot listens at once and runs Engage with setup in the background until
// the test ends.
func boot(t *testing.T, cfg config.Config, setup func(context.Context, *app.App) error) (*app.Starting, *running) {
	t.Helper()
	s, err := app.Listen(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.err = s.Run(ctx, engage.NewFixedClock(apptest.Start), setup, nil)
	}()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return s, r
}

func fetch(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func waitReady(t *testing.T, s *app.Starting) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if res, _ := fetch(t, s.URL()+"/readyz"); res.StatusCode == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("Engage did not become ready")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Engage listens before its migrations and setup finish: liveness answers,
// readiness and every other request say it is starting, each in its form.
func TestAnswersWhileStarting(t *testing.T) {
	for _, engine := range apptest.Engines {
		t.Run(engine, func(t *testing.T) {
			url := ""
			if engine == "postgres" {
				url = dbtest.PostgresURL(t)
			}
			entered, release := make(chan struct{}), make(chan struct{})
			s, _ := boot(t, startingConfig(t, engine, url), func(ctx context.Context, a *app.App) error {
				close(entered)
				select { // until released, or the test ends
				case <-release:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
			<-entered
			if res, body := fetch(t, s.URL()+"/healthz"); res.StatusCode != http.StatusOK || body != "ok\n" {
				t.Errorf("/healthz while starting = %d %q; want 200 ok", res.StatusCode, body)
			}
			if res, body := fetch(t, s.URL()+"/readyz"); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "starting") {
				t.Errorf("/readyz while starting = %d %q; want 503 starting", res.StatusCode, body)
			}
			res, body := fetch(t, s.URL()+"/api/v1/services")
			if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Content-Type") != "application/problem+json" ||
				res.Header.Get("Retry-After") == "" || !strings.Contains(body, `"status":503`) || !strings.Contains(body, "starting") {
				t.Errorf("API while starting = %d %s Retry-After %q: %s; want a 503 problem with Retry-After", res.StatusCode,
					res.Header.Get("Content-Type"), res.Header.Get("Retry-After"), body)
			}
			res, body = fetch(t, s.URL()+"/catalog")
			if res.StatusCode != http.StatusServiceUnavailable || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
				res.Header.Get("Retry-After") == "" || !strings.Contains(body, "<h1>Engage is starting</h1>") {
				t.Errorf("page while starting = %d %s: %s; want a 503 starting page", res.StatusCode, res.Header.Get("Content-Type"), body)
			}
			if s.Ready() {
				t.Fatal("ready before setup finished")
			}
			close(release)
			waitReady(t, s)
			if res, _ := fetch(t, s.URL()+"/signin"); res.StatusCode != http.StatusOK {
				t.Fatalf("sign-in page once ready = %d; want 200", res.StatusCode)
			}
		})
	}
}

// Replicas started together on one empty PostgreSQL schema, some with the
// demo and one without, take turns: the demo is loaded once, no replica
// fails on a duplicate, and none is ready while the demo is half loaded.
func TestReplicasStartingTogetherLoadTheDemoOnce(t *testing.T) {
	url := dbtest.PostgresURL(t)
	cfg := startingConfig(t, "postgres", url)
	var mu sync.Mutex
	loaded, conflicts := 0, 0
	loadDemo := func(ctx context.Context, a *app.App) error {
		err := demo.LoadApp(ctx, a)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			loaded++
		case engage.ErrorCode(err) == engage.ECONFLICT:
			conflicts++
		default:
			return err
		}
		return nil
	}
	// The first replica holds the startup lock while the others start.
	entered, release := make(chan struct{}), make(chan struct{})
	first, firstRun := boot(t, cfg, func(ctx context.Context, a *app.App) error {
		close(entered)
		select { // until released, or the test ends
		case <-release:
		case <-ctx.Done():
			return ctx.Err()
		}
		return loadDemo(ctx, a)
	})
	<-entered
	replicas, runs := []*app.Starting{first}, []*running{firstRun}
	for i := 0; i < 2; i++ {
		s, r := boot(t, cfg, loadDemo)
		replicas, runs = append(replicas, s), append(runs, r)
	}
	plain, plainRun := boot(t, cfg, nil) // started without --demo
	replicas, runs = append(replicas, plain), append(runs, plainRun)
	time.Sleep(300 * time.Millisecond) // time enough to find the database empty
	for _, s := range replicas {
		if res, _ := fetch(t, s.URL()+"/readyz"); res.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("a replica answered /readyz %d while the demo was being loaded; want 503", res.StatusCode)
		}
	}
	close(release)
	ctx := context.Background()
	for _, s := range replicas {
		for !s.Ready() {
			for _, r := range runs {
				r.stopped(t)
			}
			time.Sleep(20 * time.Millisecond)
		}
		waitReady(t, s)
	}
	// The replica without the demo became ready only with the demo whole.
	a, err := app.Open(ctx, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var people int
	if err := a.DB.QueryRow(ctx, "SELECT COUNT(*) FROM people").Scan(&people); err != nil {
		t.Fatal(err)
	}
	if loaded != 1 || conflicts != 2 || people != demo.People+demo.DarkSitePeople {
		t.Fatalf("demo loaded %d times, %d found it loaded, %d people; want 1, 2, %d", loaded, conflicts, people, demo.People+demo.DarkSitePeople)
	}
	if res, body := fetch(t, plain.URL()+"/signin"); res.StatusCode != http.StatusOK || !strings.Contains(body, "Sign in") {
		t.Fatalf("sign-in page of the replica without the demo = %d", res.StatusCode)
	}
}

// A replica started without the demo that migrated an empty PostgreSQL
// schema first serves it, empty; when another replica then loads the demo,
// the first answers as starting — /readyz 503, pages and the API 503 —
// until the demo is whole, and then serves it.
func TestReplicaServingAnEmptyDatabaseWaitsWhileTheDemoLoads(t *testing.T) {
	url := dbtest.PostgresURL(t)
	cfg := startingConfig(t, "postgres", url)
	plain, plainRun := boot(t, cfg, nil) // started without --demo, alone
	waitReady(t, plain)

	// Another replica holds the demo's lock, as a demo load does from its
	// first row to its last.
	entered, release := make(chan struct{}), make(chan struct{})
	loader, loaderRun := boot(t, cfg, func(ctx context.Context, a *app.App) error {
		err := a.DB.WithLock(ctx, db.LockDemo, func() error {
			close(entered)
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if err != nil {
			return err
		}
		// Then the real load, watched from the first replica.
		var saw503 atomic.Bool
		stop := make(chan struct{})
		watched := make(chan struct{})
		go func() {
			defer close(watched)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if res, err := http.Get(plain.URL() + "/readyz"); err == nil {
					res.Body.Close()
					if res.StatusCode == http.StatusServiceUnavailable {
						saw503.Store(true)
					}
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
		err = demo.LoadApp(ctx, a)
		close(stop)
		<-watched
		if err == nil && !saw503.Load() {
			t.Error("the replica without the demo stayed ready while the demo loaded")
		}
		return err
	})
	<-entered
	if res, body := fetch(t, plain.URL()+"/readyz"); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "loading demo data") {
		t.Errorf("/readyz of the replica without the demo while it loads = %d %q; want 503 loading demo data", res.StatusCode, body)
	}
	if res, body := fetch(t, plain.URL()+"/catalog"); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "<h1>Engage is starting</h1>") {
		t.Errorf("a page of the replica without the demo while it loads = %d; want the 503 starting page", res.StatusCode)
	}
	if res, _ := fetch(t, plain.URL()+"/api/v1/services"); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("the API of the replica without the demo while it loads = %d; want 503", res.StatusCode)
	}
	if res, _ := fetch(t, plain.URL()+"/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("/healthz while the demo loads = %d; want 200", res.StatusCode)
	}
	close(release)
	for !loader.Ready() {
		plainRun.stopped(t)
		loaderRun.stopped(t)
		time.Sleep(20 * time.Millisecond)
	}
	waitReady(t, plain)
	b := &http.Client{}
	res, err := b.Get(plain.URL() + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sign-in page of the replica without the demo after the load = %d", res.StatusCode)
	}
	var people int
	a, err := app.Open(context.Background(), cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.DB.QueryRow(context.Background(), "SELECT COUNT(*) FROM people").Scan(&people); err != nil || people != demo.People+demo.DarkSitePeople {
		t.Fatalf("%d people after the load (%v); want %d", people, err, demo.People+demo.DarkSitePeople)
	}
}
