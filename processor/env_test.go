package processor_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/rules"
)

// The integration tests run against an in-process kfake cluster, or against
// the brokers named by VEIL_TEST_BROKERS (a real Apache Kafka, started by
// deploy/kafka/kafka.sh in CI). Every test uses its own topics and group, so
// tests can share one real broker.
const brokersEnv = "VEIL_TEST_BROKERS"

// childEnv carries a JSON processor.Config to a child process that runs the
// processor until it is killed (see TestMain).
const childEnv = "VEIL_TEST_CHILD_CONFIG"

func TestMain(m *testing.M) {
	if c := os.Getenv(childEnv); c != "" {
		os.Exit(runChild(c))
	}
	os.Exit(m.Run())
}

func runChild(raw string) int {
	var cfg processor.Config
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "child config:", err)
		return 2
	}
	kek, err := processor.ReadKEK("", os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child key:", err)
		return 2
	}
	cfg.Keys.KEK = kek
	engine, err := rules.NewEngine(rules.Config{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	p, err := processor.New(cfg, engine, log, prometheus.NewRegistry())
	if err != nil {
		fmt.Fprintln(os.Stderr, "processor:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := p.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "run:", err)
		return 1
	}
	return 0
}

// env is one test's view of a broker.
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

// config returns a processor config on e's broker with its own topics.
func (e *env) config(partitions int32) processor.Config {
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
	c.Processing.Workers = 4
	c.Processing.ShutdownGrace = 10 * time.Second
	c.TopicDefaults.Partitions = partitions
	c.TopicDefaults.ReplicationFactor = 1
	for i := range c.Views {
		c.Views[i].Topic = e.prefix + "." + c.Views[i].Name
	}
	if err := processor.EnsureTopics(context.Background(), e.cl, partitions, 1, processor.TopicSpecs(c)); err != nil {
		e.t.Fatal(err)
	}
	return c
}

// start runs a processor in this process until the test ends or stop is
// called; stop returns what Run returned.
func (e *env) start(cfg processor.Config) (stop func() error) {
	e.t.Helper()
	_, stop = e.startProcessor(cfg)
	return stop
}

// startProcessor is start, also returning the processor.
func (e *env) startProcessor(cfg processor.Config) (p *processor.Processor, stop func() error) {
	e.t.Helper()
	engine, err := rules.NewEngine(rules.Config{})
	if err != nil {
		e.t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	p, err = processor.New(cfg, engine, log, prometheus.NewRegistry())
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var (
		wg     sync.WaitGroup
		runErr error
	)
	wg.Go(func() { runErr = p.Run(ctx) })
	var once sync.Once
	stop = func() error {
		once.Do(func() { cancel(); wg.Wait() })
		return runErr
	}
	e.t.Cleanup(func() { _ = stop() })
	return p, stop
}

// startChild runs a processor as a child process (this test binary), so it
// can be killed with SIGKILL.
func (e *env) startChild(cfg processor.Config) *exec.Cmd {
	e.t.Helper()
	raw, err := json.Marshal(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(raw), "VEIL_KEK="+hex.EncodeToString(cfg.Keys.KEK))
	if testing.Verbose() {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
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

// consume reads topic from the start until it has n records or timeout
// passes, and returns what it read.
func (e *env) consume(topic string, n int, timeout time.Duration) []*kgo.Record {
	e.t.Helper()
	return e.consumeUntil(topic, timeout, func(recs []*kgo.Record) bool { return len(recs) >= n })
}

// consumeKeys reads topic from the start until it has records with n
// distinct keys (duplicates allowed) or timeout passes.
func (e *env) consumeKeys(topic string, n int, timeout time.Duration) []*kgo.Record {
	e.t.Helper()
	keys := map[string]bool{}
	seen := 0
	return e.consumeUntil(topic, timeout, func(recs []*kgo.Record) bool {
		for _, r := range recs[seen:] {
			keys[string(r.Key)] = true
		}
		seen = len(recs)
		return len(keys) >= n
	})
}

// consumeUntil reads topic from the start until done says so or timeout
// passes.
func (e *env) consumeUntil(topic string, timeout time.Duration, done func([]*kgo.Record) bool) []*kgo.Record {
	e.t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
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

// committed returns the group's committed offsets on topic, per partition.
func (e *env) committed(group, topic string) map[int32]int64 {
	e.t.Helper()
	offs, err := e.adm.FetchOffsets(context.Background(), group)
	if err != nil {
		e.t.Fatalf("fetching offsets: %v", err)
	}
	out := map[int32]int64{}
	offs.Each(func(o kadm.OffsetResponse) {
		if o.Topic == topic {
			out[o.Partition] = o.At
		}
	})
	return out
}

// endOffsets returns the high watermarks of topic.
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

// waitFor polls cond until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// waitCommitted waits until group has committed the end of every non-empty
// partition of topic.
func (e *env) waitCommitted(group, topic string, timeout time.Duration) {
	e.t.Helper()
	waitFor(e.t, timeout, "commits up to the end of "+topic, func() bool {
		got := e.committed(group, topic)
		for p, end := range e.endOffsets(topic) {
			if end > 0 && got[p] != end {
				return false
			}
		}
		return true
	})
}

// testCtx is a context for calls that must not hang, cancelled when the
// test ends.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// freePort returns a loopback port that is free now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// superviseChild runs a processor child process and starts it again each
// time it exits, until the test ends, like a Deployment would. It returns a
// function reporting how many restarts there were.
func (e *env) superviseChild(cfg processor.Config) (restarts func() int) {
	e.t.Helper()
	var (
		mu   sync.Mutex
		cmd  = e.startChild(cfg)
		n    int
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Go(func() {
		for {
			mu.Lock()
			c := cmd
			mu.Unlock()
			_ = c.Wait()
			select {
			case <-done:
				return
			default:
			}
			time.Sleep(200 * time.Millisecond)
			mu.Lock()
			cmd = e.startChild(cfg)
			n++
			mu.Unlock()
		}
	})
	e.t.Cleanup(func() {
		close(done)
		mu.Lock()
		_ = cmd.Process.Kill()
		mu.Unlock()
		wg.Wait()
	})
	return func() int { mu.Lock(); defer mu.Unlock(); return n }
}
