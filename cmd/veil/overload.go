package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
)

// overloadSample is one reading of an overload run.
type overloadSample struct {
	at                  time.Duration
	produced, committed int64
	lag                 int64
	heap, rss           int64 // bytes; rss -1 where /proc is not there
}

// benchOverload is the overload run of 'veil bench --overload D': Veil runs
// in a fresh group from the end of the raw topic while events are produced
// at rate for d, more than it can handle, so its lag grows. It prints, at
// intervals, what was produced and committed, the lag, the Go heap and the
// process's resident memory, and then one summary line. The in-flight bound
// (processing.max_in_flight_bytes, the fetch buffers) should keep memory
// flat while the lag grows. The process also holds the load producer, whose
// buffer is bounded by the client (kgo.MaxBufferedRecords).
//
// The run's topics are set to delete old segments first (their records are
// copies of the bench's events, and an overload of many minutes would
// otherwise fill the broker's disk): outputs after a minute, the raw topic
// after the run's length and ten minutes.
func benchOverload(ctx context.Context, adm *kadm.Client, cl *kgo.Client, cfg processor.Config, outTopics []string, group string,
	recs []*kgo.Record, rate float64, d time.Duration, stdout io.Writer, veil func(context.Context, string) error) error {
	short, long := "60000", strconv.FormatInt((d+10*time.Minute).Milliseconds(), 10)
	seg := "16777216"
	for _, t := range append([]string{cfg.Topics.DLQ}, outTopics...) {
		if err := alterTopic(ctx, adm, t, map[string]string{"cleanup.policy": "delete", "retention.ms": short, "segment.bytes": seg, "segment.ms": short}); err != nil {
			return err
		}
	}
	if err := alterTopic(ctx, adm, cfg.Topics.Raw, map[string]string{"retention.ms": long, "segment.bytes": "67108864"}); err != nil {
		return err
	}

	rawEnds, err := adm.ListEndOffsets(ctx, cfg.Topics.Raw)
	if err == nil {
		err = rawEnds.Error()
	}
	if err != nil {
		return fmt.Errorf("listing end offsets: %w", err)
	}
	if err := adm.CommitAllOffsets(ctx, group, rawEnds.Offsets()); err != nil {
		return fmt.Errorf("starting group %s at the end: %w", group, err)
	}
	var had int64
	rawEnds.Each(func(o kadm.ListedOffset) { had += o.Offset })

	rctx, stop := context.WithCancel(ctx)
	var (
		wg       sync.WaitGroup
		inflight sync.WaitGroup
		produced atomic.Int64
		prodErr  atomic.Pointer[error]
		veilErr  error
		exited   = make(chan struct{})
	)
	// On every return: Veil, the producer and its callbacks are done
	// before the caller closes the client and deletes the topics.
	defer func() { stop(); wg.Wait(); inflight.Wait() }()
	wg.Go(func() {
		defer close(exited)
		veilErr = veil(rctx, group)
	})
	pctx, stopProducing := context.WithTimeout(rctx, d)
	defer stopProducing()
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		start := time.Now()
		for i := 0; ; {
			select {
			case <-pctx.Done():
				return
			case <-tick.C:
			}
			for due := int(time.Since(start).Seconds() * rate); i < due && pctx.Err() == nil; i++ {
				src := recs[i%len(recs)]
				inflight.Add(1)
				cl.Produce(pctx, &kgo.Record{Topic: src.Topic, Key: src.Key, Value: src.Value}, func(_ *kgo.Record, err error) {
					defer inflight.Done()
					if err == nil {
						produced.Add(1)
					} else if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
						prodErr.CompareAndSwap(nil, &err)
					}
				})
			}
		}
	})

	every := max(time.Second, d/20)
	fmt.Fprintf(stdout, "\noverload: producing at %.0f events/s for %s while Veil runs (group %s), a reading every %s\n", rate, d, group, every)
	fmt.Fprintf(stdout, "%9s %12s %12s %10s %9s %9s\n", "elapsed", "produced/s", "committed/s", "lag", "heap MB", "RSS MB")
	var samples []overloadSample
	start := time.Now()
	tick := time.NewTicker(every)
	defer tick.Stop()
	last := overloadSample{}
	for done := false; !done; {
		select {
		case <-ctx.Done():
			return fmt.Errorf("overload run: %w", ctx.Err())
		case <-exited:
			return fmt.Errorf("overload run: the processor stopped: %w", veilErr)
		case <-tick.C:
		}
		done = pctx.Err() != nil
		s := overloadSample{at: time.Since(start), produced: produced.Load(), heap: heapBytes(), rss: rssBytes()}
		offs, err := adm.FetchOffsets(ctx, group)
		if err != nil {
			return fmt.Errorf("overload run: fetching the group's offsets: %w", err)
		}
		offs.Each(func(o kadm.OffsetResponse) {
			if o.Topic == cfg.Topics.Raw && o.At > 0 {
				s.committed += o.At
			}
		})
		s.committed -= had
		s.lag = s.produced - s.committed
		secs := (s.at - last.at).Seconds()
		fmt.Fprintf(stdout, "%8.0fs %12.0f %12.0f %10d %9.1f %9s\n", s.at.Seconds(), float64(s.produced-last.produced)/secs,
			float64(s.committed-last.committed)/secs, s.lag, float64(s.heap)/1e6, mb(s.rss))
		samples = append(samples, s)
		last = s
	}
	stop()
	wg.Wait()
	inflight.Wait()
	if p := prodErr.Load(); p != nil {
		return fmt.Errorf("overload run: producing: %w", *p)
	}
	if veilErr != nil {
		return fmt.Errorf("overload run: %w", veilErr)
	}
	fmt.Fprintln(stdout, overloadLine(samples))
	return nil
}

