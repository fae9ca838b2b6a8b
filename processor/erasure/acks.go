package erasure

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/veil-privacy/veil/processor/keyring"
)

// ackPoll is how often the service looks at the processor group again while
// it waits for acknowledgements.
const ackPoll = 250 * time.Millisecond

// renderers returns the sorted member ids of the processor group that own
// partitions, once the group is not rebalancing (an assignment in the
// middle of a rebalance is about to change).
func (s *Service) renderers(ctx context.Context) ([]string, error) {
	for {
		gs, err := s.adm.DescribeGroups(ctx, s.pl.Group)
		if err == nil {
			err = gs.Error()
		}
		if errors.Is(err, kerr.GroupIDNotFound) {
			return nil, nil // no processor has joined yet
		}
		if err == nil {
			g := gs[s.pl.Group]
			if g.State != "PreparingRebalance" && g.State != "CompletingRebalance" {
				var ids []string
				for _, m := range g.Members {
					if a, ok := m.Assigned.AsConsumer(); ok && len(a.Topics) > 0 {
						ids = append(ids, m.MemberID)
					}
				}
				slices.Sort(ids)
				return ids, nil
			}
		} else {
			s.log.Debug("describing the processor group", "group", s.pl.Group, "err", err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(ackPoll):
		}
	}
}

// awaitAcks waits until every member of the processor group that owns
// partitions has acknowledged the shred marker mk (see keyring's
// acknowledgements): from then on none of them writes an event of the
// subject it rendered before knowing of the shred. It returns those
// members. An instance that never acknowledges (one without this
// protocol) holds the erasure back, and a warning names it every 30 s.
func (s *Service) awaitAcks(ctx context.Context, mk keyring.Marker) ([]string, error) {
	warn := time.Now().Add(30 * time.Second)
	for {
		members, err := s.renderers(ctx)
		if err != nil {
			return nil, err
		}
		missing, changed := s.kr.Acknowledged(members, mk.Partition, mk.Offset)
		if len(missing) == 0 {
			return members, nil
		}
		if time.Now().After(warn) {
			s.log.Warn("waiting for processor instances to acknowledge a shred", "members", missing)
			warn = time.Now().Add(30 * time.Second)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-changed:
		case <-time.After(ackPoll):
		}
	}
}
