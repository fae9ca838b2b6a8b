package processor_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
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
	"github.com/veil-privacy/veil/processor/kafkatest/check"
	"github.com/veil-privacy/veil/schemas"
)

// The fault suite: each test feeds unique, sequenced events, injects a fault
// and checks every view against the input with the checker
// (kafkatest/check, through env.verify): lost, duplicated, out of order per
// conversation, aborted reads, leaks, under read_committed and
// read_uncommitted. At-least-once may duplicate; exactly-once may not under
// read_committed.

var guarantees = []string{processor.AtLeastOnce, processor.ExactlyOnce}

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
			evs := genEvents(sized(6000, 2000), 100)
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
			t.Logf("killed at view end offsets %v", killedAt)
			if last := killedAt[len(killedAt)-1]; last >= int64(len(evs)) && g == processor.AtLeastOnce {
				t.Errorf("the last kill came after all %d events were out: not mid-stream", len(evs))
			}
			e.verify(t, g, cfg, history(evs), 2*time.Minute)
		})
	}
}

// TestFaultChurn is a rebalance storm: three instances with dynamic
// membership; 50,000 events arrive in twenty bursts, and within each burst
// one instance is stopped (SIGTERM or SIGKILL in turn) and started again.
// It asserts that the churn happened: at least six stops before the view
// was complete, and more partition assignments than the three of a calm
// start, with revocations.
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
				c.Processing.TransactionalID = fmt.Sprintf("%s-veil-%d", c.Group, i) // stable per instance; no static membership
				instances[i] = e.startChild(c)
			}
			for i := range instances {
				start(i)
			}
			// Events arrive in twenty bursts; after each, once the view has
			// grown by half a burst, one instance is stopped and started.
			view := cfg.Views[0].Topic
			stops, midStream := 0, 0
			burst := n / 20
			for b := 0; b < 20; b++ {
				e.Produce(recs[b*burst : (b+1)*burst]...)
				target := int64(b*burst + burst/2)
				kafkatest.WaitFor(t, 3*time.Minute, "progress within the burst", func() bool { return sum(e.EndOffsets(view)) >= target })
				if sum(e.EndOffsets(view)) < int64(n) {
					midStream++
				}
				i := stops % len(instances)
				sig := []os.Signal{syscall.SIGTERM, syscall.SIGKILL}[stops%2]
				_ = instances[i].Process.Signal(sig)
				_ = instances[i].Wait()
				start(i)
				stops++
			}
			e.verify(t, g, cfg, history(evs), 3*time.Minute)
			t.Logf("churn: %d instance stops (%d before the view was complete), %d starts; rebalance callbacks: %d assigned, %d revoked, %d lost",
				stops, midStream, stops+len(instances), e.assigned.Load(), e.revoked.Load(), e.lost.Load())
			if midStream < 6 {
				t.Errorf("%d stops before the view was complete, want at least 6: no churn", midStream)
			}
			if a := e.assigned.Load(); a <= int64(len(instances)) || e.revoked.Load() == 0 {
				t.Errorf("%d assignments and %d revocations seen, want rebalances beyond the %d initial assignments",
					a, e.revoked.Load(), len(instances))
			}
		})
	}
}

