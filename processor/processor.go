// Package processor is Veil's Kafka pipeline: it consumes raw conversation
// events in a consumer group, redacts them in a bounded worker pool and
// produces one rendered event per view, in input order per conversation,
// committing an offset only after every output up to it is acknowledged.
package processor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// Processor runs the pipeline. Build it with New, run it with Run.
type Processor struct {
	cfg    Config
	log    *slog.Logger
	engine *rules.Engine
	in     *schemas.Codec
	out    *schemas.Codec
	views  []view
	m      *metrics
	opts   []kgo.Opt
	conn   []kgo.Opt // connection options only, for the keyring's client
	keys   *Keyring
	pseudo bool       // some view pseudonymizes: subjects need data keys
	clMu   sync.Mutex // guards cl for BufferedBytes
	cl     *kgo.Client
	ready  atomic.Bool
	seq    atomic.Uint64
	// abortedSince is when transactions started failing (zero: they do not).
	abortedSince time.Time
}

// view is a View with its policies built.
type view struct {
	name, topic string
	policy      rules.Policy
	fields      rules.Policy
	headers     []kgo.RecordHeader
}

// New builds a Processor. cfg must be valid; engine detects personal data;
// reg receives the metrics; extra client options (a dialer in tests) are
// appended to those built from cfg.
func New(cfg Config, engine *rules.Engine, log *slog.Logger, reg prometheus.Registerer, extra ...kgo.Opt) (*Processor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid config: %w", err)
	}
	if cfg.Processing.Guarantee == ExactlyOnce && cfg.Processing.TransactionalID == "" {
		id := cfg.InstanceID
		if id == "" {
			host, _ := os.Hostname()
			id = cfg.ClientID + "-" + host
		}
		cfg.Processing.TransactionalID = id
	}
	in, err := schemas.NewCodec(cfg.Input.Format)
	if err != nil {
		return nil, fmt.Errorf("input codec: %w", err)
	}
	out, err := schemas.NewCodec(cfg.Output.Format)
	if err != nil {
		return nil, fmt.Errorf("output codec: %w", err)
	}
	p := &Processor{cfg: cfg, log: log, engine: engine, in: in, out: out, m: newMetrics(reg)}
	if p.keys, err = NewKeyring(cfg.Keys.KEK, cfg.Topics.Keys, log); err != nil {
		return nil, err
	}
	for _, v := range cfg.Views {
		for _, r := range v.Policy.Types {
			p.pseudo = p.pseudo || r.Action == rules.Pseudonymize
		}
		for _, r := range v.Policy.Fields {
			p.pseudo = p.pseudo || r.Action == rules.Pseudonymize
		}
		p.pseudo = p.pseudo || v.Policy.Default.Action == rules.Pseudonymize
		fields := rules.Policy{Version: v.Policy.Version, Default: rules.Rule{Action: rules.Remove}, Types: map[rules.Type]rules.Rule{}}
		for f, r := range v.Policy.Fields {
			fields.Types[structuredFields[f]] = r
		}
		p.views = append(p.views, view{
			name: v.Name, topic: v.Topic, policy: v.Policy.policy(), fields: fields,
			headers: []kgo.RecordHeader{
				{Key: "veil.view", Value: []byte(v.Name)},
				{Key: "veil.policy.version", Value: []byte(v.Policy.Version)},
				{Key: "veil.detector.version", Value: []byte(engine.Version())},
			},
		})
	}
	opts, err := ClientOpts(cfg)
	if err != nil {
		return nil, err
	}
	p.conn = append(slices.Clip(opts), extra...)
	p.opts = append(opts,
		kgo.ConsumerGroup(cfg.Group),
		kgo.ConsumeTopics(cfg.Topics.Raw),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.SessionTimeout(cfg.SessionTimeout),
		kgo.RebalanceTimeout(cfg.RebalanceTimeout),
		kgo.RecordPartitioner(Partitioner()),
		kgo.RecordDeliveryTimeout(cfg.Processing.DeliveryTimeout),
		kgo.MaxBufferedBytes(cfg.Processing.MaxInFlightBytes),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, a map[string][]int32) {
			log.Info("partitions assigned", "partitions", a)
		}),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, r map[string][]int32) {
			// Every batch is committed before rebalances are allowed, so
			// nothing acknowledged is left uncommitted here.
			log.Info("partitions revoked", "partitions", r)
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, l map[string][]int32) {
			log.Warn("partitions lost; nothing is committed for them", "partitions", l)
		}),
	)
	if cfg.InstanceID != "" {
		p.opts = append(p.opts, kgo.InstanceID(cfg.InstanceID))
	}
	p.opts = append(p.opts, extra...)
	return p, nil
}

