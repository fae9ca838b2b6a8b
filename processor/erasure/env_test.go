package erasure_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/erasure"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// The integration tests run against an in-process kfake cluster, or against
// the brokers named by VEIL_TEST_BROKERS (a real Apache Kafka). Every test
// uses its own topics and groups, so tests can share one real broker.
const brokersEnv = "VEIL_TEST_BROKERS"

type env struct {
	t       testing.TB
	brokers []string
	cluster *kfake.Cluster // nil on a real broker
	prefix  string
	cl      *kgo.Client
	adm     *kadm.Client
}

func newEnv(t testing.TB, opts ...kfake.Opt) *env {
	t.Helper()
	e := &env{t: t, prefix: topicPrefix(t)}
	if b := os.Getenv(brokersEnv); b != "" {
		e.brokers = strings.Split(b, ",")
	} else {
		c, err := kfake.NewCluster(append([]kfake.Opt{
			kfake.NumBrokers(1),
			kfake.GroupMinSessionTimeout(500 * time.Millisecond),
		}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		e.cluster, e.brokers = c, c.ListenAddrs()
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.brokers...), kgo.RecordPartitioner(processor.Partitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	e.cl, e.adm = cl, kadm.NewClient(cl)
	return e
}

func topicPrefix(t testing.TB) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, t.Name())
	return fmt.Sprintf("t-%s-%s", name, hex.EncodeToString(b))
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
	e.t.Helper()
	c := processor.Default()
	c.Brokers = e.brokers
	c.Group = e.prefix
	c.ClientID = "veil-test"
	c.SessionTimeout = 6 * time.Second
	c.RebalanceTimeout = 10 * time.Second
	c.Topics.Raw = e.prefix + ".raw"
	c.Topics.DLQ = e.prefix + ".dlq"
	c.Topics.Subjects = e.prefix + ".subjects"
	c.Topics.Keys = e.prefix + ".keys"
	c.Keys.KEK = make([]byte, 32)
	_, _ = rand.Read(c.Keys.KEK)
	c.Processing.Workers = 2
	c.Processing.ShutdownGrace = 10 * time.Second
	c.TopicDefaults.Partitions = partitions
	c.TopicDefaults.ReplicationFactor = 1
	for i := range c.Views {
		c.Views[i].Topic = e.prefix + "." + c.Views[i].Name
	}
	ec := erasure.Default()
	ec.Topics.Requests = e.prefix + ".requests"
	ec.Topics.Receipts = e.prefix + ".receipts"
	ec.StoreDir = e.t.TempDir()
	ec.SweepInterval = 0
	ec.RetryMaxElapsed = time.Minute
	specs := append(processor.TopicSpecs(c), erasure.TopicSpecs(c, ec)...)
	if err := processor.EnsureTopics(context.Background(), e.cl, partitions, 1, specs); err != nil {
		e.t.Fatal(err)
	}
	return c, ec
}

// startProcessor runs a processor until the test ends or stop is called.
func (e *env) startProcessor(cfg processor.Config) (*processor.Processor, func() error) {
	e.t.Helper()
	engine, err := rules.NewEngine(rules.Config{})
	if err != nil {
		e.t.Fatal(err)
	}
	p, err := processor.New(cfg, engine, logger(), prometheus.NewRegistry())
	if err != nil {
		e.t.Fatal(err)
	}
	return p, e.run(p.Run)
}

// startKeyring runs a keyring of cfg on its own (for tests without a
// processor).
func (e *env) startKeyring(cfg processor.Config) *processor.Keyring {
	e.t.Helper()
	kr, err := processor.NewKeyring(cfg.Keys.KEK, cfg.Topics.Keys, logger())
	if err != nil {
		e.t.Fatal(err)
	}
	opts, err := processor.ClientOpts(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.run(func(ctx context.Context) error { return kr.Run(ctx, opts) })
	return kr
}

// startService runs an erasure service until the test ends or stop is
// called; stop returns what Run returned.
func (e *env) startService(cfg erasure.Config, pcfg processor.Config, kr *processor.Keyring, reg prometheus.Registerer, now func() time.Time) func() error {
	e.t.Helper()
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	s, err := erasure.New(cfg, pcfg, kr, logger(), reg, now)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.run(s.Run)
}

func (e *env) run(fn func(context.Context) error) func() error {
	ctx, cancel := context.WithCancel(context.Background())
	var (
		wg     sync.WaitGroup
		runErr error
	)
	wg.Go(func() { runErr = fn(ctx) })
	var once sync.Once
	stop := func() error {
		once.Do(func() { cancel(); wg.Wait() })
		return runErr
	}
	e.t.Cleanup(func() { _ = stop() })
	return stop
}

// produce writes recs synchronously.
func (e *env) produce(recs ...*kgo.Record) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := e.cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		e.t.Fatalf("producing: %v", err)
	}
}

