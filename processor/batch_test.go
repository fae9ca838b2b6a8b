package processor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"
)

// fakeSend records what a batch sends and keeps each record's callback, so
// a test answers the outputs when and how it likes.
type fakeSend struct {
	mu      sync.Mutex
	sent    []string
	answers map[string]func(*kgo.Record, error)
}

func (f *fakeSend) send(_ context.Context, r *kgo.Record, cb func(*kgo.Record, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, string(r.Value))
	if f.answers == nil {
		f.answers = map[string]func(*kgo.Record, error){}
	}
	f.answers[string(r.Value)] = func(_ *kgo.Record, err error) { cb(r, err) }
}

func (f *fakeSend) answer(v string, err error) {
	f.mu.Lock()
	cb := f.answers[v]
	f.mu.Unlock()
	cb(nil, err)
}

func outs(vals ...string) []output {
	o := make([]output, len(vals))
	for i, v := range vals {
		o[i] = output{rec: &kgo.Record{Value: []byte(v)}, view: "v"}
	}
	return o
}

func values(os []output) []string {
	v := make([]string, len(os))
	for i, o := range os {
		v[i] = string(o.rec.Value)
	}
	return v
}

func testBatch(f *fakeSend, hold *atomic.Bool, recs ...*kgo.Record) *batch {
	b := newBatch(context.Background(), func() {}, f.send, hold, nil, recs)
	b.handled.Add(1) // one record being handled, as the pool does
	return b
}

func answeredYet(b *batch) bool { return b.acked.Err() != nil }

// TestBatchOrdering: two batches in flight at once (at-least-once overlap).
// An output of the first fails; every output produced after that, in
// either batch, is held back unsent; the retries, batch after batch, send
// the failed and held-back outputs in production order, so no later event
// reaches a partition before an earlier one sent again.
func TestBatchOrdering(t *testing.T) {
	p := &Processor{m: newMetrics(prometheus.NewRegistry())}
	f := &fakeSend{}
	hold := new(atomic.Bool)
	b1 := testBatch(f, hold)
	b2 := testBatch(f, hold)

	p.produce(b1, outs("a1", "a2", "a3"))
	p.produce(b2, outs("b1"))
	f.answer("a1", nil)
	f.answer("a2", errors.New("delivery timeout"))
	// The client fails the records buffered behind a2 in its partition
	// together with it.
	f.answer("a3", errors.New("delivery timeout"))
	p.produce(b1, outs("a4"))
	p.produce(b2, outs("b2", "b3"))
	f.answer("b1", nil)

	if want := []string{"a1", "a2", "a3", "b1"}; !slices.Equal(f.sent, want) {
		t.Errorf("sent %v, want %v: nothing is sent after a failure", f.sent, want)
	}
	b1.handled.Done()
	b1.waitHandled()
	b2.handled.Done()
	b2.waitHandled()
	if !answeredYet(b1) || !answeredYet(b2) {
		t.Fatal("every sent output is answered, but a batch is not")
	}
	var retried []string
	for _, b := range []*batch{b1, b2} {
		slices.SortFunc(b.failed, func(x, y output) int { return int(x.seq) - int(y.seq) })
		retried = append(retried, values(b.failed)...)
	}
	if want := []string{"a2", "a3", "a4", "b2", "b3"}; !slices.Equal(retried, want) {
		t.Errorf("retried in the order %v, want %v", retried, want)
	}
	if want := []string{"v"}; !slices.Equal(b1.views, want) {
		t.Errorf("batch 1 acknowledged views %v, want %v", b1.views, want)
	}
}

// TestBatchAnswered: a batch counts as answered (and may be committed)
// only once every record is handled and every output sent is answered,
// whatever the order of the two.
func TestBatchAnswered(t *testing.T) {
	tests := []struct {
		name          string
		handledFirst  bool
		wantAfterDone bool
	}{
		{"handled, then answered", true, false},
		{"answered, then handled", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Processor{m: newMetrics(prometheus.NewRegistry())}
			f := &fakeSend{}
			b := testBatch(f, new(atomic.Bool))
			p.produce(b, outs("x", "y"))
			f.answer("x", nil)
			if tt.handledFirst {
				b.handled.Done()
				b.waitHandled()
				if answeredYet(b) {
					t.Fatal("answered with an output outstanding")
				}
				f.answer("y", nil)
			} else {
				f.answer("y", nil)
				if answeredYet(b) {
					t.Fatal("answered while a record is still being handled")
				}
				b.handled.Done()
				b.waitHandled()
			}
			if !answeredYet(b) {
				t.Fatal("not answered after everything was")
			}
		})
	}
}

// TestBatchOffsets: a batch commits, per partition, one past its last
// record with that record's leader epoch, and nothing of partitions it has
// no records of.
func TestBatchOffsets(t *testing.T) {
	rec := func(topic string, part int32, off int64, epoch int32) *kgo.Record {
		return &kgo.Record{Topic: topic, Partition: part, Offset: off, LeaderEpoch: epoch}
	}
	tests := []struct {
		give []*kgo.Record
		want map[string]map[int32]kgo.EpochOffset
	}{
		{nil, map[string]map[int32]kgo.EpochOffset{}},
		{
			[]*kgo.Record{rec("raw", 0, 10, 1), rec("raw", 1, 5, 1), rec("raw", 0, 11, 1), rec("raw", 0, 12, 2)},
			map[string]map[int32]kgo.EpochOffset{"raw": {0: {Epoch: 2, Offset: 13}, 1: {Epoch: 1, Offset: 6}}},
		},
		{
			[]*kgo.Record{rec("a", 3, 7, 0), rec("b", 3, 1, 0)},
			map[string]map[int32]kgo.EpochOffset{"a": {3: {Offset: 8}}, "b": {3: {Offset: 2}}},
		},
	}
	for _, tt := range tests {
		if got := batchOffsets(tt.give); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("batchOffsets = %v, want %v", got, tt.want)
		}
	}
}
