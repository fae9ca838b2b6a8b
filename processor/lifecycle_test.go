package processor_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// newProcessor builds a processor of cfg with its own registry.
func newProcessor(t *testing.T, cfg processor.Config) (*processor.Processor, *prometheus.Registry) {
	t.Helper()
	engine, err := rules.NewEngine(rules.Config{})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	p, err := processor.New(cfg, engine, log, reg)
	if err != nil {
		t.Fatal(err)
	}
	return p, reg
}

// lagPartitions returns the partitions that reg reports a commit lag for.
func lagPartitions(t *testing.T, reg *prometheus.Registry) map[string]bool {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, mf := range mfs {
		if mf.GetName() != "veil_commit_lag_records" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "partition" {
					out[l.GetValue()] = true
				}
			}
		}
	}
	return out
}

// TestLagGaugeFollowsOwnership: when a second instance joins, the first
// stops reporting lag for the partitions it gave up: no partition is
// reported by both. (The gauge used to keep every partition ever seen.)
func TestLagGaugeFollowsOwnership(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(4)
	evs := genEvents(4000, 40)
	recs := encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)
	e.Produce(recs[:400]...)
	p1, reg1 := newProcessor(t, cfg)
	e.Run(p1.Run)
	kafkatest.WaitFor(t, time.Minute, "lag reported for all 4 partitions", func() bool { return len(lagPartitions(t, reg1)) == 4 })

	p2, reg2 := newProcessor(t, cfg)
	e.Run(p2.Run)
	kafkatest.WaitFor(t, 2*time.Minute, "both instances assigned partitions", func() bool {
		groups, err := e.Admin.DescribeGroups(context.Background(), cfg.Group)
		if err != nil {
			return false
		}
		g := groups[cfg.Group]
		if g.State != "Stable" || len(g.Members) != 2 {
			return false
		}
		for _, m := range g.Members {
			c, ok := m.Assigned.AsConsumer()
			if !ok || len(c.Topics) == 0 {
				return false
			}
		}
		return true
	})
	e.Produce(recs[400:]...)
	kafkatest.WaitFor(t, 2*time.Minute, "the second instance to report lag", func() bool { return len(lagPartitions(t, reg2)) > 0 })
	// Both instances have processed a batch since the rebalance settled.
	e.WaitCommitted(cfg.Group, cfg.Topics.Raw, time.Minute)
	one, two := lagPartitions(t, reg1), lagPartitions(t, reg2)
	t.Logf("lag reported by the first instance for %v, by the second for %v", slices.Sorted(maps.Keys(one)), slices.Sorted(maps.Keys(two)))
	for part := range two {
		if one[part] {
			t.Errorf("partition %s: lag reported by both instances", part)
		}
	}
}

// TestRunTwice: a second Run returns ErrRunTwice, after a first Run that
// ran to the end or one that is still running. (It used to panic.)
func TestRunTwice(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(2)
	p, _ := newProcessor(t, cfg)
	stop := e.Run(p.Run)
	kafkatest.WaitFor(t, time.Minute, "ready", p.Ready)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Run(ctx); !errors.Is(err, processor.ErrRunTwice) {
		t.Errorf("Run while running = %v, want ErrRunTwice", err)
	}
	if err := stop(); err != nil {
		t.Fatalf("first Run: %v", err)
	}
	if err := p.Run(ctx); !errors.Is(err, processor.ErrRunTwice) {
		t.Errorf("Run after Run = %v, want ErrRunTwice", err)
	}
}

// TestAbortCause: when transactions keep aborting because an output is
// refused, Run stops with an error that wraps the refusal (errors.Is works
// through it).
func TestAbortCause(t *testing.T) {
	e := newEnv(t)
	if e.Cluster == nil {
		t.Skip("fault injection needs the in-process kfake broker")
	}
	cfg := e.config(2)
	cfg.Processing.Guarantee = processor.ExactlyOnce
	cfg.Processing.RetryMaxElapsed = 2 * time.Second
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, genEvents(50, 5))...)
	e.Cluster.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: cfg.Views[0].Topic, Err: kerr.PolicyViolation, Count: -1})
	p, _ := newProcessor(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := p.Run(ctx)
	t.Logf("Run: %v", err)
	if !errors.Is(err, kerr.PolicyViolation) {
		t.Errorf("Run = %v, want an error wrapping %v", err, kerr.PolicyViolation)
	}
}
