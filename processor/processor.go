// Package processor is Veil's Kafka pipeline: it consumes raw conversation
// events in a consumer group, redacts them in a bounded worker pool and
// produces one rendered event per view, in input order per conversation,
// committing an offset only after every output up to it is acknowledged.
package processor

import (
	"cmp"
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
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/processor/keyring"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// ErrRunTwice is returned by a second call of Run.
var ErrRunTwice = errors.New("processor: Run called twice; build a new Processor to start again")

// errAborted is the cause of an aborted transaction that no output of ours
// explains (a rebalance, or the broker's answer to ending it).
var errAborted = errors.New("transaction aborted by a rebalance or by the broker")

// Processor runs the pipeline. Build it with New, run it once with Run.
type Processor struct {
	cfg    Config
	log    *slog.Logger
	engine *rules.Engine
	in     *schemas.Codec
	out    *schemas.Codec    // set again by registerOutput, before any worker starts
	reg    *schemas.Registry // nil without schema_registry.url
	views  []view
	m      *metrics
	// repeats rate-limits repeated fetch errors.
	repeats changelog.Repeats
	opts    []kgo.Opt
	conn    []kgo.Opt // connection options only, for the keyring's client
	keys    *keyring.Keyring
	pseudo  bool // some view pseudonymizes: subjects need data keys
	// byKeyPrefix is the Context of identifier index records: partitioned by their identifier id.
	byKeyPrefix context.Context
	clMu        sync.Mutex // guards cl for BufferedBytes
	cl          *kgo.Client
	ready       atomic.Bool
	ran         atomic.Bool // Run was called
	seq         atomic.Uint64
	// abortedSince is when transactions started failing (zero: they do not).
	abortedSince time.Time
	abortWait    backoff.BackOff // between aborted transactions
	rebuildWait  backoff.BackOff // between rebuilds of the Kafka session; reset by a commit
	// owned holds the partitions whose conversation state the workers have (replay.go).
	owned owned
}

// DefaultTransactionalID is the transactional id of an exactly-once instance whose config
// sets none: the group, then the instance id, else the client id and host name
// ("veil-veil-0", "veil-veil-host7"). Transactional ids are global to a cluster: with the
// group in it, two deployments on one cluster that use the same instance ids (two groups,
// or a test suite's many) do not fence each other's transactions.
func DefaultTransactionalID(cfg Config) string {
	id := cfg.InstanceID
	if id == "" {
		host, _ := os.Hostname()
		id = cfg.ClientID + "-" + host
	}
	return cfg.Group + "-" + id
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
		cfg.Processing.TransactionalID = DefaultTransactionalID(cfg)
	}
	p := &Processor{cfg: cfg, log: log, engine: engine, m: newMetrics(reg), byKeyPrefix: changelog.ByKeyPrefix()}
	err := p.newCodecs()
	if err != nil {
		return nil, err
	}
	if p.keys, err = keyring.New(cfg.Keys.KEK, cfg.Topics.Keys, log, keyring.Previous(cfg.Keys.PreviousKEKs...), keyring.IndexKey(cfg.Keys.IndexKey)); err != nil {
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
			t, _ := rules.StructuredField(f) // Validate refused unknown fields
			fields.Types[t] = r
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
	// The keyring's records (data keys) are bounded like the outputs: a
	// key write to a broker that is down fails, and so does its batch,
	// instead of waiting for the broker forever.
	p.conn = append(slices.Clip(opts), kgo.RecordDeliveryTimeout(cfg.Processing.DeliveryTimeout))
	p.conn = append(p.conn, extra...)
	p.opts = append(opts,
		kgo.ConsumerGroup(cfg.Group),
		kgo.ConsumeTopics(cfg.Topics.Raw),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.SessionTimeout(cfg.SessionTimeout),
		kgo.RebalanceTimeout(cfg.RebalanceTimeout),
		kgo.RecordPartitioner(changelog.Partitioner()),
		kgo.RecordDeliveryTimeout(cfg.Processing.DeliveryTimeout),
		kgo.MaxBufferedBytes(cfg.Processing.MaxInFlightBytes),
		kgo.MaxDecompressBatchBytes(cfg.Input.MaxBatchBytes),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.OnPartitionsAssigned(func(_ context.Context, cl *kgo.Client, a map[string][]int32) {
			log.Info("partitions assigned", "partitions", a)
			// Shreds are acknowledged under the member id the erasure
			// service sees in the group.
			if id, _ := cl.GroupMetadata(); id != "" {
				p.keys.SetMember(id)
			}
		}),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, r map[string][]int32) {
			// Every batch is committed before rebalances are allowed, so
			// nothing acknowledged is left uncommitted here.
			log.Info("partitions revoked", "partitions", r)
			p.forget(r)
			p.owned.release(r)
		}),
		kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, l map[string][]int32) {
			log.Warn("partitions lost; nothing is committed for them", "partitions", l)
			p.forget(l)
			p.owned.release(l)
		}),
	)
	if cfg.InstanceID != "" {
		p.opts = append(p.opts, kgo.InstanceID(cfg.InstanceID))
	}
	p.opts = append(p.opts, extra...)
	return p, nil
}

