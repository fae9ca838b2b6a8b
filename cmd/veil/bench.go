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
	"math"
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
	"github.com/veil-privacy/veil/processor/changelog"
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
	compression                    string        // compression.type of the outputs; "": the client's default
	brokers                        []string      // empty: an in-process broker
	overload                       time.Duration // 0: no overload run
	overloadFactor                 float64       // the overload rate, as a multiple of Veil's median rate
	overloadRate                   float64       // the overload rate in events/s; 0: overloadFactor
}

// runBench is 'veil bench': a load harness on an in-process broker (kfake,
// loopback, no data dir) or, with --brokers, a real cluster. It produces
// synthetic conversation events to the raw topic, runs the processor with
// the default views over them once to record its outputs, then measures in
// alternating rounds a pass-through (the baseline: it writes exactly those
// outputs, with the same client settings, partitioner, compression and batch
// size, but decodes and detects nothing) and the processor. It prints both
// rates, the CPU time per event, the end-to-end latency at half the rate and,
// last, one machine-readable line of medians (see benchSummary.line).
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("veil bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := benchOpts{}
	var partitions int
	fs.IntVar(&o.events, "events", 50_000, "events to produce and process (at most 2,000,000)")
	fs.IntVar(&o.conversations, "conversations", 1_000, "conversations the events are spread over")
	fs.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "redaction workers of the processor")
	fs.IntVar(&partitions, "partitions", 6, "partitions of every topic")
	fs.StringVar(&o.guarantee, "guarantee", processor.AtLeastOnce, "at_least_once or exactly_once (the pass-through uses the same)")
	fs.IntVar(&o.bodyBytes, "body-bytes", 200, "body size of the events, bytes (at least; sentences are not cut)")
	fs.IntVar(&o.rounds, "rounds", 1, "pass-through and processor runs, alternating (at most 10); the summary is their median")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the event generator")
	fs.StringVar(&o.compression, "compression", "", "compression.type of every produced record, Veil's and the pass-through's (none, gzip, snappy, lz4, zstd); default: the client's, snappy")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured runs (not of generating the events) to this file")
	brokers := fs.String("brokers", "", "comma-separated bootstrap brokers of a real cluster (plaintext) instead of the in-process one; the run creates its own topics and groups and deletes them")
	fs.DurationVar(&o.overload, "overload", 0, "after the rounds, produce at --overload-factor times Veil's median rate for this long while Veil runs, printing lag, heap and resident memory (needs --brokers)")
	fs.Float64Var(&o.overloadFactor, "overload-factor", 2, "the overload rate as a multiple of Veil's median events/s")
	fs.Float64Var(&o.overloadRate, "overload-rate", 0, "the overload rate in events/s instead of --overload-factor")
	timeout := fs.Duration("timeout", 5*time.Minute, "stop with an error after this long (the overload run comes on top)")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	o.partitions = int32(partitions)
	for b := range strings.SplitSeq(*brokers, ",") {
		if b = strings.TrimSpace(b); b != "" {
			o.brokers = append(o.brokers, b)
		}
	}
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
	if o.overload < 0 || o.overload > 2*time.Hour {
		bad("--overload: %s not in 0..2h", o.overload)
	}
	if o.overload > 0 && len(o.brokers) == 0 {
		bad("--overload needs --brokers: the in-process broker keeps every record in this process's memory, so its resident memory would say nothing of Veil's")
	}
	if o.overloadFactor < 1 || o.overloadFactor > 100 {
		bad("--overload-factor: %g not in 1..100", o.overloadFactor)
	}
	if o.overloadRate < 0 || o.overloadRate > 10_000_000 {
		bad("--overload-rate: %g not in 0..10000000", o.overloadRate)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout+o.overload)
	defer cancel()
	return bench(ctx, o, stdout, stderr)
}

