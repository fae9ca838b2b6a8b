package erasure

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/schemas"
)

// Receipt reasons and status.
const (
	ReasonRequest   = "request"
	ReasonRetention = "retention"
	StatusCompleted = "completed"
)

// tombstoneChunk bounds the index entries held in memory at once.
const tombstoneChunk = 2000

// handle erases the subject of one request record. It returns nil when the
// request is done with (erased, answered again, or invalid and skipped); an
// error means it must be handled again.
func (s *Service) handle(ctx context.Context, r *kgo.Record) (err error) {
	start := s.now()
	q, err := s.codec.DecodeErasureRequest(r.Value)
	if err != nil {
		// The codec's errors never quote the input.
		s.m.requests.WithLabelValues(outcomeInvalid).Inc()
		s.log.Warn("erasure request skipped", "partition", r.Partition, "offset", r.Offset, "err", err)
		return nil
	}
	subject := s.kr.SubjectID(q.CustomerID)
	log := s.log.With("request_id", q.RequestID, "subject", subject, "partition", r.Partition, "offset", r.Offset)
	defer func() {
		if err != nil {
			s.m.requests.WithLabelValues(outcomeFailed).Inc()
			err = fmt.Errorf("erasure request %s: %w", q.RequestID, err)
		}
	}()
	// Events sent up to at are erased and, arriving late, dropped. A
	// request dated in the future must not block the subject's events
	// until then: it counts from now.
	at := q.RequestedAt
	if at.IsZero() {
		at = r.Timestamp
	}
	if now := s.now(); at.After(now) {
		at = now
	}
	// The index partition of the customer: the request's own partition
	// when the request was keyed by customer id, as it should be.
	p := int32(processor.PartitionFor(q.CustomerID, s.nparts))
	f, release, err := s.partition(ctx, p)
	if err != nil {
		return err
	}
	defer release()

	if d, ok, err := s.st.done(p, subject, q.RequestID); err != nil {
		return err
	} else if ok {
		if d.Partition == r.Partition && d.Offset == r.Offset {
			// This record again (a restart before its commit): answered.
			s.m.requests.WithLabelValues(outcomeReplayed).Inc()
			log.Info("erasure request already completed")
			return nil
		}
		if err := s.publish(ctx, d.Receipt); err != nil {
			return err
		}
		s.m.requests.WithLabelValues(outcomeRepeated).Inc()
		log.Info("repeated erasure request: receipt published again")
		return nil
	}

	// Shred first: from now on no instance gives the subject a fresh key
	// for events sent up to the request, and the processor drops them, so
	// that no new index entries appear for them while we erase.
	if err := s.kr.Shred(ctx, subject, processor.Erasure{At: at.UTC(), RequestID: q.RequestID}); err != nil {
		return fmt.Errorf("shredding key: %w", err)
	}
	counts := map[string]int{s.pcfg.Topics.Keys: 1}
	events := 0
	// Entries of events handled just before the shred may arrive after the
	// first pass: catch up and go again until a pass finds none.
	for pass := 0; pass < 3; pass++ {
		if pass > 0 {
			if err := s.catchUp(ctx, f); err != nil {
				return err
			}
		}
		n, err := s.tombstoneSubject(ctx, p, subject, counts)
		if err != nil {
			return err
		}
		events += n
		if n == 0 {
			break
		}
	}
	if !f.alive() {
		return errStopped
	}
	rc := schemas.ErasureReceipt{
		RequestID:   q.RequestID,
		SubjectHash: subject,
		Reason:      ReasonRequest,
		Tombstones:  counts,
		Events:      events,
		StartedAt:   ms(start),
		CompletedAt: ms(s.now()),
		Status:      StatusCompleted,
	}
	// The receipt first, then the completion record: a completion record
	// always means the receipt was published.
	if err := s.publish(ctx, rc); err != nil {
		return err
	}
	v, err := json.Marshal(done{Receipt: rc, Partition: r.Partition, Offset: r.Offset})
	if err != nil {
		return fmt.Errorf("encoding completion record: %w", err)
	}
	if err := s.produce(ctx, []*kgo.Record{{
		Topic: s.pcfg.Topics.Subjects, Key: []byte(doneKey(subject, q.RequestID)), Value: v, Partition: p,
	}}); err != nil {
		return fmt.Errorf("writing completion record: %w", err)
	}
	s.m.requests.WithLabelValues(outcomeCompleted).Inc()
	s.m.seconds.Observe(max(s.now().Sub(r.Timestamp), 0).Seconds())
	log.Info("subject erased", "events", events, "took", s.now().Sub(start))
	return nil
}

