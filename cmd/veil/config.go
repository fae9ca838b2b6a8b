package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/erasure"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// config is the whole configuration file: the processor's settings at the
// top level, plus what only the command owns.
type config struct {
	processor.Config `yaml:",inline"`
	// HTTP serves /metrics, /healthz and /readyz.
	HTTP struct {
		// Addr is the listen address; empty disables the server.
		Addr string `yaml:"addr"`
	} `yaml:"http"`
	// Log configures logging (JSON on stderr).
	Log struct {
		// Level is debug, info, warn or error.
		Level string `yaml:"level"`
	} `yaml:"log"`
	// Rules configures the detection engine.
	Rules rules.Config `yaml:"rules"`
	// Erasure configures erasure requests, receipts and retention.
	Erasure erasure.Config `yaml:"erasure"`
}

func defaultConfig() config {
	c := config{Config: processor.Default(), Erasure: erasure.Default()}
	c.HTTP.Addr = "127.0.0.1:9464"
	c.Log.Level = "info"
	return c
}

// loadConfig reads the YAML file at path (if any) over the defaults, then the
// VEIL_* environment variables over that. Unknown keys are errors.
func loadConfig(path string, getenv func(string) string) (config, error) {
	c := defaultConfig()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("reading config: %w", err)
		}
		// Views given in the file replace the defaults rather than merge.
		var probe struct {
			Views []yaml.Node `yaml:"views"`
		}
		if err := yaml.Unmarshal(b, &probe); err == nil && probe.Views != nil {
			c.Views = nil
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
			return c, fmt.Errorf("config %s: %w", path, err)
		}
	}
	return c, applyEnv(&c, getenv)
}

// applyEnv overrides c with the VEIL_* environment variables.
func applyEnv(c *config, getenv func(string) string) error {
	var errs []error
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	if v := getenv("VEIL_BROKERS"); v != "" {
		c.Brokers = splitList(v)
	}
	str("VEIL_GROUP", &c.Group)
	str("VEIL_CLIENT_ID", &c.ClientID)
	str("VEIL_INSTANCE_ID", &c.InstanceID)
	str("VEIL_HTTP_ADDR", &c.HTTP.Addr)
	str("VEIL_LOG_LEVEL", &c.Log.Level)
	str("VEIL_GUARANTEE", &c.Processing.Guarantee)
	str("VEIL_SASL_MECHANISM", &c.SASL.Mechanism)
	str("VEIL_SASL_USERNAME", &c.SASL.Username)
	str("VEIL_SASL_PASSWORD", &c.SASL.Password)
	str("VEIL_TOPIC_RAW", &c.Topics.Raw)
	str("VEIL_TOPIC_DLQ", &c.Topics.DLQ)
	str("VEIL_KEK_FILE", &c.Keys.KEKFile)
	if v := getenv("VEIL_INPUT_FORMAT"); v != "" {
		c.Input.Format = schemas.Format(v)
	}
	if v := getenv("VEIL_OUTPUT_FORMAT"); v != "" {
		c.Output.Format = schemas.Format(v)
	}
	if v := getenv("VEIL_WORKERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("VEIL_WORKERS: %q is not a number", v))
		}
		c.Processing.Workers = n
	}
	if v := getenv("VEIL_TLS_ENABLED"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("VEIL_TLS_ENABLED: %q is not a boolean", v))
		}
		c.TLS.Enabled = b
	}
	return errors.Join(errs...)
}

// finish reads secrets from files and validates everything, listing every
// error.
func (c *config) finish() error {
	var errs []error
	if c.SASL.PasswordFile != "" && c.SASL.Password == "" {
		b, err := os.ReadFile(c.SASL.PasswordFile)
		if err != nil {
			errs = append(errs, fmt.Errorf("sasl.password_file: %w", err))
		}
		c.SASL.Password = strings.TrimSpace(string(b))
	}
	if len(c.Keys.KEK) == 0 {
		kek, err := processor.ReadKEK(c.Keys.KEKFile, os.Getenv)
		if err != nil {
			errs = append(errs, fmt.Errorf("keys: %w", err))
		}
		c.Keys.KEK = kek
	}
	if c.SASL.Mechanism != "" && c.SASL.Password == "" && c.SASL.PasswordFile == "" {
		errs = append(errs, errors.New("sasl: a password is required (sasl.password_file or VEIL_SASL_PASSWORD)"))
	}
	if _, err := parseLevel(c.Log.Level); err != nil {
		errs = append(errs, err)
	}
	if err := c.Config.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Erasure.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("erasure: %w", err))
	}
	if err := c.Rules.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("rules: %w", err))
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid configuration:\n%w", indent(errors.Join(errs...)))
	}
	return nil
}

// indent puts every line of err on its own line, indented, so that each
// error of a joined list is easy to read.
func indent(err error) error {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = "  - " + l
	}
	return errors.New(strings.Join(lines, "\n"))
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, fmt.Errorf("log.level: unknown %q (want debug, info, warn or error)", s)
	}
	return l, nil
}

func newLogger(c config, w io.Writer) *slog.Logger {
	l, _ := parseLevel(c.Log.Level)
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
