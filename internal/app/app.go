// Package app builds the whole of Engage from a configuration: the
// database, the product services, the web interface, the API and the
// operational endpoints. `engage serve`, the command line and the tests all
// start Engage through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/api"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/auth"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/costs"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/notify"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/web"
)

// Version is set at build time with -ldflags "-X …/app.Version=…".
var Version = "dev"

// App is a running Engage.
type App struct {
	Config config.Config
	Logger *slog.Logger
	Clock  engage.Clock
	DB     *db.DB

	Org   *org.Service
	Auth  *auth.Service
	Audit *audit.Service
	OIDC  *auth.OIDC
	// Approval decides orders (and, later, needs) by configurable policies.
	Approval *approval.Service
	Catalog  *catalog.Catalog
	// Notify publishes events to inboxes, webhooks and e-mail; its worker
	// runs while the app serves.
	Notify *notify.Service
	// FrontDoor takes technology needs through triage, review and decision.
	FrontDoor *frontdoor.FrontDoor
	// Billing rates periods into statements.
	Billing *billing.Service
	// Costs allocates cost pools to services for unit cost and recovery.
	Costs *costs.Service
	// CloudBill imports FOCUS cloud bills and allocates them to departments.
	CloudBill *cloudbill.Service

	Handler http.Handler

	listener net.Listener
	server   *http.Server
}

// Open connects to the database, applies pending migrations and builds the
// services. It does not listen; call Handler or Run.
func Open(ctx context.Context, cfg config.Config, logger *slog.Logger, clock engage.Clock) (*App, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if clock == nil {
		clock = engage.SystemClock{}
	}
	d, err := db.Open(ctx, db.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, Logger: logger})
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	a := &App{Config: cfg, Logger: logger, Clock: clock, DB: d}
	a.Org = &org.Service{DB: d, Clock: clock}
	a.Auth = &auth.Service{DB: d, Org: a.Org, Clock: clock, SessionTTL: cfg.SessionTTL}
	a.Audit = &audit.Service{DB: d}
	if a.Approval, err = approval.New(ctx, d, clock); err != nil {
		d.Close()
		return nil, err
	}
	a.Catalog = &catalog.Catalog{DB: d, Clock: clock, Org: a.Org, Approvals: a.Approval}
	a.Approval.OnDecided(catalog.SubjectOrder, a.Catalog.Decided)
	a.Notify = notify.New(d, clock, logger)
	// The demo's receivers run on the same machine; elsewhere internal
	// addresses are refused unless configured. SMTP is off without a host.
	a.Notify.AllowPrivateTargets, a.Notify.BaseURL, a.Notify.SMTP = cfg.Demo || cfg.AllowPrivateWebhooks, cfg.BaseURL, cfg.SMTP
	a.FrontDoor = &frontdoor.FrontDoor{DB: d, Clock: clock, Org: a.Org, Catalog: a.Catalog, Approvals: a.Approval, Publisher: a.Notify}
	a.Approval.OnDecided(frontdoor.SubjectNeed, a.FrontDoor.Decided)
	a.Billing = &billing.Service{DB: d, Clock: clock, Catalog: a.Catalog}
	a.Costs = &costs.Service{DB: d, Clock: clock}
	a.CloudBill = cloudbill.New(d, clock, "")
	a.Billing.Cloud = cloudCharges{a.CloudBill}
	if cfg.OIDC.Enabled() {
		a.OIDC = &auth.OIDC{Config: cfg.OIDC, Auth: a.Auth}
	}
	h, err := a.buildHandler()
	if err != nil {
		d.Close()
		return nil, err
	}
	a.Handler = h
	return a, nil
}

func (a *App) buildHandler() (http.Handler, error) {
	mux := http.NewServeMux()
	w := &web.Server{Org: a.Org, Auth: a.Auth, Audit: a.Audit, Catalog: a.Catalog, Approval: a.Approval, Notify: a.Notify, FrontDoor: a.FrontDoor, Billing: a.Billing, Costs: a.Costs, CloudBill: a.CloudBill, OIDC: a.OIDC, Logger: a.Logger, Clock: a.Clock,
		SecureCookies: strings.HasPrefix(a.Config.BaseURL, "https://"), TrustProxy: a.Config.TrustProxy, Version: Version}
	if err := w.Register(mux); err != nil {
		return nil, err
	}
	w.OpenAPI = (&api.API{Org: a.Org, Auth: a.Auth, Audit: a.Audit, Catalog: a.Catalog, FrontDoor: a.FrontDoor, Billing: a.Billing, Costs: a.Costs, CloudBill: a.CloudBill, Approval: a.Approval, Notify: a.Notify, Logger: a.Logger, Version: Version}).Register(mux).OpenAPI

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := newHTTPMetrics(reg)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", a.ready)

	var h http.Handler = mux
	h = web.Authenticate(a.Auth, h)
	h = http.NewCrossOriginProtection().Handler(h)
	h = web.SecurityHeaders(h)
	h = m.instrument(h)
	h = a.logRequests(h)
	h = recoverPanics(a.Logger, h)
	return h, nil
}

// ready answers 200 when the database answers and its schema is current.
func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := a.DB.Ping(ctx); err != nil {
		a.Logger.Warn("not ready: database unreachable", "err", err)
		http.Error(w, "database unreachable", http.StatusServiceUnavailable)
		return
	}
	current, err := a.DB.MigrationsCurrent(ctx)
	if err != nil || !current {
		http.Error(w, "database schema is not current", http.StatusServiceUnavailable)
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

// Listen binds the configured address (":0" picks a free port).
func (a *App) Listen() error {
	l, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", a.Config.Addr, err)
	}
	a.listener = l
	return nil
}

// URL is where the app listens, after Listen.
func (a *App) URL() string {
	return "http://" + a.listener.Addr().String()
}

// Serve serves until ctx is cancelled, then shuts down gracefully, letting
// requests in flight finish for up to 20 seconds.
func (a *App) Serve(ctx context.Context) error {
	if a.listener == nil {
		if err := a.Listen(); err != nil {
			return err
		}
	}
	a.server = &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn)}
	// The notification worker runs beside the server and is stopped, its
	// sends in flight recorded, before Serve returns.
	workerCtx, stopWorker := context.WithCancel(ctx)
	workerDone := make(chan struct{})
	go func() { defer close(workerDone); a.Notify.Run(workerCtx) }()
	billingDone := make(chan struct{})
	go func() { defer close(billingDone); a.Billing.Schedule(workerCtx, 6*time.Hour, a.Logger) }()
	defer func() { stopWorker(); <-billingDone }()
	// The reuse index loads beside the server, not in the first suggestion.
	indexDone := make(chan struct{})
	go func() {
		defer close(indexDone)
		if err := a.FrontDoor.LoadIndex(workerCtx); err != nil && workerCtx.Err() == nil {
			a.Logger.Warn("loading the reuse index", "err", err)
		}
	}()
	defer func() { stopWorker(); <-indexDone }()
	defer func() { stopWorker(); <-workerDone }()
	errc := make(chan error, 1)
	go func() { errc <- a.server.Serve(a.listener) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close releases the database.
func (a *App) Close() error {
	return a.DB.Close()
}
