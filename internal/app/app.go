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
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/shopspring/decimal"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/access"
	"github.com/engagehq/engage/internal/api"
	"github.com/engagehq/engage/internal/approval"
	"github.com/engagehq/engage/internal/audit"
	"github.com/engagehq/engage/internal/auth"
	"github.com/engagehq/engage/internal/backstage"
	"github.com/engagehq/engage/internal/billing"
	"github.com/engagehq/engage/internal/catalog"
	"github.com/engagehq/engage/internal/cloudbill"
	"github.com/engagehq/engage/internal/community"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/costs"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/discuss"
	"github.com/engagehq/engage/internal/engagement"
	"github.com/engagehq/engage/internal/frontdoor"
	"github.com/engagehq/engage/internal/idea"
	"github.com/engagehq/engage/internal/idempotency"
	"github.com/engagehq/engage/internal/landscape"
	"github.com/engagehq/engage/internal/notify"
	"github.com/engagehq/engage/internal/org"
	"github.com/engagehq/engage/internal/portfolio"
	"github.com/engagehq/engage/internal/process"
	"github.com/engagehq/engage/internal/processcost"
	"github.com/engagehq/engage/internal/product"
	"github.com/engagehq/engage/internal/pulse"
	"github.com/engagehq/engage/internal/schema"
	"github.com/engagehq/engage/internal/spend"
	"github.com/engagehq/engage/internal/tmf"
	"github.com/engagehq/engage/internal/waiting"
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

	// Services are the product services, built by Open.
	product.Services
	OIDC *auth.OIDC // nil when single sign-on is off

	Handler http.Handler

	demo     demoWatch
	listener net.Listener
	server   *http.Server
}

// Open connects to the database, applies pending migrations and builds the
// services. It does not listen; call Handler or Run.
func Open(ctx context.Context, cfg config.Config, logger *slog.Logger, clock engage.Clock) (*App, error) {
	return OpenWith(ctx, cfg, logger, clock, nil)
}

// OpenWith is Open followed by setup (such as loading demo data), when not
// nil. Migrating, building the services and setup run under the startup
// lock: replicas starting together take turns, so none finds a database
// half migrated or half loaded, and a second demo load finds the first one
// done.
func OpenWith(ctx context.Context, cfg config.Config, logger *slog.Logger, clock engage.Clock, setup func(context.Context, *App) error) (*App, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if clock == nil {
		clock = engage.SystemClock{}
	}
	d, err := db.Open(ctx, db.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, Logger: logger, GoMigrations: schema.GoMigrations()})
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Logger: logger, Clock: clock, DB: d}
	err = d.WithLock(ctx, db.LockStartup, func() error {
		if _, err := d.Migrate(ctx); err != nil {
			return err
		}
		if err := a.build(ctx); err != nil {
			return err
		}
		if setup != nil {
			return setup(ctx, a)
		}
		return nil
	})
	if err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

