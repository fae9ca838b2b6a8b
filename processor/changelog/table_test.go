package changelog_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/processor/kafkatest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// mapState is table state for tests: the latest value per key.
type mapState struct {
	mu   sync.Mutex
	m    map[string]string
	seen map[int32]int // data records applied per partition
}

func newMapState() *mapState { return &mapState{m: map[string]string{}, seen: map[int32]int{}} }

func (s *mapState) apply(p int32, recs []*kgo.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range recs {
		if r.Attrs.IsControl() {
			return fmt.Errorf("control record at %d/%d passed to apply", p, r.Offset)
		}
		if r.Value == nil {
			delete(s.m, string(r.Key))
		} else {
			s.m[string(r.Key)] = string(r.Value)
		}
		s.seen[p]++
	}
	return nil
}

func (s *mapState) snapshot() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.m)
}

func records(topic string, from, to int) []*kgo.Record {
	var recs []*kgo.Record
	for i := from; i < to; i++ {
		recs = append(recs, &kgo.Record{Topic: topic, Key: fmt.Appendf(nil, "k%d", i%50), Value: fmt.Appendf(nil, "v%d", i)})
	}
	return recs
}

// TestTableRestoreAndFollow: a table restores what is on the topic before
// CaughtUp returns, follows what is written after, applies tombstones, and
// stops on Stop with ErrStopped.
func TestTableRestoreAndFollow(t *testing.T) {
	e := kafkatest.New(t)
	topic := e.Prefix + ".state"
	e.CreateTopics(3, []changelog.TopicSpec{{Name: topic, Configs: map[string]string{"cleanup.policy": "compact"}}})
	e.Produce(records(topic, 0, 500)...)
	want := map[string]string{}
	for _, r := range records(topic, 0, 500) {
		want[string(r.Key)] = string(r.Value)
	}

	st := newMapState()
	tb, err := changelog.Follow(kafkatest.Context(t), []kgo.Opt{kgo.SeedBrokers(e.Brokers...)}, topic, nil, st.apply, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Stop()
	if err := tb.CaughtUp(kafkatest.Context(t)); err != nil {
		t.Fatal(err)
	}
	if got := st.snapshot(); !maps.Equal(got, want) {
		t.Fatalf("restored %d keys, want %d: %v", len(got), len(want), got)
	}

	e.Produce(records(topic, 500, 600)...)
	e.Produce(&kgo.Record{Topic: topic, Key: []byte("k7")})
	for _, r := range records(topic, 500, 600) {
		want[string(r.Key)] = string(r.Value)
	}
	delete(want, "k7")
	if err := tb.CaughtUp(kafkatest.Context(t)); err != nil {
		t.Fatal(err)
	}
	if got := st.snapshot(); !maps.Equal(got, want) {
		t.Fatalf("after following: %v, want %v", got, want)
	}
	tb.Stop()
	if err := tb.Err(); !errors.Is(err, changelog.ErrStopped) {
		t.Errorf("Err() after Stop = %v, want ErrStopped", err)
	}
}

// TestTableCatchUpRule: the cases of the catch-up rule. A partition that
// ends with a transaction marker (committed or aborted) is caught up once
// the records before it are applied; a partition emptied by DeleteRecords
// is caught up with nothing applied; a table of one partition waits for
// that partition only.
func TestTableCatchUpRule(t *testing.T) {
	e := kafkatest.New(t)
	topic := e.Prefix + ".state"
	// compact,delete: Kafka refuses DeleteRecords on a compact-only topic.
	e.CreateTopics(3, []changelog.TopicSpec{{Name: topic, Configs: map[string]string{"cleanup.policy": "compact,delete"}}})
	conn := []kgo.Opt{kgo.SeedBrokers(e.Brokers...)}

	// Partition 0: a committed then an aborted transaction, ending in a marker.
	txn, err := kgo.NewClient(append(conn, kgo.TransactionalID(e.Prefix+"-txn"), kgo.DefaultProduceTopic(topic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()))...)
	if err != nil {
		t.Fatal(err)
	}
	defer txn.Close()
	ctx := kafkatest.Context(t)
	for _, commit := range []bool{true, false} {
		if err := txn.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		recs := records(topic, 0, 10)
		for _, r := range recs {
			r.Partition = 0
		}
		if err := txn.ProduceSync(ctx, recs...).FirstErr(); err != nil {
			t.Fatal(err)
		}
		if err := txn.EndTransaction(ctx, kgo.TransactionEndTry(commit)); err != nil {
			t.Fatal(err)
		}
	}
	// Partition 1: records, then all of them deleted.
	recs := records(topic, 0, 20)
	for _, r := range recs {
		r.Partition = 1
	}
	plain, err := kgo.NewClient(append(conn, kgo.RecordPartitioner(kgo.ManualPartitioner()))...)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if err := plain.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	var del kadm.Offsets
	del.Add(kadm.Offset{Topic: topic, Partition: 1, At: 20})
	if resp, err := e.Admin.DeleteRecords(ctx, del); err != nil || resp.Error() != nil {
		t.Fatalf("deleting records: %v %v", err, resp.Error())
	}

	for _, parts := range [][]int32{nil, {0}, {1}} {
		t.Run(fmt.Sprint(parts), func(t *testing.T) {
			st := newMapState()
			tb, err := changelog.Follow(ctx, conn, topic, parts, st.apply, quiet)
			if err != nil {
				t.Fatal(err)
			}
			defer tb.Stop()
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := tb.CaughtUp(cctx); err != nil {
				t.Fatalf("CaughtUp: %v", err)
			}
			st.mu.Lock()
			defer st.mu.Unlock()
			if parts == nil || parts[0] == 0 {
				// read_uncommitted: both transactions' records are applied.
				if st.seen[0] != 20 {
					t.Errorf("partition 0: %d records applied, want 20", st.seen[0])
				}
			}
			if st.seen[1] != 0 || st.seen[2] != 0 {
				t.Errorf("partitions 1 and 2: %d and %d records applied, want none", st.seen[1], st.seen[2])
			}
		})
	}
}

// TestTableApplyError: an error from apply stops the table; CaughtUp
// returns it.
func TestTableApplyError(t *testing.T) {
	e := kafkatest.New(t)
	topic := e.Prefix + ".state"
	e.CreateTopics(1, []changelog.TopicSpec{{Name: topic}})
	e.Produce(records(topic, 0, 5)...)
	bad := errors.New("disk full")
	tb, err := changelog.Follow(kafkatest.Context(t), []kgo.Opt{kgo.SeedBrokers(e.Brokers...)}, topic, nil,
		func(int32, []*kgo.Record) error { return bad }, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Stop()
	if err := tb.CaughtUp(kafkatest.Context(t)); !errors.Is(err, bad) {
		t.Fatalf("CaughtUp = %v, want %v", err, bad)
	}
	<-tb.Done()
	if !errors.Is(tb.Err(), bad) {
		t.Errorf("Err() = %v, want %v", tb.Err(), bad)
	}
}

// TestTableFetchErrorsNotFlooding: a broker that refuses every fetch for two
// seconds costs a few log lines and a few polls, not a line per tight-loop
// poll (the fault hunt saw 430,000 lines in 5.3 s), and the table follows
// again once fetches succeed.
func TestTableFetchErrorsNotFlooding(t *testing.T) {
	if os.Getenv(kafkatest.BrokersEnv) != "" {
		t.Skip("refusing fetches needs kfake fault injection")
	}
	e := kafkatest.New(t)
	topic := e.Prefix + ".state"
	e.CreateTopics(1, []changelog.TopicSpec{{Name: topic, Configs: map[string]string{"cleanup.policy": "compact"}}})
	var lines countingWriter
	log := slog.New(slog.NewTextHandler(&lines, nil))
	st := newMapState()
	tb, err := changelog.Follow(kafkatest.Context(t), []kgo.Opt{kgo.SeedBrokers(e.Brokers...)}, topic, nil, st.apply, log)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Stop()
	if err := tb.CaughtUp(kafkatest.Context(t)); err != nil {
		t.Fatal(err)
	}
	fault := e.Cluster.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Fetch}, Topic: topic, Err: kerr.UnknownServerError, Count: -1})
	kafkatest.WaitFor(t, 10*time.Second, "refused fetches", func() bool { return fault.Hits() >= 1 })
	start := fault.Hits()
	deadline := time.Now().Add(2 * time.Second)
	kafkatest.WaitFor(t, 10*time.Second, "two seconds of refused fetches", func() bool { return time.Now().After(deadline) })
	polls := fault.Hits() - start
	fault.Remove()
	e.Produce(records(topic, 0, 10)...)
	if err := tb.CaughtUp(kafkatest.Context(t)); err != nil {
		t.Fatal(err)
	}
	t.Logf("2 s of refused fetches: %d fetches, %d log lines", polls, lines.n.Load())
	if n := lines.n.Load(); n > 3 {
		t.Errorf("%d log lines for one repeated fetch error, want at most 3", n)
	}
	if polls > 100 {
		t.Errorf("%d fetches in 2 s while every one failed, want a pause between them", polls)
	}
}

// countingWriter counts the lines written to it.
type countingWriter struct{ n atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(bytes.Count(p, []byte("\n"))))
	return len(p), nil
}