// tombstoneSubject writes tombstones for every view record and index entry
// of subject in index partition p, adding them to counts per topic, and
// returns the number of index entries (events).
func (s *Service) tombstoneSubject(ctx context.Context, p int32, subject string, counts map[string]int) (int, error) {
	events := 0
	var views, index []*kgo.Record
	flush := func() error {
		if err := s.produce(ctx, views); err != nil {
			return fmt.Errorf("writing view tombstones: %w", err)
		}
		if err := s.produce(ctx, rollMarkers(views)); err != nil {
			return fmt.Errorf("writing roll markers: %w", err)
		}
		// Index entries only after their view tombstones are acknowledged:
		// after a crash in between, a replay finds the entries again.
		if err := s.produce(ctx, index); err != nil {
			return fmt.Errorf("writing index tombstones: %w", err)
		}
		s.countTombstones(views, ReasonRequest)
		s.countTombstones(index, ReasonRequest)
		views, index = views[:0], index[:0]
		return nil
	}
	err := s.st.entries(p, subject+"/", func(key string, e processor.IndexEntry) error {
		events++
		for _, t := range s.viewTopics(e) {
			views = append(views, viewTombstone(t, e))
			counts[t]++
		}
		index = append(index, &kgo.Record{Topic: s.pcfg.Topics.Subjects, Key: []byte(key), Partition: p})
		counts[s.pcfg.Topics.Subjects]++
		if len(index) >= tombstoneChunk {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return events, err
}

// viewTopics returns the topics that may hold the view records of e: those
// it names and those of the configured views, so that an entry written
// before a view was added, or a partial one, still erases everywhere.
func (s *Service) viewTopics(e processor.IndexEntry) []string {
	ts := make([]string, 0, len(e.Views)+len(s.pcfg.Views))
	for _, v := range e.Views {
		ts = append(ts, v.Topic)
	}
	for _, v := range s.pcfg.Views {
		ts = append(ts, v.Topic)
	}
	out := ts[:0]
	for i, t := range ts {
		dup := t == ""
		for _, u := range ts[:i] {
			dup = dup || u == t
		}
		if !dup {
			out = append(out, t)
		}
	}
	return out
}

// viewTombstone is the tombstone of e's record on a view topic: same key,
// same partition (by conversation id).
func viewTombstone(topic string, e processor.IndexEntry) *kgo.Record {
	conv := e.ConversationID
	if conv == "" {
		conv, _, _ = strings.Cut(e.Key, "/")
	}
	return &kgo.Record{Topic: topic, Key: []byte(e.Key), Context: processor.WithPartitionKey(conv)}
}

// RollKey is the key of the roll markers.
const RollKey = "!veil-roll"

// rollMarkers returns one tombstone keyed RollKey for every partition that
// recs (produced, so with their partitions set) went to. Compaction never
// touches the last batch of a partition (the active segment, on Kafka), so
// without a record after them the erased values would stay until the
// partition's next event; the marker deletes nothing a reader ever saw.
func rollMarkers(recs []*kgo.Record) []*kgo.Record {
	type tp struct {
		topic string
		p     int32
	}
	seen := map[tp]bool{}
	var out []*kgo.Record
	for _, r := range recs {
		k := tp{r.Topic, r.Partition}
		if !seen[k] {
			seen[k] = true
			out = append(out, &kgo.Record{Topic: r.Topic, Key: []byte(RollKey), Context: r.Context})
		}
	}
	return out
}

func (s *Service) countTombstones(recs []*kgo.Record, reason string) {
	for _, r := range recs {
		s.m.tombstones.WithLabelValues(r.Topic, reason).Inc()
	}
}

// publish produces a receipt, keyed by its request id.
func (s *Service) publish(ctx context.Context, rc schemas.ErasureReceipt) error {
	v, err := s.codec.EncodeErasureReceipt(rc)
	if err != nil {
		return err
	}
	if err := s.produce(ctx, []*kgo.Record{{Topic: s.cfg.Topics.Receipts, Key: []byte(rc.RequestID), Value: v}}); err != nil {
		return fmt.Errorf("publishing receipt: %w", err)
	}
	return nil
}

// ms is t in UTC at millisecond precision, as every receipt format holds it.
func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }
