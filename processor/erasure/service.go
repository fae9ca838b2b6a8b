package erasure

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/processor/keyring"
	"github.com/veil-privacy/veil/processor/subjects"
	"github.com/veil-privacy/veil/schemas"
)

// errStopped reports that an index partition was revoked while in use.
var errStopped = errors.New("index partition no longer owned")

// Service handles erasure requests and runs retention sweeps. Build it with
// New, run it with Run.
//
// It consumes the request topic in its own consumer group. For every request
// partition p it owns, it restores partition p of the subject index (which
// holds the index entries of the customers whose requests land in p: both
// are partitioned by customer id) into a local store and follows it.
type Service struct {
	cfg   Config
	pl    Pipeline
	kr    *keyring.Keyring
	log   *slog.Logger
	now   func() time.Time
	codec *schemas.Codec
	m     *metrics
	conn  []kgo.Opt // connection options
	group string
	// repeats rate-limits repeated fetch errors.
	repeats changelog.Repeats

	// Set by Run.
	cl     *kgo.Client
	adm    *kadm.Client
	st     *subjects.Store
	nparts int // partitions of the index topic
	mu     sync.Mutex
	owned  map[int32]*changelog.Table
	// Used by the request loop only (no lock): the identifier index
	// partitions restored so far, partition counts of other topics, and
	// the confluent view codecs by schema id.
	idents     map[int32]*changelog.Table
	topicParts map[string]int
	views      *schemas.Codec
	confluent  map[uint32]*schemas.Codec
}

// New builds a Service. cfg must be valid, its Pipeline filled; kr is the
// keyring the processor uses (its Run must be running); conn are the
// connection options of every client the service makes; reg receives the
// metrics; now is the clock of request and retention times (time.Now if
// nil).
func New(cfg Config, kr *keyring.Keyring, conn []kgo.Opt, log *slog.Logger, reg prometheus.Registerer, now func() time.Time) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid erasure config: %w", err)
	}
	if kr == nil {
		return nil, errors.New("erasure: a keyring is required")
	}
	var copts []schemas.CodecOption
	if cfg.ReceiptSchemaID != 0 {
		copts = append(copts, schemas.WithSchemaID(schemas.RecordErasureReceipt, cfg.ReceiptSchemaID))
	}
	codec, err := schemas.NewCodec(cfg.format(), copts...)
	if err != nil {
		return nil, fmt.Errorf("erasure codec: %w", err)
	}
	var views *schemas.Codec
	if f := cfg.Pipeline.OutputFormat; f != schemas.FormatConfluent {
		if views, err = schemas.NewCodec(f); err != nil {
			return nil, fmt.Errorf("view codec: %w", err)
		}
	}
	if now == nil {
		now = time.Now
	}
	return &Service{
		cfg: cfg, pl: cfg.Pipeline, kr: kr, log: log, now: now, codec: codec, m: newMetrics(reg),
		conn: slices.Clip(conn), group: cfg.group(), views: views,
	}, nil
}