// forget clears the per-partition state of partitions no longer owned: their
// lag is reported by their next owner.
func (p *Processor) forget(parts map[string][]int32) {
	for t, ps := range parts {
		for _, part := range ps {
			p.m.commitLag.DeleteLabelValues(t, strconv.Itoa(int(part)))
		}
	}
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
func (p *Processor) Keyring() *keyring.Keyring { return p.keys }

// Run consumes until ctx is cancelled, then drains the current batch (within
// the shutdown grace), commits what is acknowledged and leaves the group. It
// returns nil after a clean shutdown; an error means the processor stopped
// without committing the batch in hand (it will be consumed again). When the
// Kafka session itself fails (a transaction that cannot be ended, committed
// offsets that cannot be read: a broker crash under exactly-once), Run does
// not stop: it reports not ready, rebuilds the client with backoff and
// resumes at the group's committed offsets. Run may be called once; to
// start again, build a new Processor.
func (p *Processor) Run(ctx context.Context) error {
	if p.ran.Swap(true) {
		return ErrRunTwice
	}
	if err := p.registerOutput(ctx); err != nil {
		return err
	}
	defer p.ready.Store(false)
	w := newPool(p, p.cfg.Processing.Workers)
	defer w.close()

	cl, sess, err := p.connect(ctx)
	if err != nil || cl == nil {
		return err // nil: cancelled while connecting
	}
	// The client joins the group as it is built: a shutdown before
	// consume closes it and, for a static member, leaves the group too.
	quit := func() {
		cl.Close()
		changelog.LeaveGroup(ctx, p.conn, p.cfg.Group, p.cfg.InstanceID, p.log)
	}
	if td := p.cfg.TopicDefaults; td.Create {
		if err := changelog.EnsureTopics(ctx, cl, td.Partitions, td.ReplicationFactor, TopicSpecs(p.cfg)); err != nil {
			quit()
			if ctx.Err() != nil {
				return nil // shut down while creating topics
			}
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
		quit()
		return fmt.Errorf("restoring the keyring: %w", err)
	case <-ctx.Done():
		quit()
		return nil
	}
	p.log.Info("processor started", "topic", p.cfg.Topics.Raw, "group", p.cfg.Group,
		"workers", p.cfg.Processing.Workers, "views", len(p.views))
	p.rebuildWait = changelog.ConnectBackoff()
	for {
		p.ready.Store(true)
		err := p.consume(ctx, cl, sess, w, keysDone)
		var rb *rebuildError
		if !errors.As(err, &rb) {
			return err
		}
		// The client is closed; nothing of the failed batch committed.
		p.ready.Store(false)
		p.m.rebuilds.Inc()
		wait := p.rebuildWait.NextBackOff()
		p.log.Warn("kafka session failed; rebuilding it and resuming at the committed offsets",
			"in", wait.Round(time.Millisecond), "err", rb.err)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil
		}
		if cl, sess, err = p.connect(ctx); err != nil || cl == nil {
			return err
		}
	}
}

// rebuildError is a failure of the Kafka session, not of the data: Run
// closes the client and builds a new one, which joins the group again and
// resumes at its committed offsets.
type rebuildError struct{ err error }

func (e *rebuildError) Error() string { return e.err.Error() }
func (e *rebuildError) Unwrap() error { return e.err }

// connect builds the Kafka client (under exactly-once, after fencing the
// transactional id, a transactional session) and waits until the brokers
// answer, retrying with backoff for as long as ctx lasts. It returns a nil
// client when ctx ends first.
func (p *Processor) connect(ctx context.Context) (*kgo.Client, *kgo.GroupTransactSession, error) {
	var (
		cl   *kgo.Client
		sess *kgo.GroupTransactSession
		err  error
	)
	if p.cfg.Processing.Guarantee == ExactlyOnce {
		// Before joining the group, take over the transactional id: a
		// predecessor killed while committing left offsets pending, and
		// the group's committed offsets are unreadable (RequireStable)
		// until its transaction ends, which without this is when the
		// broker times it out.
		if err := p.fence(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, nil, nil
			}
			return nil, nil, err
		}
		opts := append(slices.Clip(p.opts),
			kgo.TransactionalID(p.cfg.Processing.TransactionalID),
			kgo.TransactionTimeout(p.cfg.Processing.TransactionTimeout),
			kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		)
		if sess, err = kgo.NewGroupTransactSession(opts...); err != nil {
			return nil, nil, fmt.Errorf("creating transactional kafka client: %w", err)
		}
		cl = sess.Client()
	} else if cl, err = kgo.NewClient(p.opts...); err != nil {
		return nil, nil, fmt.Errorf("creating kafka client: %w", err)
	}
	p.clMu.Lock()
	p.cl = cl
	p.clMu.Unlock()
	// Brokers that are not up yet (a restart, a fresh cluster) are waited
	// for, not given up on: readiness stays false meanwhile.
	if err := backoff.RetryNotify(func() error { return cl.Ping(ctx) }, backoff.WithContext(changelog.ConnectBackoff(), ctx),
		func(err error, next time.Duration) {
			p.log.Warn("brokers unreachable; retrying", "in", next.Round(time.Millisecond), "err", err)
		}); err != nil {
		cl.Close()
		if ctx.Err() != nil {
			return nil, nil, nil
		}
		return nil, nil, fmt.Errorf("connecting to brokers: %w", err)
	}
	return cl, sess, nil
}

