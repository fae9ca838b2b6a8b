package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// benchOpts are the settings of one 'veil bench' run.
type benchOpts struct {
	events, conversations, workers int
	partitions                     int32
	guarantee                      string
	bodyBytes                      int
	rounds                         int
	seed                           uint64
	cpuProfile                     string
}

// runBench is 'veil bench': a load harness on an in-process broker (kfake,
// loopback, no data dir). It produces synthetic conversation events to the
// raw topic, then measures a plain consume→produce copier (the baseline:
// same client settings and batch size, no decoding or detection) and the
// processor with the default views over the same records, and prints both
// rates, their ratio and the process CPU time per event.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("veil bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := benchOpts{}
	var partitions int
	fs.IntVar(&o.events, "events", 50_000, "events to produce and process (at most 2,000,000)")
	fs.IntVar(&o.conversations, "conversations", 1_000, "conversations the events are spread over")
	fs.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "redaction workers of the processor")
	fs.IntVar(&partitions, "partitions", 6, "partitions of every topic")
	fs.StringVar(&o.guarantee, "guarantee", processor.AtLeastOnce, "at_least_once or exactly_once (the baseline uses the same)")
	fs.IntVar(&o.bodyBytes, "body-bytes", 600, "body size of the events, bytes (at least; sentences are not cut)")
	fs.IntVar(&o.rounds, "rounds", 1, "baseline and processor runs, alternating (at most 10)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the event generator")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured runs (not of generating the events) to this file")
	timeout := fs.Duration("timeout", 5*time.Minute, "stop with an error after this long")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	o.partitions = int32(partitions)
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if o.events < 1 || o.events > 2_000_000 {
		bad("--events: %d not in 1..2000000", o.events)
	}
	if o.conversations < 1 {
		bad("--conversations: must be positive")
	}
	if o.workers < 1 || o.workers > 256 {
		bad("--workers: %d not in 1..256", o.workers)
	}
	if partitions < 1 || partitions > 1000 {
		bad("--partitions: %d not in 1..1000", partitions)
	}
	if o.guarantee != processor.AtLeastOnce && o.guarantee != processor.ExactlyOnce {
		bad("--guarantee: %q (want %s or %s)", o.guarantee, processor.AtLeastOnce, processor.ExactlyOnce)
	}
	if o.bodyBytes < 0 || o.bodyBytes > 256<<10 {
		bad("--body-bytes: %d not in 0..262144", o.bodyBytes)
	}
	if o.rounds < 1 || o.rounds > 10 {
		bad("--rounds: %d not in 1..10", o.rounds)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	return bench(ctx, o, stdout, stderr)
}

// phaseResult is one measured run of the copier or the processor.
type phaseResult struct {
	startup time.Duration // from start to the first committed batch
	total   time.Duration // from start to the last event committed
	steady  time.Duration // from the first committed batch to the last
	events  int64         // events committed in the steady window
	cpu     time.Duration // process CPU time in the steady window (-1: unknown)
}

func (r phaseResult) rate() float64 { return float64(r.events) / r.steady.Seconds() }

func (r phaseResult) cpuPerEvent() time.Duration {
	if r.cpu < 0 || r.events == 0 {
		return -1
	}
	return r.cpu / time.Duration(r.events)
}

