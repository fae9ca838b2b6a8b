package processor_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/rules"
)

// The integration tests run against an in-process kfake cluster, or against
// the brokers named by VEIL_TEST_BROKERS (a real Apache Kafka, started by
// deploy/kafka/kafka.sh in CI). Every test uses its own topics and group, so
// tests can share one real broker.

// childEnv carries a JSON processor.Config to a child process that runs the
// processor until it is killed (see TestMain).
const childEnv = "VEIL_TEST_CHILD_CONFIG"

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
	kek, err := processor.ReadKEK("", os.Getenv)
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
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	p, err := processor.New(cfg, engine, log, prometheus.NewRegistry())
	if err != nil {
		fmt.Fprintln(os.Stderr, "processor:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := p.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "run:", err)
		return 1
	}
	return 0
}

// env is one test's view of a broker; the view topics are read with
// read_committed, as exactly-once readers must.
type env struct{ *kafkatest.Env }

func newEnv(t testing.TB, opts ...kfake.Opt) *env {
	t.Helper()
	e := &env{kafkatest.New(t, opts...)}
	e.Isolation = kgo.ReadCommitted()
	return e
}

// config returns a processor config on e's broker with its own topics, and
// creates them.
func (e *env) config(partitions int32) processor.Config {
	c := e.Config(partitions)
	c.Processing.Workers = 4
	e.CreateTopics(partitions, processor.TopicSpecs(c))
	return c
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
	engine, err := rules.NewEngine(rules.Config{})
	if err != nil {
		e.T.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	p, err = processor.New(cfg, engine, log, prometheus.NewRegistry())
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
	if testing.Verbose() {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		e.T.Fatal(err)
	}
	return cmd
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
