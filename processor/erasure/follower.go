package erasure

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"
)

// errStopped reports that a partition was revoked while it was in use.
var errStopped = errors.New("index partition no longer owned")

// follower restores one partition of the index topic into the store, from
// its start, and then follows it. It has its own client, so that stopping it
// drops nothing else's data and no fetched record arrives after it stopped.
type follower struct {
	p      int32
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	next    int64 // offset after the last record applied
	err     error // set when following stopped
	changed chan struct{}
}

// follow starts a follower of partition p of topic. conn are the connection
// options. Stop it with stop.
func follow(ctx context.Context, conn []kgo.Opt, topic string, p int32, st *store, log *slog.Logger) (*follower, error) {
	cl, err := kgo.NewClient(append(conn[:len(conn):len(conn)],
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {p: kgo.NewOffset().AtStart()}}),
		// Control records are returned so that the position reaches the
		// high watermark even when the partition ends with a commit marker.
		kgo.KeepControlRecords(),
	)...)
	if err != nil {
		return nil, fmt.Errorf("creating index client: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	f := &follower{p: p, cancel: cancel, changed: make(chan struct{})}
	f.wg.Go(func() {
		defer cl.Close()
		for {
			fetches := cl.PollFetches(ctx)
			if ctx.Err() != nil {
				f.finish(errStopped)
				return
			}
			fetches.EachError(func(t string, part int32, err error) {
				log.Warn("index fetch error", "topic", t, "partition", part, "err", err)
			})
			var applyErr error
			fetches.EachPartition(func(fp kgo.FetchTopicPartition) {
				if len(fp.Records) == 0 || applyErr != nil {
					return
				}
				if applyErr = st.apply(p, fp.Records); applyErr == nil {
					f.advance(fp.Records[len(fp.Records)-1].Offset + 1)
				}
			})
			if applyErr != nil {
				log.Error("index partition not followed any more", "partition", p, "err", applyErr)
				f.finish(applyErr)
				return
			}
		}
	})
	return f, nil
}

func (f *follower) advance(next int64) {
	f.mu.Lock()
	f.next = next
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
}

func (f *follower) finish(err error) {
	f.mu.Lock()
	if f.err == nil {
		f.err = err
		close(f.changed)
		f.changed = make(chan struct{})
	}
	f.mu.Unlock()
}

// stop stops following and waits for the follower to end.
func (f *follower) stop() {
	f.cancel()
	f.wg.Wait()
}

// wait waits until every record before offset has been applied.
func (f *follower) wait(ctx context.Context, offset int64) error {
	for {
		f.mu.Lock()
		next, err, ch := f.next, f.err, f.changed
		f.mu.Unlock()
		if err != nil {
			return err
		}
		if next >= offset {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// alive reports whether the follower still follows.
func (f *follower) alive() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err == nil
}
