package processor_test

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/schemas"
)

// The fault suite: each test feeds unique, sequenced events, injects a fault
// and checks the view against the input with the checker (missing,
// duplicated, out of order per conversation, leaked). At-least-once may
// duplicate; exactly-once may not (the view is read with read_committed).

var guarantees = []string{processor.AtLeastOnce, processor.ExactlyOnce}

func assertChecker(t *testing.T, guarantee string, c checker) {
	t.Helper()
	t.Logf("checker (%s): %v", guarantee, c)
	if c.missing != 0 || c.order != 0 || c.leaks != 0 {
		t.Errorf("checker: %v; want nothing missing, out of order or leaked", c)
	}
	if guarantee == processor.ExactlyOnce && c.dups != 0 {
		t.Errorf("checker: %v; want no duplicates with exactly-once", c)
	}
}

// TestFaultKill: the processor, a child process, is killed with SIGKILL
// three times mid-stream and restarted with the same identity.
func TestFaultKill(t *testing.T) {
	for _, g := range guarantees {
		t.Run(g, func(t *testing.T) {
			e := newEnv(t)
			cfg := e.config(4)
			cfg.Processing.Guarantee = g
			cfg.InstanceID = "veil-0" // static membership: the restart takes over at once
			cfg.Processing.MaxPollRecords = 100
			evs := genEvents(6000, 100)
			e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)...)
			var killedAt []int64
			for k := 1; k <= 3; k++ {
				cmd := e.startChild(cfg)
				target := int64(k * len(evs) / 4)
				kafkatest.WaitFor(t, time.Minute, "progress before the kill", func() bool {
					return sum(e.EndOffsets(cfg.Views[0].Topic)) >= target
				})
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				_ = cmd.Wait()
				killedAt = append(killedAt, sum(e.EndOffsets(cfg.Views[0].Topic)))
			}
			e.startChild(cfg)
			out := e.ConsumeKeys(cfg.Views[0].Topic, len(evs), 2*time.Minute)
			t.Logf("killed at view end offsets %v", killedAt)
			if last := killedAt[len(killedAt)-1]; last >= int64(len(evs)) && g == processor.AtLeastOnce {
				t.Errorf("the last kill came after all %d events were out: not mid-stream", len(evs))
			}
			assertChecker(t, g, check(t, evs, out, cfg.Output.Format))
			e.WaitCommitted(cfg.Group, cfg.Topics.Raw, 30*time.Second)
		})
	}
}

// TestFaultChurn: three instances, one of them stopped (SIGTERM or SIGKILL
// in turn) and started again every two seconds while 50,000 events arrive.
func TestFaultChurn(t *testing.T) {
	for _, g := range guarantees {
		t.Run(g, func(t *testing.T) {
			e := newEnv(t)
			cfg := e.config(6)
			cfg.Processing.Guarantee = g
			cfg.Processing.MaxPollRecords = 500
			n := 50_000
			if testing.Short() {
				n = 10_000
			}
			evs := genEvents(n, 500)
			recs := encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)

			instances := make([]*exec.Cmd, 3)
			start := func(i int) {
				c := cfg
				c.InstanceID = fmt.Sprintf("veil-%d", i)
				instances[i] = e.startChild(c)
			}
			for i := range instances {
				start(i)
			}
			var wg sync.WaitGroup
			wg.Go(func() { // events arrive while instances churn
				for i := 0; i < len(recs); i += 2000 {
					e.Produce(recs[i:min(i+2000, len(recs))]...)
					time.Sleep(50 * time.Millisecond)
				}
			})
			stops := 0
			deadline := time.Now().Add(3 * time.Minute)
			for sum(e.EndOffsets(cfg.Views[0].Topic)) < int64(n) && time.Now().Before(deadline) {
				time.Sleep(2 * time.Second)
				i := stops % len(instances)
				sig := []os.Signal{syscall.SIGTERM, syscall.SIGKILL}[stops%2]
				_ = instances[i].Process.Signal(sig)
				_ = instances[i].Wait()
				start(i)
				stops++
			}
			wg.Wait()
			out := e.ConsumeKeys(cfg.Views[0].Topic, len(evs), 3*time.Minute)
			t.Logf("%d instance stops during the run", stops)
			assertChecker(t, g, check(t, evs, out, cfg.Output.Format))
		})
	}
}