// drainEvery bounds how long at-least-once batches overlap without a
// pause: rebalances wait for one (see consume).
const drainEvery = time.Second

// consume polls and processes batches on cl until ctx is cancelled (nil, the
// group left), the keyring stops, a batch fails (an error), or the session
// fails (a *rebuildError). It closes cl before it returns.
//
// Under at-least-once batches overlap: while the workers handle batch N+1,
// this goroutine waits for batch N's outputs to be answered and commits N's
// offsets, and only N's. Rebalances stay blocked (BlockRebalanceOnPoll)
// while a batch is in flight; the pipeline is drained, every polled record
// committed, and rebalances allowed, at least every drainEvery, whenever a
// poll finds nothing, after an output failed, and before shutting down.
// Under exactly-once one transaction is in flight at a time, and it ends
// before the next poll outside it (the transaction commits every polled
// offset); a transaction takes up to txnPolls polls (runTxn).
func (p *Processor) consume(ctx context.Context, cl *kgo.Client, sess *kgo.GroupTransactSession, w *pool, keysDone chan error) error {
	var (
		prev      *batch // at-least-once: handled, outputs sent, not committed
		hold      = new(atomic.Bool)
		lastDrain = time.Now()
	)
	stop := func(err error, cur *batch) error {
		if cur != nil {
			cur.waitHandled() // no worker touches the closed client's batch
			cur.release()
		}
		if prev != nil {
			prev.release()
		}
		cl.AllowRebalance()
		cl.Close()
		return err
	}
	for {
		select {
		case err := <-keysDone:
			// Without the keyring, shreds by other instances go unseen.
			keysDone <- err
			p.ready.Store(false)
			return stop(fmt.Errorf("keyring stopped: %w", err), nil)
		default:
		}
		var fetches kgo.Fetches
		switch {
		case sess != nil:
			fetches = sess.PollRecords(ctx, p.cfg.Processing.MaxPollRecords)
		case prev == nil:
			fetches = cl.PollRecords(ctx, p.cfg.Processing.MaxPollRecords)
		default:
			// What is buffered (a nil context polls without waiting); if
			// nothing is, wait for records or for the batch in flight to be
			// answered, whichever comes first.
			var now context.Context
			if fetches = cl.PollRecords(now, p.cfg.Processing.MaxPollRecords); len(fetches) == 0 {
				pctx, cancel := context.WithCancel(ctx)
				stopWait := context.AfterFunc(prev.acked, cancel)
				fetches = cl.PollRecords(pctx, p.cfg.Processing.MaxPollRecords)
				stopWait()
				cancel()
			}
		}
		if fetches.IsClientClosed() {
			if prev != nil {
				prev.release()
			}
			return nil
		}
		bombs := p.fetchErrors(fetches, nil)
		recs := fetches.Records()
		if len(recs) > 0 {
			p.rebuildConversations(ctx, cl, w, fetches)
		}
		if sess != nil && len(recs) > 0 {
			// The batch sees every shred applied so far; it is done, for
			// acknowledging shreds, once its transaction has ended.
			render := p.keys.BeginRender()
			more, err := p.runTxn(ctx, sess, w, fetches, recs)
			bombs = append(bombs, more...)
			render.Done()
			if err != nil {
				return stop(err, nil)
			}
		} else if sess == nil {
			var cur *batch
			if len(recs) > 0 {
				bctx, release := p.drainContext(ctx)
				// Done, for acknowledging shreds, when released: committed
				// or given up.
				render := p.keys.BeginRender()
				cur = newBatch(bctx, func() { release(); render.Done() }, cl.Produce, hold, fetches, recs)
				w.dispatch(cur)
			}
			if prev != nil {
				b := prev
				prev = nil
				if err := p.finishBatch(cl, b); err != nil {
					return stop(err, cur)
				}
			}
			if cur != nil {
				cur.waitHandled()
				prev = cur
			}
			if prev != nil && len(bombs) == 0 && ctx.Err() == nil && !hold.Load() && time.Since(lastDrain) < drainEvery {
				continue // rebalances stay blocked: a batch is in flight
			}
			if prev != nil {
				b := prev
				prev = nil
				if err := p.finishBatch(cl, b); err != nil {
					return stop(err, nil)
				}
			}
			hold.Store(false) // nothing is in flight
		}
		if len(bombs) > 0 {
			if err := p.skipBatches(ctx, cl, sess, bombs); err != nil {
				if sess != nil && ctx.Err() == nil {
					err = &rebuildError{err}
				}
				return stop(err, nil)
			}
		}
		cl.AllowRebalance()
		lastDrain = time.Now()
		if ctx.Err() != nil {
			p.log.Info("shutting down: leaving the group")
			p.ready.Store(false)
			if sess != nil {
				sess.CloseAllowingRebalance()
			} else {
				cl.CloseAllowingRebalance()
			}
			changelog.LeaveGroup(ctx, p.conn, p.cfg.Group, p.cfg.InstanceID, p.log)
			return nil
		}
	}
}

