package erasure

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor/changelog"
)

// clockSkew is how far before an event's sent_at its first view record may
// be stamped: the read of a view partition starts there.
const clockSkew = time.Hour

// topicPartitions returns the partition count of topic, from the cache or
// the metadata.
func (s *Service) topicPartitions(ctx context.Context, topic string) (int, error) {
	if n, ok := s.topicParts[topic]; ok {
		return n, nil
	}
	details, err := s.adm.ListTopics(ctx, topic)
	if err != nil {
		return 0, fmt.Errorf("reading metadata of %s: %w", topic, err)
	}
	d, ok := details[topic]
	if !ok || d.Err != nil || len(d.Partitions) == 0 {
		return 0, fmt.Errorf("topic %s: missing or unreadable", topic)
	}
	s.topicParts[topic] = len(d.Partitions)
	return len(d.Partitions), nil
}

// latest returns the last committed record of each key of targets on topic
// (a tombstone is a record with a nil value; a key with no record is
// missing). It reads each partition that holds one of the keys once, from
// the first record stamped after the earliest sent_at of its keys (less
// clockSkew) up to the partition's last stable offset as it was when called.
func (s *Service) latest(ctx context.Context, topic string, targets map[string]*target) (map[string]*kgo.Record, error) {
	n, err := s.topicPartitions(ctx, topic)
	if err != nil {
		return nil, err
	}
	want := map[int32]map[string]bool{}
	since := time.Time{}
	for key, t := range targets {
		p := int32(changelog.PartitionFor(t.conv, n))
		if want[p] == nil {
			want[p] = map[string]bool{}
		}
		want[p][key] = true
		if since.IsZero() || t.sentAt.Before(since) {
			since = t.sentAt
		}
	}
	ends, err := s.adm.ListCommittedOffsets(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("listing end offsets of %s: %w", topic, err)
	}
	// Kafka reads negative times as "latest" or "earliest": without a
	// usable sent_at the partitions are read from their start.
	starts := kadm.ListedOffsets{}
	if ms := since.Add(-clockSkew).UnixMilli(); ms > 0 {
		if starts, err = s.adm.ListOffsetsAfterMilli(ctx, ms, topic); err != nil {
			return nil, fmt.Errorf("listing offsets of %s: %w", topic, err)
		}
	}
	offs := map[int32]kgo.Offset{}
	todo := map[int32]int64{} // partition -> end offset still to reach
	for p := range want {
		end, ok := ends.Lookup(topic, p)
		if !ok || end.Err != nil {
			return nil, fmt.Errorf("end offset of %s/%d unknown", topic, p)
		}
		start := int64(0)
		if st, ok := starts.Lookup(topic, p); ok && st.Err == nil {
			start = st.Offset
		}
		if start < end.Offset {
			offs[p] = kgo.NewOffset().At(start)
			todo[p] = end.Offset
		}
	}
	out := map[string]*kgo.Record{}
	if len(todo) > 0 {
		if err := s.scan(ctx, topic, offs, todo, func(r *kgo.Record) {
			if want[r.Partition][string(r.Key)] {
				out[string(r.Key)] = r
			}
		}); err != nil {
			return nil, err
		}
	}
	if len(starts) == 0 {
		return out, nil // read from the start already
	}
	// A record stamped before its event's sent_at (a sender's clock ahead
	// of the processor's by more than clockSkew) is before where the scan
	// began: the partitions of keys not found are read again from their
	// start, up to the same offsets, for those keys only.
	offs, todo = map[int32]kgo.Offset{}, map[int32]int64{}
	for p, keys := range want {
		for key := range keys {
			if _, found := out[key]; found {
				delete(keys, key)
			}
		}
		if end, _ := ends.Lookup(topic, p); len(keys) > 0 && end.Offset > 0 {
			offs[p], todo[p] = kgo.NewOffset().At(0), end.Offset
		}
	}
	if len(todo) == 0 {
		return out, nil
	}
	return out, s.scan(ctx, topic, offs, todo, func(r *kgo.Record) {
		if want[r.Partition][string(r.Key)] {
			out[string(r.Key)] = r
		}
	})
}

// scan reads partitions of topic from offs with read_committed until each
// reaches its offset in todo, and calls fn with every data record before it.
func (s *Service) scan(ctx context.Context, topic string, offs map[int32]kgo.Offset, todo map[int32]int64, fn func(*kgo.Record)) error {
	opts := append(slices.Clip(s.conn),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: offs}),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		// Control records count towards the position: a partition that
		// ends with a commit marker is read to its end.
		kgo.KeepControlRecords(),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("creating reader of %s: %w", topic, err)
	}
	defer cl.Close()
	for len(todo) > 0 {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		failed := false
		fetches.EachError(func(t string, p int32, err error) {
			failed = true
			s.repeats.Warn(s.log, fmt.Sprint(t, p, err), "view fetch error", "topic", t, "partition", p, "err", err)
		})
		if failed && fetches.NumRecords() == 0 {
			select { // a broker that fails every fetch: do not spin
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
		fetches.EachRecord(func(r *kgo.Record) {
			end, ok := todo[r.Partition]
			if !ok || r.Offset >= end {
				return
			}
			if !r.Attrs.IsControl() {
				fn(r)
			}
			if r.Offset+1 >= end {
				delete(todo, r.Partition)
			}
		})
	}
	return nil
}
