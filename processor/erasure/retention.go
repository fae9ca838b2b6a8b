package erasure

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor/subjects"
	"github.com/veil-privacy/veil/schemas"
)

// sweepTally is what one retention rule expired in one sweep.
type sweepTally struct {
	counts map[string]int
	events int
}

// sweep expires view records by retention policy in the index partitions
// this instance owns: a record whose event was sent longer ago than its
// rule keeps is tombstoned; an index entry is rewritten without the views
// expired, or tombstoned when none is left. It publishes one receipt per
// rule that expired anything.
func (s *Service) sweep(ctx context.Context) error {
	ctx = context.WithValue(ctx, sweepCtx{}, true)
	now := s.now()
	started := ms(now)
	s.mu.Lock()
	owned := slices.Sorted(maps.Keys(s.owned))
	s.mu.Unlock()
	tally := map[string]*sweepTally{}
	for _, p := range owned {
		s.mu.Lock()
		f := s.owned[p]
		s.mu.Unlock()
		if f == nil {
			continue
		}
		if err := s.catchUp(ctx, f); err != nil {
			return err
		}
		if err := s.sweepPartition(ctx, p, now, tally); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(tally)) {
		t := tally[name]
		rc := schemas.ErasureReceipt{
			RequestID:   fmt.Sprintf("retention/%s/%s", name, started.Format("2006-01-02T15:04:05.000Z07:00")),
			Reason:      ReasonRetention,
			Policy:      name,
			Tombstones:  t.counts,
			Events:      t.events,
			StartedAt:   started,
			CompletedAt: ms(s.now()),
			Status:      StatusCompleted,
		}
		if err := s.publish(ctx, rc); err != nil {
			return err
		}
		s.log.Info("retention sweep expired records", "policy", name, "events", t.events)
	}
	s.m.sweeps.Inc()
	return nil
}

// sweepCtx marks the context of a retention sweep and of its records.
type sweepCtx struct{}

// Sweeping reports whether ctx is that of a retention sweep or of a record
// it produces (so that client hooks can tell the sweeper's records apart).
func Sweeping(ctx context.Context) bool {
	v, _ := ctx.Value(sweepCtx{}).(bool)
	return v
}

// sweepPartition expires what is due in index partition p, adding to tally.
func (s *Service) sweepPartition(ctx context.Context, p int32, now time.Time, tally map[string]*sweepTally) error {
	var views, index []*kgo.Record
	flush := func() error {
		for _, r := range views {
			r.Context = context.WithValue(r.Context, sweepCtx{}, true)
		}
		if err := s.produce(ctx, views); err != nil {
			return fmt.Errorf("writing view tombstones: %w", err)
		}
		// Index updates only after the view tombstones are acknowledged: a
		// crash in between leaves the entries, and the next sweep finds
		// them again.
		if err := s.produce(ctx, index); err != nil {
			return fmt.Errorf("updating index entries: %w", err)
		}
		s.countTombstones(views, ReasonRetention)
		for _, r := range index {
			if r.Value == nil {
				s.m.tombstones.WithLabelValues(r.Topic, ReasonRetention).Inc()
			}
		}
		views, index = views[:0], index[:0]
		return nil
	}
	err := s.st.Entries(p, "", func(key string, e subjects.Entry) error {
		var kept []subjects.View
		var hit []string // rules that expired a view of e
		for _, v := range e.Views {
			rule := s.cfg.Retention.Match(e.Channel, e.Locale, v.Name)
			if rule.Keep <= 0 || !e.SentAt.Add(rule.Keep).Before(now) {
				kept = append(kept, v)
				continue
			}
			views = append(views, viewTombstone(v.Topic, e))
			t := tally[rule.Name]
			if t == nil {
				t = &sweepTally{counts: map[string]int{}}
				tally[rule.Name] = t
			}
			t.counts[v.Topic]++
			if !slices.Contains(hit, rule.Name) {
				hit = append(hit, rule.Name)
				t.events++
			}
		}
		if len(kept) == len(e.Views) {
			return nil
		}
		rec := &kgo.Record{Topic: s.pl.Subjects, Key: []byte(key), Partition: p}
		if len(kept) > 0 {
			e.Views = kept
			rec.Value = subjects.MarshalEntry(e)
		} else {
			tally[hit[0]].counts[s.pl.Subjects]++
		}
		index = append(index, rec)
		if len(index) >= tombstoneChunk {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return err
}
