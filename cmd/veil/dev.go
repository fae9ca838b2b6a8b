package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/processor/erasure"
	"github.com/veil-privacy/veil/processor/keyring"
	"github.com/veil-privacy/veil/schemas"
)

//go:embed samples/conversations.jsonl
var samples []byte

// runDev is 'veil dev': an embedded Kafka-protocol broker with its data on
// disk, Veil's topics, sample conversations and the processor.
func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("veil dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		listen     = fs.String("listen", "127.0.0.1:9092", "address of the embedded broker")
		dataDir    = fs.String("data-dir", defaultDataDir(), "where the embedded broker keeps its data")
		brokerOnly = fs.Bool("broker-only", false, "run only the broker: no topics, samples or processor")
		noSamples  = fs.Bool("no-samples", false, "do not load the sample conversations")
		path       = fs.String("config", "", "YAML config file; brokers are set to the embedded broker")
		httpAddr   = fs.String("http", "", "HTTP address for /metrics, /healthz, /readyz (default 127.0.0.1:9464)")
		compact    = fs.Duration("compact-every", 5*time.Second, "how often the embedded broker compacts")
		logFormat  = fs.String("log-format", "", "auto (text on a terminal, JSON otherwise), text or json (overrides config)")
		canaryRate = fs.Duration("canary-every", 10*time.Second, "time between two PII canary events; 0 turns the canary off (with --config the file decides unless this is given)")
	)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	c, err := loadConfig(*path, os.Getenv)
	if err != nil {
		return err
	}
	c.Brokers = []string{*listen}
	if *path == "" {
		c.Group = "veil-dev"
		c.SessionTimeout = 6 * time.Second
		c.RebalanceTimeout = 10 * time.Second
	}
	// The canary runs by default; with a config file, only if the file
	// or --canary-every says so.
	canarySet := *path == ""
	fs.Visit(func(f *flag.Flag) { canarySet = canarySet || f.Name == "canary-every" })
	if canarySet {
		c.Canary.Enabled = *canaryRate > 0
		c.Canary.Interval = cmp.Or(*canaryRate, c.Canary.Interval)
	}
	setIf(&c.HTTP.Addr, *httpAddr)
	setIf(&c.Log.Format, *logFormat)
	if c.Keys.KEKFile == "" && os.Getenv("VEIL_KEK") == "" {
		// A development key, kept beside the broker's data so that
		// pseudonyms stay stable across restarts.
		if c.Keys.KEKFile, err = devKEK(*dataDir); err != nil {
			return err
		}
	}
	if err := c.finish(); err != nil {
		return err
	}
	log := newLogger(c, stderr)
	// The HTTP port is bound first: if it is taken, nothing starts.
	var h *httpServer
	if !*brokerOnly {
		if h, err = listenHTTP(c.HTTP.Addr); err != nil {
			return err
		}
		defer h.Close()
	}

	cluster, err := startBroker(*listen, *dataDir, *compact)
	if err != nil {
		return err
	}
	defer cluster.Close()
	fmt.Fprintf(stdout, "veil dev: Kafka-protocol broker on %s (data in %s)\n", *listen, *dataDir)
	if *brokerOnly {
		<-ctx.Done()
		return nil
	}

	if err := prepareDev(ctx, c, !*noSamples, stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "veil dev: processing %s into %d views; press Ctrl-C to stop.\n", c.Topics.Raw, len(c.Views))
	for _, v := range c.Views {
		fmt.Fprintf(stdout, "  view %-16s kcat -b %s -C -t %s -o beginning -e\n", v.Name+":", *listen, v.Topic)
	}
	fmt.Fprintf(stdout, `  send your own events:   kcat -b %s -P -t %s -k <conversation_id> < events.jsonl
  rejected input:         kcat -b %s -C -t %s -o beginning -e -f '%%h %%s\n'
  erase a customer:       go run ./cmd/veil erase --brokers %s --customer <customer_id> --wait
  metrics and health:     http://%s/metrics  /healthz  /readyz  (PII canary: veil_canary_*)
  live status:            go run ./cmd/veil status --http %s --brokers %s
`, *listen, c.Topics.Raw, *listen, c.Topics.DLQ, *listen, h.Addr(), h.Addr(), *listen)
	return runProcessor(ctx, c, h, log)
}

