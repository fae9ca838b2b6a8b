package processor_test

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/erasure"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/processor/kafkatest/check"
	"github.com/veil-privacy/veil/processor/keyring"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// The integration tests run against an in-process kfake cluster, or against
// the brokers named by VEIL_TEST_BROKERS (a real Apache Kafka, started by
// deploy/kafka/kafka.sh in CI). Every test uses its own topics and group, so
// tests can share one real broker.

// childEnv carries a JSON processor.Config to a child process that runs the
// processor until it is killed (see TestMain); childErasureEnv, if set, a
// JSON erasure.Config of an erasure service the child runs too.
const (
	childEnv        = "VEIL_TEST_CHILD_CONFIG"
	childErasureEnv = "VEIL_TEST_CHILD_ERASURE"
)

func TestMain(m *testing.M) {
	if c := os.Getenv(childEnv); c != "" {
		os.Exit(runChild(c))
	}
	os.Exit(m.Run())
}

func runChild(raw string) int {
	var cfg processor.Config
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, "child config:", err)
		return 2
	}
	kek, err := keyring.ReadKEK("", os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child key:", err)
		return 2
	}
	cfg.Keys.KEK = kek
	engine, err := rules.NewEngine(rules.Config{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		return 2
	}
	// Info: the parent counts the rebalances from the log.
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	p, err := processor.New(cfg, engine, log, prometheus.NewRegistry())
	if err != nil {
		fmt.Fprintln(os.Stderr, "processor:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	var svc *erasure.Service
	if raw := os.Getenv(childErasureEnv); raw != "" {
		var ecfg erasure.Config
		if err := json.Unmarshal([]byte(raw), &ecfg); err != nil {
			fmt.Fprintln(os.Stderr, "child erasure config:", err)
			return 2
		}
		// As veil run does: the service is a static member too when the
		// processor is. (Left dynamic, members killed in the middle of a
		// rebalance stayed in the group on kfake and kept request
		// partitions no one handled.)
		ecfg.Pipeline.InstanceID = cfg.InstanceID
		conn, err := processor.ClientOpts(cfg)
		if err == nil {
			svc, err = erasure.New(ecfg, p.Keyring(), conn, log, prometheus.NewRegistry(), nil)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "erasure:", err)
			return 2
		}
	}
	// Like veil run: when one stops, so does the other.
	ctx, cancel := context.WithCancel(ctx)
	var (
		wg         sync.WaitGroup
		perr, serr error
	)
	wg.Go(func() { perr = p.Run(ctx); cancel() })
	if svc != nil {
		wg.Go(func() { serr = svc.Run(ctx); cancel() })
	}
	wg.Wait()
	if err := errors.Join(perr, serr); err != nil {
		fmt.Fprintln(os.Stderr, "run:", err)
		return 1
	}
	return 0
}

// env is one test's view of a broker; the view topics are read with
// read_committed, as exactly-once readers must.
type env struct {
	*kafkatest.Env
	// erasure, if set, is run by every child process next to its processor.
	erasure *erasure.Config
	// Rebalance callbacks seen in the logs of the child processes.
	assigned, revoked, lost atomic.Int64
}

func newEnv(t testing.TB, opts ...kfake.Opt) *env {
	t.Helper()
	e := &env{Env: kafkatest.New(t, opts...)}
	e.Isolation = kgo.ReadCommitted()
	return e
}

// verify waits until the group has committed every input, then checks
// every view with the checker (read_committed and read_uncommitted) and
// logs one line per view and reader. Under read_committed nothing may be
// lost, out of order, leaked or read from an aborted or open transaction,
// and with exactly-once nothing duplicated; under read_uncommitted nothing
// may be lost, out of order or leaked.
// It returns the read_committed reports.
func (e *env) verify(t *testing.T, guarantee string, cfg processor.Config, h *check.History, timeout time.Duration) []check.Report {
	t.Helper()
	var reports []check.Report
	e.WaitCommitted(cfg.Group, cfg.Topics.Raw, timeout)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, v := range cfg.Views {
		rc, ru, err := check.View(ctx, e.Brokers, v.Topic, cfg.Output.Format, h, canariesFor(v))
		if err != nil {
			t.Fatalf("checking %s: %v", v.Name, err)
		}
		t.Logf("checker %s %s", guarantee, rc)
		t.Logf("checker %s %s", guarantee, ru)
		if !rc.Clean(guarantee == processor.ExactlyOnce) {
			t.Errorf("checker %s %s; want it clean", guarantee, rc)
		}
		if ru.Lost != 0 || ru.Order != 0 || ru.Leaks != 0 || ru.Unknown != 0 {
			t.Errorf("checker %s %s; want nothing lost, out of order, unknown or leaked", guarantee, ru)
		}
		reports = append(reports, rc)
	}
	return reports
}

// history records evs as produced.
func history(evs []schemas.ConversationEvent) *check.History {
	h := &check.History{}
	h.Record(evs...)
	return h
}

// config returns a processor config on e's broker with its own topics, and
// creates them.
func (e *env) config(partitions int32) processor.Config {
	c := e.Config(partitions)
	c.Processing.Workers = 4
	e.CreateTopics(partitions, processor.TopicSpecs(c))
	e.watchProgress(c.Views[0].Topic)
	return c
}

// watchProgress samples the end offsets of topic until the test ends and
// then logs the longest gap between two advances: how long the pipeline
// stalled (idle time after the last advance does not count). It is a
// measurement, never asserted.
func (e *env) watchProgress(topic string) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var longest time.Duration
	wg.Go(func() {
		var at int64
		last := time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			ends, err := e.Admin.ListEndOffsets(ctx, topic)
			if err != nil {
				continue // a broker restarting: the gap goes on
			}
			var n int64
			ends.Each(func(o kadm.ListedOffset) { n += o.Offset })
			if n > at {
				now := time.Now()
				if at > 0 {
					longest = max(longest, now.Sub(last))
				}
				at, last = n, now
			}
		}
	})
	e.T.Cleanup(func() {
		cancel()
		wg.Wait()
		e.T.Logf("progress of %s: longest gap between two advances %v", topic, longest.Round(10*time.Millisecond))
	})
}