// phaseResult is one measured run of the pass-through or the processor.
type phaseResult struct {
	startup time.Duration // from start to the first committed batch
	total   time.Duration // from start to the last event committed
	steady  time.Duration // from the first committed batch to the last
	events  int64         // events committed in the steady window
	cpu     time.Duration // process CPU time in the steady window (-1: unknown)
}

func (r phaseResult) rate() float64 { return float64(r.events) / r.steady.Seconds() }

// cores is the CPU time per wall time of the steady window.
func (r phaseResult) cores() float64 { return r.cpu.Seconds() / r.steady.Seconds() }

func (r phaseResult) cpuPerEvent() time.Duration {
	if r.cpu < 0 || r.events == 0 {
		return -1
	}
	return r.cpu / time.Duration(r.events)
}

// basePrefix names the pass-through's copies of Veil's output topics: the
// same settings, other names, so that the views hold only Veil's records.
const basePrefix = "veil-bench.base."

func bench(ctx context.Context, o benchOpts, stdout, stderr io.Writer) error {
	brokers, brokerNote, run := o.brokers, "", ""
	if len(brokers) == 0 {
		cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.GroupMinSessionTimeout(500*time.Millisecond))
		if err != nil {
			return fmt.Errorf("starting in-process broker: %w", err)
		}
		defer cluster.Close()
		brokers, brokerNote = cluster.ListenAddrs(), "kfake in this process (loopback); CPU figures include the broker's work"
	} else {
		// A real cluster keeps topics and groups: every run gets its own.
		run = fmt.Sprintf("veil-bench-%d.", time.Now().UnixNano())
		brokerNote = strings.Join(brokers, ",") + "; CPU figures are this process's (the clients), not the broker's"
	}

	cfg := processor.Default()
	cfg.Brokers = brokers
	cfg.ClientID = "veil-bench"
	cfg.SessionTimeout, cfg.RebalanceTimeout = 6*time.Second, 10*time.Second
	cfg.Keys.KEK = make([]byte, 32)
	_, _ = rand.Read(cfg.Keys.KEK)
	cfg.Processing.Workers = o.workers
	cfg.Processing.Guarantee = o.guarantee
	if o.compression != "" {
		cfg.Kafka = processor.KafkaProperties{"compression.type": o.compression}
	}
	cfg.TopicDefaults.Partitions = o.partitions
	cfg.TopicDefaults.ReplicationFactor = 1
	cfg.Topics.Raw, cfg.Topics.DLQ = run+cfg.Topics.Raw, run+cfg.Topics.DLQ
	cfg.Topics.Subjects, cfg.Topics.Keys = run+cfg.Topics.Subjects, run+cfg.Topics.Keys
	cfg.Topics.Identifiers = run + cfg.Topics.Identifiers
	cfg.Views = slices.Clone(cfg.Views)
	// The outputs of one event, in the order Veil writes them.
	var outTopics []string
	for i := range cfg.Views {
		cfg.Views[i].Topic = run + cfg.Views[i].Topic
		outTopics = append(outTopics, cfg.Views[i].Topic)
	}
	outTopics = append(outTopics, cfg.Topics.Subjects)

	cl, err := kgo.NewClient(kgo.SeedBrokers(cfg.Brokers...), kgo.RecordPartitioner(changelog.Partitioner()))
	if err != nil {
		return fmt.Errorf("creating kafka client: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	specs := processor.TopicSpecs(cfg)
	for _, s := range specs {
		if slices.Contains(outTopics, s.Name) || s.Name == cfg.Topics.Identifiers {
			specs = append(specs, changelog.TopicSpec{Name: basePrefix + s.Name, Configs: s.Configs})
		}
	}
	if err := changelog.EnsureTopics(ctx, cl, o.partitions, 1, specs); err != nil {
		return err
	}
	if run != "" {
		defer func() {
			names := make([]string, len(specs))
			for i, s := range specs {
				names[i] = s.Name
			}
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if _, err := adm.DeleteTopics(dctx, names...); err != nil {
				fmt.Fprintf(stderr, "veil bench: deleting the run's topics: %v\n", err)
			}
			listed, err := adm.ListGroups(dctx)
			var groups []string
			for _, g := range listed.Groups() {
				if strings.HasPrefix(g, run) {
					groups = append(groups, g)
				}
			}
			if err == nil && len(groups) > 0 {
				_, err = adm.DeleteGroups(dctx, groups...)
			}
			if err != nil {
				fmt.Fprintf(stderr, "veil bench: deleting the run's groups: %v\n", err)
			}
		}()
	}

	// The events of the rounds, and a tail of a fifth as many for the
	// latency run.
	tail := max(100, o.events/5)
	all, customers, rawBytes, err := benchRecords(cfg.Topics.Raw, cfg.Input.Format, o, o.events+tail)
	if err != nil {
		return err
	}
	recs, late := all[:o.events], all[o.events:]
	// A progress line on a terminal, cleared before each line of results.
	prog := newProgress(stderr, "veil bench: producing")
	var produced int64
	for chunk := range slices.Chunk(recs, 5000) {
		if err := cl.ProduceSync(ctx, chunk...).FirstErr(); err != nil {
			return fmt.Errorf("producing events: %w", err)
		}
		produced += int64(len(chunk))
		prog.update(produced, int64(len(recs)), produced, count)
	}
	prog.done()
	n := int64(len(recs))
	avg := float64(rawBytes) / float64(len(all))
	fmt.Fprintf(stdout, "veil bench: %d events (%.0f B each on average, %.1f MB) in %d conversations, %d partitions, %s, %d workers, GOMAXPROCS %d\n",
		n, avg, avg*float64(n)/1e6, o.conversations, o.partitions, o.guarantee, o.workers, runtime.GOMAXPROCS(0))
	fmt.Fprintf(stdout, "broker: %s\n", brokerNote)

	engine, err := rules.NewEngine(rules.Config{})
	if err != nil {
		return fmt.Errorf("building detection engine: %w", err)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	veil := func(ctx context.Context, group string) error {
		c := cfg
		c.Group = group
		p, err := processor.New(c, engine, log, prometheus.NewRegistry())
		if err != nil {
			return err
		}
		return p.Run(ctx)
	}

	// A warm-up run of Veil, not measured: it issues the subjects' data keys
	// (written once per subject, so not again in the rounds) and its outputs
	// are what the pass-through writes.
	prog.restart("veil bench: warm-up")
	if _, err := measure(ctx, adm, cfg.Topics.Raw, run+"veil-bench-warmup", n, prog, veil); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	prog.done()
	outs, outBytes, ids, err := captureOutputs(ctx, adm, cfg, outTopics, recs, customers)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "outputs per event: %d (%s) and %.2f on %s on average, %.0f B in all; the pass-through writes the same records, headers and partition keys to %s<topic>\n\n",
		len(outTopics), strings.Join(outTopics, ", "), float64(ids)/float64(n), cfg.Topics.Identifiers, float64(outBytes)/float64(n), basePrefix)

	fmt.Fprintf(stdout, "%-6s %-13s %9s %12s %8s %13s %6s %9s\n", "round", "run", "startup", "events/s", "MB/s", "CPU µs/event", "cores", "total")
	line := func(round int, name string, r phaseResult) {
		cpu, cores := "n/a", "n/a"
		if c := r.cpuPerEvent(); c >= 0 {
			cpu = fmt.Sprintf("%.1f", float64(c.Nanoseconds())/1e3)
			cores = fmt.Sprintf("%.2f", r.cores())
		}
		fmt.Fprintf(stdout, "%-6d %-13s %8.2fs %12.0f %8.1f %13s %6s %8.2fs\n", round, name, r.startup.Seconds(),
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
	var veilRuns, baseRuns []phaseResult
	for round := 1; round <= o.rounds; round++ {
		prog.restart(fmt.Sprintf("veil bench: round %d, pass-through", round))
		base, err := measure(ctx, adm, cfg.Topics.Raw, fmt.Sprintf("%sveil-bench-base-%d", run, round), n, prog, func(ctx context.Context, group string) error {
			return runPassThrough(ctx, cfg, group, outs)
		})
		if err != nil {
			return fmt.Errorf("pass-through, round %d: %w", round, err)
		}
		prog.done()
		line(round, "pass-through", base)
		baseRuns = append(baseRuns, base)
		prog.restart(fmt.Sprintf("veil bench: round %d, veil", round))
		v, err := measure(ctx, adm, cfg.Topics.Raw, fmt.Sprintf("%sveil-bench-%d", run, round), n, prog, veil)
		if err != nil {
			return fmt.Errorf("processor, round %d: %w", round, err)
		}
		prog.done()
		line(round, "veil", v)
		veilRuns = append(veilRuns, v)
	}
	sum := summarize(veilRuns, baseRuns)

	// End-to-end latency at half the saturated rate: the tail of the events,
	// produced at that pace while Veil runs, from the raw record's timestamp
	// to the first view record's.
	prog.restart("veil bench: latency at half the rate")
	lat, err := benchLatency(ctx, adm, cl, cfg, run+"veil-bench-latency", late, len(recs), sum.veilEPS/2, prog, veil)
	if err != nil {
		return fmt.Errorf("latency run: %w", err)
	}
	prog.done()
	sum.p50, sum.p99 = percentile(lat, 0.50), percentile(lat, 0.99)

	fmt.Fprintf(stdout, "\nveil / pass-through, events/s per round: %s\n", fmtRatios(sum.ratios))
	fmt.Fprintf(stdout, "latency at %.0f events/s (half the median rate), raw record to %s record: p50 %.1f ms, p99 %.1f ms (%d events)\n",
		sum.veilEPS/2, cfg.Views[0].Topic, ms(sum.p50), ms(sum.p99), len(lat))
	if err := benchCheck(ctx, adm, cfg, n*int64(o.rounds+1)+int64(len(late)), stdout); err != nil {
		return err
	}
	if o.overload > 0 {
		rate := o.overloadRate
		if rate == 0 {
			rate = o.overloadFactor * sum.veilEPS
		}
		if err := benchOverload(ctx, adm, cl, cfg, append(slices.Clip(outTopics), cfg.Topics.Identifiers), run+"veil-bench-overload", all, rate, o.overload, stdout, veil); err != nil {
			return err
		}
	}
	fmt.Fprintln(stdout, sum.line())
	return nil
}

// benchSummary is the result of the rounds: medians, and latency.
type benchSummary struct {
	ratios           []float64 // veil / pass-through events/s, per round
	veilEPS, baseEPS float64   // medians of the rounds
	veilCPU, baseCPU float64   // CPU seconds per event, medians (0: unknown)
	cores            float64   // CPU seconds / wall seconds of the Veil rounds, median
	p50, p99         time.Duration
}

func summarize(veil, base []phaseResult) benchSummary {
	var s benchSummary
	var ve, be, vc, bc, cores []float64
	for i := range veil {
		s.ratios = append(s.ratios, veil[i].rate()/base[i].rate())
		ve, be = append(ve, veil[i].rate()), append(be, base[i].rate())
		if c := veil[i].cpuPerEvent(); c > 0 {
			vc, cores = append(vc, c.Seconds()), append(cores, veil[i].cores())
		}
		if c := base[i].cpuPerEvent(); c > 0 {
			bc = append(bc, c.Seconds())
		}
	}
	s.veilEPS, s.baseEPS = median(ve), median(be)
	s.veilCPU, s.baseCPU, s.cores = median(vc), median(bc), median(cores)
	return s
}

// line is the machine-readable last line of 'veil bench'. A figure that
// could not be measured is NaN.
func (s benchSummary) line() string {
	cpuRatio := math.NaN()
	if s.veilCPU > 0 && s.baseCPU > 0 {
		cpuRatio = s.veilCPU / s.baseCPU
	}
	return fmt.Sprintf("throughput_ratio=%.4f cpu_ratio=%.4f veil_eps=%.0f base_eps=%.0f cores=%.3f p99_ms=%.3f",
		s.veilEPS/s.baseEPS, cpuRatio, s.veilEPS, s.baseEPS, s.cores, ms(s.p99))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// percentile returns the q-quantile of ds (nearest rank), 0 if empty.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(math.Ceil(q*float64(len(s))))-1)]
}

// rawPos is where a raw record is.
type rawPos struct {
	partition int32
	offset    int64
}

// captureOutputs reads back what the warm-up wrote: for each raw record (by
// partition and offset) its record on each of topics (the views and the
// subject index, one each per event), then its identifier index records
// (none or more per event), as the pass-through is to write them. It returns
// them, their bytes and the number of identifier index records.
func captureOutputs(ctx context.Context, adm *kadm.Client, cfg processor.Config, topics []string, recs []*kgo.Record, customers []string) (map[rawPos][]*kgo.Record, int64, int, error) {
	idTopic := cfg.Topics.Identifiers
	idLeft, err := idRecordsLeft(ctx, adm, idTopic, cfg.Processing.Guarantee == processor.ExactlyOnce)
	if err != nil {
		return nil, 0, 0, err
	}
	opts, err := processor.ClientOpts(cfg)
	if err != nil {
		return nil, 0, 0, err
	}
	opts = append(opts, kgo.ConsumeTopics(append(slices.Clip(topics), idTopic)...), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if cfg.Processing.Guarantee == processor.ExactlyOnce {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("creating kafka client: %w", err)
	}
	defer cl.Close()
	perEvent := make([][]*kgo.Record, len(recs))
	extra := make([][]*kgo.Record, len(recs))
	want, got, ids := len(recs)*len(topics), 0, 0
	var size int64
	for got < want || len(idLeft) > 0 {
		fetches := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return nil, 0, 0, fmt.Errorf("reading the warm-up's outputs, %d of %d: %w", got, want, err)
		}
		if err := fetches.Err(); err != nil {
			return nil, 0, 0, fmt.Errorf("reading the warm-up's outputs: %w", err)
		}
		for _, r := range fetches.Records() {
			i := eventIndex(r.Key)
			if i < 0 || i >= len(recs) {
				return nil, 0, 0, fmt.Errorf("unexpected output record %s/%d@%d", r.Topic, r.Partition, r.Offset)
			}
			if r.Topic == idTopic {
				if end, ok := idLeft[r.Partition]; ok && r.Offset+1 >= end {
					delete(idLeft, r.Partition)
				}
				extra[i] = append(extra[i], &kgo.Record{Topic: basePrefix + r.Topic, Key: r.Key, Value: r.Value, Headers: r.Headers,
					Context: changelog.ByKeyPrefix()})
				size += int64(len(r.Key) + len(r.Value))
				ids++
				continue
			}
			k := slices.Index(topics, r.Topic)
			if k < 0 {
				return nil, 0, 0, fmt.Errorf("unexpected output record %s/%d@%d", r.Topic, r.Partition, r.Offset)
			}
			if perEvent[i] == nil {
				perEvent[i] = make([]*kgo.Record, len(topics))
			}
			if perEvent[i][k] != nil {
				continue // written again after a retry or a rebalance: the first counts
			}
			pkey := string(recs[i].Key) // views: the conversation
			if r.Topic == cfg.Topics.Subjects {
				pkey = customers[i]
			}
			perEvent[i][k] = &kgo.Record{Topic: basePrefix + r.Topic, Key: r.Key, Value: r.Value, Headers: r.Headers,
				Context: changelog.WithPartitionKey(pkey)}
			size += int64(len(r.Key) + len(r.Value))
			got++
		}
	}
	outs := make(map[rawPos][]*kgo.Record, len(recs))
	for i, r := range recs {
		outs[rawPos{r.Partition, r.Offset}] = append(perEvent[i], extra[i]...)
	}
	return outs, size, ids, nil
}

// idRecordsLeft returns, per partition of the identifier index topic that
// holds records, the offset reading is done at: its end offset, less the
// marker of the last transaction under exactly-once (every output of the
// warm-up was committed, and the last offset of each partition written to is
// that transaction's marker).
func idRecordsLeft(ctx context.Context, adm *kadm.Client, topic string, txn bool) (map[int32]int64, error) {
	starts, err := adm.ListStartOffsets(ctx, topic)
	if err == nil {
		err = starts.Error()
	}
	ends, err2 := adm.ListEndOffsets(ctx, topic)
	if err2 == nil {
		err2 = ends.Error()
	}
	if err = errors.Join(err, err2); err != nil {
		return nil, fmt.Errorf("listing offsets of %s: %w", topic, err)
	}
	left := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		s, _ := starts.Lookup(topic, o.Partition)
		if o.Offset > s.Offset {
			end := o.Offset
			if txn {
				end--
			}
			left[o.Partition] = end
		}
	})
	return left, nil
}

// eventIndex returns i of the generated event "ev-<i>" that a view or index
// key ends in ("<conversation>/ev-<i>"), or -1.
func eventIndex(key []byte) int {
	j := bytes.LastIndex(key, []byte("/ev-"))
	if j < 0 {
		return -1
	}
	i, err := strconv.Atoi(string(key[j+4:]))
	if err != nil {
		return -1
	}
	return i
}

// benchLatency produces recs (events first, first+1, ...) to the raw topic at rate events/s while Veil
// runs in group (which starts at the topic's end), and returns for each the
// time from its raw record's timestamp to its first view record's.
func benchLatency(ctx context.Context, adm *kadm.Client, cl *kgo.Client, cfg processor.Config, group string, recs []*kgo.Record, first int, rate float64, prog *progress, veil func(context.Context, string) error) ([]time.Duration, error) {
	view := cfg.Views[0].Topic
	rawEnds, err := adm.ListEndOffsets(ctx, cfg.Topics.Raw)
	if err == nil {
		err = rawEnds.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("listing end offsets: %w", err)
	}
	viewEnds, err := adm.ListEndOffsets(ctx, view)
	if err == nil {
		err = viewEnds.Error()
	}
	if err != nil {
		return nil, fmt.Errorf("listing end offsets: %w", err)
	}
	if err := adm.CommitAllOffsets(ctx, group, rawEnds.Offsets()); err != nil {
		return nil, fmt.Errorf("starting group %s at the end: %w", group, err)
	}
	var had int64
	rawEnds.Each(func(o kadm.ListedOffset) { had += o.Offset })
	sent := make(map[int]time.Time, len(recs))
	_, err = measure(ctx, adm, cfg.Topics.Raw, group, had+int64(len(recs)), prog, func(ctx context.Context, group string) error {
		var (
			wg      sync.WaitGroup
			pacer   sync.WaitGroup
			mu      sync.Mutex
			prodErr error
		)
		pacer.Go(func() {
			tick := time.NewTicker(2 * time.Millisecond)
			defer tick.Stop()
			start := time.Now()
			for i := 0; i < len(recs); {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				for due := min(len(recs), 1+int(time.Since(start).Seconds()*rate)); i < due; i++ {
					r := recs[i]
					r.Timestamp = time.Now()
					sent[first+i] = r.Timestamp
					wg.Add(1)
					cl.Produce(ctx, r, func(_ *kgo.Record, err error) {
						if err != nil {
							mu.Lock()
							prodErr = err
							mu.Unlock()
						}
						wg.Done()
					})
				}
			}
		})
		err := veil(ctx, group)
		pacer.Wait()
		wg.Wait()
		return errors.Join(err, prodErr)
	})
	if err != nil {
		return nil, err
	}

	opts, err := processor.ClientOpts(cfg)
	if err != nil {
		return nil, err
	}
	opts = append(opts, kgo.ConsumePartitions(viewEnds.KOffsets()))
	if cfg.Processing.Guarantee == processor.ExactlyOnce {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	rd, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("creating kafka client: %w", err)
	}
	defer rd.Close()
	lat := make([]time.Duration, 0, len(recs))
	seen := make(map[int]bool, len(recs))
	for len(seen) < len(recs) {
		fetches := rd.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("reading %s, %d of %d: %w", view, len(seen), len(recs), err)
		}
		if err := fetches.Err(); err != nil {
			return nil, fmt.Errorf("reading %s: %w", view, err)
		}
		for _, r := range fetches.Records() {
			i := eventIndex(r.Key)
			t, ok := sent[i]
			if !ok || seen[i] {
				continue
			}
			seen[i] = true
			lat = append(lat, r.Timestamp.Sub(t))
		}
	}
	return lat, nil
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
// then stops it and waits for it, drawing the committed count on prog. The
// rate is taken from the first committed batch to the last, so that joining
// the group is not in it.
func measure(ctx context.Context, adm *kadm.Client, topic, group string, n int64, prog *progress, run func(context.Context, string) error) (phaseResult, error) {
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
		prog.update(committed, n, committed, count)
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
	if firstCPU >= 0 && cpu > firstCPU {
		res.cpu = cpu - firstCPU
	}
	stop()
	wg.Wait()
	if runErr != nil {
		return res, runErr
	}
	return res, nil
}

// runPassThrough is the baseline: it consumes the raw topic in group and
// writes for each record the outputs Veil wrote for it (outs, by position),
// with the processor's client settings, partitioner and batch size,
// committing a batch once all of it is acknowledged (or, under exactly_once,
// in one transaction with its offsets). It does no decoding, detection,
// rendering or encoding: what Veil costs beyond it is that work.
func runPassThrough(ctx context.Context, cfg processor.Config, group string, outs map[rawPos][]*kgo.Record) error {
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
		kgo.RecordPartitioner(changelog.Partitioner()),
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
		done := func(_ *kgo.Record, err error) {
			if err != nil {
				mu.Lock()
				prodErr = err
				mu.Unlock()
			}
			wg.Done()
		}
		for _, r := range recs {
			out, ok := outs[rawPos{r.Partition, r.Offset}]
			if !ok {
				cl.AllowRebalance()
				return fmt.Errorf("no outputs recorded for %s/%d@%d", r.Topic, r.Partition, r.Offset)
			}
			wg.Add(len(out))
			for _, o := range out {
				cl.Produce(ctx, &kgo.Record{Topic: o.Topic, Key: o.Key, Value: o.Value, Headers: o.Headers, Context: o.Context}, done)
			}
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

// benchRecords generates n events of o and encodes them in format f, keyed
// by conversation id; it also returns their customer ids and total size.
func benchRecords(topic string, f schemas.Format, o benchOpts, n int) ([]*kgo.Record, []string, int64, error) {
	codec, err := schemas.NewCodec(f)
	if err != nil {
		return nil, nil, 0, err
	}
	g := newEventGen(o.seed)
	recs, customers := make([]*kgo.Record, n), make([]string, n)
	var size int64
	for i := range recs {
		ev := g.event(i, o.conversations, o.bodyBytes)
		v, err := codec.EncodeEvent(ev)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("encoding event %s: %w", ev.EventID, err)
		}
		recs[i], customers[i] = &kgo.Record{Topic: topic, Key: []byte(ev.ConversationID), Value: v}, ev.CustomerID
		size += int64(len(v))
	}
	return recs, customers, size, nil
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