// TestFaultBrokerRestart: the broker goes down mid-stream and comes back on
// the same address with its data; nothing is missing after recovery.
func TestFaultBrokerRestart(t *testing.T) {
	if os.Getenv(kafkatest.BrokersEnv) != "" && os.Getenv("VEIL_TEST_KAFKA_DIR") == "" {
		t.Skip("restarting a real broker needs VEIL_TEST_KAFKA_DIR (deploy/test-all.sh sets it)")
	}
	for _, g := range guarantees {
		t.Run(g, func(t *testing.T) {
			dir := t.TempDir()
			port := kafkatest.FreePort(t)
			opts := []kfake.Opt{kfake.DataDir(dir), kfake.Ports(port), kfake.SyncWrites()}
			e := newEnv(t, opts...)
			cfg := e.config(4)
			cfg.Processing.Guarantee = g
			cfg.Processing.MaxPollRecords = 200
			cfg.InstanceID = "veil-0"
			evs := genEvents(8000, 100)
			e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)...)
			// A processor that loses its broker may stop with an error; like
			// a Deployment, the test starts it again.
			restarts := e.superviseChild(cfg)
			kafkatest.WaitFor(t, time.Minute, "progress", func() bool { return sum(e.EndOffsets(cfg.Views[0].Topic)) >= int64(len(evs)/4) })
			e.restartBroker(opts)
			defer func() { t.Logf("processor restarts: %d", restarts()) }()
			out := e.ConsumeKeys(cfg.Views[0].Topic, len(evs), 3*time.Minute)
			assertChecker(t, g, check(t, evs, out, cfg.Output.Format))
		})
	}
}

// restartBroker stops the broker and starts it again with the same data and
// address: kfake in-process, or the real broker through deploy/kafka/kafka.sh.
func (e *env) restartBroker(opts []kfake.Opt) {
	e.T.Helper()
	if e.Cluster == nil {
		dir := os.Getenv("VEIL_TEST_KAFKA_DIR")
		for _, cmd := range []string{"stop", "start"} {
			out, err := exec.Command("../deploy/kafka/kafka.sh", cmd, "--dir", dir, "--port", strings.Split(e.Brokers[0], ":")[1]).CombinedOutput()
			if err != nil {
				e.T.Fatalf("kafka.sh %s: %v\n%s", cmd, err, out)
			}
		}
		return
	}
	e.Cluster.Close()
	time.Sleep(time.Second)
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.GroupMinSessionTimeout(500 * time.Millisecond)}, opts...)...)
	if err != nil {
		e.T.Fatalf("restarting kfake: %v", err)
	}
	e.T.Cleanup(c.Close)
	e.Cluster = c
}

// TestFaultSlowAndFailingProduce: produce requests are slowed down and some
// fail; retries are bounded by backoff, nothing is committed past an
// unacknowledged output, and buffered output stays under the in-flight
// bound.
func TestFaultSlowAndFailingProduce(t *testing.T) {
	e := newEnv(t)
	if e.Cluster == nil {
		t.Skip("fault injection needs the in-process kfake broker")
	}
	cfg := e.config(4)
	cfg.Output.MaxRecordBytes = 64 << 10
	cfg.Processing.MaxInFlightBytes = 256 << 10
	evs := genEvents(5000, 50)
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)...)

	// Every produce request waits 20 ms; every tenth fails.
	var mu sync.Mutex
	calls := 0
	e.Cluster.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		e.Cluster.KeepControl()
		e.Cluster.SleepControl(func() { time.Sleep(20 * time.Millisecond) })
		mu.Lock()
		calls++
		fail := calls%10 == 0
		mu.Unlock()
		if fail {
			return nil, fmt.Errorf("injected"), true // drops the connection
		}
		return nil, nil, false
	})
	p, _ := e.startProcessor(cfg)
	var peak int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
				peak = max(peak, p.BufferedBytes())
			}
		}
	})
	out := e.ConsumeKeys(cfg.Views[0].Topic, len(evs), 3*time.Minute)
	close(done)
	wg.Wait()
	mu.Lock()
	t.Logf("produce requests: %d (every tenth failed); peak buffered output: %d bytes (bound %d)", calls, peak, cfg.Processing.MaxInFlightBytes)
	mu.Unlock()
	assertChecker(t, processor.AtLeastOnce, check(t, evs, out, cfg.Output.Format))
	if peak > int64(cfg.Processing.MaxInFlightBytes+cfg.Output.MaxRecordBytes) {
		t.Errorf("peak buffered output %d bytes, bound %d", peak, cfg.Processing.MaxInFlightBytes)
	}
	e.WaitCommitted(cfg.Group, cfg.Topics.Raw, 30*time.Second)
}