// TestFaultBrokerRestart: the broker goes down mid-stream, stopped cleanly
// or killed with SIGKILL (Apache Kafka only: kfake cannot crash), and
// comes back on the same address with its data; nothing is lost, and with
// exactly-once nothing is duplicated.
func TestFaultBrokerRestart(t *testing.T) {
	real := os.Getenv(kafkatest.BrokersEnv) != ""
	if real && os.Getenv("VEIL_TEST_KAFKA_DIR") == "" {
		t.Skip("restarting a real broker needs VEIL_TEST_KAFKA_DIR (deploy/test-all.sh sets it)")
	}
	for _, how := range []string{"stop", "kill"} {
		for _, g := range guarantees {
			t.Run(how+"/"+g, func(t *testing.T) {
				if how == "kill" && !real {
					t.Skip("kfake has no crash; SIGKILL of the broker runs on Apache Kafka")
				}
				dir := t.TempDir()
				port := kafkatest.FreePort(t)
				opts := []kfake.Opt{kfake.DataDir(dir), kfake.Ports(port), kfake.SyncWrites()}
				e := newEnv(t, opts...)
				cfg := e.config(4)
				cfg.Processing.Guarantee = g
				cfg.Processing.MaxPollRecords = 200
				cfg.InstanceID = "veil-0"
				evs := genEvents(sized(8000, 3000), 100)
				e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)...)
				// A processor that loses its broker may stop with an error;
				// like a Deployment, the test starts it again.
				restarts := e.superviseChild(cfg)
				kafkatest.WaitFor(t, time.Minute, "progress", func() bool { return sum(e.EndOffsets(cfg.Views[0].Topic)) >= int64(len(evs)/4) })
				e.restartBroker(opts, how == "kill")
				e.verify(t, g, cfg, history(evs), 3*time.Minute)
				t.Logf("broker %s; processor restarts: %d", how, restarts())
				if n := restarts(); g == processor.ExactlyOnce && n != 0 {
					t.Errorf("the processor exited %d times; under exactly-once it must rebuild its session itself", n)
				}
			})
		}
	}
}

// restartBroker stops (or kills) the broker and starts it again with the
// same data and address: kfake in-process, or the real broker through
// deploy/kafka/kafka.sh.
func (e *env) restartBroker(opts []kfake.Opt, kill bool) {
	e.T.Helper()
	e.stopBroker(kill)
	e.startBroker(opts)
}

// stopBroker stops the broker (kill: with SIGKILL, Apache Kafka only).
func (e *env) stopBroker(kill bool) {
	e.T.Helper()
	if e.Cluster != nil {
		e.Cluster.Close()
		return
	}
	dir := os.Getenv("VEIL_TEST_KAFKA_DIR")
	if kill {
		raw, err := os.ReadFile(dir + "/kafka.pid")
		if err != nil {
			e.T.Fatalf("reading the broker's pid: %v", err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
		if err != nil {
			e.T.Fatalf("broker pid %q: %v", raw, err)
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			e.T.Fatalf("killing the broker: %v", err)
		}
		kafkatest.WaitFor(e.T, 30*time.Second, "the broker to die", func() bool { return syscall.Kill(pid, 0) != nil })
	}
	e.kafkaSh("stop")
}

// startBroker starts the broker stopped by stopBroker again, on the same
// address with its data (opts: the kfake cluster's).
func (e *env) startBroker(opts []kfake.Opt) {
	e.T.Helper()
	if e.Cluster == nil {
		e.kafkaSh("start")
		return
	}
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.GroupMinSessionTimeout(500 * time.Millisecond)}, opts...)...)
	if err != nil {
		e.T.Fatalf("restarting kfake: %v", err)
	}
	e.T.Cleanup(c.Close)
	e.Cluster = c
}

func (e *env) kafkaSh(cmd string) {
	e.T.Helper()
	port := strings.Split(e.Brokers[0], ":")[1]
	out, err := exec.Command("../deploy/kafka/kafka.sh", cmd, "--dir", os.Getenv("VEIL_TEST_KAFKA_DIR"), "--port", port).CombinedOutput()
	if err != nil {
		e.T.Fatalf("kafka.sh %s: %v\n%s", cmd, err, out)
	}
}

