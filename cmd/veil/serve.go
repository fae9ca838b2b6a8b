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
)

// newRegistry returns a registry with the Go and process collectors and
// veil_build_info, which marks a scrape target as a Veil instance whatever
// its job name (the VeilDown alert relies on it).
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "veil_build_info", Help: "Always 1; the version label is the build's.", ConstLabels: prometheus.Labels{"version": version},
	})
	info.Set(1)
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), info)
	return reg
}

// httpServer is the bound listener of the HTTP server, or none (nil).
type httpServer struct{ ln net.Listener }

// listenHTTP binds addr for /metrics, /healthz and /readyz, so that a taken
// port fails before anything reports "ready". An empty addr is no server.
func listenHTTP(addr string) (*httpServer, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening for http on %s: %w", addr, err)
	}
	return &httpServer{ln: ln}, nil
}

// Addr is the bound address ("" without a server).
func (h *httpServer) Addr() string {
	if h == nil {
		return ""
	}
	return h.ln.Addr().String()
}

// Close releases the listener if it was never served.
func (h *httpServer) Close() {
	if h != nil {
		_ = h.ln.Close()
	}
}

// serve serves /metrics, /healthz and /readyz until ctx is done; the
// returned func waits for the server to stop.
func (h *httpServer) serve(ctx context.Context, reg *prometheus.Registry, ready func() bool, log *slog.Logger) func() error {
	if h == nil {
		return func() error { return nil }
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
	log.Info("http listening", "addr", h.Addr())
	var wg sync.WaitGroup
	var serveErr error
	wg.Go(func() {
		if err := srv.Serve(h.ln); !errors.Is(err, http.ErrServerClosed) {
			serveErr = err
		}
	})
	return func() error {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		wg.Wait()
		return serveErr
	}
}

// runProcessor runs the components built from c, and the HTTP server on h
// (if any), until ctx is done.
func runProcessor(ctx context.Context, c config, h *httpServer, log *slog.Logger) error {
	defer h.Close()
	reg := newRegistry()
	probe, err := newAuthProbe(c, log, reg)
	if err != nil {
		return err
	}
	comps, err := build(ctx, c, log, reg, probe)
	if err != nil {
		probe.cl.Close()
		return err
	}
	p, svc := comps.processor, comps.erasure
	// Ready: the processor consumes and no component is refused a resource
	// (by the periodic check or at runtime).
	ready := func() bool { return p.Ready() && probe.ok() }
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	waitHTTP := h.serve(ctx, reg, ready, log)
	// The processor and the erasure service share the keyring; when one
	// stops, so does the other.
	var (
		wg         sync.WaitGroup
		perr, serr error
	)
	wg.Go(func() { perr = p.Run(ctx); cancel() })
	wg.Go(func() { serr = svc.Run(ctx); cancel() })
	wg.Go(func() { probe.run(ctx, c.AuthCheck.Interval) })
	var cerr error
	if comps.canary != nil {
		wg.Go(func() { cerr = comps.canary.Run(ctx) })
	}
	wg.Wait()
	return errors.Join(perr, serr, cerr, waitHTTP())
}
