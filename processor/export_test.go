package processor

import (
	"context"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Handler runs what one pool worker runs for a record (decode, detect,
// render every view, encode, index entry), without Kafka: for benchmarks of
// the hot path. Its scratch space is reused across calls, as a worker's is.
type Handler struct {
	p *Processor
	w worker
}

// NewHandler returns a Handler of p. p's Run must not be running.
func (p *Processor) NewHandler() *Handler { return &Handler{p: p} }

// Handle handles r and returns the number of outputs and their value bytes.
func (h *Handler) Handle(ctx context.Context, r *kgo.Record) (n, bytes int, err error) {
	outs, err := h.p.handle(ctx, &h.w, r)
	for _, o := range outs {
		bytes += len(o.rec.Value)
	}
	return len(outs), bytes, err
}

// Outputs handles every record of recs and returns all their outputs.
func (h *Handler) Outputs(ctx context.Context, recs []*kgo.Record) ([]*kgo.Record, error) {
	var all []*kgo.Record
	for _, r := range recs {
		outs, err := h.p.handle(ctx, &h.w, r)
		if err != nil {
			return nil, err
		}
		for _, o := range outs {
			all = append(all, o.rec)
		}
	}
	return all, nil
}