// TestFaultBrokerDown: under exactly-once, the broker goes down while a
// transaction is open (on kfake: its produce requests are refused from a
// moment mid-stream, then the broker stops) and stays down until the
// processor, running in this process, has noticed. The processor must not
// stop: it reports not ready, carries on (rebuilding its transactional
// session if the transaction cannot be ended) once the broker is back,
// resumes at the committed offsets, and nothing is lost or duplicated. (On
// kfake it used to stay ready with its batch hung on the dead broker; on
// Apache Kafka it returned from Run with "ending transaction ...", and the
// process needed a restart from outside.)
func TestFaultBrokerDown(t *testing.T) {
	real := os.Getenv(kafkatest.BrokersEnv) != ""
	if real && os.Getenv("VEIL_TEST_KAFKA_DIR") == "" {
		t.Skip("stopping a real broker needs VEIL_TEST_KAFKA_DIR (deploy/test-all.sh sets it)")
	}
	opts := []kfake.Opt{kfake.DataDir(t.TempDir()), kfake.Ports(kafkatest.FreePort(t)), kfake.SyncWrites()}
	e := newEnv(t, opts...)
	cfg := e.config(4)
	cfg.Processing.Guarantee = processor.ExactlyOnce
	cfg.Processing.MaxPollRecords = 200
	cfg.Processing.DeliveryTimeout = 10 * time.Second // the minimum: the outage is noticed sooner
	cfg.Processing.TransactionTimeout = 10 * time.Second
	cfg.InstanceID = "veil-0"
	evs := genEvents(sized(6000, 3000), 100)
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)...)
	p, reg := newProcessor(t, cfg)
	returned := make(chan error, 1)
	e.Run(func(ctx context.Context) error {
		err := p.Run(ctx)
		returned <- err
		return err
	})
	kafkatest.WaitFor(t, time.Minute, "progress", func() bool { return sum(e.EndOffsets(cfg.Views[0].Topic)) >= int64(len(evs)/4) })
	if e.Cluster != nil {
		// From now on produce requests go unanswered (the connection is
		// dropped): a transaction is open when the broker stops.
		refused := make(chan struct{})
		var once sync.Once
		e.Cluster.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
			e.Cluster.KeepControl()
			once.Do(func() { close(refused) })
			return nil, errors.New("broker going down"), true
		})
		select {
		case <-refused:
		case <-time.After(time.Minute):
			t.Fatal("no produce request within a minute")
		}
	}
	e.stopBroker(false)
	kafkatest.WaitFor(t, 3*time.Minute, "the processor to notice the outage (not ready)", func() bool { return !p.Ready() })
	select {
	case err := <-returned:
		t.Fatalf("Run returned while the broker was down: %v", err)
	default:
	}
	e.startBroker(opts)
	kafkatest.WaitFor(t, 2*time.Minute, "ready again", p.Ready)
	e.verify(t, processor.ExactlyOnce, cfg, history(evs), 3*time.Minute)
	select {
	case err := <-returned:
		t.Fatalf("Run returned after the broker came back: %v", err)
	default:
	}
	t.Logf("session rebuilds: %v", counterValue(t, reg, "veil_kafka_session_rebuilds_total"))
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
	evs := genEvents(sized(5000, 2000), 50)
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
	e.WaitCommitted(cfg.Group, cfg.Topics.Raw, 3*time.Minute)
	close(done)
	wg.Wait()
	mu.Lock()
	t.Logf("produce requests: %d (every tenth failed); peak buffered output: %d bytes (bound %d)", calls, peak, cfg.Processing.MaxInFlightBytes)
	mu.Unlock()
	e.verify(t, processor.AtLeastOnce, cfg, history(evs), time.Minute)
	if peak > int64(cfg.Processing.MaxInFlightBytes+cfg.Output.MaxRecordBytes) {
		t.Errorf("peak buffered output %d bytes, bound %d", peak, cfg.Processing.MaxInFlightBytes)
	}
}

