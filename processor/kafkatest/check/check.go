// Package check is a Jepsen-style checker for Veil's fault tests: a History
// records every input event produced in a run; View then reads a view
// topic twice, with read_committed and with read_uncommitted, and reports
// what each reader saw against the history: events lost, duplicated, out of
// order within their conversation, leaked (a canary value in an output),
// and, for read_committed, aborted reads (records of aborted transactions
// that a read_committed reader was given). It is for tests only.
package check

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/schemas"
)

// History is every input event produced in a run. It is safe for
// concurrent use.
type History struct {
	mu     sync.Mutex
	events map[string]place // event id -> place in its conversation
	convN  map[string]int   // conversation -> events recorded
	erased map[string]bool  // event ids that may be missing (erased)
}

type place struct {
	conv string
	seq  int // 1-based position in the conversation's input order
}

// Record adds evs, in the order they are produced.
func (h *History) Record(evs ...schemas.ConversationEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.events == nil {
		h.events, h.convN = map[string]place{}, map[string]int{}
	}
	for _, ev := range evs {
		if _, ok := h.events[ev.EventID]; ok {
			continue
		}
		h.convN[ev.ConversationID]++
		h.events[ev.EventID] = place{conv: ev.ConversationID, seq: h.convN[ev.ConversationID]}
	}
}

// Erase marks recorded events as erased: their records may be on a view
// (before their tombstones) or not, and are not counted as lost.
func (h *History) Erase(evs ...schemas.ConversationEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.erased == nil {
		h.erased = map[string]bool{}
	}
	for _, ev := range evs {
		h.erased[ev.EventID] = true
	}
}

// Len returns the number of events recorded.
func (h *History) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.events)
}

// Report is what one reader of a view topic saw.
type Report struct {
	Topic, Isolation string
	// In is the number of input events; Out the number of records read.
	In, Out int
	// Tombstones are records without a value (erasure), not counted in
	// Out.
	Tombstones int
	// Lost are input events with no record; Duplicates records of an
	// event already seen; Order records of an event that came after a later
	// event of the same conversation; Unknown records of no input event.
	Lost, Duplicates, Order, Unknown int
	// Aborted are records of aborted transactions among those read
	// (read_committed: each is an aborted read; read_uncommitted: expected
	// after aborts). Pending are records of transactions still open.
	Aborted, Pending int
	// Leaks are records holding a canary value.
	Leaks int
}

func (r Report) String() string {
	return fmt.Sprintf("%s %s: in=%d out=%d lost=%d duplicates=%d order_violations=%d aborted=%d pending=%d unknown=%d leaks=%d tombstones=%d",
		r.Topic, r.Isolation, r.In, r.Out, r.Lost, r.Duplicates, r.Order, r.Aborted, r.Pending, r.Unknown, r.Leaks, r.Tombstones)
}

// Clean reports whether nothing was lost, out of order, unknown, leaked or
// read from an aborted or open transaction; with noDuplicates, also that
// nothing was duplicated.
func (r Report) Clean(noDuplicates bool) bool {
	return r.Lost == 0 && r.Order == 0 && r.Unknown == 0 && r.Leaks == 0 && r.Aborted == 0 && r.Pending == 0 &&
		(!noDuplicates || r.Duplicates == 0)
}

