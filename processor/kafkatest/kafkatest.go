// Package kafkatest runs Veil's integration tests against a Kafka-protocol
// broker: an in-process kfake cluster by default, or the real brokers named
// by VEIL_TEST_BROKERS (Apache Kafka, started by deploy/kafka/kafka.sh in
// CI). Every Env has its own topic prefix and group, so tests can share one
// real broker. It is for tests only.
package kafkatest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/changelog"
)

// BrokersEnv names the environment variable with real brokers to test on.
const BrokersEnv = "VEIL_TEST_BROKERS"

// Env is one test's view of a broker.
type Env struct {
	T       testing.TB
	Brokers []string
	// Cluster is the in-process broker; nil on a real broker.
	Cluster *kfake.Cluster
	// Prefix starts every topic and group name of this test.
	Prefix string
	// Client produces with Veil's partitioner; Admin shares it.
	Client *kgo.Client
	Admin  *kadm.Client
	// Isolation is the isolation level of the Consume methods (default
	// read_uncommitted).
	Isolation kgo.IsolationLevel
}

// New returns an Env on the real brokers of VEIL_TEST_BROKERS, or else on a
// new one-node kfake cluster built with opts; both close with the test.
func New(t testing.TB, opts ...kfake.Opt) *Env {
	t.Helper()
	e := &Env{T: t, Prefix: prefix(t)}
	if b := os.Getenv(BrokersEnv); b != "" {
		e.Brokers = strings.Split(b, ",")
	} else {
		c, err := kfake.NewCluster(append([]kfake.Opt{
			kfake.NumBrokers(1),
			kfake.GroupMinSessionTimeout(500 * time.Millisecond),
		}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		e.Cluster, e.Brokers = c, c.ListenAddrs()
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.Brokers...), kgo.RecordPartitioner(changelog.Partitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	e.Client, e.Admin = cl, kadm.NewClient(cl)
	return e
}

func prefix(t testing.TB) string {
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

// Config returns a processor config on e's broker with its own topics, group
// and a random key-encryption key. It creates no topics.
func (e *Env) Config(partitions int32) processor.Config {
	c := processor.Default()
	c.Brokers = e.Brokers
	c.Group = e.Prefix
	c.ClientID = "veil-test"
	c.SessionTimeout = 6 * time.Second
	c.RebalanceTimeout = 10 * time.Second
	c.Topics.Raw = e.Prefix + ".raw"
	c.Topics.DLQ = e.Prefix + ".dlq"
	c.Topics.Subjects = e.Prefix + ".subjects"
	c.Topics.Keys = e.Prefix + ".keys"
	c.Topics.Identifiers = e.Prefix + ".identifiers"
	c.Keys.KEK = make([]byte, 32)
	_, _ = rand.Read(c.Keys.KEK)
	c.Processing.ShutdownGrace = 10 * time.Second
	c.TopicDefaults.Partitions = partitions
	c.TopicDefaults.ReplicationFactor = 1
	for i := range c.Views {
		c.Views[i].Topic = e.Prefix + "." + c.Views[i].Name
	}
	return c
}

// CreateTopics creates the topics of specs with partitions each and waits
// until every partition has a leader (a real broker's metadata lags a
// moment behind a creation).
func (e *Env) CreateTopics(partitions int32, specs []changelog.TopicSpec) {
	e.T.Helper()
	if err := changelog.EnsureTopics(Context(e.T), e.Client, partitions, 1, specs); err != nil {
		e.T.Fatal(err)
	}
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	WaitFor(e.T, time.Minute, "leaders for the new topics", func() bool {
		details, err := e.Admin.ListTopics(context.Background(), names...)
		if err != nil {
			return false
		}
		for _, n := range names {
			d, ok := details[n]
			if !ok || d.Err != nil || len(d.Partitions) == 0 {
				return false
			}
			for _, p := range d.Partitions {
				if p.Err != nil || p.Leader < 0 {
					return false
				}
			}
		}
		return true
	})
}

// Run runs fn until the test ends or stop is called; stop returns what fn
// returned.
func (e *Env) Run(fn func(context.Context) error) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	var (
		wg     sync.WaitGroup
		runErr error
		once   sync.Once
	)
	wg.Go(func() { runErr = fn(ctx) })
	stop = func() error {
		once.Do(func() { cancel(); wg.Wait() })
		return runErr
	}
	e.T.Cleanup(func() { _ = stop() })
	return stop
}

// Produce writes recs synchronously.
func (e *Env) Produce(recs ...*kgo.Record) {
	e.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := e.Client.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		e.T.Fatalf("producing: %v", err)
	}
}

// Consume reads topic from the start until it has n records or timeout
// passes, and returns what it read.
func (e *Env) Consume(topic string, n int, timeout time.Duration) []*kgo.Record {
	e.T.Helper()
	return e.ConsumeUntil(topic, timeout, func(recs []*kgo.Record) bool { return len(recs) >= n })
}

// ConsumeKeys reads topic from the start until it has records with n
// distinct keys (duplicates allowed) or timeout passes.
func (e *Env) ConsumeKeys(topic string, n int, timeout time.Duration) []*kgo.Record {
	e.T.Helper()
	keys := map[string]bool{}
	seen := 0
	return e.ConsumeUntil(topic, timeout, func(recs []*kgo.Record) bool {
		for _, r := range recs[seen:] {
			keys[string(r.Key)] = true
		}
		seen = len(recs)
		return len(keys) >= n
	})
}

// ConsumeUntil reads topic from the start until done says so or timeout
// passes.
func (e *Env) ConsumeUntil(topic string, timeout time.Duration, done func([]*kgo.Record) bool) []*kgo.Record {
	e.T.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.Brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(e.Isolation))
	if err != nil {
		e.T.Fatal(err)
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
		f.EachError(func(t string, p int32, err error) { e.T.Logf("consume %s/%d: %v", t, p, err) })
		out = append(out, f.Records()...)
	}
	return out
}

// Committed returns the group's committed offsets on topic, per partition
// (none for a group that does not exist yet).
func (e *Env) Committed(group, topic string) map[int32]int64 {
	e.T.Helper()
	offs, err := e.Admin.FetchOffsets(context.Background(), group)
	if errors.Is(err, kerr.GroupIDNotFound) {
		return map[int32]int64{}
	}
	if err != nil {
		e.T.Fatalf("fetching offsets: %v", err)
	}
	out := map[int32]int64{}
	offs.Each(func(o kadm.OffsetResponse) {
		if o.Topic == topic {
			out[o.Partition] = o.At
		}
	})
	return out
}

// EndOffsets returns the high watermarks of topic.
func (e *Env) EndOffsets(topic string) map[int32]int64 {
	e.T.Helper()
	ends, err := e.Admin.ListEndOffsets(context.Background(), topic)
	if err != nil {
		e.T.Fatalf("listing end offsets: %v", err)
	}
	out := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) { out[o.Partition] = o.Offset })
	return out
}

// WaitCommitted waits until group has committed the end of every non-empty
// partition of topic. Errors while asking (a broker restarting) count as
// not yet.
func (e *Env) WaitCommitted(group, topic string, timeout time.Duration) {
	e.T.Helper()
	WaitFor(e.T, timeout, "commits up to the end of "+topic, func() bool {
		ctx := context.Background()
		offs, err := e.Admin.FetchOffsets(ctx, group)
		if err != nil {
			return false
		}
		ends, err := e.Admin.ListEndOffsets(ctx, topic)
		if err != nil || ends.Error() != nil {
			return false
		}
		done := true
		ends.Each(func(o kadm.ListedOffset) {
			if c, ok := offs.Lookup(topic, o.Partition); o.Offset > 0 && (!ok || c.Err != nil || c.At != o.Offset) {
				done = false
			}
		})
		return done
	})
}

// WaitFor polls cond until it holds or timeout passes.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Header returns the value of r's header key, or "".
func Header(r *kgo.Record, key string) string {
	for _, h := range r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// Context is a context for calls that must not hang, cancelled when the test
// ends.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// FreePort returns a loopback port that is free now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