// build makes the services and the handler over a migrated database.
func (a *App) build(ctx context.Context) error {
	cfg, d, clock, logger := a.Config, a.DB, a.Clock, a.Logger
	var err error
	a.Org = &org.Service{DB: d, Clock: clock}
	a.Auth = &auth.Service{DB: d, Org: a.Org, Clock: clock, SessionTTL: cfg.SessionTTL, Argon2: cfg.Argon2}
	a.Audit = &audit.Service{DB: d}
	if a.Approval, err = approval.New(ctx, d, clock); err != nil {
		return err
	}
	currencies := cfg.OrganisationCurrencies()
	a.Approval.Currencies = currencies
	a.Catalog = &catalog.Catalog{DB: d, Clock: clock, Org: a.Org, Approvals: a.Approval, Currencies: currencies}
	a.Approval.OnDecided(catalog.SubjectOrder, a.Catalog.Decided)
	a.Notify = notify.New(d, clock, logger)
	// The demo's receivers run on the same machine; elsewhere internal
	// addresses are refused unless configured. SMTP is off without a host.
	a.Notify.AllowPrivateTargets, a.Notify.BaseURL, a.Notify.SMTP = cfg.Demo || cfg.AllowPrivateWebhooks, cfg.BaseURL, cfg.SMTP
	// Webhooks may subscribe to what is published; every publisher lists its events here.
	a.Notify.EventTypes = slices.Concat(frontdoor.EventTypes, approval.EventTypes, discuss.EventTypes, idea.EventTypes, pulse.EventTypes,
		engagement.EventTypes, community.EventTypes, tmf.EventTypes)
	a.Approval.Publisher = a.Notify
	a.Catalog.OnTrade(tmf.Publisher{Notify: a.Notify, Clock: clock}.Observer())
	a.Catalog.OnApply(tmf.Publisher{Notify: a.Notify, Clock: clock}.CatalogObserver())
	a.Processes = &process.Service{DB: d, Clock: clock, Org: a.Org, Services: a.Catalog}
	a.Backstage = &backstage.Service{DB: d, Clock: clock, Org: a.Org, Processes: a.Processes, Catalog: a.Catalog, BaseURL: cfg.BaseURL}
	a.FrontDoor = &frontdoor.Service{DB: d, Clock: clock, Org: a.Org, Catalog: a.Catalog, Approvals: a.Approval, Publisher: a.Notify,
		Processes: a.Processes}
	a.Approval.OnDecided(frontdoor.SubjectNeed, a.FrontDoor.Decided)
	a.Landscape = &landscape.Service{Register: a.Processes, Catalog: a.Catalog, Needs: a.FrontDoor}
	a.Portfolio = &portfolio.Service{DB: d, Clock: clock, Org: a.Org, Processes: a.Processes, Needs: a.FrontDoor}
	a.Billing = &billing.Service{DB: d, Clock: clock, Catalog: a.Catalog, UsagePast: cfg.UsageWindow.Past, UsageFuture: cfg.UsageWindow.Future}
	a.Costs = &costs.Service{DB: d, Clock: clock, Currencies: currencies}
	a.Spend = &spend.Service{DB: d, Org: a.Org, Clock: clock, Currencies: currencies}
	a.Spend.Catalog, a.Spend.Needs, a.Spend.Billing = a.Catalog, a.FrontDoor, a.Billing
	a.Spend.Logger = logger
	a.FrontDoor.OnEveryStateChange(func(_ context.Context, tx *db.Tx, c frontdoor.StateChange) error {
		if frontdoor.HoldsDecision(c.From) != frontdoor.HoldsDecision(c.To) {
			tx.AfterCommit(a.Spend.WakeCases) // a decided buy or broker option sanctions its vendor
		}
		return nil
	})
	a.Catalog.OnApply(func(_ context.Context, tx *db.Tx, _ []catalog.Applied) error {
		tx.AfterCommit(a.Spend.WakeCases) // a service's vendor names what IT is involved with
		return nil
	})
	a.Seats = &spend.Seats{Spend: a.Spend, Catalog: a.Catalog}
	a.CloudBill = cloudbill.New(d, clock, "")
	a.CloudBill.Currencies = currencies
	a.CloudBill.SaaS = a.Spend // SaaS charges of cloud bills are spend
	a.Billing.Cloud = cloudCharges{a.CloudBill}
	a.ProcessCosts = &processcost.Service{DB: d, Clock: clock, Processes: a.Processes, Catalog: a.Catalog}
	a.Billing.OnRun(a.ProcessCosts.Recompute)
	a.Processes.OnServiceLinksChanged(a.ProcessCosts.MarkStale)
	a.Costs.OnPoolsChanged(a.ProcessCosts.MarkPeriodStale)
	a.Landscape.Costs = func(ctx context.Context, p *access.Principal) (map[int64]decimal.Decimal, string, error) {
		if !processcost.MayRead(p) {
			return nil, "", nil // the heatmap says there is no cost to show
		}
		all, err := a.ProcessCosts.ProcessCosts(ctx, p, "")
		currency, costs := processcost.InOneCurrency(all)
		return costs, currency, err
	}
	a.Communities = &community.Service{DB: d, Clock: clock, Org: a.Org, Catalog: a.Catalog, Publisher: a.Notify}
	a.Org.OnPeopleChanged(a.Communities.PeopleChanged)
	a.Catalog.OnSubscriptionsChanged(a.Communities.SubscriptionsChanged)
	a.Catalog.Communities = a.Communities
	a.Discussions = &discuss.Service{DB: d, Clock: clock, Communities: a.Communities, Publisher: a.Notify, Limit: cfg.NewMemberLimit}
	a.Ideas = &idea.Service{DB: d, Clock: clock, Org: a.Org, Communities: a.Communities, Discussions: a.Discussions, FrontDoor: a.FrontDoor,
		Catalog: a.Catalog, Publisher: a.Notify}
	a.FrontDoor.OnStateChange(idea.OriginKind, a.Ideas.NeedMoved)
	a.Pulses = &pulse.Service{DB: d, Clock: clock, Org: a.Org, Catalog: a.Catalog, Communities: a.Communities, Publisher: a.Notify}
	a.Engagement = &engagement.Service{DB: d, Clock: clock, Org: a.Org, Communities: a.Communities, Publisher: a.Notify}
	a.Engagement.Shadow, _ = any(a.Spend).(engagement.ShadowSource) // spend outside IT, once spend reports it
	a.Catalog.Signals, a.FrontDoor.Signals, a.Discussions.Signals, a.Ideas.Signals, a.Pulses.Signals, a.Communities.Signals = a.Engagement,
		a.Engagement, a.Engagement, a.Engagement, a.Engagement, a.Engagement
	a.Waiting = &waiting.Counter{List: waiting.List{a.Approval, a.FrontDoor}, Changes: a.Org.Changes}
	if cfg.OIDC.Enabled() {
		a.OIDC = &auth.OIDC{Config: cfg.OIDC, Auth: a.Auth}
	}
	a.Handler, err = a.buildHandler()
	return err
}