// Ready reports whether the processor is connected and consuming.
func (p *Processor) Ready() bool { return p.ready.Load() }

// BufferedBytes returns the output bytes produced and not yet acknowledged.
func (p *Processor) BufferedBytes() int64 {
	if cl := p.client(); cl != nil {
		return cl.BufferedProduceBytes()
	}
	return 0
}

func (p *Processor) client() *kgo.Client {
	p.clMu.Lock()
	defer p.clMu.Unlock()
	return p.cl
}

// Keyring returns the processor's keyring (restored and followed by Run),
// for the erasure service of the same process.
func (p *Processor) Keyring() *Keyring { return p.keys }

// Run consumes until ctx is cancelled, then drains the current batch (within
// the shutdown grace), commits what is acknowledged and leaves the group. It
// returns nil after a clean shutdown; an error means the processor stopped
// without committing the batch in hand (it will be consumed again).
func (p *Processor) Run(ctx context.Context) error {
	var (
		cl   *kgo.Client
		sess *kgo.GroupTransactSession
		err  error
	)
	if p.cfg.Processing.Guarantee == ExactlyOnce {
		opts := append(slices.Clip(p.opts),
			kgo.TransactionalID(p.cfg.Processing.TransactionalID),
			kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		)
		if sess, err = kgo.NewGroupTransactSession(opts...); err != nil {
			return fmt.Errorf("creating transactional kafka client: %w", err)
		}
		cl = sess.Client()
	} else if cl, err = kgo.NewClient(p.opts...); err != nil {
		return fmt.Errorf("creating kafka client: %w", err)
	}
	p.clMu.Lock()
	p.cl = cl
	p.clMu.Unlock()
	defer p.ready.Store(false)

	w := newPool(p, p.cfg.Processing.Workers)
	defer w.close()

	// Brokers that are not up yet (a restart, a fresh cluster) are waited
	// for, not given up on: readiness stays false meanwhile.
	bo := backoff.NewExponentialBackOff()
	bo.MaxInterval = 10 * time.Second
	bo.MaxElapsedTime = 0
	if err := backoff.RetryNotify(func() error { return cl.Ping(ctx) }, backoff.WithContext(bo, ctx),
		func(err error, next time.Duration) {
			p.log.Warn("brokers unreachable; retrying", "in", next.Round(time.Millisecond), "err", err)
		}); err != nil {
		cl.Close()
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("connecting to brokers: %w", err)
	}
	if td := p.cfg.TopicDefaults; td.Create {
		if err := EnsureTopics(ctx, cl, td.Partitions, td.ReplicationFactor, TopicSpecs(p.cfg)); err != nil {
			cl.Close()
			return err
		}
	}
	// The keyring follows veil.keys for as long as Run runs.
	kctx, stopKeys := context.WithCancel(context.WithoutCancel(ctx))
	keysDone := make(chan error, 1)
	go func() { keysDone <- p.keys.Run(kctx, p.conn) }()
	defer func() {
		stopKeys()
		<-keysDone
	}()
	select {
	case <-p.keys.Ready():
	case err := <-keysDone:
		keysDone <- err // for the deferred wait
		cl.Close()
		return fmt.Errorf("restoring the keyring: %w", err)
	case <-ctx.Done():
		cl.Close()
		return nil
	}
	p.ready.Store(true)
	p.log.Info("processor started", "topic", p.cfg.Topics.Raw, "group", p.cfg.Group,
		"workers", p.cfg.Processing.Workers, "views", len(p.views))

	for {
		select {
		case err := <-keysDone:
			// Without the keyring, shreds by other instances go unseen.
			keysDone <- err
			p.ready.Store(false)
			cl.Close()
			return fmt.Errorf("keyring stopped: %w", err)
		default:
		}
		var fetches kgo.Fetches
		if sess != nil {
			fetches = sess.PollRecords(ctx, p.cfg.Processing.MaxPollRecords)
		} else {
			fetches = cl.PollRecords(ctx, p.cfg.Processing.MaxPollRecords)
		}
		if fetches.IsClientClosed() {
			return nil
		}
		fetches.EachError(func(t string, part int32, err error) {
			if !errors.Is(err, context.Canceled) {
				p.log.Warn("fetch error", "topic", t, "partition", part, "err", err)
			}
		})
		if recs := fetches.Records(); len(recs) > 0 {
			run := p.runBatch
			if sess != nil {
				run = func(ctx context.Context, w *pool, f kgo.Fetches, recs []*kgo.Record) error {
					return p.runTxnBatch(ctx, sess, w, f, recs)
				}
			}
			if err := run(ctx, w, fetches, recs); err != nil {
				cl.AllowRebalance()
				cl.Close()
				return err
			}
		}
		cl.AllowRebalance()
		if ctx.Err() != nil {
			p.log.Info("shutting down: leaving the group")
			p.ready.Store(false)
			if sess != nil {
				sess.CloseAllowingRebalance()
			} else {
				cl.CloseAllowingRebalance()
			}
			return nil
		}
	}
}

