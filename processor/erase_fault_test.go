package processor_test

import (
	"fmt"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/erasure"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/processor/kafkatest/check"
	"github.com/veil-privacy/veil/schemas"
)

// TestFaultEraseUnderLoad: two instances, each running the processor and
// the erasure service as veil run does, while events arrive; erasure
// requests for five customers are produced mid-stream, and both instances
// are killed with SIGKILL as soon as the first subject key is shredded
// (mid-erasure), then started again. Afterwards every request has a
// receipt whose count is what it removed from the views (completed, or
// not_found if every event of the customer was dropped as late), no event
// of an erased customer survives on any view (its last record there is a
// tombstone, or it has none), and the checker
// finds every other event on every view.
func TestFaultEraseUnderLoad(t *testing.T) {
	for _, g := range guarantees {
		t.Run(g, func(t *testing.T) {
			e := newEnv(t)
			cfg := e.Config(4)
			cfg.Processing.Workers = 2
			cfg.Processing.Guarantee = g
			cfg.Processing.MaxPollRecords = 200
			ecfg := erasure.Default()
			ecfg.Topics.Requests, ecfg.Topics.Receipts = e.Prefix+".requests", e.Prefix+".receipts"
			ecfg.StoreDir = t.TempDir()
			ecfg.SweepInterval = 0
			ecfg.RetryMaxElapsed = time.Minute
			ecfg.Pipeline = cfg.ErasurePipeline()
			e.CreateTopics(4, append(processor.TopicSpecs(cfg), erasure.TopicSpecs(ecfg)...))
			e.erasure = &ecfg

			n := 12_000
			if testing.Short() {
				n = 4000
			}
			evs := genEvents(n, 200)
			recs := encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)
			h := history(evs)
			erased := []string{"cust-0003", "cust-0010", "cust-0042", "cust-0050", "cust-0077"}
			var gone []schemas.ConversationEvent
			for _, ev := range evs {
				if slices.Contains(erased, ev.CustomerID) {
					gone = append(gone, ev)
				}
			}
			h.Erase(gone...)

			instances := make([]*exec.Cmd, 2)
			start := func(i int) {
				c := cfg
				c.InstanceID = fmt.Sprintf("veil-%d", i)
				instances[i] = e.startChild(c)
			}
			for i := range instances {
				start(i)
			}
			third := n / 3
			e.Produce(recs[:third]...)
			kafkatest.WaitFor(t, 2*time.Minute, "progress", func() bool { return sum(e.EndOffsets(cfg.Views[0].Topic)) >= int64(third/2) })
			codec, err := schemas.NewCodec(schemas.FormatJSON)
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range erased {
				v, err := codec.EncodeErasureRequest(schemas.ErasureRequest{RequestID: fmt.Sprintf("req-%d", i), CustomerID: c,
					RequestedAt: time.Now().UTC().Truncate(time.Millisecond)})
				if err != nil {
					t.Fatal(err)
				}
				e.Produce(&kgo.Record{Topic: ecfg.Topics.Requests, Key: []byte(c), Value: v})
			}
			e.Produce(recs[third : 2*third]...)
			// The first shred: a tombstone of a subject's key.
			e.ConsumeUntil(cfg.Topics.Keys, 2*time.Minute, func(rs []*kgo.Record) bool {
				return slices.ContainsFunc(rs, func(r *kgo.Record) bool { return r.Value == nil })
			})
			receiptsAtKill := sum(e.EndOffsets(ecfg.Topics.Receipts))
			for i, c := range instances {
				_ = c.Process.Signal(syscall.SIGKILL)
				_ = c.Wait()
				start(i)
			}
			e.Produce(recs[2*third:]...)

			e.WaitCommitted(cfg.Group+"-erasure", ecfg.Topics.Requests, 3*time.Minute)
			e.verify(t, g, cfg, h, 3*time.Minute)
			receipts, err := check.Read(kafkatest.Context(t), e.Brokers, ecfg.Topics.Receipts, kgo.ReadCommitted())
			if err != nil {
				t.Fatal(err)
			}
			completed := map[string]int{}
			counted := map[string]int{} // events in the last receipt of each request
			for _, r := range receipts {
				rc, err := codec.DecodeErasureReceipt(r.Value)
				if err != nil {
					t.Fatalf("decoding receipt: %v", err)
				}
				completed[rc.RequestID]++
				counted[rc.RequestID] = rc.Events
				// not_found is true only of an erasure that removed nothing:
				// every event of the customer was dropped as late.
				if want := map[bool]string{true: erasure.StatusCompleted, false: erasure.StatusNotFound}[rc.Events > 0]; rc.Status != want {
					t.Errorf("%s: status %s with %d events, want %s", rc.RequestID, rc.Status, rc.Events, want)
				}
			}
			surviving, removed := foldErased(t, e, cfg, gone)
			survivors := 0
			for _, n := range surviving {
				survivors += n
			}
			// Receipts count what they removed, though the instances were
			// killed in the middle of erasing.
			for i := range erased {
				id := fmt.Sprintf("req-%d", i)
				if n := removed[erased[i]]; counted[id] != n {
					t.Errorf("%s: receipt counts %d events, %d view records were removed", id, counted[id], n)
				}
			}
			t.Logf("erasure under load (%s): %d requests, receipts %v (%d before the kill), %d events of erased customers, %d surviving on a view",
				g, len(erased), completed, receiptsAtKill, len(gone), survivors)
			for i := range erased {
				if completed[fmt.Sprintf("req-%d", i)] == 0 {
					t.Errorf("request req-%d has no receipt", i)
				}
			}
			if survivors != 0 {
				t.Errorf("%d view records of erased customers survive their erasure", survivors)
			}
		})
	}
}
