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

// GiveKey gives the subject of customerID a data key held only in memory,
// so that pseudonymizing its events needs no Kafka.
func (k *Keyring) GiveKey(customerID string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[k.SubjectID(customerID)] = keyEntry{dek: randomBytes(32), offset: -1}
}