// fence initializes the producer id of the transactional id, waiting for
// brokers that are not up yet: the broker then aborts any transaction an
// earlier incarnation left open and fences that incarnation.
func (p *Processor) fence(ctx context.Context) error {
	// A client whose producer id failed to load keeps failing: each
	// attempt has its own.
	attempt := func() error {
		cl, err := kgo.NewClient(append(slices.Clip(p.conn),
			kgo.TransactionalID(p.cfg.Processing.TransactionalID),
			kgo.TransactionTimeout(p.cfg.Processing.TransactionTimeout),
		)...)
		if err != nil {
			return backoff.Permanent(fmt.Errorf("creating transactional kafka client: %w", err))
		}
		defer cl.Close()
		actx, cancel := context.WithTimeout(ctx, p.cfg.Processing.DeliveryTimeout)
		defer cancel()
		id, epoch, err := cl.ProducerID(actx)
		if err != nil {
			return err
		}
		return abortGroupOffsets(actx, cl, p.cfg.Processing.TransactionalID, p.cfg.Group, id, epoch)
	}
	err := backoff.RetryNotify(attempt, backoff.WithContext(changelog.ConnectBackoff(), ctx), func(err error, next time.Duration) {
		p.log.Warn("cannot take over the transactional id yet; retrying", "in", next.Round(time.Millisecond), "err", err)
	})
	if err != nil {
		return fmt.Errorf("initializing transactional id %s: %w", p.cfg.Processing.TransactionalID, err)
	}
	return nil
}