// drainContext returns a context for finishing a batch: it outlives ctx by
// at most the shutdown grace period.
func (p *Processor) drainContext(ctx context.Context) (context.Context, func()) {
	bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(p.cfg.Processing.ShutdownGrace, cancel)
		context.AfterFunc(bctx, func() { t.Stop() })
	})
	return bctx, func() { stop(); cancel() }
}

// runTxnBatch processes one polled batch in a transaction: every output and
// the consumed offsets commit together or not at all. A failed output or a
// rebalance aborts the transaction; the session then rewinds to the last
// committed offsets and the batch is consumed again, after a backoff.
func (p *Processor) runTxnBatch(ctx context.Context, sess *kgo.GroupTransactSession, w *pool, fetches kgo.Fetches, recs []*kgo.Record) error {
	start := time.Now()
	bctx, done := p.drainContext(ctx)
	defer done()
	if err := sess.Begin(); err != nil {
		return fmt.Errorf("beginning transaction: %w", err)
	}
	b := &batch{ctx: bctx}
	w.run(b, recs)
	ok := b.fatal == nil && len(b.failed) == 0
	// Ending waits on the broker; bound it so that a broker that lost the
	// transaction stops the processor (to be restarted) instead of hanging.
	ectx, cancel := context.WithTimeout(bctx, 2*p.cfg.Processing.DeliveryTimeout)
	defer cancel()
	committed, err := sess.End(ectx, kgo.TransactionEndTry(ok))
	if err != nil {
		return fmt.Errorf("ending transaction of %d records: %w", len(recs), err)
	}
	if !committed {
		p.m.commits.WithLabelValues("aborted").Inc()
		if err := p.resumeAtCommitted(ctx, sess.Client(), recs); err != nil && ctx.Err() == nil {
			return fmt.Errorf("reading committed offsets after an aborted transaction: %w", err)
		} // when shutting down, the next owner reads the committed offsets itself
		cause := b.lastErr
		if b.fatal != nil {
			cause = b.fatal
		}
		if p.abortedSince.IsZero() {
			p.abortedSince = time.Now()
		}
		if since := time.Since(p.abortedSince); since > p.cfg.Processing.RetryMaxElapsed {
			return fmt.Errorf("transactions aborted for %v, last cause: %v", since.Round(time.Second), cause)
		}
		p.log.Warn("transaction aborted; the batch will be consumed again", "records", len(recs), "cause", cause)
		select {
		case <-time.After(p.abortBackoff()):
		case <-ctx.Done():
		}
		return nil
	}
	p.abortedSince = time.Time{}
	p.m.commits.WithLabelValues("ok").Inc()
	for _, o := range b.acked {
		p.m.eventsOut.WithLabelValues(o).Inc()
	}
	p.observeBatch(start, fetches)
	return nil
}