func (a *App) buildHandler() (http.Handler, error) {
	mux := http.NewServeMux()
	proxies, err := a.Config.ProxyNetworks()
	if err != nil {
		return nil, err
	}
	forms := &idempotency.Store{DB: a.DB, Clock: a.Clock}
	w := &web.Server{Services: a.Services, FormKeys: forms, OIDC: a.OIDC, Logger: a.Logger, Clock: a.Clock, Version: Version,
		SecureCookies: strings.HasPrefix(a.Config.BaseURL, "https://"), Proxies: web.ProxyTrust{Hops: a.Config.ClientHops(), Networks: proxies},
		BaseURL: a.Config.BaseURL}
	if err := w.Register(mux); err != nil {
		return nil, err
	}
	w.OpenAPI = (&api.API{Services: a.Services, Logger: a.Logger, Version: Version,
		Idempotency: &idempotency.Store{DB: a.DB, Clock: a.Clock}}).Register(mux).OpenAPI

	mux.Handle(tmf.Prefix, tmf.New(tmf.Handler{Catalog: a.Catalog, Approval: a.Approval, Notify: a.Notify, Clock: a.Clock, Logger: a.Logger,
		Idempotency: &idempotency.Store{DB: a.DB, Clock: a.Clock}}))

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := newHTTPMetrics(reg)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /readyz", a.ready)

	h := w.Unmatched(mux)
	h = forgetWaitingOnWrite(a.Waiting, h)
	h = web.Authenticate(a.Auth, h)
	h = http.NewCrossOriginProtection().Handler(h)
	h = web.SecurityHeadersFor(a.OIDC.FormOrigins(), strings.HasPrefix(a.Config.BaseURL, "https://"), h)
	h = m.instrument(h)
	h = a.logRequests(h)
	h = recoverPanics(a.Logger, h)
	return a.whileDemoLoads(h), nil
}

// healthz answers 200 while the process lives: liveness, not readiness.
func healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
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
	a.server = newHTTPServer(a.Handler, a.Logger)
	errc := make(chan error, 1)
	go func() { errc <- a.server.Serve(a.listener) }()
	return a.serveUntilDone(ctx, a.server, errc)
}

func newHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
}

// serveUntilDone runs the background work beside srv, already serving
// (its result comes on errc), until ctx ends or srv fails; then it shuts
// srv down gracefully and stops the background work.
func (a *App) serveUntilDone(ctx context.Context, srv *http.Server, errc <-chan error) error {
	// The notification worker runs beside the server and is stopped, its
	// sends in flight recorded, before Serve returns.
	workerCtx, stopWorker := context.WithCancel(ctx)
	workerDone := make(chan struct{})
	go func() { defer close(workerDone); a.Notify.Run(workerCtx) }()
	billingDone := make(chan struct{})
	go func() { defer close(billingDone); a.Billing.Schedule(workerCtx, 6*time.Hour, a.Logger) }()
	defer func() { stopWorker(); <-billingDone }()
	// Months of process costs marked stale are recomputed beside the pages.
	costsDone := make(chan struct{})
	go func() { defer close(costsDone); a.ProcessCosts.Run(workerCtx, a.Logger) }()
	defer func() { stopWorker(); <-costsDone }()
	digestDone := make(chan struct{})
	go func() { defer close(digestDone); a.Engagement.Schedule(workerCtx, time.Hour, a.Logger) }()
	defer func() { stopWorker(); <-digestDone }()
	if a.Config.BackstageURL != "" {
		pullDone := make(chan struct{})
		go func() {
			defer close(pullDone)
			a.Backstage.Schedule(workerCtx, backstage.Pull{URL: a.Config.BackstageURL, Interval: a.Config.BackstageInterval,
				AllowPrivate: a.Notify.AllowPrivateTargets}, a.Logger)
		}()
		defer func() { stopWorker(); <-pullDone }()
	}
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
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return shutdown(a.Logger, srv, errc)
}

// shutdown stops srv, letting requests in flight finish for up to 20
// seconds.
func shutdown(logger *slog.Logger, srv *http.Server, errc <-chan error) error {
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close releases the database.
func (a *App) Close() error {
	a.Spend.WaitCases() // a background sync of the shadow cases finishes first
	return a.DB.Close()
}