// abortGroupOffsets runs an empty transaction of the producer id, epoch
// that holds only the group's offsets partition, and aborts it. The abort
// marker it writes there ends every pending offset commit of that producer
// id: on Apache Kafka an offset commit of a predecessor's transaction was
// seen left pending after a broker restart and the fence (its transaction
// aborted), so that reading the group's committed offsets with
// require_stable answered UNSTABLE_OFFSET_COMMIT for minutes and the new
// session could not start (TestFaultBrokerDown on a broker that had been
// through the suite). It needs what a transaction needs anyway: Write on the
// transactional id and Read on the group.
func abortGroupOffsets(ctx context.Context, cl *kgo.Client, txnID, group string, id int64, epoch int16) error {
	add := kmsg.NewPtrAddOffsetsToTxnRequest()
	add.TransactionalID, add.ProducerID, add.ProducerEpoch, add.Group = txnID, id, epoch, group
	resp, err := add.RequestWith(ctx, cl)
	if err == nil {
		err = kerr.ErrorForCode(resp.ErrorCode)
	}
	if err != nil {
		return fmt.Errorf("adding the offsets of group %s to a transaction: %w", group, err)
	}
	end := kmsg.NewPtrEndTxnRequest()
	end.TransactionalID, end.ProducerID, end.ProducerEpoch, end.Commit = txnID, id, epoch, false
	eresp, err := end.RequestWith(ctx, cl)
	if err == nil {
		err = kerr.ErrorForCode(eresp.ErrorCode)
	}
	if err != nil {
		return fmt.Errorf("aborting the transaction of group %s's offsets: %w", group, err)
	}
	return nil
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

// fetchErrors logs the fetch errors of fetches and returns bombs with the
// records over the decompression limit (bomb.go) appended.
func (p *Processor) fetchErrors(fetches kgo.Fetches, bombs []*kgo.ErrDecompressTooLarge) []*kgo.ErrDecompressTooLarge {
	fetches.EachError(func(t string, part int32, err error) {
		if b := (*kgo.ErrDecompressTooLarge)(nil); errors.As(err, &b) {
			bombs = append(bombs, b)
		} else if !errors.Is(err, context.Canceled) {
			p.repeats.Warn(p.log, fmt.Sprint(t, part, err), "fetch error", "topic", t, "partition", part, "err", err)
		}
	})
	return bombs
}

// txnPolls is how many polls of up to processing.max_poll_records one
// transaction takes at most.
const txnPolls = 4

// runTxn handles recs, polled in fetches, in one transaction, and ends it.
// While the outputs of a poll are being acknowledged, the transaction takes
// what else the client has buffered (up to txnPolls polls in all, for at
// most a quarter of the transaction timeout), so that the workers are busy
// while the brokers answer: under load a transaction spans several polls,
// and a lone record is committed at once. All the polls commit or abort
// together (GroupTransactSession.End commits every offset polled). It
// returns the records over the decompression limit met by its extra polls,
// for the caller to skip once the transaction has ended.
func (p *Processor) runTxn(ctx context.Context, sess *kgo.GroupTransactSession, w *pool, fetches kgo.Fetches, recs []*kgo.Record) (bombs []*kgo.ErrDecompressTooLarge, rerr error) {
	start := time.Now()
	bctx, done := p.drainContext(ctx)
	defer done()
	if err := sess.Begin(); err != nil {
		return nil, p.sessionFailed(ctx, fmt.Errorf("beginning transaction: %w", err))
	}
	// The broker aborts a transaction older than the transaction timeout:
	// the batch's work (outputs, data keys) gets no longer than that.
	wctx, cancelWork := context.WithTimeout(bctx, p.cfg.Processing.TransactionTimeout)
	defer cancelWork()
	var n atomic.Int64 // the transaction's records, read by stalled
	n.Store(int64(len(recs)))
	// Records in flight to a broker that went down are neither acknowledged
	// nor failed (the client cannot fail them safely) until it is back: a
	// batch still running past its deadline reports not ready meanwhile.
	stalled := context.AfterFunc(wctx, func() {
		p.ready.Store(false)
		p.log.Warn("transaction outlived its timeout, waiting on the brokers", "records", n.Load())
	})
	defer func() {
		if !stalled() && rerr == nil && ctx.Err() == nil {
			p.ready.Store(true)
		}
	}()
	hold := new(atomic.Bool)
	b := newBatch(wctx, func() {}, sess.Client().Produce, hold, fetches, recs)
	batches := []*batch{b}
	w.dispatch(b)
	b.waitHandled()
	for len(batches) < txnPolls && len(bombs) == 0 && time.Since(start) < p.cfg.Processing.TransactionTimeout/4 && !hold.Load() && !b.abandoned() && wctx.Err() == nil {
		var now context.Context // nil: only what is buffered
		more := sess.PollRecords(now, p.cfg.Processing.MaxPollRecords)
		bombs = p.fetchErrors(more, bombs)
		mrecs := more.Records()
		if len(mrecs) == 0 {
			break
		}
		p.rebuildConversations(ctx, sess.Client(), w, more)
		b = newBatch(wctx, func() {}, sess.Client().Produce, hold, more, mrecs)
		batches = append(batches, b)
		n.Add(int64(len(mrecs)))
		w.dispatch(b)
		b.waitHandled()
	}
	ok := true
	for _, b := range batches {
		<-b.acked.Done()
		ok = ok && b.fatal == nil && len(b.failed) == 0
	}
	// Ending waits on the broker; bound it so that a broker that lost the
	// transaction makes Run rebuild the session instead of hanging.
	ectx, cancel := context.WithTimeout(bctx, 2*p.cfg.Processing.DeliveryTimeout)
	defer cancel()
	committed, err := sess.End(ectx, kgo.TransactionEndTry(ok))
	if err != nil {
		return bombs, p.sessionFailed(ctx, fmt.Errorf("ending transaction of %d records: %w", n.Load(), err))
	}
	if !committed {
		p.m.commits.WithLabelValues("aborted").Inc()
		all := recs
		var cause error
		for i, b := range batches {
			if i > 0 {
				all = append(slices.Clip(all), b.recs...)
			}
			if b.fatal != nil {
				cause = b.fatal
			} else if cause == nil && b.lastErr != nil {
				cause = b.lastErr
			}
		}
		if err := p.resumeAtCommitted(ctx, sess.Client(), all); err != nil && ctx.Err() == nil {
			return bombs, p.sessionFailed(ctx, fmt.Errorf("reading committed offsets after an aborted transaction: %w", err))
		} // when shutting down, the next owner reads the committed offsets itself
		if cause == nil {
			cause = errAborted
		}
		if p.abortedSince.IsZero() {
			p.abortedSince = time.Now()
			p.abortWait = changelog.AbortBackoff()
		}
		if since := time.Since(p.abortedSince); since > p.cfg.Processing.RetryMaxElapsed {
			return bombs, fmt.Errorf("transactions aborted for %v, last cause: %w", since.Round(time.Second), cause)
		}
		p.log.Warn("transaction aborted; the batch will be consumed again", "records", n.Load(), "cause", cause)
		select {
		case <-time.After(p.abortWait.NextBackOff()):
		case <-ctx.Done():
		}
		return bombs, nil
	}
	p.abortedSince = time.Time{}
	p.rebuildWait.Reset()
	p.m.commits.WithLabelValues("ok").Inc()
	for _, b := range batches {
		for _, o := range b.views {
			p.m.eventsOut.WithLabelValues(o).Inc()
		}
		p.observeBatch(start, b.fetches)
	}
	return bombs, nil
}

// sessionFailed marks err, a failure of the transactional session, for Run
// to rebuild the session; when shutting down, err stops Run as it is.
func (p *Processor) sessionFailed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	return &rebuildError{err}
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
	bo := changelog.SettleBackoff(2 * p.cfg.Processing.DeliveryTimeout)
	if err := backoff.Retry(op, backoff.WithContext(bo, ctx)); err != nil {
		return err
	}
	cl.SetOffsets(set) // partitions this instance does not consume are skipped
	return nil
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

// finishBatch waits until every output of b is answered, re-produces the
// failed ones (with backoff) and commits the offsets of b's records, and
// only those: under at-least-once the next batch is being handled
// meanwhile, and its records are not acknowledged yet.
func (p *Processor) finishBatch(cl *kgo.Client, b *batch) error {
	defer b.release()
	<-b.acked.Done()
	if b.fatal != nil {
		return fmt.Errorf("batch of %d records abandoned, offsets not committed: %w", len(b.recs), b.fatal)
	}
	if err := p.retryFailed(b.ctx, b); err != nil {
		return fmt.Errorf("batch of %d records not acknowledged, offsets not committed: %w", len(b.recs), err)
	}
	for _, o := range b.views {
		p.m.eventsOut.WithLabelValues(o).Inc()
	}
	var cerr error
	cl.CommitOffsetsSync(b.ctx, batchOffsets(b.recs), func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		cerr = err
		for _, t := range resp.Topics {
			for _, part := range t.Partitions {
				if err := kerr.ErrorForCode(part.ErrorCode); err != nil && cerr == nil {
					cerr = err
				}
			}
		}
	})
	if cerr != nil {
		// The outputs are acknowledged; the records will be consumed again
		// by whoever owns them next (at-least-once).
		p.m.commits.WithLabelValues("error").Inc()
		p.log.Warn("commit failed; the batch will be redelivered", "records", len(b.recs), "err", cerr)
		return nil
	}
	p.m.commits.WithLabelValues("ok").Inc()
	p.observeBatch(b.start, b.fetches)
	return nil
}

