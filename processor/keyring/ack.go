package keyring

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// ackPrefix begins the key of an acknowledgement record on the keys topic:
// "!veil-ack/<group member id>".
const ackPrefix = "!veil-ack/"

// An erasure is complete only when no instance can still write an event of
// the erased subject rendered before it learnt of the shred. So every
// processor acknowledges the shred markers it applies: once its keyring has
// applied a marker and every batch that began rendering before that is done
// (its outputs, index entries included, acknowledged or committed), it
// writes an acknowledgement record, keyed by its group member id, holding
// the offsets of the keys topic it had applied then. The erasure service
// waits until every member that owns partitions has acknowledged past its
// shred marker, then makes its last pass over the index.

// ackValue is the value of an acknowledgement record.
type ackValue struct {
	// Offsets are, per partition of the keys topic, the offset after the
	// last record applied before every batch still in flight began.
	Offsets map[int32]int64 `json:"offsets"`
	At      time.Time       `json:"at"`
}

// ackState is the keyring's part in acknowledgements; k.mu guards it.
type ackState struct {
	marker  map[int32]int64            // offset of the last shred marker applied, per partition
	renders map[uint64]map[int32]int64 // applied offsets when each batch in flight began
	next    uint64
	member  string                     // our group member id; "" while not a member
	old     []string                   // earlier member ids whose acknowledgements to delete
	acked   map[int32]int64            // offsets of our last acknowledgement
	seen    map[string]map[int32]int64 // acknowledgements on the topic, by member
	changed chan struct{}              // closed and replaced when seen changes
	publish chan struct{}              // signals Run to write an acknowledgement
}

func newAckState() ackState {
	return ackState{
		marker: map[int32]int64{}, renders: map[uint64]map[int32]int64{},
		acked: map[int32]int64{}, seen: map[string]map[int32]int64{},
		changed: make(chan struct{}), publish: make(chan struct{}, 1),
	}
}

// applyAck notes where shred markers are and folds record r of partition p
// if it is an acknowledgement; it reports whether r was one. k.mu is held;
// k.next already counts r.
func (k *Keyring) applyAck(p int32, r *kgo.Record) bool {
	a := &k.acks
	key := string(r.Key)
	if strings.HasPrefix(key, erasedPrefix) && r.Value != nil {
		a.marker[p] = r.Offset
	}
	member, ok := strings.CutPrefix(key, ackPrefix)
	if !ok {
		return false
	}
	var v ackValue
	if r.Value == nil {
		delete(a.seen, member)
	} else if err := json.Unmarshal(r.Value, &v); err == nil {
		a.seen[member] = v.Offsets
	}
	close(a.changed)
	a.changed = make(chan struct{})
	return true
}

// watermark returns the applied offsets before the oldest batch in flight
// began (the applied offsets if none is). k.mu is held.
func (k *Keyring) watermark() map[int32]int64 {
	w := maps.Clone(k.next)
	for _, r := range k.acks.renders {
		for p, o := range w {
			w[p] = min(o, r[p])
		}
	}
	return w
}

// signalAck asks Run to write an acknowledgement if a marker applied since
// the last one is now below the watermark. k.mu is held.
func (k *Keyring) signalAck() {
	a := &k.acks
	if a.member == "" {
		return
	}
	w := k.watermark()
	for p, m := range a.marker {
		if m >= a.acked[p] && w[p] > m {
			select {
			case a.publish <- struct{}{}:
			default:
			}
			return
		}
	}
}

// SetMember records the group member id the processor acknowledges shreds
// under; a new id acknowledges every marker applied so far.
func (k *Keyring) SetMember(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if id == k.acks.member {
		return
	}
	if k.acks.member != "" {
		k.acks.old = append(k.acks.old, k.acks.member)
	}
	k.acks.member = id
	clear(k.acks.acked)
	k.signalAck()
}

// Render is a batch being rendered; call Done when its outputs are
// acknowledged or committed (or will never be).
type Render struct {
	k  *Keyring
	id uint64
}

// BeginRender marks the start of a batch: events in it see every shred
// applied so far.
func (k *Keyring) BeginRender() Render {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.acks.next++
	k.acks.renders[k.acks.next] = maps.Clone(k.next)
	return Render{k: k, id: k.acks.next}
}

// Done ends the batch.
func (r Render) Done() {
	if r.k == nil {
		return
	}
	r.k.mu.Lock()
	defer r.k.mu.Unlock()
	delete(r.k.acks.renders, r.id)
	r.k.signalAck()
}

// writeAck writes an acknowledgement of the current watermark.
func (k *Keyring) writeAck(ctx context.Context) {
	k.mu.Lock()
	member, w, old := k.acks.member, k.watermark(), k.acks.old
	k.acks.old = nil
	k.mu.Unlock()
	if member == "" {
		return
	}
	v, _ := json.Marshal(ackValue{Offsets: w, At: time.Now().UTC()})
	recs := []*kgo.Record{{Topic: k.topic, Key: []byte(ackPrefix + member), Value: v}}
	// The acknowledgements of our earlier member ids are no one's now.
	for _, m := range old {
		recs = append(recs, &kgo.Record{Topic: k.topic, Key: []byte(ackPrefix + m)})
	}
	if err := k.produce(ctx, recs...); err != nil {
		if ctx.Err() == nil {
			k.log.Error("acknowledging shreds", "member", member, "err", err)
		}
		return
	}
	k.mu.Lock()
	if k.acks.member == member {
		k.acks.acked = w
	}
	k.signalAck()
	k.mu.Unlock()
}

// Acknowledged reports which of members have not acknowledged the keys
// topic past offset off of partition p, and a channel closed when an
// acknowledgement arrives.
func (k *Keyring) Acknowledged(members []string, p int32, off int64) (missing []string, changed <-chan struct{}) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, m := range members {
		if o, ok := k.acks.seen[m][p]; !ok || o <= off {
			missing = append(missing, m)
		}
	}
	return missing, k.acks.changed
}
