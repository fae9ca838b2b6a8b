package processor

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor/changelog"
)

// ReasonBatch is the DLQ reason of a record batch that would decompress to
// more than input.max_batch_bytes (a compression bomb).
const ReasonBatch = "batch_too_large"

// skipBatches dead-letters the record batches the client refused to
// decompress past input.max_batch_bytes, one DLQ record without payload per
// batch, and moves consumption past them. The DLQ records and the new
// offsets commit together in exactly-once mode; in at-least-once mode the
// offsets are committed once the DLQ records are acknowledged, so a crash
// in between dead-letters a batch twice but never skips one unrecorded. It
// runs on the polling goroutine before rebalances are allowed.
func (p *Processor) skipBatches(ctx context.Context, cl *kgo.Client, sess *kgo.GroupTransactSession, bombs []*kgo.ErrDecompressTooLarge) error {
	recs := make([]*kgo.Record, 0, len(bombs))
	skip := map[string]map[int32]kgo.EpochOffset{}
	for _, b := range bombs {
		src := &kgo.Record{Topic: b.Topic, Partition: b.Partition, Offset: b.Offset}
		err := fmt.Errorf("record batch at offset %d (up to offset %d) decompresses to more than max_batch_bytes %d", b.Offset, b.NextOffset-1, p.cfg.Input.MaxBatchBytes)
		recs = append(recs, p.dlqRecord(src, ReasonBatch, err, nil, "dropped"))
		if skip[b.Topic] == nil {
			skip[b.Topic] = map[int32]kgo.EpochOffset{}
		}
		skip[b.Topic][b.Partition] = kgo.EpochOffset{Epoch: b.Epoch, Offset: b.NextOffset}
	}
	if sess == nil {
		if err := changelog.Produce(ctx, cl, changelog.ProduceBackoff(p.cfg.Processing.RetryMaxElapsed), recs, nil); err != nil {
			return fmt.Errorf("dead-lettering %d oversized batches: %w", len(recs), err)
		}
		cl.SetOffsets(skip)
		if err := cl.CommitUncommittedOffsets(ctx); err != nil {
			// Consumed again by the next owner: dead-lettered once more.
			p.log.Warn("commit after skipping oversized batches failed", "batches", len(recs), "err", err)
		}
		return nil
	}
	if err := sess.Begin(); err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	perr := cl.ProduceSync(ctx, recs...).FirstErr()
	if perr == nil {
		cl.SetOffsets(skip)
	}
	ectx, cancel := context.WithTimeout(ctx, 2*p.cfg.Processing.DeliveryTimeout)
	defer cancel()
	committed, err := sess.End(ectx, kgo.TransactionEndTry(perr == nil))
	if err != nil {
		return fmt.Errorf("ending transaction of %d oversized batches: %w", len(recs), err)
	}
	if !committed {
		// The batches are fetched again and refused again: retried.
		p.log.Warn("dead-lettering oversized batches aborted; retrying", "batches", len(recs), "err", perr)
	}
	return nil
}