// batchOffsets returns the offsets to commit for recs: per partition, one
// past the last record, with that record's leader epoch.
func batchOffsets(recs []*kgo.Record) map[string]map[int32]kgo.EpochOffset {
	offs := map[string]map[int32]kgo.EpochOffset{}
	for _, r := range recs {
		ps := offs[r.Topic]
		if ps == nil {
			ps = map[int32]kgo.EpochOffset{}
			offs[r.Topic] = ps
		}
		next := kgo.EpochOffset{Epoch: r.LeaderEpoch, Offset: r.Offset + 1}
		if at, ok := ps[r.Partition]; !ok || at.Less(next) {
			ps[r.Partition] = next
		}
	}
	return offs
}

// retryFailed re-produces the outputs whose produce failed, and those held
// back after a failure, in their original order, with exponential backoff,
// until all are acknowledged or the retry budget is spent.
func (p *Processor) retryFailed(ctx context.Context, b *batch) error {
	if len(b.failed) == 0 {
		return nil
	}
	slices.SortFunc(b.failed, func(x, y output) int { return cmp.Compare(x.seq, y.seq) })
	recs := make([]*kgo.Record, len(b.failed))
	for i, o := range b.failed {
		recs[i] = changelog.Fresh(o.rec)
	}
	p.log.Warn("re-producing failed outputs", "count", len(recs), "err", b.lastErr)
	p.m.retries.Inc()
	err := changelog.Produce(ctx, p.cl, changelog.ProduceBackoff(p.cfg.Processing.RetryMaxElapsed), recs, func(failed []*kgo.Record, err error) {
		p.m.retries.Inc()
		p.m.produceErrors.Add(float64(len(failed)))
		p.log.Warn("re-producing failed outputs", "count", len(failed), "err", err)
	})
	if err != nil {
		return err
	}
	for _, o := range b.failed {
		if o.view != "" {
			b.views = append(b.views, o.view)
		}
	}
	b.failed = nil
	return nil
}

