package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/erasure"
	"github.com/veil-privacy/veil/rules"
)

// newRegistry returns a registry with the Go and process collectors.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// serveHTTP serves /metrics, /healthz and /readyz on addr until ctx is done.
func serveHTTP(ctx context.Context, addr string, reg *prometheus.Registry, ready func() bool, log *slog.Logger) (func() error, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening for http on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !ready() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Info("http listening", "addr", ln.Addr().String())
	var wg sync.WaitGroup
	var serveErr error
	wg.Go(func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			serveErr = err
		}
	})
	wait := func() error {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		wg.Wait()
		return serveErr
	}
	return wait, nil
}

// runProcessor runs a processor built from c (and the HTTP server) until ctx
// is done.
func runProcessor(ctx context.Context, c config, log *slog.Logger) error {
	engine, err := rules.NewEngine(c.Rules)
	if err != nil {
		return fmt.Errorf("building detection engine: %w", err)
	}
	reg := newRegistry()
	p, err := processor.New(c.Config, engine, log, reg)
	if err != nil {
		return err
	}
	svc, err := erasure.New(c.Erasure, c.Config, p.Keyring(), log, reg, time.Now)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	waitHTTP := func() error { return nil }
	if c.HTTP.Addr != "" {
		if waitHTTP, err = serveHTTP(ctx, c.HTTP.Addr, reg, p.Ready, log); err != nil {
			return err
		}
	}
	// The processor and the erasure service share the keyring; when one
	// stops, so does the other.
	var (
		wg         sync.WaitGroup
		perr, serr error
	)
	wg.Go(func() { perr = p.Run(ctx); cancel() })
	wg.Go(func() { serr = svc.Run(ctx); cancel() })
	wg.Wait()
	return errors.Join(perr, serr, waitHTTP())
}