// overloadLine summarises an overload run in one machine-readable line: the
// rates, the lag at the end, and the resident memory and heap of the first
// half of the readings against the second (flat memory: the two maxima are
// close while the lag grows).
func overloadLine(s []overloadSample) string {
	if len(s) == 0 {
		return "overload: no readings"
	}
	half := func(part []overloadSample) (rss, heap int64) {
		rss = -1
		for _, x := range part {
			rss, heap = max(rss, x.rss), max(heap, x.heap)
		}
		return rss, heap
	}
	h := max(1, len(s)/2)
	rss1, heap1 := half(s[:h])
	rss2, heap2 := half(s[h:])
	end := s[len(s)-1]
	secs := end.at.Seconds()
	return fmt.Sprintf("overload: seconds=%.0f produced_eps=%.0f committed_eps=%.0f lag_end=%d rss_mb_first_half_max=%s rss_mb_second_half_max=%s heap_mb_first_half_max=%.1f heap_mb_second_half_max=%.1f",
		secs, float64(end.produced)/secs, float64(end.committed)/secs, end.lag, mb(rss1), mb(rss2), float64(heap1)/1e6, float64(heap2)/1e6)
}

// mb formats bytes as megabytes, or "n/a" for a negative count.
func mb(b int64) string {
	if b < 0 {
		return "n/a"
	}
	return strconv.FormatFloat(float64(b)/1e6, 'f', 1, 64)
}

// alterTopic sets configs of topic.
func alterTopic(ctx context.Context, adm *kadm.Client, topic string, configs map[string]string) error {
	var alter []kadm.AlterConfig
	for k, v := range configs {
		alter = append(alter, kadm.AlterConfig{Op: kadm.SetConfig, Name: k, Value: &v})
	}
	resp, err := adm.AlterTopicConfigs(ctx, alter, topic)
	if err == nil {
		for _, r := range resp {
			err = errors.Join(err, r.Err)
		}
	}
	if err != nil {
		return fmt.Errorf("setting configs of %s: %w", topic, err)
	}
	return nil
}

// heapBytes is the bytes of live and not yet swept heap objects.
func heapBytes() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}

// rssBytes is the process's resident set size from /proc/self/status, or -1
// where it cannot be read.
func rssBytes() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(v), []byte("kB")))), 10, 64)
			if err != nil {
				return -1
			}
			return kb << 10
		}
	}
	return -1
}