// start runs a processor in this process until the test ends or stop is
// called; stop returns what Run returned.
func (e *env) start(cfg processor.Config) (stop func() error) {
	e.T.Helper()
	_, stop = e.startProcessor(cfg)
	return stop
}

// startProcessor is start, also returning the processor.
func (e *env) startProcessor(cfg processor.Config) (p *processor.Processor, stop func() error) {
	e.T.Helper()
	return e.startRegistered(cfg, prometheus.NewRegistry())
}

// startRegistered is startProcessor with the processor's metrics in reg.
func (e *env) startRegistered(cfg processor.Config, reg *prometheus.Registry) (p *processor.Processor, stop func() error) {
	e.T.Helper()
	engine, err := rules.NewEngine(rules.Config{})
	if err != nil {
		e.T.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	p, err = processor.New(cfg, engine, log, reg)
	if err != nil {
		e.T.Fatal(err)
	}
	return p, e.Run(p.Run)
}

// startChild runs a processor as a child process (this test binary), so it
// can be killed with SIGKILL; it is killed when the test ends.
func (e *env) startChild(cfg processor.Config) *exec.Cmd {
	e.T.Helper()
	cmd := e.spawnChild(cfg)
	e.T.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// spawnChild starts a processor child process; the caller waits for it.
func (e *env) spawnChild(cfg processor.Config) *exec.Cmd {
	e.T.Helper()
	raw, err := json.Marshal(cfg)
	if err != nil {
		e.T.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(raw), "VEIL_KEK="+hex.EncodeToString(cfg.Keys.KEK))
	if e.erasure != nil {
		ec, err := json.Marshal(e.erasure)
		if err != nil {
			e.T.Fatal(err)
		}
		cmd.Env = append(cmd.Env, childErasureEnv+"="+string(ec))
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		e.T.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.T.Fatal(err)
	}
	go e.watchLog(stderr) // ends when the child exits
	return cmd
}

// watchLog counts the rebalance callbacks in a child's log and passes its
// warnings and errors on in verbose runs.
func (e *env) watchLog(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var rec struct {
			Msg   string `json:"msg"`
			Level string `json:"level"`
		}
		if json.Unmarshal(line, &rec) != nil {
			rec.Level = "ERROR" // not a log line: a crash
		}
		switch {
		case strings.HasPrefix(rec.Msg, "partitions assigned"):
			e.assigned.Add(1)
		case strings.HasPrefix(rec.Msg, "partitions revoked"):
			e.revoked.Add(1)
		case strings.HasPrefix(rec.Msg, "partitions lost"):
			e.lost.Add(1)
		}
		// -v prints the children's warnings and errors, and with
		// VEIL_TEST_ALL_LOGS set every line.
		if testing.Verbose() && (rec.Level != "INFO" || os.Getenv("VEIL_TEST_ALL_LOGS") != "") {
			fmt.Fprintf(os.Stderr, "%s\n", line)
		}
	}
}

// superviseChild runs a processor child process and starts it again each
// time it exits, until the test ends, like a Deployment would. It returns a
// function reporting how many restarts there were.
func (e *env) superviseChild(cfg processor.Config) (restarts func() int) {
	e.T.Helper()
	var (
		mu      sync.Mutex // guards cmd, n and stopped
		cmd     = e.spawnChild(cfg)
		n       int
		stopped bool
		wg      sync.WaitGroup
	)
	wg.Go(func() {
		for {
			mu.Lock()
			c := cmd
			mu.Unlock()
			_ = c.Wait() // the only Wait of each child
			time.Sleep(200 * time.Millisecond)
			mu.Lock()
			if stopped {
				mu.Unlock()
				return
			}
			cmd = e.spawnChild(cfg)
			n++
			mu.Unlock()
		}
	})
	e.T.Cleanup(func() {
		// Under mu, no child is started after this kill.
		mu.Lock()
		stopped = true
		_ = cmd.Process.Kill()
		mu.Unlock()
		wg.Wait()
	})
	return func() int { mu.Lock(); defer mu.Unlock(); return n }
}
