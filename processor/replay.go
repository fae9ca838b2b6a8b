package processor

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// Conversation state across rebalances. A worker keeps the open questions of the
// conversations it handles (rules.Conversations), so that a bare answer ("123456782" after
// "Wat is uw burgerservicenummer?") is redacted. A partition this instance did not own a
// moment ago (at start, or moved here by a rebalance) comes without that state: its last
// questions were read by the instance that owned it, or by this one before a restart. So,
// before the first records of such a partition are handled, the processor reads back what
// was handled of it in the last rules.PrimeFor (only up to the offset it resumes at) and
// replays it into the workers that will own its conversations (rules.ReplayTurn): every
// message updates the state as it did when it was handled, and nothing is produced.
const (
	// replayRecords bounds the records read back per partition: the newest ones.
	replayRecords = 20000
	// replayTimeout bounds one read-back; rebalances wait for it. What is not read by then
	// is left out, and the state is rebuilt in part.
	replayTimeout = 10 * time.Second
)

// owned is the set of partitions whose conversation state this instance holds: those it
// has handled records of since they were assigned.
type owned struct {
	mu sync.Mutex
	m  map[string]map[int32]bool
}

// claim marks every partition of fetches with records as owned and returns, for those
// that were not, the offset of their first record: where reading back ends.
func (o *owned) claim(fetches kgo.Fetches) map[string]map[int32]int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	var fresh map[string]map[int32]int64
	fetches.EachPartition(func(fp kgo.FetchTopicPartition) {
		if len(fp.Records) == 0 || o.m[fp.Topic][fp.Partition] {
			return
		}
		if o.m == nil {
			o.m = map[string]map[int32]bool{}
		}
		if o.m[fp.Topic] == nil {
			o.m[fp.Topic] = map[int32]bool{}
		}
		o.m[fp.Topic][fp.Partition] = true
		if first := fp.Records[0].Offset; first > 0 {
			if fresh == nil {
				fresh = map[string]map[int32]int64{}
			}
			if fresh[fp.Topic] == nil {
				fresh[fp.Topic] = map[int32]int64{}
			}
			fresh[fp.Topic][fp.Partition] = first
		}
	})
	return fresh
}

// release forgets partitions revoked or lost: when they come back, their state is read
// back again.
func (o *owned) release(parts map[string][]int32) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for t, ps := range parts {
		for _, part := range ps {
			delete(o.m[t], part)
		}
	}
}

// rebuildConversations reads back, for the partitions of fetches this instance did not own
// before, the records handled before the first of fetches (at most replayRecords each, sent
// within rules.PrimeFor), and queues them to their workers for replaying, ahead of the
// records of fetches. It fails closed in the sense that matters: a partition it cannot read
// back is handled without the state (logged), as it would be without this.
func (p *Processor) rebuildConversations(ctx context.Context, cl *kgo.Client, w *pool, fetches kgo.Fetches) {
	ends := p.owned.claim(fetches)
	if len(ends) == 0 {
		return
	}
	start := time.Now()
	n, parts, err := p.readBack(ctx, cl, w, ends)
	switch {
	case err != nil && ctx.Err() == nil:
		p.log.Warn("conversation state rebuilt in part: reading back the partitions assigned failed",
			"partitions", parts, "records", n, "err", err)
	case n > 0:
		p.log.Info("conversation state rebuilt", "partitions", parts, "records", n, "took", time.Since(start).Round(time.Millisecond))
	}
}

// readBack queues to w, for replaying, the records of each partition in ends that precede
// its end offset and were written within rules.PrimeFor, the newest replayRecords at most.
// It returns how many it queued and of how many partitions.
func (p *Processor) readBack(ctx context.Context, cl *kgo.Client, w *pool, ends map[string]map[int32]int64) (queued, parts int, err error) {
	rctx, cancel := context.WithTimeout(ctx, replayTimeout)
	defer cancel()
	topics := make([]string, 0, len(ends))
	for t := range ends {
		topics = append(topics, t)
	}
	since, err := kadm.NewClient(cl).ListOffsetsAfterMilli(rctx, time.Now().Add(-rules.PrimeFor).UnixMilli(), topics...)
	if err != nil {
		return 0, 0, fmt.Errorf("listing offsets of the last %v: %w", rules.PrimeFor, err)
	}
	from := map[string]map[int32]kgo.Offset{}
	left := map[string]map[int32]int64{} // the partitions still read: their end offsets
	for t, ps := range ends {
		for part, end := range ps {
			lo, ok := since.Lookup(t, part)
			if !ok || lo.Err != nil || lo.Offset < 0 {
				continue
			}
			if first := max(lo.Offset, end-replayRecords); first < end {
				if from[t] == nil {
					from[t], left[t] = map[int32]kgo.Offset{}, map[int32]int64{}
				}
				from[t][part], left[t][part] = kgo.NewOffset().At(first), end
				parts++
			}
		}
	}
	if parts == 0 {
		return 0, 0, nil
	}
	opts := append(slices.Clip(p.conn), kgo.ConsumePartitions(from), kgo.MaxDecompressBatchBytes(p.cfg.Input.MaxBatchBytes))
	if p.cfg.Processing.Guarantee == ExactlyOnce {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	rc, err := kgo.NewClient(opts...)
	if err != nil {
		return 0, parts, fmt.Errorf("creating the read-back client: %w", err)
	}
	defer rc.Close()
	// Every partition ends: its record at the end offset was fetched by the group client
	// at the same isolation level, so reading on reaches it.
	for remaining := parts; remaining > 0; {
		fs := rc.PollFetches(rctx)
		if rctx.Err() != nil {
			return queued, parts, fmt.Errorf("reading back: %w", rctx.Err())
		}
		var ferr error
		fs.EachError(func(t string, part int32, err error) {
			ferr = cmp.Or(ferr, fmt.Errorf("reading back %s/%d: %w", t, part, err))
		})
		if ferr != nil {
			return queued, parts, ferr
		}
		fs.EachPartition(func(fp kgo.FetchTopicPartition) {
			end, ok := left[fp.Topic][fp.Partition]
			if !ok {
				return // done already; records fetched before the pause
			}
			for _, r := range fp.Records {
				if r.Offset >= end {
					break
				}
				w.replay(ctx, r)
				queued++
			}
			if len(fp.Records) > 0 && fp.Records[len(fp.Records)-1].Offset >= end-1 {
				delete(left[fp.Topic], fp.Partition)
				rc.PauseFetchPartitions(map[string][]int32{fp.Topic: {fp.Partition}})
				remaining--
			}
		})
	}
	return queued, parts, nil
}

// replayRecord replays the event of r into the conversation state of w: nothing is
// produced, and an event that would go to the dead-letter topic is left out.
func (p *Processor) replayRecord(ctx context.Context, w *worker, r *kgo.Record) {
	if len(r.Value) > p.cfg.Input.MaxEventBytes {
		return
	}
	ev, err := p.in.DecodeEventContext(ctx, r.Value)
	if err != nil || len(ev.Body)+len(ev.Subject) > p.cfg.Input.MaxTextBytes {
		return
	}
	w.convs.Replay(p.engine, ev.ConversationID, turnOf(&ev))
}

// turnOf is the message of ev as the conversation state reads it.
func turnOf(ev *schemas.ConversationEvent) rules.Turn {
	return rules.Turn{Text: ev.Body, Locale: ev.Locale, Author: cmp.Or(ev.AuthorRole, ev.AuthorName), SentAt: ev.SentAt}
}