// TestFaultPoison: 1% poison among 20,000 events: all of it in the DLQ with
// its reason, all the rest on the view.
func TestFaultPoison(t *testing.T) {
	for _, g := range guarantees {
		t.Run(g, func(t *testing.T) {
			e := newEnv(t)
			cfg := e.config(4)
			cfg.Processing.Guarantee = g
			evs := genEvents(20_000, 300)
			recs := encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)
			var all []*kgo.Record
			poison := 0
			for i, r := range recs {
				all = append(all, r)
				if i%99 == 0 {
					all = append(all, &kgo.Record{Topic: cfg.Topics.Raw, Key: r.Key, Value: []byte(`{"event_id": "x", "body": "BSN 111222333"`)})
					poison++
				}
			}
			e.Produce(all...)
			e.start(cfg)
			out := e.ConsumeKeys(cfg.Views[0].Topic, len(evs), 2*time.Minute)
			dlq := e.Consume(cfg.Topics.DLQ, poison, time.Minute)
			assertChecker(t, g, check(t, evs, out, cfg.Output.Format))
			t.Logf("poison: %d produced, %d in the DLQ", poison, len(dlq))
			if len(dlq) != poison {
				t.Errorf("dlq holds %d records, want %d", len(dlq), poison)
			}
			for _, r := range dlq {
				if kafkatest.Header(r, processor.HeaderReason) != processor.ReasonDecode || strings.Contains(string(r.Value), "111222333") {
					t.Fatalf("dlq record: reason %q, payload redacted: %v", kafkatest.Header(r, processor.HeaderReason), !strings.Contains(string(r.Value), "111222333"))
				}
			}
		})
	}
}

// TestFaultSIGTERM: SIGTERM under load: the processor drains and commits
// within its grace period and exits 0; a restart resumes without a gap or a
// duplicate.
func TestFaultSIGTERM(t *testing.T) {
	for _, g := range guarantees {
		t.Run(g, func(t *testing.T) {
			e := newEnv(t)
			cfg := e.config(4)
			cfg.Processing.Guarantee = g
			cfg.Processing.ShutdownGrace = 10 * time.Second
			cfg.InstanceID = "veil-0"
			evs := genEvents(20_000, 200)
			e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)...)
			cmd := e.startChild(cfg)
			kafkatest.WaitFor(t, time.Minute, "progress", func() bool { return sum(e.EndOffsets(cfg.Views[0].Topic)) >= int64(len(evs)/5) })
			sent := time.Now()
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			took := time.Since(sent)
			t.Logf("exited %v after SIGTERM in %v", err, took.Round(time.Millisecond))
			if err != nil || took > cfg.Processing.ShutdownGrace {
				t.Fatalf("exit after SIGTERM: %v in %v; want a clean exit within %v", err, took, cfg.Processing.ShutdownGrace)
			}
			// Everything acknowledged was committed: the committed offsets
			// cover exactly the events on the view.
			committed := sum(e.Committed(cfg.Group, cfg.Topics.Raw))
			out := e.ConsumeKeys(cfg.Views[0].Topic, int(committed), 30*time.Second)
			c := check(t, evs[:0], out, cfg.Output.Format)
			t.Logf("after SIGTERM: %d offsets committed, %d events on the view, view end offsets sum %d",
				committed, c.out-c.dups, sum(e.EndOffsets(cfg.Views[0].Topic)))
			if int64(c.out-c.dups) < committed {
				t.Errorf("%d offsets committed but only %d events on the view", committed, c.out-c.dups)
			}
			if g == processor.AtLeastOnce && sum(e.EndOffsets(cfg.Views[0].Topic)) != committed {
				t.Errorf("view holds %d records but %d offsets are committed: a gap on restart", sum(e.EndOffsets(cfg.Views[0].Topic)), committed)
			}
			e.startChild(cfg)
			out = e.ConsumeKeys(cfg.Views[0].Topic, len(evs), 2*time.Minute)
			c = check(t, evs, out, cfg.Output.Format)
			assertChecker(t, g, c)
			if c.dups != 0 {
				t.Errorf("a drained shutdown left %d duplicates", c.dups)
			}
		})
	}
}

// TestBrokerLate: a processor started before its broker is up waits for it
// and then processes everything.
func TestBrokerLate(t *testing.T) {
	if os.Getenv(kafkatest.BrokersEnv) != "" {
		t.Skip("needs a broker the test starts itself (kfake)")
	}
	port := kafkatest.FreePort(t)
	cfg := processor.Default()
	cfg.Brokers = []string{fmt.Sprintf("127.0.0.1:%d", port)}
	cfg.Group, cfg.Topics.Raw = "late", "late.raw"
	cfg.Keys.KEK = make([]byte, 32)
	cfg.SessionTimeout, cfg.RebalanceTimeout = 6*time.Second, 10*time.Second
	for i := range cfg.Views {
		cfg.Views[i].Topic = "late." + cfg.Views[i].Name
	}
	p, _ := (&env{&kafkatest.Env{T: t}}).startProcessor(cfg)
	time.Sleep(time.Second) // the processor is retrying by now
	if p.Ready() {
		t.Fatal("ready without a broker")
	}
	e := newEnv(t, kfake.Ports(port))
	evs := genEvents(100, 5)
	kafkatest.WaitFor(t, 30*time.Second, "the processor to create its topics", func() bool { return p.Ready() })
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)...)
	out := e.ConsumeKeys(cfg.Views[0].Topic, len(evs), time.Minute)
	assertChecker(t, processor.AtLeastOnce, check(t, evs, out, cfg.Output.Format))
}