// TestFaultPoison: 1% poison among 20,000 events: all of it in the DLQ with
// its reason, all the rest on the view.
func TestFaultPoison(t *testing.T) {
	for _, g := range guarantees {
		t.Run(g, func(t *testing.T) {
			e := newEnv(t)
			cfg := e.config(4)
			cfg.Processing.Guarantee = g
			evs := genEvents(sized(20_000, 4000), 300)
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
			e.verify(t, g, cfg, history(evs), 2*time.Minute)
			dlq := e.Consume(cfg.Topics.DLQ, poison, time.Minute)
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
			evs := genEvents(sized(20_000, 5000), 200)
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
			h := history(evs)
			rc, _, err := check.View(kafkatest.Context(t), e.Brokers, cfg.Views[0].Topic, cfg.Output.Format, h, canaries())
			if err != nil {
				t.Fatal(err)
			}
			onView := int64(rc.In - rc.Lost)
			t.Logf("after SIGTERM: %d offsets committed, %d events on the view, view end offsets sum %d",
				committed, onView, sum(e.EndOffsets(cfg.Views[0].Topic)))
			if onView < committed {
				t.Errorf("%d offsets committed but only %d events on the view", committed, onView)
			}
			if g == processor.AtLeastOnce && sum(e.EndOffsets(cfg.Views[0].Topic)) != committed {
				t.Errorf("view holds %d records but %d offsets are committed: a gap on restart", sum(e.EndOffsets(cfg.Views[0].Topic)), committed)
			}
			e.startChild(cfg)
			for _, r := range e.verify(t, g, cfg, h, 2*time.Minute) {
				if r.Duplicates != 0 {
					t.Errorf("%s: a drained shutdown left %d duplicates", r.Topic, r.Duplicates)
				}
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
	// Until the broker exists, something that accepts and closes
	// connections listens on its port: once the processor has dialled it,
	// it is retrying.
	ln, err := net.Listen("tcp", cfg.Brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	dialled := make(chan struct{})
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Close()
			close(dialled)
		}
	}()
	p, _ := (&env{Env: &kafkatest.Env{T: t}}).startProcessor(cfg)
	select {
	case <-dialled:
	case <-time.After(30 * time.Second):
		t.Fatal("the processor did not dial its broker within 30s")
	}
	ln.Close()
	if p.Ready() {
		t.Fatal("ready without a broker")
	}
	e := newEnv(t, kfake.Ports(port))
	evs := genEvents(100, 5)
	kafkatest.WaitFor(t, 30*time.Second, "the processor to create its topics", func() bool { return p.Ready() })
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)...)
	e.verify(t, processor.AtLeastOnce, cfg, history(evs), time.Minute)
}

// TestFaultKillWhileCommitting: the processor is killed after it has put
// its consumed offsets in a transaction and before that transaction ends,
// the worst moment: the group's committed offsets then stay unreadable
// (KIP-447 RequireStable) until the transaction ends. The broker would end
// it only at the transaction timeout, set to ten minutes here; the
// restarted instance, with the same transactional id, must end it at once
// and carry on. (It used to wait for the timeout: the 40–46 s stalls of
// TestFaultKill with franz-go's default 40 s.)
func TestFaultKillWhileCommitting(t *testing.T) {
	e := newEnv(t)
	if e.Cluster == nil {
		t.Skip("stopping the process at EndTxn needs the in-process kfake broker")
	}
	cfg := e.config(4)
	cfg.Processing.Guarantee = processor.ExactlyOnce
	cfg.Processing.TransactionTimeout = 10 * time.Minute
	cfg.Processing.MaxPollRecords = 100
	cfg.InstanceID = "veil-0"
	evs := genEvents(sized(3000, 1500), 60)
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)...)

	var (
		mu     sync.Mutex
		child  *exec.Cmd
		killed = make(chan struct{})
	)
	e.Cluster.ControlKey(int16(kmsg.EndTxn), func(req kmsg.Request) (kmsg.Response, error, bool) {
		if r, ok := req.(*kmsg.EndTxnRequest); !ok || !r.Commit {
			e.Cluster.KeepControl()
			return nil, nil, false
		}
		// Only the first commit: KeepControl above keeps this function
		// for handled requests too.
		e.Cluster.DropControl()
		mu.Lock()
		_ = child.Process.Kill()
		mu.Unlock()
		close(killed)
		return nil, errors.New("killed while committing"), true
	})
	mu.Lock()
	child = e.startChild(cfg)
	mu.Unlock()
	select {
	case <-killed:
	case <-time.After(time.Minute):
		t.Fatal("no transaction commit within a minute")
	}
	_ = child.Wait()
	e.startChild(cfg)
	e.verify(t, processor.ExactlyOnce, cfg, history(evs), 2*time.Minute)
}