// resumeAtCommitted moves every consumed partition to the offset the broker
// has committed for the group, once no transaction of the group is pending
// (RequireStable). After an abort the session rewinds to the offsets it
// believes committed, but an EndTxn that failed ambiguously (a broker restart
// or an unknown server error while committing) may have committed on the
// broker: rewinding then would produce the batch a second time. The broker's
// answer is authoritative, and its committed offsets only ever cover outputs
// committed in the same transaction, so moving to them loses nothing.
func (p *Processor) resumeAtCommitted(ctx context.Context, cl *kgo.Client, recs []*kgo.Record) error {
	// Partitions whose committed offset must be settled: those of the
	// aborted batch and any this instance has committed or consumed.
	mine := map[string]map[int32]bool{}
	add := func(t string, part int32) {
		if mine[t] == nil {
			mine[t] = map[int32]bool{}
		}
		mine[t][part] = true
	}
	for _, r := range recs {
		add(r.Topic, r.Partition)
	}
	for _, m := range []map[string]map[int32]kgo.EpochOffset{cl.CommittedOffsets(), cl.UncommittedOffsets()} {
		for t, ps := range m {
			for part := range ps {
				add(t, part)
			}
		}
	}
	adm := kadm.NewClient(cl)
	set := map[string]map[int32]kgo.EpochOffset{}
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = 50 * time.Millisecond
	bo.MaxInterval = 2 * time.Second
	bo.MaxElapsedTime = 2 * p.cfg.Processing.DeliveryTimeout
	op := func() error {
		offs, err := adm.FetchOffsets(kadm.RequireStable(ctx), p.cfg.Group)
		if err != nil {
			if ctx.Err() != nil {
				return backoff.Permanent(ctx.Err())
			}
			return err
		}
		clear(set)
		var unstable error
		offs.Each(func(o kadm.OffsetResponse) {
			if o.Err != nil {
				if mine[o.Topic][o.Partition] {
					unstable = o.Err // UNSTABLE_OFFSET_COMMIT while a transaction is pending
				}
				return
			}
			if set[o.Topic] == nil {
				set[o.Topic] = map[int32]kgo.EpochOffset{}
			}
			set[o.Topic][o.Partition] = kgo.EpochOffset{Epoch: o.LeaderEpoch, Offset: o.At}
		})
		return unstable
	}
	if err := backoff.Retry(op, backoff.WithContext(bo, ctx)); err != nil {
		return err
	}
	cl.SetOffsets(set) // partitions this instance does not consume are skipped
	return nil
}

// abortBackoff grows with the time transactions have been failing.
func (p *Processor) abortBackoff() time.Duration {
	d := time.Since(p.abortedSince) / 4
	return min(max(d, 100*time.Millisecond), 5*time.Second)
}

// observeBatch records the batch time and the lag behind the high watermark.
func (p *Processor) observeBatch(start time.Time, fetches kgo.Fetches) {
	p.m.batch.Observe(time.Since(start).Seconds())
	fetches.EachPartition(func(fp kgo.FetchTopicPartition) {
		if n := len(fp.Records); n > 0 {
			lag := fp.HighWatermark - fp.Records[n-1].Offset - 1
			p.m.commitLag.WithLabelValues(fp.Topic, strconv.Itoa(int(fp.Partition))).Set(float64(lag))
		}
	})
}

// runBatch processes one polled batch, waits until every output is
// acknowledged (retrying failures with backoff) and commits it.
func (p *Processor) runBatch(ctx context.Context, w *pool, fetches kgo.Fetches, recs []*kgo.Record) error {
	start := time.Now()
	bctx, done := p.drainContext(ctx)
	defer done()

	b := &batch{ctx: bctx}
	w.run(b, recs)
	if b.fatal != nil {
		return fmt.Errorf("batch of %d records abandoned, offsets not committed: %w", len(recs), b.fatal)
	}
	if err := p.retryFailed(bctx, b); err != nil {
		return fmt.Errorf("batch of %d records not acknowledged, offsets not committed: %w", len(recs), err)
	}
	for _, o := range b.acked {
		p.m.eventsOut.WithLabelValues(o).Inc()
	}
	if err := p.cl.CommitUncommittedOffsets(bctx); err != nil {
		// The outputs are acknowledged; the records will be consumed again
		// by whoever owns them next (at-least-once).
		p.m.commits.WithLabelValues("error").Inc()
		p.log.Warn("commit failed; the batch will be redelivered", "records", len(recs), "err", err)
		return nil
	}
	p.m.commits.WithLabelValues("ok").Inc()
	p.observeBatch(start, fetches)
	return nil
}