// request produces an erasure request for customer, keyed by customer id.
func (e *env) request(cfg erasure.Config, id, customer string) {
	e.t.Helper()
	codec, _ := schemas.NewCodec(schemas.FormatJSON)
	v, err := codec.EncodeErasureRequest(schemas.ErasureRequest{RequestID: id, CustomerID: customer, RequestedAt: time.Now().UTC()})
	if err != nil {
		e.t.Fatal(err)
	}
	e.produce(&kgo.Record{Topic: cfg.Topics.Requests, Key: []byte(customer), Value: v})
}

// receipts reads the receipt topic from the start until it holds n
// receipts or timeout passes.
func (e *env) receipts(cfg erasure.Config, n int, timeout time.Duration) []schemas.ErasureReceipt {
	e.t.Helper()
	codec, _ := schemas.NewCodec(schemas.FormatJSON)
	var out []schemas.ErasureReceipt
	for _, r := range e.consumeUntil(cfg.Topics.Receipts, timeout, func(recs []*kgo.Record) bool { return len(recs) >= n }) {
		rc, err := codec.DecodeErasureReceipt(r.Value)
		if err != nil {
			e.t.Fatalf("decoding receipt: %v", err)
		}
		out = append(out, rc)
	}
	return out
}

// readAll reads topic from the start to its current end.
func (e *env) readAll(topic string) []*kgo.Record {
	e.t.Helper()
	ends := e.endOffsets(topic)
	got := map[int32]int64{}
	return e.consumeUntil(topic, 60*time.Second, func(recs []*kgo.Record) bool {
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

// consumeUntil reads topic from the start until done says so or timeout
// passes.
func (e *env) consumeUntil(topic string, timeout time.Duration, done func([]*kgo.Record) bool) []*kgo.Record {
	e.t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		e.t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var out []*kgo.Record
	for !done(out) {
		f := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			break
		}
		f.EachError(func(t string, p int32, err error) { e.t.Logf("consume %s/%d: %v", t, p, err) })
		out = append(out, f.Records()...)
	}
	return out
}

func (e *env) endOffsets(topic string) map[int32]int64 {
	e.t.Helper()
	ends, err := e.adm.ListEndOffsets(context.Background(), topic)
	if err != nil {
		e.t.Fatalf("listing end offsets: %v", err)
	}
	out := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) { out[o.Partition] = o.Offset })
	return out
}

// compact makes kfake compact every topic. kfake never compacts the last
// batch of a partition, so a filler (a tombstone of a key nobody uses) is
// written to every partition of topics first. On a real broker it does
// nothing.
func (e *env) compact(partitions int32, topics ...string) {
	e.t.Helper()
	if e.cluster == nil {
		return
	}
	var recs []*kgo.Record
	for _, t := range topics {
		for p := range partitions {
			recs = append(recs, &kgo.Record{Topic: t, Key: []byte(fillerKey(p, partitions))})
		}
	}
	e.produce(recs...)
	e.cluster.Compact()
}

// fillerKey returns a key that the default partitioner puts in partition p.
func fillerKey(p, n int32) string {
	for i := 0; ; i++ {
		k := fmt.Sprintf("filler-%d", i)
		if int32(processor.PartitionFor(k, int(n))) == p {
			return k
		}
	}
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
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
