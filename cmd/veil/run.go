package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
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
	)
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	c, err := loadConfig(*path, os.Getenv)
	if err != nil {
		return err
	}
	if *brokers != "" {
		c.Brokers = splitList(*brokers)
	}
	setIf(&c.HTTP.Addr, *httpAddr)
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
		fmt.Fprintln(stdout, "configuration is valid")
		return nil
	}
	return runProcessor(ctx, c, newLogger(c, stderr))
}

func setIf(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}
