package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/canary"
	"github.com/veil-privacy/veil/processor/erasure"
	"github.com/veil-privacy/veil/rules"
)

// runRun is 'veil run': the processor against an existing cluster.
func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("veil run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		path       = fs.String("config", "", "YAML config file (see deploy/veil.example.yaml)")
		brokers    = fs.String("brokers", "", "seed brokers, comma separated (overrides config and VEIL_BROKERS)")
		httpAddr   = fs.String("http", "", "HTTP address for /metrics, /healthz, /readyz (overrides config)")
		guarantee  = fs.String("guarantee", "", "at_least_once or exactly_once (overrides config)")
		workers    = fs.Int("workers", 0, "redaction workers (overrides config)")
		instanceID = fs.String("instance-id", "", "static group member id (overrides config)")
		group      = fs.String("group", "", "consumer group (overrides config)")
		session    = fs.Duration("session-timeout", 0, "group session timeout (overrides config)")
		check      = fs.Bool("check", false, "validate the configuration and exit")
		logFormat  = fs.String("log-format", "", "auto (text on a terminal, JSON otherwise), text or json (overrides config)")
	)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	c, err := loadConfig(*path, os.Getenv)
	if err != nil {
		return err
	}
	if *brokers != "" {
		c.Brokers = splitList(*brokers)
	}
	setIf(&c.HTTP.Addr, *httpAddr)
	setIf(&c.Log.Format, *logFormat)
	setIf(&c.Processing.Guarantee, *guarantee)
	setIf(&c.InstanceID, *instanceID)
	setIf(&c.Group, *group)
	if *workers != 0 {
		c.Processing.Workers = *workers
	}
	if *session != 0 {
		c.SessionTimeout = *session
		c.RebalanceTimeout = max(c.RebalanceTimeout, *session)
	}
	if err := c.finish(); err != nil {
		return err
	}
	if *check {
		// Exactly what start-up does before it connects: build every
		// component (engine, processor, erasure service) from c.
		if _, err := build(ctx, c, newLogger(c, io.Discard), newRegistry(), nil); err != nil {
			return err
		}
		warnings, _ := processor.SecurityWarnings(c.Config) // build checked the properties
		for _, w := range warnings {
			fmt.Fprintln(stdout, "warning:", w)
		}
		fmt.Fprintln(stdout, "configuration is valid")
		return nil
	}
	h, err := listenHTTP(c.HTTP.Addr)
	if err != nil {
		return err
	}
	return runProcessor(ctx, c, h, newLogger(c, stderr))
}

// components are what 'veil run' starts.
type components struct {
	processor *processor.Processor
	erasure   *erasure.Service
	canary    *canary.Canary // nil unless canary.enabled
}

// build makes every component from c without connecting to Kafka (it asks the
// schema registry for the receipt schema's id when the registry supplies it).
// It is the whole of start-up's validation: 'veil run --check' calls it and
// stops, 'veil run' calls it and runs what it returns. The clients of every
// component report authorization errors to probe (nil: nowhere).
func build(ctx context.Context, c config, log *slog.Logger, reg prometheus.Registerer, probe *authProbe) (components, error) {
	warnings, err := processor.SecurityWarnings(c.Config)
	if err != nil {
		return components{}, err
	}
	for _, w := range warnings {
		log.Warn("weak security setting", "warning", w)
	}
	engine, err := rules.NewEngine(c.Rules)
	if err != nil {
		return components{}, fmt.Errorf("building detection engine: %w", err)
	}
	p, err := processor.New(c.Config, engine, log, reg,
		probe.hooks("processor", c.Group, c.Topics.Raw, c.Topics.Keys, transactionalID(c))...)
	if err != nil {
		return components{}, err
	}
	if err := registerReceiptSchema(ctx, &c); err != nil {
		return components{}, err
	}
	conn, err := processor.ClientOpts(c.Config)
	if err != nil {
		return components{}, err
	}
	svc, err := erasure.New(c.Erasure, p.Keyring(),
		append(slices.Clip(conn), probe.hooks("erasure", erasureGroup(c), c.Erasure.Topics.Requests, c.Topics.Keys, "")...), log, reg, time.Now)
	if err != nil {
		return components{}, err
	}
	comps := components{processor: p, erasure: svc}
	if c.Canary.Enabled {
		setup := canary.Setup{Raw: c.Topics.Raw, Input: c.Input.Format, Views: processor.CanaryViews(c.Config),
			Output: c.Output.Format, ReadCommitted: c.Processing.Guarantee == processor.ExactlyOnce, Conn: conn}
		if comps.canary, err = canary.New(c.Canary, setup, log, reg); err != nil {
			return components{}, err
		}
	}
	return comps, nil
}

func setIf(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}