// devKEK returns the path of the development key-encryption key in dir,
// creating it on first use.
func devKEK(dir string) (string, error) {
	path := filepath.Join(dir, "dev-kek.hex")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating data dir: %w", err)
	}
	if err := os.WriteFile(path, []byte(keyring.NewKEK()+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("writing development key: %w", err)
	}
	return path, nil
}

func defaultDataDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "veil", "dev")
}

// startBroker starts a one-node kfake cluster listening on addr, persisting
// to dir and compacting every compactEvery.
func startBroker(addr, dir string, compactEvery time.Duration) (*kfake.Cluster, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data dir: %w", err)
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--listen %q: %w", addr, err)
	}
	var p int
	if _, err := fmt.Sscan(port, &p); err != nil {
		return nil, fmt.Errorf("--listen %q: bad port", addr)
	}
	cluster, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.Ports(p),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) { return net.Listen(network, addr) }),
		kfake.DataDir(dir),
		kfake.GroupMinSessionTimeout(time.Second),
		kfake.BrokerConfigs(map[string]string{
			"log.cleaner.backoff.ms": fmt.Sprint(compactEvery.Milliseconds()),
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("starting embedded broker on %s: %w", addr, err)
	}
	return cluster, nil
}

// prepareDev creates the topics and, on a fresh broker, loads the samples.
func prepareDev(ctx context.Context, c config, withSamples bool, stdout io.Writer) error {
	opts, err := processor.ClientOpts(c.Config)
	if err != nil {
		return err
	}
	cl, err := kgo.NewClient(append(opts, kgo.RecordPartitioner(changelog.Partitioner()))...)
	if err != nil {
		return fmt.Errorf("creating kafka client: %w", err)
	}
	defer cl.Close()
	td := c.TopicDefaults
	specs := append(processor.TopicSpecs(c.Config), erasure.TopicSpecs(c.Erasure)...)
	if err := changelog.EnsureTopics(ctx, cl, td.Partitions, td.ReplicationFactor, specs); err != nil {
		return err
	}
	if !withSamples {
		return nil
	}
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, c.Topics.Raw)
	if err != nil {
		return fmt.Errorf("reading end offsets of %s: %w", c.Topics.Raw, err)
	}
	var total int64
	ends.Each(func(o kadm.ListedOffset) { total += o.Offset })
	if total > 0 {
		fmt.Fprintf(stdout, "veil dev: %s already holds %d events; samples not loaded again\n", c.Topics.Raw, total)
		return nil
	}
	recs, err := sampleRecords(c.Topics.Raw, c.Input.Format)
	if err != nil {
		return err
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return fmt.Errorf("loading samples: %w", err)
	}
	fmt.Fprintf(stdout, "veil dev: loaded %d sample events into %s\n", len(recs), c.Topics.Raw)
	return nil
}

// sampleRecords encodes the embedded sample conversations in format f.
func sampleRecords(topic string, f schemas.Format) ([]*kgo.Record, error) {
	codec, err := schemas.NewCodec(f)
	if err != nil {
		return nil, err
	}
	var recs []*kgo.Record
	sc := bufio.NewScanner(bytes.NewReader(samples))
	for n := 1; sc.Scan(); n++ {
		var ev schemas.ConversationEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return nil, fmt.Errorf("sample %d: %w", n, err)
		}
		val, err := codec.EncodeEvent(ev)
		if err != nil {
			return nil, fmt.Errorf("encoding sample %d: %w", n, err)
		}
		recs = append(recs, &kgo.Record{Topic: topic, Key: []byte(ev.ConversationID), Value: val})
	}
	if len(recs) == 0 {
		return nil, errors.New("no sample events embedded")
	}
	return recs, nil
}
