package changelog

import (
	"log/slog"
	"sync"
	"time"
)

// Repeats rate-limits log lines that repeat: the first line of each kind is
// logged, later ones of the same kind at most once per Every, with the
// number of lines left out since. A broker that fails every request of a
// tight loop then costs one line per Every, not thousands a second. The
// zero value logs each kind at most once a minute.
type Repeats struct {
	// Every is the least time between two lines of one kind (default 1m).
	Every time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time

	mu   sync.Mutex
	seen map[string]*repeat
}

type repeat struct {
	last    time.Time
	dropped int
}

// maxKinds bounds the kinds remembered; past it they are forgotten, and
// each is logged again once.
const maxKinds = 1024

// Warn logs msg with args at warning level unless a line of the same kind
// was logged less than Every ago; kind identifies the line (for example the
// topic, partition and error).
func (r *Repeats) Warn(log *slog.Logger, kind, msg string, args ...any) {
	r.mu.Lock()
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	every := r.Every
	if every <= 0 {
		every = time.Minute
	}
	t := now()
	if r.seen == nil || len(r.seen) >= maxKinds {
		r.seen = map[string]*repeat{}
	}
	rp, ok := r.seen[kind]
	if ok && t.Sub(rp.last) < every {
		rp.dropped++
		r.mu.Unlock()
		return
	}
	dropped := 0
	if ok {
		dropped = rp.dropped
	}
	r.seen[kind] = &repeat{last: t}
	r.mu.Unlock()
	if dropped > 0 {
		args = append(args, "repeats_not_logged", dropped)
	}
	log.Warn(msg, args...)
}
