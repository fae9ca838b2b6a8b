// Package changelog keeps Veil's state in Kafka topics, as Kafka Streams
// keeps a state store in its changelog topic and goka a table in its group
// table: a Table restores partitions of a compacted topic into local state
// and then follows them; Produce writes records with retry; the backoff
// policies say how long each kind of wait lasts; Partitioner places records
// as Kafka's default partitioner does; EnsureTopics creates missing topics.
package changelog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ErrStopped reports that a table stopped because it was asked to (Stop, or
// the context of Follow ended).
var ErrStopped = errors.New("table stopped")

// ApplyFunc folds records of one partition into local state. The records
// are data records in offset order (control records are skipped); a table
// calls it from one goroutine. An error stops the table.
type ApplyFunc func(partition int32, recs []*kgo.Record) error

// Table restores partitions of a compacted topic from their start into
// local state (through an ApplyFunc) and then follows them until stopped.
// It has its own client, so stopping it drops nothing else's data and no
// fetched record is applied after Stop returns.
//
// The catch-up rule, the one place Veil decides that local state is
// current: a table has caught up when, for every partition it follows, it
// has applied every record before the end offset (high watermark) that
// CaughtUp listed when it was called. Positions count control records
// (transaction markers), so a partition ending in a commit marker is caught
// up; and offsets below the partition's log start offset count as applied,
// so a partition emptied by retention is caught up with nothing applied.
//
// A table reads with read_uncommitted unless conn sets read_committed:
// then records of aborted transactions are skipped, and a partition with a
// transaction open is caught up only once the transaction has ended (its
// marker is past the end offset listed). The subject index is read so: an
// entry of an aborted transaction is not always written again.
type Table struct {
	topic   string
	parts   []int32 // nil: every partition of the topic
	adm     *kadm.Client
	cancel  context.CancelFunc
	stopped chan struct{}

	mu      sync.Mutex
	next    map[int32]int64 // partition -> offset after the last record seen
	err     error           // why following stopped
	changed chan struct{}   // closed and replaced on every change
}

// Follow starts a table over partitions of topic, or every partition of it
// if partitions is nil, read from their start. conn are the connection
// options. Stop it with Stop; it also stops when ctx ends.
func Follow(ctx context.Context, conn []kgo.Opt, topic string, partitions []int32, apply ApplyFunc, log *slog.Logger) (*Table, error) {
	opts := append(slices.Clip(conn),
		// Control records are returned so that the position reaches the
		// high watermark when a partition ends with a transaction marker.
		kgo.KeepControlRecords(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	if partitions == nil {
		opts = append(opts, kgo.ConsumeTopics(topic))
	} else {
		offs := map[int32]kgo.Offset{}
		for _, p := range partitions {
			offs[p] = kgo.NewOffset().AtStart()
		}
		opts = append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: offs}))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("creating client for %s: %w", topic, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	t := &Table{
		topic: topic, parts: slices.Clone(partitions), adm: kadm.NewClient(cl), cancel: cancel,
		stopped: make(chan struct{}), next: map[int32]int64{}, changed: make(chan struct{}),
	}
	go func() {
		defer close(t.stopped)
		defer cl.Close()
		t.finish(t.follow(ctx, cl, apply, log))
	}()
	return t, nil
}

func (t *Table) follow(ctx context.Context, cl *kgo.Client, apply ApplyFunc, log *slog.Logger) error {
	// A broker that fails every fetch (one replaced on the same address,
	// say) makes PollFetches return at once: log each error once a minute
	// and pause between such polls.
	var rep Repeats
	pause := time.Duration(0)
	for {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return ErrStopped
		}
		failed := false
		fetches.EachError(func(topic string, p int32, err error) {
			failed = true
			rep.Warn(log, fmt.Sprint(topic, p, err), "table fetch error", "topic", topic, "partition", p, "err", err)
		})
		if failed && fetches.NumRecords() == 0 {
			pause = min(max(2*pause, 50*time.Millisecond), time.Second)
			select {
			case <-ctx.Done():
				return ErrStopped
			case <-time.After(pause):
			}
		} else {
			pause = 0
		}
		var err error
		fetches.EachPartition(func(fp kgo.FetchTopicPartition) {
			if len(fp.Records) == 0 || err != nil {
				return
			}
			data := make([]*kgo.Record, 0, len(fp.Records))
			for _, r := range fp.Records {
				if !r.Attrs.IsControl() {
					data = append(data, r)
				}
			}
			if len(data) > 0 {
				if err = apply(fp.Partition, data); err != nil {
					err = fmt.Errorf("applying %s/%d: %w", fp.Topic, fp.Partition, err)
					return
				}
			}
			t.advance(fp.Partition, fp.Records[len(fp.Records)-1].Offset+1)
		})
		if err != nil {
			log.Error("table not followed any more", "topic", t.topic, "err", err)
			return err
		}
	}
}

func (t *Table) advance(p int32, next int64) {
	t.mu.Lock()
	t.next[p] = next
	close(t.changed)
	t.changed = make(chan struct{})
	t.mu.Unlock()
}

func (t *Table) finish(err error) {
	t.mu.Lock()
	if t.err == nil {
		t.err = err
		close(t.changed)
		t.changed = make(chan struct{})
	}
	t.mu.Unlock()
}

// CaughtUp waits until the table has applied every record written to its
// partitions before the call (see Table for the rule). It returns the error
// that stopped the table, if it stopped.
func (t *Table) CaughtUp(ctx context.Context) error {
	want := map[int32]int64{} // partition -> end offset to reach
	floor := map[int32]int64{}
	err := backoff.Retry(func() error {
		if err := t.Err(); err != nil {
			return backoff.Permanent(err)
		}
		clear(want)
		starts, err := t.adm.ListStartOffsets(ctx, t.topic)
		if err == nil {
			err = starts.Error()
		}
		if err != nil {
			return err
		}
		ends, err := t.adm.ListEndOffsets(ctx, t.topic)
		if err == nil {
			err = ends.Error()
		}
		if err != nil {
			return err
		}
		if len(ends[t.topic]) == 0 {
			return fmt.Errorf("topic %s: no partitions listed", t.topic)
		}
		ends.Each(func(o kadm.ListedOffset) {
			if t.parts == nil || slices.Contains(t.parts, o.Partition) {
				want[o.Partition] = o.Offset
				if s, ok := starts.Lookup(t.topic, o.Partition); ok {
					floor[o.Partition] = s.Offset
				}
			}
		})
		for _, p := range t.parts {
			if _, ok := want[p]; !ok {
				return fmt.Errorf("topic %s: partition %d not listed", t.topic, p)
			}
		}
		return nil
	}, backoff.WithContext(MetadataBackoff(), ctx))
	if err != nil {
		if stopped := t.Err(); stopped != nil {
			return stopped
		}
		return fmt.Errorf("listing offsets of %s: %w", t.topic, err)
	}
	for {
		t.mu.Lock()
		behind := false
		for p, end := range want {
			behind = behind || max(t.next[p], floor[p]) < end
		}
		err, ch := t.err, t.changed
		t.mu.Unlock()
		if err != nil {
			return err
		}
		if !behind {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Done is closed when the table has stopped following; Err says why.
func (t *Table) Done() <-chan struct{} { return t.stopped }

// Err returns why the table stopped (ErrStopped when asked to), or nil
// while it follows.
func (t *Table) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// Stop stops following and waits until no record is applied any more.
func (t *Table) Stop() {
	t.cancel()
	<-t.stopped
}
