package erasure_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/processor/erasure"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/processor/keyring"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// env is one test's view of a broker (see kafkatest).
type env struct{ *kafkatest.Env }

func newEnv(t testing.TB, opts ...kfake.Opt) *env {
	t.Helper()
	return &env{kafkatest.New(t, opts...)}
}

func logger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// configs returns processor and erasure configs on e's broker with their own
// topics, and creates the topics.
func (e *env) configs(partitions int32) (processor.Config, erasure.Config) {
	e.T.Helper()
	c := e.Config(partitions)
	c.Processing.Workers = 2
	ec := erasure.Default()
	ec.Topics.Requests = e.Prefix + ".requests"
	ec.Topics.Receipts = e.Prefix + ".receipts"
	ec.StoreDir = e.T.TempDir()
	ec.SweepInterval = 0
	ec.RetryMaxElapsed = time.Minute
	ec.Pipeline = c.ErasurePipeline()
	e.CreateTopics(partitions, append(processor.TopicSpecs(c), erasure.TopicSpecs(ec)...))
	return c, ec
}

// startProcessor runs a processor until the test ends or stop is called.
func (e *env) startProcessor(cfg processor.Config) (*processor.Processor, func() error) {
	e.T.Helper()
	engine, err := rules.NewEngine(rules.Config{})
	if err != nil {
		e.T.Fatal(err)
	}
	p, err := processor.New(cfg, engine, logger(), prometheus.NewRegistry())
	if err != nil {
		e.T.Fatal(err)
	}
	return p, e.Run(p.Run)
}

// startKeyring runs a keyring of cfg on its own (for tests without a
// processor).
func (e *env) startKeyring(cfg processor.Config) *keyring.Keyring {
	e.T.Helper()
	kr, err := keyring.New(cfg.Keys.KEK, cfg.Topics.Keys, logger())
	if err != nil {
		e.T.Fatal(err)
	}
	opts, err := processor.ClientOpts(cfg)
	if err != nil {
		e.T.Fatal(err)
	}
	e.Run(func(ctx context.Context) error { return kr.Run(ctx, opts) })
	return kr
}

// startService runs an erasure service until the test ends or stop is
// called; stop returns what Run returned.
func (e *env) startService(cfg erasure.Config, pcfg processor.Config, kr *keyring.Keyring, reg prometheus.Registerer, now func() time.Time) func() error {
	e.T.Helper()
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	conn, err := processor.ClientOpts(pcfg)
	if err != nil {
		e.T.Fatal(err)
	}
	s, err := erasure.New(cfg, kr, conn, logger(), reg, now)
	if err != nil {
		e.T.Fatal(err)
	}
	return e.Run(s.Run)
}

// request produces an erasure request for customer, keyed by customer id.
func (e *env) request(cfg erasure.Config, id, customer string) {
	e.T.Helper()
	codec, _ := schemas.NewCodec(schemas.FormatJSON)
	v, err := codec.EncodeErasureRequest(schemas.ErasureRequest{RequestID: id, CustomerID: customer, RequestedAt: time.Now().UTC()})
	if err != nil {
		e.T.Fatal(err)
	}
	e.Produce(&kgo.Record{Topic: cfg.Topics.Requests, Key: []byte(customer), Value: v})
}

// receipts reads the receipt topic from the start until it holds n
// receipts or timeout passes.
func (e *env) receipts(cfg erasure.Config, n int, timeout time.Duration) []schemas.ErasureReceipt {
	e.T.Helper()
	codec, _ := schemas.NewCodec(schemas.FormatJSON)
	var out []schemas.ErasureReceipt
	for _, r := range e.ConsumeUntil(cfg.Topics.Receipts, timeout, func(recs []*kgo.Record) bool { return len(recs) >= n }) {
		rc, err := codec.DecodeErasureReceipt(r.Value)
		if err != nil {
			e.T.Fatalf("decoding receipt: %v", err)
		}
		out = append(out, rc)
	}
	return out
}

// readAll reads topic from the start to its current end.
func (e *env) readAll(topic string) []*kgo.Record {
	e.T.Helper()
	ends := e.EndOffsets(topic)
	got := map[int32]int64{}
	return e.ConsumeUntil(topic, 60*time.Second, func(recs []*kgo.Record) bool {
		for _, r := range recs {
			got[r.Partition] = max(got[r.Partition], r.Offset+1)
		}
		for p, end := range ends {
			if got[p] < end {
				return false
			}
		}
		return true
	})
}

// compact makes kfake compact every topic. kfake never compacts the last
// batch of a partition, so a filler (a tombstone of a key nobody uses) is
// written to every partition of topics first. On a real broker it does
// nothing.
func (e *env) compact(partitions int32, topics ...string) {
	e.T.Helper()
	if e.Cluster == nil {
		return
	}
	var recs []*kgo.Record
	for _, t := range topics {
		for p := range partitions {
			recs = append(recs, &kgo.Record{Topic: t, Key: []byte(fillerKey(p, partitions))})
		}
	}
	e.Produce(recs...)
	e.Cluster.Compact()
}

// fillerKey returns a key that the default partitioner puts in partition p.
func fillerKey(p, n int32) string {
	for i := 0; ; i++ {
		k := fmt.Sprintf("filler-%d", i)
		if int32(changelog.PartitionFor(k, int(n))) == p {
			return k
		}
	}
}

// latest returns the last value per key of recs (nil for a tombstone).
func latest(recs []*kgo.Record) map[string][]byte {
	out := map[string][]byte{}
	for _, r := range recs {
		out[string(r.Key)] = r.Value
	}
	return out
}
