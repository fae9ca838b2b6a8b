package erasure

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/processor/keyring"
	"github.com/veil-privacy/veil/processor/subjects"
	"github.com/veil-privacy/veil/schemas"
)

// Receipt reasons and status.
const (
	ReasonRequest   = "request"
	ReasonRetention = "retention"
	StatusCompleted = "completed"
	// StatusNotFound is a completed erasure that found no record of the
	// subject (a customer Veil never saw, or one erased before).
	StatusNotFound = "not_found"
)

// tombstoneChunk bounds the index entries held in memory at once.
const tombstoneChunk = 1000

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
	// A request by identifiers only has no subject; its completion record
	// goes to the subject index partition of the request's own partition.
	subject, p := "", r.Partition
	if q.CustomerID != "" {
		subject = s.kr.SubjectID(q.CustomerID)
		// The index partition of the customer: the request's own partition
		// when the request was keyed by customer id, as it should be.
		p = int32(changelog.PartitionFor(q.CustomerID, s.nparts))
	}
	log := s.log.With("request_id", q.RequestID, "subject", subject, "partition", r.Partition, "offset", r.Offset)
	defer func() {
		if err != nil {
			s.m.requests.WithLabelValues(outcomeFailed).Inc()
			err = fmt.Errorf("erasure request %s: %w", q.RequestID, err)
		}
	}()
	// Events sent up to at are erased and, arriving late, dropped. at is
	// the request record's timestamp, which on a topic Veil creates is the
	// broker's append time, not requested_at from the sender's clock. A
	// request dated in the future must not block the subject's events
	// until then: it counts from now.
	at := r.Timestamp
	if now := s.now(); at.After(now) {
		at = now
	}
	f, release, err := s.partition(ctx, p)
	if err != nil {
		return err
	}
	defer release()

	if d, ok, err := s.st.Done(p, subject, q.RequestID); err != nil {
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

	// A restart continues the count of an erasure it interrupted.
	g, resumed, err := s.st.Progress(p, subject, q.RequestID)
	if err != nil {
		return err
	}
	t, err := s.resume(p, g)
	if err != nil {
		return err
	}
	if resumed && !g.StartedAt.IsZero() {
		start = g.StartedAt
	}

	if subject != "" {
		if err := s.eraseSubject(ctx, f, p, subject, q.RequestID, at, start, &t); err != nil {
			return err
		}
	}
	var ids identified
	if len(q.Identifiers) > 0 {
		if ids, err = s.eraseIdentifiers(ctx, &q, subject); err != nil {
			return err
		}
	}
	if f.Err() != nil {
		return errStopped
	}
	rc := receipt(q.RequestID, subject, &t, &ids, s.pl.Identifiers)
	rc.StartedAt, rc.CompletedAt = ms(start), ms(s.now())
	// The receipt first, then the completion record: a completion record
	// always means the receipt was published. The progress record goes
	// after it.
	if err := s.publish(ctx, rc); err != nil {
		return err
	}
	v, err := subjects.MarshalDone(subjects.Done{Receipt: rc, Partition: r.Partition, Offset: r.Offset})
	if err != nil {
		return err
	}
	if err := s.produce(ctx, []*kgo.Record{
		{Topic: s.pl.Subjects, Key: []byte(subjects.DoneKey(subject, q.RequestID)), Value: v, Partition: p},
		{Topic: s.pl.Subjects, Key: []byte(subjects.ProgressKey(subject, q.RequestID)), Partition: p},
	}); err != nil {
		return fmt.Errorf("writing completion record: %w", err)
	}
	// The identifier index entries found go last: a restart before this
	// point finds them again and counts again what this request did.
	if err := s.produce(ctx, ids.entries); err != nil {
		log.Warn("identifier index entries not tombstoned; they point to records that no longer show them", "err", err)
	}
	s.m.requests.WithLabelValues(outcomeCompleted).Inc()
	s.m.seconds.Observe(max(s.now().Sub(r.Timestamp), 0).Seconds())
	log.Info("erasure completed", "events", t.events, "identifiers", len(q.Identifiers),
		"rerendered", sum(ids.rerendered), "resumed", resumed, "took", s.now().Sub(start))
	return nil
}

// eraseSubject shreds the key of subject and tombstones its records, as
// index partition f (number p) lists them, counting into t.
func (s *Service) eraseSubject(ctx context.Context, f *changelog.Table, p int32, subject, id string, at, start time.Time, t *tally) error {
	// Shred first: from now on no instance gives the subject a fresh key
	// for events sent up to the request, and the processor drops them, so
	// that no new index entries appear for them while we erase.
	mk, err := s.kr.Shred(ctx, subject, keyring.Erasure{At: at.UTC(), RequestID: id})
	if err != nil {
		return fmt.Errorf("shredding key: %w", err)
	}
	t.counts[s.pl.Keys] = 1
	// Every instance rendering events must have seen the shred before the
	// last pass; one that joins meanwhile must too.
	members, err := s.awaitAcks(ctx, mk)
	if err != nil {
		return err
	}
	for {
		if err := s.passes(ctx, f, p, subject, id, start, t); err != nil {
			return err
		}
		now, err := s.renderers(ctx)
		if err != nil {
			return err
		}
		if slices.Equal(now, members) {
			return nil
		}
		if members, err = s.awaitAcks(ctx, mk); err != nil {
			return err
		}
	}
}