func bench(ctx context.Context, o benchOpts, stdout, stderr io.Writer) error {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.GroupMinSessionTimeout(500*time.Millisecond))
	if err != nil {
		return fmt.Errorf("starting in-process broker: %w", err)
	}
	defer cluster.Close()

	cfg := processor.Default()
	cfg.Brokers = cluster.ListenAddrs()
	cfg.ClientID = "veil-bench"
	cfg.SessionTimeout, cfg.RebalanceTimeout = 6*time.Second, 10*time.Second
	cfg.Keys.KEK = make([]byte, 32)
	_, _ = rand.Read(cfg.Keys.KEK)
	cfg.Processing.Workers = o.workers
	cfg.Processing.Guarantee = o.guarantee
	cfg.TopicDefaults.Partitions = o.partitions
	cfg.TopicDefaults.ReplicationFactor = 1
	const copyTopic = "veil-bench.copy"

	cl, err := kgo.NewClient(kgo.SeedBrokers(cfg.Brokers...), kgo.RecordPartitioner(processor.Partitioner()))
	if err != nil {
		return fmt.Errorf("creating kafka client: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	specs := append(processor.TopicSpecs(cfg), processor.TopicSpec{Name: copyTopic, Configs: map[string]string{"cleanup.policy": "delete"}})
	if err := processor.EnsureTopics(ctx, cl, o.partitions, 1, specs); err != nil {
		return err
	}

	recs, rawBytes, err := benchRecords(cfg.Topics.Raw, cfg.Input.Format, o)
	if err != nil {
		return err
	}
	for chunk := range slices.Chunk(recs, 5000) {
		if err := cl.ProduceSync(ctx, chunk...).FirstErr(); err != nil {
			return fmt.Errorf("producing events: %w", err)
		}
	}
	n := int64(len(recs))
	avg := float64(rawBytes) / float64(n)
	fmt.Fprintf(stdout, "veil bench: %d events (%.0f B each on average, %.1f MB) in %d conversations, %d partitions, %s, %d workers, GOMAXPROCS %d\n",
		n, avg, float64(rawBytes)/1e6, o.conversations, o.partitions, o.guarantee, o.workers, runtime.GOMAXPROCS(0))
	fmt.Fprintf(stdout, "broker: kfake in this process (loopback); CPU figures include the broker's work\n\n")

	engine, err := rules.NewEngine(rules.Config{})
	if err != nil {
		return fmt.Errorf("building detection engine: %w", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	fmt.Fprintf(stdout, "%-6s %-8s %9s %12s %8s %13s %6s %9s\n", "round", "run", "startup", "events/s", "MB/s", "CPU µs/event", "cores", "total")
	line := func(round int, name string, r phaseResult) {
		cpu, cores := "n/a", "n/a"
		if c := r.cpuPerEvent(); c >= 0 {
			cpu = fmt.Sprintf("%.1f", float64(c.Nanoseconds())/1e3)
			cores = fmt.Sprintf("%.2f", r.cpu.Seconds()/r.steady.Seconds())
		}
		fmt.Fprintf(stdout, "%-6d %-8s %8.2fs %12.0f %8.1f %13s %6s %8.2fs\n", round, name, r.startup.Seconds(),
			r.rate(), r.rate()*avg/1e6, cpu, cores, r.total.Seconds())
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return fmt.Errorf("creating CPU profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("starting CPU profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	var ratios, cpuRatios []float64
	var added []time.Duration
	for round := 1; round <= o.rounds; round++ {
		base, err := measure(ctx, adm, cfg.Topics.Raw, fmt.Sprintf("veil-bench-copier-%d", round), n, func(ctx context.Context, group string) error {
			return runCopier(ctx, cfg, group, copyTopic)
		})
		if err != nil {
			return fmt.Errorf("baseline, round %d: %w", round, err)
		}
		line(round, "baseline", base)
		veil, err := measure(ctx, adm, cfg.Topics.Raw, fmt.Sprintf("veil-bench-%d", round), n, func(ctx context.Context, group string) error {
			c := cfg
			c.Group = group
			p, err := processor.New(c, engine, log, prometheus.NewRegistry())
			if err != nil {
				return err
			}
			return p.Run(ctx)
		})
		if err != nil {
			return fmt.Errorf("processor, round %d: %w", round, err)
		}
		line(round, "veil", veil)
		ratios = append(ratios, veil.rate()/base.rate())
		if b, v := base.cpuPerEvent(), veil.cpuPerEvent(); b > 0 && v > 0 {
			cpuRatios = append(cpuRatios, float64(v)/float64(b))
			added = append(added, v-b)
		}
	}

	fmt.Fprintf(stdout, "\nveil / baseline, events/s: %s (median %.2f)\n", fmtRatios(ratios), median(ratios))
	if len(cpuRatios) > 0 {
		slices.Sort(added)
		fmt.Fprintf(stdout, "veil / baseline, CPU per event: %s (median %.1f×); veil adds %.1f µs of CPU per event (median)\n",
			fmtRatios(cpuRatios), median(cpuRatios), float64(added[len(added)/2].Nanoseconds())/1e3)
	}
	return benchCheck(ctx, adm, cfg, n*int64(o.rounds), stdout)
}

// benchCheck reports what is on the analytics view and the DLQ: every
// generated event is valid, so each must be on the view and none on the DLQ.
func benchCheck(ctx context.Context, adm *kadm.Client, cfg processor.Config, want int64, stdout io.Writer) error {
	sum := func(topic string) (int64, error) {
		ends, err := adm.ListEndOffsets(ctx, topic)
		if err == nil {
			err = ends.Error()
		}
		var s int64
		ends.Each(func(o kadm.ListedOffset) { s += o.Offset })
		return s, err
	}
	analytics, err := sum(cfg.Views[0].Topic)
	if err != nil {
		return fmt.Errorf("reading end offsets: %w", err)
	}
	dlq, err := sum(cfg.Topics.DLQ)
	if err != nil {
		return fmt.Errorf("reading end offsets: %w", err)
	}
	note := ""
	if cfg.Processing.Guarantee == processor.ExactlyOnce {
		note = " (end offsets, transaction markers included)"
	}
	fmt.Fprintf(stdout, "%s: %d records for %d events%s; %s: %d records\n", cfg.Views[0].Topic, analytics, want, note, cfg.Topics.DLQ, dlq)
	if analytics < want {
		return fmt.Errorf("%s holds %d records, want at least %d", cfg.Views[0].Topic, analytics, want)
	}
	if dlq > 0 {
		return fmt.Errorf("%d generated events went to %s", dlq, cfg.Topics.DLQ)
	}
	return nil
}

// measure runs run(ctx, group) until group has committed n records of topic,
// then stops it and waits for it. The rate is taken from the first committed
// batch to the last, so that joining the group is not in it.
func measure(ctx context.Context, adm *kadm.Client, topic, group string, n int64, run func(context.Context, string) error) (phaseResult, error) {
	rctx, stop := context.WithCancel(ctx)
	var (
		wg     sync.WaitGroup
		runErr error
		exited = make(chan struct{})
	)
	start, startCPU := time.Now(), cpuTime()
	wg.Go(func() {
		defer close(exited)
		runErr = run(rctx, group)
	})
	defer func() { stop(); wg.Wait() }()

	var (
		res       phaseResult
		first     time.Time
		firstN    int64
		firstCPU  = time.Duration(-1)
		committed int64
	)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for committed < n {
		select {
		case <-ctx.Done():
			return res, fmt.Errorf("%d of %d events committed: %w", committed, n, ctx.Err())
		case <-exited:
			return res, fmt.Errorf("stopped with %d of %d events committed: %v", committed, n, runErr)
		case <-tick.C:
		}
		offs, err := adm.FetchOffsets(ctx, group)
		if err != nil {
			continue // the group may not exist yet
		}
		committed = 0
		offs.Each(func(o kadm.OffsetResponse) {
			if o.Topic == topic && o.At > 0 {
				committed += o.At
			}
		})
		if committed > 0 && first.IsZero() {
			first, firstN, firstCPU = time.Now(), committed, cpuTime()
		}
	}
	now, cpu := time.Now(), cpuTime()
	res.startup, res.total = first.Sub(start), now.Sub(start)
	res.steady, res.events = now.Sub(first), n-firstN
	if res.events == 0 {
		// Everything came in one batch: count it all, startup included.
		res.steady, res.events, firstCPU = res.total, n, startCPU
	}
	res.cpu = -1
	// CPU time comes in clock ticks (10 ms): too short a window says little.
	if firstCPU >= 0 && cpu-firstCPU >= 100*time.Millisecond {
		res.cpu = cpu - firstCPU
	}
	stop()
	wg.Wait()
	if runErr != nil {
		return res, runErr
	}
	return res, nil
}

// runCopier is the baseline: it consumes topic raw in group and produces
// every record unchanged to out, with the processor's client settings and
// batch size, committing a batch once all of it is acknowledged (or, under
// exactly_once, in one transaction with its offsets).
func runCopier(ctx context.Context, cfg processor.Config, group, out string) error {
	opts, err := processor.ClientOpts(cfg)
	if err != nil {
		return err
	}
	opts = append(opts,
		kgo.ConsumerGroup(group),
		kgo.ConsumeTopics(cfg.Topics.Raw),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.SessionTimeout(cfg.SessionTimeout),
		kgo.RebalanceTimeout(cfg.RebalanceTimeout),
		kgo.RecordPartitioner(processor.Partitioner()),
		kgo.RecordDeliveryTimeout(cfg.Processing.DeliveryTimeout),
		kgo.MaxBufferedBytes(cfg.Processing.MaxInFlightBytes),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
	)
	var (
		cl   *kgo.Client
		sess *kgo.GroupTransactSession
	)
	if cfg.Processing.Guarantee == processor.ExactlyOnce {
		opts = append(opts, kgo.TransactionalID(group), kgo.FetchIsolationLevel(kgo.ReadCommitted()))
		if sess, err = kgo.NewGroupTransactSession(opts...); err != nil {
			return fmt.Errorf("creating transactional kafka client: %w", err)
		}
		cl = sess.Client()
		defer sess.Close()
	} else {
		if cl, err = kgo.NewClient(opts...); err != nil {
			return fmt.Errorf("creating kafka client: %w", err)
		}
		defer cl.Close()
	}
	for {
		var fetches kgo.Fetches
		if sess != nil {
			fetches = sess.PollRecords(ctx, cfg.Processing.MaxPollRecords)
		} else {
			fetches = cl.PollRecords(ctx, cfg.Processing.MaxPollRecords)
		}
		if ctx.Err() != nil || fetches.IsClientClosed() {
			cl.AllowRebalance()
			return nil
		}
		recs := fetches.Records()
		if len(recs) == 0 {
			cl.AllowRebalance()
			continue
		}
		if sess != nil {
			if err := sess.Begin(); err != nil {
				return fmt.Errorf("beginning transaction: %w", err)
			}
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			prodErr error
		)
		for _, r := range recs {
			wg.Add(1)
			cl.Produce(ctx, &kgo.Record{Topic: out, Key: r.Key, Value: r.Value, Headers: r.Headers}, func(_ *kgo.Record, err error) {
				if err != nil {
					mu.Lock()
					prodErr = err
					mu.Unlock()
				}
				wg.Done()
			})
		}
		wg.Wait()
		if sess != nil {
			if _, err := sess.End(ctx, kgo.TransactionEndTry(prodErr == nil)); err != nil && ctx.Err() == nil {
				return fmt.Errorf("ending transaction: %w", err)
			}
		} else if prodErr == nil {
			if err := cl.CommitUncommittedOffsets(ctx); err != nil && ctx.Err() == nil {
				return fmt.Errorf("committing: %w", err)
			}
		}
		cl.AllowRebalance()
		if prodErr != nil && ctx.Err() == nil {
			return fmt.Errorf("copying: %w", prodErr)
		}
	}
}

// benchRecords generates the events of o and encodes them in format f, keyed
// by conversation id; it also returns their total size.
func benchRecords(topic string, f schemas.Format, o benchOpts) ([]*kgo.Record, int64, error) {
	codec, err := schemas.NewCodec(f)
	if err != nil {
		return nil, 0, err
	}
	g := newEventGen(o.seed)
	recs := make([]*kgo.Record, o.events)
	var size int64
	for i := range recs {
		ev := g.event(i, o.conversations, o.bodyBytes)
		v, err := codec.EncodeEvent(ev)
		if err != nil {
			return nil, 0, fmt.Errorf("encoding event %s: %w", ev.EventID, err)
		}
		recs[i] = &kgo.Record{Topic: topic, Key: []byte(ev.ConversationID), Value: v}
		size += int64(len(v))
	}
	return recs, size, nil
}

// eventGen makes synthetic support conversations in Dutch and English: plain
// sentences with personal data of several types mixed in (names, e-mail
// addresses, phone numbers, cards and IBANs, BSNs, addresses, birth dates,
// IP addresses, passwords) and look-alikes (amounts, order numbers). Card and
// BSN numbers pass their checksums. It is deterministic for a seed.
type eventGen struct {
	r   *mrand.Rand
	seq map[int]int
	t0  time.Time
}

func newEventGen(seed uint64) *eventGen {
	return &eventGen{r: mrand.New(mrand.NewPCG(seed, 0x7665696c)), seq: map[int]int{}, t0: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
}

var (
	genFirst = []string{"Anna", "Bas", "Chloe", "Deniz", "Elif", "Femke", "George", "Hamza", "Ingrid", "Joost", "Kavya", "Liam", "Mehmet", "Nadia", "Olga", "Pieter"}
	genLast  = []string{"Jansen", "de Vries", "Smith", "Yilmaz", "El Amrani", "Kowalski", "Patel", "van Dijk", "Brown", "Visser"}
	genPlain = map[string][]string{
		"nl": {
			"Ik heb een vraag over mijn factuur van deze maand.", "Kunnen jullie dat nakijken en mij laten weten wat er mis is gegaan?",
			"De app crasht sinds de laatste update op mijn telefoon.", "Het pakket is nooit aangekomen bij het afhaalpunt.",
			"We hebben je verzoek doorgestuurd naar de juiste afdeling.", "Volgens de track and trace is het al bezorgd.",
			"Ik wacht nu al twee weken op een antwoord.", "Bedankt voor het geduld, we zoeken het voor je uit.",
		},
		"en": {
			"The delivery was late again and nobody called me.", "Thanks for the quick reply, that helps a lot.",
			"I would like to change my subscription to the yearly plan.", "Could you please check the status of my refund?",
			"Let me know if there is anything else I can do.", "I tried resetting the router but it did not help.",
			"We have passed your request on to the right team.", "Sorry for the trouble, I will look into it right away.",
		},
	}
	genIBANs = []string{"NL91 ABNA 0417 1643 00", "NL91ABNA0417164300", "DE89 3704 0044 0532 0130 00", "GB29 NWBK 6016 1331 9268 19"}
)

func (g *eventGen) pick(s []string) string { return s[g.r.IntN(len(s))] }

func (g *eventGen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

// card returns a Visa-like number that passes the Luhn check, in groups of 4.
func (g *eventGen) card() string {
	d := "4" + g.digits(14)
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if (len(d)-i)%2 == 1 {
			if v *= 2; v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	d += strconv.Itoa((10 - sum%10) % 10)
	return d[0:4] + " " + d[4:8] + " " + d[8:12] + " " + d[12:16]
}

// bsn returns a Dutch citizen service number that passes the 11-proof.
func (g *eventGen) bsn() string {
	for {
		d := g.digits(8)
		sum := 0
		for i := range 8 {
			sum += (9 - i) * int(d[i]-'0')
		}
		if c := sum % 11; c < 10 && d[0] != '0' {
			return d + strconv.Itoa(c)
		}
	}
}

// sentence returns one sentence in lang, carrying personal data with
// probability 1 in 6 (about 4 findings per KB of body).
func (g *eventGen) sentence(lang string) string {
	first, last := g.pick(genFirst), g.pick(genLast)
	if g.r.IntN(6) != 0 {
		if g.r.IntN(4) == 0 {
			// A look-alike: amounts, order and version numbers, dates.
			if lang == "nl" {
				return fmt.Sprintf("Ik heb € %d,%s betaald voor bestelling %s op %d maart.", g.r.IntN(900)+10, g.digits(2), g.digits(9), g.r.IntN(28)+1)
			}
			return fmt.Sprintf("Order %s was shipped on the %dth, app version %d.%d.%d.", g.digits(8), g.r.IntN(20)+4, g.r.IntN(9), g.r.IntN(20), g.r.IntN(99))
		}
		return g.pick(genPlain[lang])
	}
	email := strings.ToLower(first) + "." + g.digits(2) + "@example." + map[string]string{"nl": "nl", "en": "co.uk"}[lang]
	if lang == "nl" {
		switch g.r.IntN(8) {
		case 0:
			return fmt.Sprintf("Je kunt me bellen op 06-%s of mailen naar %s.", g.digits(8), email)
		case 1:
			return fmt.Sprintf("Mijn creditcard is %s, kunnen jullie die blokkeren?", g.card())
		case 2:
			return fmt.Sprintf("Graag terugstorten op %s t.n.v. %s %s.", g.pick(genIBANs), first, last)
		case 3:
			return fmt.Sprintf("Mijn BSN is %s, dat hadden jullie gevraagd.", g.bsn())
		case 4:
			return fmt.Sprintf("Mijn nieuwe adres is Kerkstraat %d, %d %s Utrecht.", g.r.IntN(300)+1, 1000+g.r.IntN(9000), "AB")
		case 5:
			return fmt.Sprintf("Mijn geboortedatum is %d-%d-19%s.", g.r.IntN(28)+1, g.r.IntN(12)+1, g.digits(2))
		case 6:
			return fmt.Sprintf("Mijn wachtwoord is Zomer%s! maar dat werkt niet meer.", g.digits(3))
		default:
			return fmt.Sprintf("Met vriendelijke groet, %s %s", first, last)
		}
	}
	switch g.r.IntN(8) {
	case 0:
		return fmt.Sprintf("You can reach me on +44 7700 %s or at %s.", g.digits(6), email)
	case 1:
		return fmt.Sprintf("My card is %s and it was charged twice.", g.card())
	case 2:
		return fmt.Sprintf("Please refund to %s, account holder %s %s.", g.pick(genIBANs), first, last)
	case 3:
		return fmt.Sprintf("My IP address is 192.168.%d.%d if that helps.", g.r.IntN(255), g.r.IntN(254)+1)
	case 4:
		return fmt.Sprintf("I moved to %d Baker Street, London NW1 6XE.", g.r.IntN(200)+1)
	case 5:
		return fmt.Sprintf("My date of birth is %d/%d/19%s.", g.r.IntN(12)+1, g.r.IntN(28)+1, g.digits(2))
	case 6:
		return fmt.Sprintf("My password is Summer%s! and it stopped working.", g.digits(3))
	default:
		return fmt.Sprintf("Kind regards, %s %s", first, last)
	}
}

// event returns event i: conversation i mod convs, its customer one of a
// third as many, with a body of at least bodyBytes bytes.
func (g *eventGen) event(i, convs, bodyBytes int) schemas.ConversationEvent {
	c := i % convs
	g.seq[c]++
	lang := []string{"nl", "en"}[c%2]
	locale := map[string]string{"nl": "nl-NL", "en": "en-GB"}[lang]
	channel := []string{"chat", "email"}[(c/2)%2]
	role := []string{"customer", "agent"}[g.seq[c]%2]
	ev := schemas.ConversationEvent{
		EventID:        fmt.Sprintf("ev-%07d", i),
		ConversationID: fmt.Sprintf("conv-%06d", c),
		CustomerID:     fmt.Sprintf("cust-%06d", c%max(1, convs/3)),
		Channel:        channel,
		Locale:         locale,
		AuthorRole:     role,
		SentAt:         g.t0.Add(time.Duration(i) * time.Second),
	}
	if role == "customer" {
		first, last := g.pick(genFirst), g.pick(genLast)
		ev.AuthorName = first + " " + last
		ev.AuthorEmail = strings.ToLower(first) + "@example.com"
	}
	if channel == "email" && g.seq[c] == 1 {
		ev.Subject = map[string]string{"nl": "Vraag over bestelling ", "en": "Question about order "}[lang] + g.digits(7)
	}
	var b bytes.Buffer
	if role == "agent" {
		b.WriteString(map[string]string{"nl": "Hoi ", "en": "Hi "}[lang] + g.pick(genFirst) + ",")
	}
	for b.Len() < bodyBytes || b.Len() == 0 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(g.sentence(lang))
	}
	ev.Body = b.String()
	return ev
}

// cpuTime returns the CPU time (user and system) of this process so far,
// from /proc/self/stat, or -1 where that is not available. (Getrusage would
// be finer, but it does not build on every platform veil builds for.)
func cpuTime() time.Duration {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return -1
	}
	// Fields after the command name, which is in parentheses and may hold
	// spaces: state is field 3, utime 14 and stime 15 (clock ticks).
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return -1
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return -1
	}
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / ticks
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func fmtRatios(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strings.Join(parts, ", ")
}