// Run waits for the keyring, then handles requests and runs sweeps until
// ctx is cancelled. It returns nil after a clean shutdown; a request being
// handled when ctx is cancelled is not committed and is handled again
// (idempotently) later. An error means the service stopped without
// committing the request in hand.
func (s *Service) Run(ctx context.Context) error {
	select {
	case <-s.kr.Ready():
	case <-ctx.Done():
		return nil
	}
	st, err := subjects.OpenStore(s.cfg.StoreDir, s.cfg.StoreCacheBytes, s.log)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.Close(); err != nil {
			s.log.Warn("closing index store", "err", err)
		}
	}()
	s.st = st
	s.owned = map[int32]*changelog.Table{}
	s.idents, s.topicParts, s.confluent = map[int32]*changelog.Table{}, map[string]int{}, map[uint32]*schemas.Codec{}
	defer func() {
		for _, t := range s.idents {
			t.Stop()
		}
	}()

	// Index followers run until their partition is revoked or Run ends.
	fctx, stopFollowers := context.WithCancel(ctx)
	defer func() {
		stopFollowers()
		s.mu.Lock()
		for p, t := range s.owned {
			t.Stop()
			delete(s.owned, p)
		}
		s.mu.Unlock()
	}()

	opts := append(slices.Clip(s.conn),
		kgo.ConsumerGroup(s.group),
		kgo.ConsumeTopics(s.cfg.Topics.Requests),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.SessionTimeout(s.pl.SessionTimeout),
		kgo.RebalanceTimeout(s.pl.RebalanceTimeout),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.RecordPartitioner(partitioner{manual: s.pl.Subjects, identifiers: s.pl.Identifiers, base: changelog.Partitioner()}),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, a map[string][]int32) {
			s.assign(fctx, a[s.cfg.Topics.Requests])
		}),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, r map[string][]int32) {
			s.revoke(r[s.cfg.Topics.Requests], "revoked")
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, l map[string][]int32) {
			s.revoke(l[s.cfg.Topics.Requests], "lost")
		}),
	)
	if s.pl.DeliveryTimeout > 0 {
		opts = append(opts, kgo.RecordDeliveryTimeout(s.pl.DeliveryTimeout))
	}
	if s.pl.InstanceID != "" {
		opts = append(opts, kgo.InstanceID(s.pl.InstanceID+"-erasure"))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("creating erasure client: %w", err)
	}
	s.cl, s.adm = cl, kadm.NewClient(cl)
	if err := s.prepare(ctx); err != nil {
		cl.Close()
		if s.pl.InstanceID != "" {
			changelog.LeaveGroup(ctx, s.conn, s.group, s.pl.InstanceID+"-erasure", s.log)
		}
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	s.log.Info("erasure service started", "topic", s.cfg.Topics.Requests, "group", s.group,
		"index", s.pl.Subjects, "sweep_interval", s.cfg.SweepInterval)

	interval := s.cfg.SweepInterval
	nextSweep := time.Now().Add(interval)
	for {
		pctx, cancel := ctx, context.CancelFunc(func() {})
		if interval > 0 {
			pctx, cancel = context.WithDeadline(ctx, nextSweep)
		}
		fetches := cl.PollRecords(pctx, s.cfg.MaxPollRecords)
		cancel()
		if fetches.IsClientClosed() {
			return nil
		}
		fetches.EachError(func(t string, p int32, err error) {
			if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
				s.repeats.Warn(s.log, fmt.Sprint(t, p, err), "fetch error", "topic", t, "partition", p, "err", err)
			}
		})
		recs := fetches.Records()
		var err error
		for _, r := range recs {
			if err = s.handle(ctx, r); err != nil {
				break
			}
		}
		if err == nil && interval > 0 && !time.Now().Before(nextSweep) && ctx.Err() == nil {
			err = s.sweep(ctx)
			nextSweep = time.Now().Add(interval)
		}
		if err != nil {
			cl.AllowRebalance()
			cl.Close()
			if ctx.Err() != nil {
				s.log.Info("shut down while erasing; the request will be handled again")
				return nil
			}
			return err
		}
		if len(recs) > 0 {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			if err := cl.CommitUncommittedOffsets(cctx); err != nil {
				// Handled requests are idempotent: redelivery is harmless.
				s.log.Warn("commit failed; requests will be redelivered", "records", len(recs), "err", err)
			}
			cancel()
		}
		cl.AllowRebalance()
		if ctx.Err() != nil {
			s.log.Info("erasure service shutting down: leaving the group")
			cl.CloseAllowingRebalance()
			if s.pl.InstanceID != "" {
				changelog.LeaveGroup(ctx, s.conn, s.group, s.pl.InstanceID+"-erasure", s.log)
			}
			return nil
		}
	}
}

// prepare connects, creates missing topics if configured, and checks that
// requests and index are partitioned alike.
func (s *Service) prepare(ctx context.Context) error {
	if err := s.cl.Ping(ctx); err != nil {
		return fmt.Errorf("connecting to brokers: %w", err)
	}
	if s.pl.CreateTopics {
		if err := changelog.EnsureTopics(ctx, s.cl, s.pl.Partitions, s.pl.ReplicationFactor, TopicSpecs(s.cfg)); err != nil {
			return err
		}
	}
	req, idx := s.cfg.Topics.Requests, s.pl.Subjects
	// A topic created a moment ago may not be in every broker's metadata yet.
	var details kadm.TopicDetails
	err := backoff.Retry(func() error {
		var err error
		if details, err = s.adm.ListTopics(ctx, req, idx); err != nil {
			return err
		}
		for _, t := range []string{req, idx} {
			if d, ok := details[t]; !ok || d.Err != nil || len(d.Partitions) == 0 {
				return fmt.Errorf("topic %s: missing or unreadable", t)
			}
		}
		return nil
	}, backoff.WithContext(changelog.MetadataBackoff(), ctx))
	if err != nil {
		return fmt.Errorf("reading metadata of %s and %s: %w", req, idx, err)
	}
	nr, ni := len(details[req].Partitions), len(details[idx].Partitions)
	if nr != ni {
		// The owner of a request partition must own the index partition of
		// the same number, or retention would skip index partitions.
		return fmt.Errorf("topic %s has %d partitions and %s %d: they must be equal", req, nr, idx, ni)
	}
	s.nparts = ni
	return nil
}