// retryFailed re-produces the outputs whose produce failed, in their original
// order, with exponential backoff, until all are acknowledged or the retry
// budget is spent.
func (p *Processor) retryFailed(ctx context.Context, b *batch) error {
	if len(b.failed) == 0 {
		return nil
	}
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = 100 * time.Millisecond
	bo.MaxInterval = 5 * time.Second
	bo.MaxElapsedTime = p.cfg.Processing.RetryMaxElapsed
	op := func() error {
		slices.SortFunc(b.failed, func(x, y output) int { return int(x.seq - y.seq) })
		p.m.retries.Inc()
		p.log.Warn("re-producing failed outputs", "count", len(b.failed), "err", b.lastErr)
		recs := make([]*kgo.Record, len(b.failed))
		for i, o := range b.failed {
			recs[i] = fresh(o.rec)
		}
		results := p.cl.ProduceSync(ctx, recs...)
		var still []output
		for i, r := range results {
			if r.Err != nil {
				p.m.produceErrors.Inc()
				b.lastErr = r.Err
				still = append(still, output{seq: b.failed[i].seq, rec: recs[i], view: b.failed[i].view})
				continue
			}
			if v := b.failed[i].view; v != "" {
				b.acked = append(b.acked, v)
			}
		}
		b.failed = still
		if len(still) > 0 {
			if ctx.Err() != nil {
				return backoff.Permanent(ctx.Err())
			}
			return fmt.Errorf("%d outputs still failing: %w", len(still), b.lastErr)
		}
		return nil
	}
	return backoff.Retry(op, backoff.WithContext(bo, ctx))
}

// fresh copies the parts of r that a new produce needs.
func fresh(r *kgo.Record) *kgo.Record {
	return &kgo.Record{Topic: r.Topic, Key: r.Key, Value: r.Value, Headers: r.Headers, Context: r.Context, Partition: r.Partition}
}

// batch collects the outcome of the outputs of one polled batch.
type batch struct {
	ctx     context.Context
	wg      sync.WaitGroup
	mu      sync.Mutex
	failed  []output
	acked   []string // view name per acknowledged view record
	lastErr error
	fatal   error // a record could not be handled; nothing is committed
}

// abandon marks the batch as failed: it will not be committed.
func (b *batch) abandon(err error) {
	b.mu.Lock()
	if b.fatal == nil {
		b.fatal = err
	}
	b.mu.Unlock()
}

// output is one produced record with its place in production order.
type output struct {
	seq  uint64
	rec  *kgo.Record
	view string // "" for DLQ records
}

func (b *batch) done(o output, err error) {
	b.mu.Lock()
	if err != nil {
		b.failed = append(b.failed, o)
		b.lastErr = err
	} else if o.view != "" {
		b.acked = append(b.acked, o.view)
	}
	b.mu.Unlock()
	b.wg.Done()
}

// produce sends the outputs of one input record, in order.
func (p *Processor) produce(b *batch, outs []output) {
	for _, o := range outs {
		o.seq = p.seq.Add(1)
		b.wg.Add(1)
		p.cl.Produce(b.ctx, o.rec, func(_ *kgo.Record, err error) {
			if err != nil {
				p.m.produceErrors.Inc()
			}
			b.done(o, err)
		})
	}
}

// pool is the bounded set of workers. Records are routed by key (the
// conversation id) so that one conversation is always handled by the same
// worker, in offset order.
type pool struct {
	p    *Processor
	jobs []chan job
	wg   sync.WaitGroup
}

type job struct {
	b   *batch
	rec *kgo.Record
}

func newPool(p *Processor, n int) *pool {
	w := &pool{p: p, jobs: make([]chan job, n)}
	for i := range w.jobs {
		ch := make(chan job, 256)
		w.jobs[i] = ch
		w.wg.Go(func() {
			var scratch worker
			for j := range ch {
				outs, err := p.handle(j.b.ctx, &scratch, j.rec)
				if err != nil {
					j.b.abandon(err)
				} else {
					p.produce(j.b, outs)
				}
				j.b.wg.Done()
			}
		})
	}
	return w
}

// run hands every record of recs to its worker and waits until all of their
// outputs have been produced and answered.
func (w *pool) run(b *batch, recs []*kgo.Record) {
	for _, r := range recs {
		w.p.m.eventsIn.WithLabelValues(r.Topic).Inc()
		b.wg.Add(1)
		w.jobs[w.slot(r)] <- job{b: b, rec: r}
	}
	b.wg.Wait()
}

// slot hashes with FNV-1a, not murmur2: the partitioner used murmur2 to
// place the record, so murmur2 modulo the worker count would send all of a
// partition's records to a few workers.
func (w *pool) slot(r *kgo.Record) int {
	if r.Key == nil {
		return int(r.Partition) % len(w.jobs)
	}
	h := uint32(2166136261)
	for _, c := range r.Key {
		h = (h ^ uint32(c)) * 16777619
	}
	return int(h % uint32(len(w.jobs)))
}

// close stops the workers and waits for them.
func (w *pool) close() {
	for _, ch := range w.jobs {
		close(ch)
	}
	w.wg.Wait()
}