// receipt is the receipt of request id: the subject's tombstones and events
// in t, the re-rendered and fail-closed records of its identifiers in ids,
// and the identifier index entries it removes (on topic index). Its status
// is not_found when it found nothing at all.
func receipt(id, subject string, t *tally, ids *identified, index string) schemas.ErasureReceipt {
	for topic, n := range ids.tombstoned {
		t.counts[topic] += n
	}
	if len(ids.entries) > 0 {
		t.counts[index] += len(ids.entries)
	}
	rc := schemas.ErasureReceipt{
		RequestID:   id,
		SubjectHash: subject,
		Reason:      ReasonRequest,
		Tombstones:  t.counts,
		Rerendered:  ids.rerendered,
		Events:      t.events,
		Status:      StatusCompleted,
	}
	if len(rc.Rerendered) == 0 {
		rc.Rerendered = nil
	}
	if len(rc.Tombstones) == 0 {
		rc.Tombstones = nil
	}
	if t.events == 0 && sum(ids.rerendered) == 0 && len(ids.entries) == 0 && sum(ids.tombstoned) == 0 {
		rc.Status = StatusNotFound
	}
	return rc
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// passes tombstones what index partition f holds of subject, catching up
// first, and goes again until a pass finds nothing (entries of events
// handled just before the shred may arrive after a pass).
func (s *Service) passes(ctx context.Context, f *changelog.Table, p int32, subject, id string, started time.Time, t *tally) error {
	for range 3 {
		if err := s.catchUp(ctx, f); err != nil {
			return err
		}
		n, err := s.tombstoneSubject(ctx, p, subject, id, started, t)
		if err != nil || n == 0 {
			return err
		}
	}
	return nil
}

// tally counts what an erasure removed: index entries (events) and
// tombstones per topic.
type tally struct {
	events int
	counts map[string]int
}

// add counts the tombstones of one index entry and its view records.
func (t *tally) add(e subjects.Pending, index string) {
	t.events++
	t.counts[index]++
	for _, topic := range e.Topics {
		t.counts[topic]++
	}
}

// resume returns the tally of the progress record g: its acknowledged
// chunks, plus the entries of its pending chunk that are gone from the index
// (their tombstones were written before the restart). Entries of the pending
// chunk still present are found and counted again by the next pass.
func (s *Service) resume(p int32, g subjects.Progress) (tally, error) {
	t := tally{events: g.Events, counts: map[string]int{}}
	for topic, n := range g.Tombstones {
		t.counts[topic] = n
	}
	for _, e := range g.Pending {
		ok, err := s.st.Has(p, e.Key)
		if err != nil {
			return t, err
		}
		if !ok {
			t.add(e, s.pl.Subjects)
		}
	}
	return t, nil
}

// tombstoneSubject writes tombstones for every view record and index entry
// of subject in index partition p, adds them to t, and returns the number of
// index entries (events) it found. Before each chunk it writes the progress
// record of request id: what t holds and the chunk in hand.
func (s *Service) tombstoneSubject(ctx context.Context, p int32, subject, id string, started time.Time, t *tally) (int, error) {
	events := 0
	var views, index []*kgo.Record
	var chunk []subjects.Pending
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		v, err := subjects.MarshalProgress(subjects.Progress{Events: t.events, Tombstones: t.counts, StartedAt: started, Pending: chunk})
		if err != nil {
			return err
		}
		if err := s.produce(ctx, []*kgo.Record{{Topic: s.pl.Subjects, Key: []byte(subjects.ProgressKey(subject, id)), Value: v, Partition: p}}); err != nil {
			return fmt.Errorf("writing progress record: %w", err)
		}
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
		for _, e := range chunk {
			t.add(e, s.pl.Subjects)
		}
		views, index, chunk = views[:0], index[:0], chunk[:0]
		return nil
	}
	err := s.st.Entries(p, subject+"/", func(key string, e subjects.Entry) error {
		events++
		topics := s.viewTopics(e)
		for _, topic := range topics {
			views = append(views, viewTombstone(topic, e))
		}
		index = append(index, &kgo.Record{Topic: s.pl.Subjects, Key: []byte(key), Partition: p})
		chunk = append(chunk, subjects.Pending{Key: key, Topics: topics})
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
func (s *Service) viewTopics(e subjects.Entry) []string {
	ts := make([]string, 0, len(e.Views)+len(s.pl.Views))
	for _, v := range e.Views {
		ts = append(ts, v.Topic)
	}
	ts = append(ts, s.pl.Views...)
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
func viewTombstone(topic string, e subjects.Entry) *kgo.Record {
	conv := e.ConversationID
	if conv == "" {
		conv, _, _ = strings.Cut(e.Key, "/")
	}
	return &kgo.Record{Topic: topic, Key: []byte(e.Key), Context: changelog.WithPartitionKey(conv)}
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
