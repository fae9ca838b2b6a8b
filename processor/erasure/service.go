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

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/schemas"
)

// Service handles erasure requests and runs retention sweeps. Build it with
// New, run it with Run.
//
// It consumes the request topic in its own consumer group. For every request
// partition p it owns, it restores partition p of the subject index (which
// holds the index entries of the customers whose requests land in p: both
// are partitioned by customer id) into a local store and follows it.
type Service struct {
	cfg   Config
	pcfg  processor.Config
	kr    *processor.Keyring
	log   *slog.Logger
	now   func() time.Time
	codec *schemas.Codec
	m     *metrics
	conn  []kgo.Opt // connection options, extra ones included
	group string

	// Set by Run.
	cl     *kgo.Client
	adm    *kadm.Client
	st     *store
	nparts int // partitions of the index topic
	mu     sync.Mutex
	owned  map[int32]*follower
}

// New builds a Service. cfg must be valid; pcfg is the processor's config
// (brokers, topics, views); kr is the keyring the processor uses (its Run
// must be running); reg receives the metrics; now is the clock of request
// and retention times (time.Now if nil); extra client options (a dialer in
// tests) are appended to those built from pcfg.
func New(cfg Config, pcfg processor.Config, kr *processor.Keyring, log *slog.Logger, reg prometheus.Registerer, now func() time.Time, extra ...kgo.Opt) (*Service, error) {
	var errs []error
	if err := cfg.Validate(); err != nil {
		errs = append(errs, err)
	}
	if kr == nil {
		errs = append(errs, errors.New("erasure: a keyring is required"))
	}
	if pcfg.Topics.Subjects == "" || pcfg.Topics.Keys == "" {
		errs = append(errs, errors.New("topics.subjects and topics.keys: required"))
	}
	if len(pcfg.Brokers) == 0 {
		errs = append(errs, errors.New("brokers: at least one broker is required"))
	}
	for _, t := range []string{cfg.Topics.Requests, cfg.Topics.Receipts} {
		if t != "" && (t == pcfg.Topics.Subjects || t == pcfg.Topics.Keys || t == pcfg.Topics.Raw || t == pcfg.Topics.DLQ) {
			errs = append(errs, fmt.Errorf("erasure.topics: %q is also a processor topic", t))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("invalid erasure config: %w", err)
	}
	format := cfg.Format
	if format == "" {
		format = pcfg.Input.Format
	}
	var copts []schemas.CodecOption
	if cfg.ReceiptSchemaID != 0 {
		copts = append(copts, schemas.WithSchemaID(schemas.RecordErasureReceipt, cfg.ReceiptSchemaID))
	} else if format == schemas.FormatConfluent {
		return nil, errors.New("invalid erasure config: erasure.receipt_schema_id is required with the confluent format")
	}
	codec, err := schemas.NewCodec(format, copts...)
	if err != nil {
		return nil, fmt.Errorf("erasure codec: %w", err)
	}
	conn, err := processor.ClientOpts(pcfg)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	group := cfg.Group
	if group == "" {
		group = pcfg.Group + "-erasure"
	}
	return &Service{
		cfg: cfg, pcfg: pcfg, kr: kr, log: log, now: now, codec: codec, m: newMetrics(reg),
		conn: append(slices.Clip(conn), extra...), group: group,
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
	st, err := openStore(s.cfg.StoreDir, s.cfg.StoreCacheBytes, s.log)
	if err != nil {
		return err
	}
	defer func() {
		if err := st.close(); err != nil {
			s.log.Warn("closing index store", "err", err)
		}
	}()
	s.st = st
	s.owned = map[int32]*follower{}

	// Index followers run until their partition is revoked or Run ends.
	fctx, stopFollowers := context.WithCancel(ctx)
	defer func() {
		stopFollowers()
		s.mu.Lock()
		for p, f := range s.owned {
			f.stop()
			delete(s.owned, p)
		}
		s.mu.Unlock()
	}()

	opts := append(slices.Clip(s.conn),
		kgo.ConsumerGroup(s.group),
		kgo.ConsumeTopics(s.cfg.Topics.Requests),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.SessionTimeout(s.pcfg.SessionTimeout),
		kgo.RebalanceTimeout(s.pcfg.RebalanceTimeout),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.RecordPartitioner(partitioner{manual: s.pcfg.Topics.Subjects, base: processor.Partitioner()}),
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
	if s.pcfg.Processing.DeliveryTimeout > 0 {
		opts = append(opts, kgo.RecordDeliveryTimeout(s.pcfg.Processing.DeliveryTimeout))
	}
	if s.pcfg.InstanceID != "" {
		opts = append(opts, kgo.InstanceID(s.pcfg.InstanceID+"-erasure"))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("creating erasure client: %w", err)
	}
	s.cl, s.adm = cl, kadm.NewClient(cl)
	if err := s.prepare(ctx); err != nil {
		cl.Close()
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	s.log.Info("erasure service started", "topic", s.cfg.Topics.Requests, "group", s.group,
		"index", s.pcfg.Topics.Subjects, "sweep_interval", s.cfg.SweepInterval)

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
				s.log.Warn("fetch error", "topic", t, "partition", p, "err", err)
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
	if td := s.pcfg.TopicDefaults; td.Create {
		if err := processor.EnsureTopics(ctx, s.cl, td.Partitions, td.ReplicationFactor, TopicSpecs(s.pcfg, s.cfg)); err != nil {
			return err
		}
	}
	req, idx := s.cfg.Topics.Requests, s.pcfg.Topics.Subjects
	// A topic created a moment ago may not be in every broker's metadata yet.
	var details kadm.TopicDetails
	err := retry(ctx, func() error {
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
	})
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
		f, err := follow(ctx, s.conn, s.pcfg.Topics.Subjects, p, s.st, s.log)
		if err != nil {
			// Requests of p then restore the partition on demand.
			s.log.Error("cannot follow index partition", "partition", p, "err", err)
			continue
		}
		s.owned[p] = f
	}
	s.log.Info("partitions assigned", "partitions", parts)
}

// revoke stops following the index partitions of request partitions no
// longer owned and drops their data from the store.
func (s *Service) revoke(parts []int32, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range parts {
		if f, ok := s.owned[p]; ok {
			f.stop()
			delete(s.owned, p)
		}
		if err := s.st.drop(p); err != nil {
			s.log.Warn("dropping index partition", "partition", p, "err", err)
		}
	}
	s.log.Info("partitions "+why, "partitions", parts)
}

// partition returns a caught-up follower of index partition p: the owned
// one, or for a request that landed in another partition than its
// customer's (a producer that did not key by customer id), a temporary one
// that release stops.
func (s *Service) partition(ctx context.Context, p int32) (f *follower, release func(), err error) {
	s.mu.Lock()
	f, ok := s.owned[p]
	s.mu.Unlock()
	release = func() {}
	if !ok || !f.alive() {
		if f, err = follow(ctx, s.conn, s.pcfg.Topics.Subjects, p, s.st, s.log); err != nil {
			return nil, nil, err
		}
		release = func() {
			f.stop()
			s.mu.Lock()
			_, owned := s.owned[p]
			s.mu.Unlock()
			if !owned {
				if err := s.st.drop(p); err != nil {
					s.log.Warn("dropping index partition", "partition", p, "err", err)
				}
			}
		}
	}
	if err := s.catchUp(ctx, f); err != nil {
		release()
		return nil, nil, err
	}
	return f, release, nil
}

// catchUp waits until f has applied every record of its partition written
// before now.
func (s *Service) catchUp(ctx context.Context, f *follower) error {
	topic := s.pcfg.Topics.Subjects
	var o kadm.ListedOffset
	err := retry(ctx, func() error {
		ends, err := s.adm.ListEndOffsets(ctx, topic)
		if err == nil {
			err = ends.Error()
		}
		if err != nil {
			return err
		}
		var ok bool
		if o, ok = ends.Lookup(topic, f.p); !ok {
			return fmt.Errorf("no end offset for partition %d", f.p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading end offsets of %s: %w", topic, err)
	}
	if err := f.wait(ctx, o.Offset); err != nil {
		return fmt.Errorf("restoring %s/%d: %w", topic, f.p, err)
	}
	return nil
}

// produce writes recs and waits for every ack, re-producing failed records
// with exponential backoff for at most retry_max_elapsed.
func (s *Service) produce(ctx context.Context, recs []*kgo.Record) error {
	if len(recs) == 0 {
		return nil
	}
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = 100 * time.Millisecond
	bo.MaxInterval = 5 * time.Second
	bo.MaxElapsedTime = s.cfg.RetryMaxElapsed
	pending := recs
	op := func() error {
		var failed []*kgo.Record
		var first error
		for _, r := range s.cl.ProduceSync(ctx, pending...) {
			if r.Err != nil {
				failed = append(failed, &kgo.Record{Topic: r.Record.Topic, Key: r.Record.Key, Value: r.Record.Value,
					Headers: r.Record.Headers, Context: r.Record.Context, Partition: r.Record.Partition})
				if first == nil {
					first = r.Err
				}
			}
		}
		pending = failed
		if len(failed) == 0 {
			return nil
		}
		if ctx.Err() != nil {
			return backoff.Permanent(ctx.Err())
		}
		s.log.Warn("re-producing unacknowledged records", "count", len(failed), "err", first)
		return fmt.Errorf("%d records not acknowledged: %w", len(failed), first)
	}
	return backoff.Retry(op, backoff.WithContext(bo, ctx))
}

// retry calls op until it succeeds, ctx is done or a minute has passed,
// with exponential backoff: for metadata that may lag a moment.
func retry(ctx context.Context, op func() error) error {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = 50 * time.Millisecond
	bo.MaxElapsedTime = time.Minute
	return backoff.Retry(op, backoff.WithContext(bo, ctx))
}

// partitioner puts records of the index topic in the partition they name
// (the service knows subject ids, not the customer ids the processor
// partitions by) and everything else where processor.Partitioner does.
type partitioner struct {
	manual string
	base   kgo.Partitioner
}

func (p partitioner) ForTopic(t string) kgo.TopicPartitioner {
	if t == p.manual {
		return kgo.ManualPartitioner().ForTopic(t)
	}
	return p.base.ForTopic(t)
}