// batch is one polled batch of records on its way through the pipeline:
// handled by the workers, its outputs produced and answered, committed.
type batch struct {
	ctx     context.Context
	release func() // ends ctx once the batch is finished
	recs    []*kgo.Record
	fetches kgo.Fetches
	start   time.Time
	send    func(context.Context, *kgo.Record, func(*kgo.Record, error))

	handled sync.WaitGroup // one per record until its outputs are sent
	// outstanding counts the outputs sent and not answered, plus one
	// until every record is handled; acked ends when it reaches zero.
	outstanding atomic.Int64
	acked       context.Context
	ackDone     context.CancelFunc
	// hold is shared by the batches in flight at once: set when an output
	// of any of them failed; from then on outputs are held back, unsent,
	// until the pipeline is drained.
	hold *atomic.Bool

	mu      sync.Mutex
	failed  []output // failed or held back, for retryFailed
	views   []string // view name per acknowledged view record
	lastErr error
	fatal   error // a record could not be handled; nothing is committed
}

// newBatch starts a batch of recs whose outputs go out through send, with
// ctx for its work and release to end it.
func newBatch(ctx context.Context, release func(), send func(context.Context, *kgo.Record, func(*kgo.Record, error)), hold *atomic.Bool, fetches kgo.Fetches, recs []*kgo.Record) *batch {
	b := &batch{ctx: ctx, release: release, send: send, hold: hold, fetches: fetches, recs: recs, start: time.Now()}
	b.outstanding.Store(1)
	b.acked, b.ackDone = context.WithCancel(context.Background())
	return b
}

