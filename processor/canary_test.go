package processor_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/canary"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// TestCanaryLeaks runs the processor and the canary on kfake. With every
// detector on, no view leaks; with a type's detector switched off, its
// values pass through unredacted and the canary counts a leak of that type,
// and only that type, in every view whose policy does not keep it.
func TestCanaryLeaks(t *testing.T) {
	tests := []struct {
		name string
		give []rules.Type // detectors switched off
	}{
		{"all detectors", nil},
		{"no IBAN detector", []rules.Type{rules.IBAN}},
		{"no BSN or phone detector", []rules.Type{rules.BSN, rules.Phone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			cfg := e.config(2)
			engine, err := rules.NewEngine(rules.Config{Disabled: tt.give})
			if err != nil {
				t.Fatal(err)
			}
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			reg := prometheus.NewRegistry()
			p, err := processor.New(cfg, engine, log, reg)
			if err != nil {
				t.Fatal(err)
			}
			conn, err := processor.ClientOpts(cfg)
			if err != nil {
				t.Fatal(err)
			}
			views := processor.CanaryViews(cfg)
			c, err := canary.New(canary.Config{Enabled: true, Interval: 100 * time.Millisecond},
				canary.Setup{Raw: cfg.Topics.Raw, Input: cfg.Input.Format, Views: views, Output: cfg.Output.Format, Conn: conn}, log, reg)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			var perr, cerr error
			wg.Go(func() { perr = p.Run(ctx) })
			wg.Go(func() { cerr = c.Run(ctx) })
			defer func() {
				cancel()
				wg.Wait()
				if perr != nil || cerr != nil {
					t.Errorf("processor: %v, canary: %v", perr, cerr)
				}
			}()
			checks := func(view string) float64 {
				return gather(t, reg, "veil_canary_checks_total", map[string]string{"view": view})
			}
			kafkatest.WaitFor(t, time.Minute, "3 checked canaries in every view", func() bool {
				for _, v := range views {
					if checks(v.Name) < 3 {
						return false
					}
				}
				return true
			})
			for _, v := range views {
				for _, typ := range append(rules.Types(), rules.CustomerID) {
					if typ == rules.CustomerID && v.Fields.RuleFor(typ).Action == rules.Keep {
						continue
					}
					leaks := gather(t, reg, "veil_canary_leaks_total", map[string]string{"view": v.Name, "type": string(typ)})
					off := false
					for _, d := range tt.give {
						off = off || d == typ
					}
					wantLeak := off && v.Text.RuleFor(typ).Action != rules.Keep
					if leaks > 0 {
						t.Logf("view %s: %v of %v canaries leak %s", v.Name, leaks, checks(v.Name), typ)
					}
					if (leaks > 0) != wantLeak {
						t.Errorf("view %s type %s: %v leaks (of %v checks), want leaks: %v", v.Name, typ, leaks, checks(v.Name), wantLeak)
					}
				}
			}
		})
	}
}

// gather returns the value of the sample of metric name with labels in reg
// (a counter or a histogram's count), or 0.
func gather(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metric:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if want, ok := labels[lp.GetName()]; ok && want != lp.GetValue() {
					continue metric
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

// TestCanaryRecordsMarkedNotIndexed: a canary event's view records carry
// the canary header, and it has no subject-index entry; a real customer's
// event with the header is no canary: indexed, its view records unmarked.
func TestCanaryRecordsMarkedNotIndexed(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(1)
	codec, err := schemas.NewCodec(cfg.Input.Format)
	if err != nil {
		t.Fatal(err)
	}
	ev := schemas.ConversationEvent{EventID: "1", ConversationID: "veil-canary-test", CustomerID: canary.CustomerID,
		Channel: "chat", SentAt: time.Now().UTC().Truncate(time.Millisecond), Body: "IBAN NL91ABNA0417164300"}
	real, forged := ev, ev
	real.EventID, real.ConversationID, real.CustomerID = "2", "conv-real", "cust-real"
	forged.EventID, forged.ConversationID, forged.CustomerID = "3", "conv-forged", "cust-forged"
	var recs []*kgo.Record
	for i, x := range []schemas.ConversationEvent{ev, real, forged} {
		val, err := codec.EncodeEvent(x)
		if err != nil {
			t.Fatal(err)
		}
		r := &kgo.Record{Topic: cfg.Topics.Raw, Key: []byte(x.ConversationID), Value: val}
		if i != 1 {
			r.Headers = []kgo.RecordHeader{{Key: canary.Header, Value: []byte("test")}}
		}
		recs = append(recs, r)
	}
	e.Produce(recs...)
	stop := e.start(cfg)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	for _, v := range cfg.Views {
		for _, r := range e.Consume(v.Topic, 3, time.Minute) {
			isCanary := strings.HasPrefix(string(r.Key), "veil-canary-test/")
			if got := kafkatest.Header(r, canary.Header); isCanary != (got == "test") {
				t.Errorf("%s %s: canary header %q", v.Topic, r.Key, got)
			}
		}
	}
	e.WaitCommitted(cfg.Group, cfg.Topics.Raw, time.Minute)
	var n int64
	for _, o := range e.EndOffsets(cfg.Topics.Subjects) {
		n += o
	}
	idx := e.Consume(cfg.Topics.Subjects, int(n), time.Minute)
	for _, r := range idx {
		if strings.Contains(string(r.Key), "veil-canary") || strings.Contains(string(r.Value), "veil-canary") {
			t.Errorf("subject index holds the canary: %q", r.Key)
		}
	}
	if len(idx) != 2 {
		t.Errorf("subject index: %d entries, want the real and the forged event's", len(idx))
	}
}