// assign starts following the index partitions of newly owned request
// partitions.
func (s *Service) assign(ctx context.Context, parts []int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range parts {
		if _, ok := s.owned[p]; ok {
			continue
		}
		t, err := s.follow(ctx, p)
		if err != nil {
			// Requests of p then restore the partition on demand.
			s.log.Error("cannot follow index partition", "partition", p, "err", err)
			continue
		}
		s.owned[p] = t
	}
	s.log.Info("partitions assigned", "partitions", parts)
}

// follow starts restoring and following index partition p into the store.
func (s *Service) follow(ctx context.Context, p int32) (*changelog.Table, error) {
	// read_committed: an entry of an aborted transaction whose event was
	// then dropped (its subject erased meanwhile) is never written again,
	// and would be counted in a receipt as a record removed.
	conn := append(slices.Clip(s.conn), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	return changelog.Follow(ctx, conn, s.pl.Subjects, []int32{p}, s.st.Apply, s.log)
}

// revoke stops following the index partitions of request partitions no
// longer owned and drops their data from the store.
func (s *Service) revoke(parts []int32, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range parts {
		if t, ok := s.owned[p]; ok {
			t.Stop()
			delete(s.owned, p)
		}
		if err := s.st.Drop(p); err != nil {
			s.log.Warn("dropping index partition", "partition", p, "err", err)
		}
	}
	s.log.Info("partitions "+why, "partitions", parts)
}

// partition returns a caught-up table of index partition p: the owned one,
// or for a request that landed in another partition than its customer's (a
// producer that did not key by customer id), a temporary one that release
// stops.
func (s *Service) partition(ctx context.Context, p int32) (t *changelog.Table, release func(), err error) {
	s.mu.Lock()
	t, ok := s.owned[p]
	s.mu.Unlock()
	release = func() {}
	if !ok || t.Err() != nil {
		if t, err = s.follow(ctx, p); err != nil {
			return nil, nil, err
		}
		release = func() {
			t.Stop()
			s.mu.Lock()
			_, owned := s.owned[p]
			s.mu.Unlock()
			if !owned {
				if err := s.st.Drop(p); err != nil {
					s.log.Warn("dropping index partition", "partition", p, "err", err)
				}
			}
		}
	}
	if err := s.catchUp(ctx, t); err != nil {
		release()
		return nil, nil, err
	}
	return t, release, nil
}

// catchUp waits until t has applied every record of its partition written
// before now.
func (s *Service) catchUp(ctx context.Context, t *changelog.Table) error {
	if err := t.CaughtUp(ctx); err != nil {
		if errors.Is(err, changelog.ErrStopped) {
			return errStopped
		}
		return fmt.Errorf("restoring %s: %w", s.pl.Subjects, err)
	}
	return nil
}

// produce writes recs and waits for every ack, re-producing failed records
// with backoff for at most retry_max_elapsed.
func (s *Service) produce(ctx context.Context, recs []*kgo.Record) error {
	return changelog.Produce(ctx, s.cl, changelog.ProduceBackoff(s.cfg.RetryMaxElapsed), recs, func(failed []*kgo.Record, err error) {
		s.log.Warn("re-producing unacknowledged records", "count", len(failed), "err", err)
	})
}

// partitioner puts records of the index topic in the partition they name
// (the service knows subject ids, not the customer ids the processor
// partitions by) and everything else where changelog.Partitioner does.
type partitioner struct {
	manual      string
	identifiers string // the identifier index: its tombstones name their partition too
	base        kgo.Partitioner
}

func (p partitioner) ForTopic(t string) kgo.TopicPartitioner {
	if t == p.manual || t == p.identifiers {
		return kgo.ManualPartitioner().ForTopic(t)
	}
	return p.base.ForTopic(t)
}