// waitHandled waits until every record of b is handled and its outputs
// sent. It is called once, after every record was given to the pool.
func (b *batch) waitHandled() {
	b.handled.Wait()
	b.answered()
}

func (b *batch) answered() {
	if b.outstanding.Add(-1) == 0 {
		b.ackDone()
	}
}

// abandoned tells whether a record of b was abandoned (nothing of the
// transaction will commit).
func (b *batch) abandoned() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fatal != nil
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

// holdBack adds o to the failed outputs, unsent, if some output of a batch
// in flight has failed.
func (b *batch) holdBack(o output) bool {
	if !b.hold.Load() {
		return false
	}
	b.mu.Lock()
	b.failed = append(b.failed, o)
	b.mu.Unlock()
	return true
}

func (b *batch) done(o output, err error) {
	b.mu.Lock()
	if err != nil {
		b.failed = append(b.failed, o)
		b.lastErr = err
		b.hold.Store(true)
	} else if o.view != "" {
		b.views = append(b.views, o.view)
	}
	b.mu.Unlock()
	b.answered()
}

// produce sends the outputs of one input record, in order. Once an output
// of a batch in flight has failed, later ones are not sent but left to the
// retry, which sends everything failed or held back in production order,
// batch after batch: a later event of a conversation must not reach its
// partition before an earlier one that is sent again. (A record sent while
// an earlier one of its partition is still buffered fails with it: the
// client fails every buffered record of a partition together.)
func (p *Processor) produce(b *batch, outs []output) {
	for _, o := range outs {
		o.seq = p.seq.Add(1)
		if b.holdBack(o) {
			continue
		}
		b.outstanding.Add(1)
		b.send(b.ctx, o.rec, func(_ *kgo.Record, err error) {
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

// job is a record to handle in batch b, or, with b nil, a record to replay into the
// conversation state (replay.go).
type job struct {
	b   *batch
	rec *kgo.Record
	ctx context.Context // of a replay
}

func newPool(p *Processor, n int) *pool {
	w := &pool{p: p, jobs: make([]chan job, n)}
	for i := range w.jobs {
		ch := make(chan job, 256)
		w.jobs[i] = ch
		w.wg.Go(func() {
			var scratch worker
			for j := range ch {
				if j.b == nil {
					p.replayRecord(j.ctx, &scratch, j.rec)
					continue
				}
				outs, err := p.handle(j.b.ctx, &scratch, j.rec)
				if err != nil {
					j.b.abandon(err)
				} else {
					p.produce(j.b, outs)
				}
				j.b.handled.Done()
			}
		})
	}
	return w
}

// dispatch hands every record of b to its worker; it returns once all are
// queued (the workers may still be handling them).
func (w *pool) dispatch(b *batch) {
	for _, r := range b.recs {
		w.p.m.eventsIn.WithLabelValues(r.Topic).Inc()
		b.handled.Add(1)
		w.jobs[w.slot(r)] <- job{b: b, rec: r}
	}
}

// replay queues r to its worker, to be replayed into the conversation state there, after
// the records queued before it and before those queued after it.
func (w *pool) replay(ctx context.Context, r *kgo.Record) {
	w.jobs[w.slot(r)] <- job{rec: r, ctx: ctx}
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
