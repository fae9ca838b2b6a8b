package processor_test

import (
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/erasure"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/processor/kafkatest/check"
	"github.com/veil-privacy/veil/schemas"
)

// TestEraseWhileRendering erases customers whose events three instances are
// rendering at that moment: for each customer a burst of events sent just
// before the request, then the request, while other customers' events keep
// every instance busy. Every erased customer's event sent up to the request
// must be gone from every view (its last record a tombstone, or none), and
// every receipt must count what it removed: an instance that had not yet
// seen the shred used to write the event and its index entry after the
// erasure's last pass.
func TestEraseWhileRendering(t *testing.T) {
	for _, g := range guarantees {
		t.Run(g, func(t *testing.T) {
			e := newEnv(t)
			const parts = 6
			cfg := e.Config(parts)
			cfg.Processing.Workers = 2
			cfg.Processing.Guarantee = g
			cfg.Processing.MaxPollRecords = 100
			ecfg := erasure.Default()
			ecfg.Topics.Requests, ecfg.Topics.Receipts = e.Prefix+".requests", e.Prefix+".receipts"
			ecfg.SweepInterval = 0
			ecfg.RetryMaxElapsed = time.Minute
			ecfg.Pipeline = cfg.ErasurePipeline()
			e.CreateTopics(parts, append(processor.TopicSpecs(cfg), erasure.TopicSpecs(ecfg)...))
			for i := range 3 {
				c := cfg
				c.InstanceID = fmt.Sprintf("veil-%d", i)
				p, _ := e.startProcessor(c)
				ec := ecfg
				ec.StoreDir = t.TempDir()
				ec.Pipeline = c.ErasurePipeline()
				conn, err := processor.ClientOpts(c)
				if err != nil {
					t.Fatal(err)
				}
				svc, err := erasure.New(ec, p.Keyring(), conn, slog.New(slog.NewTextHandler(io.Discard, nil)), prometheus.NewRegistry(), nil)
				if err != nil {
					t.Fatal(err)
				}
				e.Run(svc.Run)
			}
			codec, err := schemas.NewCodec(schemas.FormatJSON)
			if err != nil {
				t.Fatal(err)
			}
			erasures := 100
			if testing.Short() {
				erasures = 30
			}
			var gone []schemas.ConversationEvent
			seq := 0
			event := func(customer string, conv int) schemas.ConversationEvent {
				seq++
				id := fmt.Sprintf("conv-%s-%d", customer, conv)
				return schemas.ConversationEvent{
					EventID: fmt.Sprintf("%s/ev-%06d", id, seq), ConversationID: id, CustomerID: customer,
					Channel: "chat", Locale: "nl-NL", AuthorRole: "customer", SentAt: time.Now().UTC().Truncate(time.Millisecond),
					Body: fmt.Sprintf("Bericht %d, mail %s.", seq, canaryEmails[seq%len(canaryEmails)]),
				}
			}
			for i := range erasures {
				customer := fmt.Sprintf("cust-erase-%03d", i)
				var burst []schemas.ConversationEvent
				for j := range 60 {
					burst = append(burst, event(customer, j%6), event(fmt.Sprintf("cust-keep-%03d", j%17), j%5))
				}
				e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, burst)...)
				at := time.Now().UTC().Truncate(time.Millisecond)
				v, err := codec.EncodeErasureRequest(schemas.ErasureRequest{RequestID: "req-" + customer, CustomerID: customer, RequestedAt: at})
				if err != nil {
					t.Fatal(err)
				}
				e.Produce(&kgo.Record{Topic: ecfg.Topics.Requests, Key: []byte(customer), Value: v})
				for _, ev := range burst {
					if ev.CustomerID == customer {
						gone = append(gone, ev)
					}
				}
			}
			e.WaitCommitted(cfg.Group, cfg.Topics.Raw, 3*time.Minute)
			rcs := e.ConsumeUntil(ecfg.Topics.Receipts, 3*time.Minute, func(rs []*kgo.Record) bool { return len(rs) >= erasures })
			events := map[string]int{}
			for _, r := range rcs {
				rc, err := codec.DecodeErasureReceipt(r.Value)
				if err != nil {
					t.Fatal(err)
				}
				events[rc.RequestID] = rc.Events
			}
			survivors, removed := foldErased(t, e, cfg, gone)
			wrong := 0
			for c, n := range removed {
				if id := "req-" + c; events[id] != n {
					wrong++
					t.Logf("%s: receipt counts %d events, %d were removed from %s", id, events[id], n, cfg.Views[0].Name)
				}
			}
			t.Logf("erase while rendering (%s): %d erasures, %d events of erased customers, survivors %v, %d receipts miscounted",
				g, erasures, len(gone), survivors, wrong)
			if len(survivors) > 0 {
				t.Errorf("%d erased customers have events left on a view", len(survivors))
			}
			if wrong > 0 {
				t.Errorf("%d receipts do not count the records removed", wrong)
			}
		})
	}
}

// foldErased reads every view of cfg with read_committed and returns, per
// customer of gone (events of erased customers), how many of its events
// survive on some view (their last record there is not a tombstone) and how
// many records of the first view an erasure removed (a record there, then
// its tombstone).
func foldErased(t *testing.T, e *env, cfg processor.Config, gone []schemas.ConversationEvent) (survivors, removed map[string]int) {
	t.Helper()
	survivors, removed = map[string]int{}, map[string]int{}
	for i, v := range cfg.Views {
		recs, err := check.Read(kafkatest.Context(t), e.Brokers, v.Topic, kgo.ReadCommitted())
		if err != nil {
			t.Fatal(err)
		}
		last := map[string][]byte{}
		seen := map[string]bool{}
		for _, r := range recs {
			if !r.Attrs.IsControl() {
				last[string(r.Key)] = r.Value
				seen[string(r.Key)] = seen[string(r.Key)] || r.Value != nil
			}
		}
		for _, ev := range gone {
			k := ev.ConversationID + "/" + ev.EventID
			if last[k] != nil {
				survivors[ev.CustomerID]++
			} else if i == 0 && seen[k] {
				removed[ev.CustomerID]++
			}
		}
	}
	return survivors, removed
}
