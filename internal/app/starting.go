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
	s := &Starting{Config: cfg, Logger: logger, listener: l}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "starting", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/", web.Starting)
	s.notReady = recoverPanics(logger, web.SecurityHeaders(mux, strings.HasPrefix(cfg.BaseURL, "https://")))
	return s, nil
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
