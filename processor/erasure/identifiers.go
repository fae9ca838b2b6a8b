package erasure

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/processor/subjects"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// identified is what erasing a request's identifiers did and leaves to do.
type identified struct {
	// rerendered and tombstoned count view records per view topic:
	// written again with the identifiers redacted, and tombstoned because
	// they could not be re-rendered safely (fail closed).
	rerendered, tombstoned map[string]int
	// entries are the tombstones of the identifier index entries found,
	// written once the receipt is out (a restart before that finds them
	// again, and so counts again what was re-rendered).
	entries []*kgo.Record
}

// eraseIdentifiers redacts the identifiers of q in every view record the
// identifier index says holds one, on every view topic, except the records
// of subject (the request's own, tombstoned already; "" for none).
func (s *Service) eraseIdentifiers(ctx context.Context, q *schemas.ErasureRequest, subject string) (identified, error) {
	res := identified{rerendered: map[string]int{}, tombstoned: map[string]int{}}
	targets, err := s.findIdentifiers(ctx, q.Identifiers, subject, &res)
	if err != nil || len(targets) == 0 {
		return res, err
	}
	for _, topic := range s.pl.Views {
		latest, err := s.latest(ctx, topic, targets)
		if err != nil {
			return res, err
		}
		var recs []*kgo.Record
		for key, r := range latest {
			rec, what := s.rerender(r, targets[key], q.RequestID)
			switch what {
			case rerendered:
				res.rerendered[topic]++
			case failClosed:
				res.tombstoned[topic]++
				s.log.Warn("view record without a usable sidecar tombstoned", "request_id", q.RequestID,
					"topic", topic, "partition", r.Partition, "offset", r.Offset)
			}
			if rec != nil {
				recs = append(recs, rec)
			}
		}
		if err := s.produce(ctx, recs); err != nil {
			return res, fmt.Errorf("writing re-rendered records: %w", err)
		}
		if err := s.produce(ctx, rollMarkers(recs)); err != nil {
			return res, fmt.Errorf("writing roll markers: %w", err)
		}
		for _, r := range recs {
			if r.Value == nil {
				s.m.tombstones.WithLabelValues(r.Topic, ReasonRequest).Inc()
			} else {
				s.m.rerendered.WithLabelValues(r.Topic).Inc()
			}
		}
	}
	return res, nil
}

// findIdentifiers looks up each identifier in its partition of the
// identifier index and returns the view records that hold one, by view key,
// with the identifiers each holds. It adds the tombstone of every entry
// found to res.entries.
func (s *Service) findIdentifiers(ctx context.Context, ids []schemas.Identifier, subject string, res *identified) (map[string]*target, error) {
	h, err := subjects.NewIdentifierHasher(s.kr.IdentifierIndexKey())
	if err != nil {
		return nil, err
	}
	n, err := s.topicPartitions(ctx, s.pl.Identifiers)
	if err != nil {
		return nil, err
	}
	targets := map[string]*target{}
	for _, id := range ids {
		norm, _ := subjects.NormalizeIdentifier(id.Type, id.Value, "")
		if norm == "" {
			continue
		}
		iid := h.ID(id.Type, norm)
		p := int32(changelog.PartitionFor(iid, n))
		if err := s.identifierPartition(ctx, p); err != nil {
			return nil, err
		}
		want := rules.Identifier{Type: rules.Type(id.Type), Value: id.Value}
		err := s.st.Identifiers(p, iid, func(e subjects.IdentifierEntry) error {
			res.entries = append(res.entries, &kgo.Record{Topic: s.pl.Identifiers, Partition: p,
				Key: []byte(subjects.IdentifierEntryKey(e.ID, e.Key))})
			if subject != "" && e.Subject == subject {
				return nil // the request's own record: tombstoned
			}
			t := targets[e.Key]
			if t == nil {
				t = &target{key: e.Key, conv: e.ConversationID, subject: e.Subject, sentAt: e.SentAt}
				targets[e.Key] = t
			}
			if !slices.Contains(t.ids, want) {
				t.ids = append(t.ids, want)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return targets, nil
}

// identifierPartition restores partition p of the identifier index into the
// store, if it is not followed yet, and waits until it has caught up. A
// partition once restored is followed until Run ends: identifiers are
// spread over every partition, so any may be asked for again.
func (s *Service) identifierPartition(ctx context.Context, p int32) error {
	t, ok := s.idents[p]
	if !ok || t.Err() != nil {
		if ok {
			t.Stop()
			if err := s.st.DropIdentifiers(p); err != nil {
				return err
			}
		}
		conn := append(slices.Clip(s.conn), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
		var err error
		// Run stops it when it ends (not the request's context).
		if t, err = changelog.Follow(context.WithoutCancel(ctx), conn, s.pl.Identifiers, []int32{p}, s.st.ApplyIdentifiers, s.log); err != nil {
			return err
		}
		s.idents[p] = t
	}
	if err := t.CaughtUp(ctx); err != nil {
		if errors.Is(err, changelog.ErrStopped) {
			return errStopped
		}
		return fmt.Errorf("restoring %s/%d: %w", s.pl.Identifiers, p, err)
	}
	return nil
}