// View reads topic from its start to its current end, once with
// read_committed and once with read_uncommitted, and checks what each saw
// against h. Records are decoded as rendered events in format; a record
// holding any of canaries (in its key, text fields or headers) is a leak.
func View(ctx context.Context, brokers []string, topic string, format schemas.Format, h *History, canaries []string) (committed, uncommitted Report, err error) {
	codec, err := schemas.NewCodec(format)
	if err != nil {
		return committed, uncommitted, err
	}
	// read_uncommitted with the control records tells which offsets
	// belong to aborted and open transactions.
	all, err := Read(ctx, brokers, topic, kgo.ReadUncommitted())
	if err != nil {
		return committed, uncommitted, err
	}
	fate := fates(all)
	rc, err := Read(ctx, brokers, topic, kgo.ReadCommitted())
	if err != nil {
		return committed, uncommitted, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	committed, err = h.check(topic, "read_committed", rc, fate, codec, canaries)
	if err != nil {
		return committed, uncommitted, err
	}
	uncommitted, err = h.check(topic, "read_uncommitted", all, fate, codec, canaries)
	return committed, uncommitted, err
}

type offset struct {
	p int32
	o int64
}

// The fates of a transactional record.
const (
	committedFate = iota
	abortedFate
	pendingFate
)

// fates classifies the data records of recs (read with read_uncommitted,
// control records included) as aborted or still pending; the rest are
// committed.
func fates(recs []*kgo.Record) map[offset]int {
	out := map[offset]int{}
	type pid struct {
		p  int32
		id int64
	}
	open := map[pid][]int64{}
	for _, r := range recs {
		k := pid{r.Partition, r.ProducerID}
		if r.Attrs.IsControl() {
			fate := committedFate
			if len(r.Key) >= 4 && r.Key[2] == 0 && r.Key[3] == 0 {
				fate = abortedFate
			}
			for _, o := range open[k] {
				out[offset{r.Partition, o}] = fate
			}
			delete(open, k)
			continue
		}
		if r.Attrs.IsTransactional() {
			open[k] = append(open[k], r.Offset)
		}
	}
	for k, offs := range open {
		for _, o := range offs {
			out[offset{k.p, o}] = pendingFate
		}
	}
	return out
}

func (h *History) check(topic, isolation string, recs []*kgo.Record, fate map[offset]int, codec *schemas.Codec, canaries []string) (Report, error) {
	r := Report{Topic: topic, Isolation: isolation, In: len(h.events) - len(h.erased)}
	seen := map[string]bool{}
	last := map[string]int{} // conversation -> highest sequence number seen
	for _, rec := range recs {
		if rec.Attrs.IsControl() {
			continue
		}
		if rec.Value == nil {
			r.Tombstones++
			continue
		}
		r.Out++
		switch fate[offset{rec.Partition, rec.Offset}] {
		case abortedFate:
			r.Aborted++
			continue
		case pendingFate:
			r.Pending++
			continue
		}
		re, err := codec.DecodeRendered(rec.Value)
		if err != nil {
			return r, fmt.Errorf("decoding %s/%d@%d: %w", rec.Topic, rec.Partition, rec.Offset, err)
		}
		text := string(rec.Key) + re.Body + re.Subject + re.CustomerID + re.AuthorName + re.AuthorEmail
		for _, hd := range rec.Headers {
			text += string(hd.Value)
		}
		for _, c := range canaries {
			if strings.Contains(text, c) {
				r.Leaks++
				break
			}
		}
		pl, ok := h.events[re.EventID]
		switch {
		case !ok:
			r.Unknown++
		case seen[re.EventID]:
			r.Duplicates++
		default:
			seen[re.EventID] = true
			if pl.seq < last[pl.conv] {
				r.Order++
			}
			last[pl.conv] = max(last[pl.conv], pl.seq)
		}
	}
	for id := range h.events {
		if !seen[id] && !h.erased[id] {
			r.Lost++
		}
	}
	return r, nil
}

// Read reads topic from its start up to the end its readers at isolation
// can reach now (the high watermark for read_uncommitted, the last stable
// offset for read_committed), control records included.
func Read(ctx context.Context, brokers []string, topic string, isolation kgo.IsolationLevel) ([]*kgo.Record, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchIsolationLevel(isolation), kgo.KeepControlRecords())
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	starts, err := adm.ListStartOffsets(ctx, topic)
	if err == nil {
		err = starts.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("listing start offsets of %s: %w", topic, err)
	}
	list := adm.ListEndOffsets
	if isolation == kgo.ReadCommitted() {
		list = adm.ListCommittedOffsets
	}
	ends, err := list(ctx, topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("listing end offsets of %s: %w", topic, err)
	}
	want := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		if s, ok := starts.Lookup(topic, o.Partition); !ok || s.Offset < o.Offset {
			want[o.Partition] = o.Offset
		}
	})
	var out []*kgo.Record
	for len(want) > 0 {
		f := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return out, fmt.Errorf("reading %s to its end (%d partitions short): %w", topic, len(want), err)
		}
		f.EachRecord(func(r *kgo.Record) {
			if end, ok := want[r.Partition]; ok && r.Offset < end {
				out = append(out, r)
			}
			if end, ok := want[r.Partition]; ok && r.Offset+1 >= end {
				delete(want, r.Partition)
			}
		})
	}
	return out, nil
}
