package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/engagehq/engage"
	"github.com/engagehq/engage/internal/config"
	"github.com/engagehq/engage/internal/db"
	"github.com/engagehq/engage/internal/web"
)

// Starting is Engage listening before it is ready. A replica listens at
// once, so that load balancers and orchestrators hear from it while it
// migrates or loads demo data: /healthz answers 200 (the process is alive),
// /readyz 503 (send it no traffic yet), and every other request 503 with
// Retry-After. Once Engage is open, the same listener serves it.
type Starting struct {
	Config config.Config
	Logger *slog.Logger

	listener net.Listener
	app      atomic.Pointer[App]
	notReady http.Handler
}

// Listen binds cfg.Addr (":0" picks a free port) and returns Engage in its
// starting state; call Run to open and serve it.
func Listen(cfg config.Config, logger *slog.Logger) (*Starting, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	s := &Starting{Config: cfg, Logger: logger, listener: l, notReady: notReady(cfg, logger, "starting")}
	return s, nil
}

// notReady answers as Engage does while it starts: /healthz 200, /readyz
// 503 saying why, every other request 503 with Retry-After.
func notReady(cfg config.Config, logger *slog.Logger, why string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		http.Error(w, why, http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/", web.Starting)
	return recoverPanics(logger, web.SecurityHeaders(mux, strings.HasPrefix(cfg.BaseURL, "https://")))
}

// demoWatch tells a replica that another one is loading the demo into the
// database it serves. A replica started without --demo that migrated an
// empty database first serves it, empty, as a fresh installation is; when a
// replica started with --demo then loads the demo (holding db.LockDemo),
// this one answers as starting — /readyz 503 "loading demo data", pages and
// the API 503 — until the demo is whole, rather than serve it half loaded.
// Once the database holds an organisation and no load runs, no demo can be
// loaded into it any more (the demo refuses a database with departments),
// and the replica stops asking.
type demoWatch struct {
	settled  atomic.Bool
	notReady http.Handler
}

// whileDemoLoads answers as starting while a demo load runs, and with next
// otherwise.
func (a *App) whileDemoLoads(next http.Handler) http.Handler {
	a.demo.notReady = notReady(a.Config, a.Logger, "loading demo data")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.demoLoading(r.Context()) {
			a.demo.notReady.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// demoLoading reports whether a replica is loading the demo now. Until the
// database holds an organisation it asks on every request: one small query,
// on a database that serves nobody yet.
func (a *App) demoLoading(ctx context.Context) bool {
	if a.DB.Dialect != db.Postgres || a.demo.settled.Load() {
		return false
	}
	held, err := a.DB.Held(ctx, db.LockDemo)
	if err != nil {
		return false // the request itself meets the database's trouble
	}
	if !held {
		var organisation bool
		if err := a.DB.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM departments)").Scan(&organisation); err == nil && organisation {
			a.demo.settled.Store(true)
		}
	}
	return held
}

// URL is where Engage listens.
func (s *Starting) URL() string {
	return "http://" + s.listener.Addr().String()
}

// Ready reports whether Engage has opened and serves.
func (s *Starting) Ready() bool { return s.app.Load() != nil }

// ServeHTTP hands requests to Engage once it is open, and answers them as
// starting until then.
func (s *Starting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a := s.app.Load(); a != nil {
		a.Handler.ServeHTTP(w, r)
		return
	}
	s.notReady.ServeHTTP(w, r)
}

// Run serves while it opens Engage with setup (see OpenWith), then serves
// Engage until ctx ends and closes it. ready, when not nil, is called once
// Engage serves. Cancelled while starting, Run stops and returns nil.
func (s *Starting) Run(ctx context.Context, clock engage.Clock, setup func(context.Context, *App) error, ready func(*App)) error {
	srv := newHTTPServer(s, s.Logger)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(s.listener) }()
	a, err := OpenWith(ctx, s.Config, s.Logger, clock, setup)
	if err != nil {
		_ = shutdown(s.Logger, srv, errc)
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	defer a.Close()
	a.listener, a.server = s.listener, srv
	s.app.Store(a)
	if ready != nil {
		ready(a)
	}
	return a.serveUntilDone(ctx, srv, errc)
}
