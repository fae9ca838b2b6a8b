package changelog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Produce produces recs and waits for every acknowledgement. Records that
// fail are produced again, in their order in recs, after each wait of bo,
// until all are acknowledged, bo gives up or ctx ends; the last failure is
// returned then. notify, if not nil, is called before each wait with the
// records that failed in that round and the first error. A record's
// Partition is kept for topics partitioned by hand (kgo.ManualPartitioner);
// other partitioners place the record again, in the same partition. Every
// record of recs has its Partition and Offset set as acknowledged when
// Produce returns nil.
func Produce(ctx context.Context, cl *kgo.Client, bo backoff.BackOff, recs []*kgo.Record, notify func(failed []*kgo.Record, err error)) error {
	pending := recs
	// orig maps a record produced again to the one in recs it stands for.
	orig := map[*kgo.Record]*kgo.Record{}
	op := func() error {
		if len(pending) == 0 {
			return nil
		}
		var (
			failed []*kgo.Record
			first  error
		)
		for _, r := range cl.ProduceSync(ctx, pending...) {
			o, again := orig[r.Record]
			if !again {
				o = r.Record
			}
			delete(orig, r.Record)
			if r.Err != nil {
				f := Fresh(r.Record)
				orig[f] = o
				failed = append(failed, f)
				if first == nil {
					first = r.Err
				}
			} else if again {
				o.Partition, o.Offset = r.Record.Partition, r.Record.Offset
			}
		}
		pending = failed
		if len(failed) == 0 {
			return nil
		}
		if ctx.Err() != nil {
			return backoff.Permanent(ctx.Err())
		}
		if notify != nil {
			notify(failed, first)
		}
		return fmt.Errorf("%d records not acknowledged: %w", len(failed), first)
	}
	return backoff.Retry(op, backoff.WithContext(bo, ctx))
}

// Fresh copies the parts of r that producing it again needs, leaving out
// what the client set when it produced r (offset, timestamp, producer ids).
func Fresh(r *kgo.Record) *kgo.Record {
	return &kgo.Record{Topic: r.Topic, Key: r.Key, Value: r.Value, Headers: r.Headers, Context: r.Context, Partition: r.Partition}
}

// LeaveGroup removes the static member instanceID (KIP-345) from group,
// with a client of its own made from conn: a static member's client does not
// leave when it closes, and the group would wait a session timeout before
// giving its partitions to another member. It waits at most 10 s; a failure
// is logged, never fatal (the session timeout still applies).
func LeaveGroup(ctx context.Context, conn []kgo.Opt, group, instanceID string, log *slog.Logger) {
	if instanceID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	cl, err := kgo.NewClient(conn...)
	if err == nil {
		defer cl.Close()
		var rs kadm.LeaveGroupResponses
		rs, err = kadm.NewClient(cl).LeaveGroup(ctx, kadm.LeaveGroup(group).InstanceIDs(instanceID).Reason("shutting down"))
		if err == nil {
			err = rs.Error()
		}
	}
	if errors.Is(err, kerr.UnknownMemberID) {
		return // it had not joined (a shutdown while starting) or has left
	}
	if err != nil {
		log.Warn("static member did not leave the group; its partitions wait for the session timeout",
			"group", group, "instance_id", instanceID, "err", err)
		return
	}
	log.Info("static member left the group", "group", group, "instance_id", instanceID)
}
