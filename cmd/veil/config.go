package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/canary"
	"github.com/veil-privacy/veil/processor/erasure"
	"github.com/veil-privacy/veil/processor/keyring"
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
	// Log configures logging on stderr.
	Log struct {
		// Level is debug, info, warn or error.
		Level string `yaml:"level"`
		// Format is auto (text on a terminal, JSON otherwise), text or json.
		Format string `yaml:"format"`
	} `yaml:"log"`
	// Rules configures the detection engine.
	Rules rules.Config `yaml:"rules"`
	// Erasure configures erasure requests, receipts and retention.
	Erasure erasure.Config `yaml:"erasure"`
	// AuthCheck configures the periodic check of Veil's Kafka permissions.
	AuthCheck struct {
		// Interval between checks that the broker lets every component
		// see its groups and topics (a refusal makes /readyz fail); 0
		// disables the check.
		Interval time.Duration `yaml:"interval"`
	} `yaml:"auth_check"`
	// Canary configures the PII canary: synthetic events with made-up
	// personal data whose renderings Veil checks in every view.
	Canary canary.Config `yaml:"canary"`
	// getenv is the environment loadConfig read, for finish.
	getenv func(string) string
}

func defaultConfig() config {
	c := config{Config: processor.Default(), Erasure: erasure.Default(), Canary: canary.Default()}
	c.HTTP.Addr = "127.0.0.1:9464"
	c.Log.Level = "info"
	c.AuthCheck.Interval = 30 * time.Second
	return c
}

// loadConfig reads the YAML file at path (if any) over the defaults, then the
// VEIL_* environment variables over that. Unknown keys are errors.
func loadConfig(path string, getenv func(string) string) (config, error) {
	c := defaultConfig()
	c.getenv = getenv
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
	str("VEIL_LOG_FORMAT", &c.Log.Format)
	str("VEIL_GUARANTEE", &c.Processing.Guarantee)
	str("VEIL_SASL_MECHANISM", &c.SASL.Mechanism)
	str("VEIL_SASL_USERNAME", &c.SASL.Username)
	str("VEIL_SASL_PASSWORD", &c.SASL.Password)
	str("VEIL_TOPIC_RAW", &c.Topics.Raw)
	str("VEIL_TOPIC_DLQ", &c.Topics.DLQ)
	str("VEIL_KEK_FILE", &c.Keys.KEKFile)
	str("VEIL_INDEX_KEY_FILE", &c.Keys.IndexKeyFile)
	if v := getenv("VEIL_PREVIOUS_KEK_FILES"); v != "" {
		c.Keys.PreviousKEKFiles = splitList(v)
	}
	str("VEIL_SCHEMA_REGISTRY_URL", &c.SchemaRegistry.URL)
	str("VEIL_SCHEMA_REGISTRY_PASSWORD", &c.SchemaRegistry.Password)
	str("VEIL_STORE_DIR", &c.Erasure.StoreDir)
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
	if v := getenv("VEIL_SWEEP_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("VEIL_SWEEP_INTERVAL: %q is not a duration", v))
		}
		c.Erasure.SweepInterval = d
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
		getenv := c.getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		if c.Keys.KEKFile == "" && getenv("VEIL_KEK") == "" {
			c.Keys.KEKFile = defaultKEKFile(getenv)
		}
		kek, err := keyring.ReadKEK(c.Keys.KEKFile, getenv)
		if errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("%w (make one with: veil keygen --out %s)", err, c.Keys.KEKFile)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("keys: %w", err))
		}
		c.Keys.KEK = kek
	}
	if err := c.readKeys(); err != nil {
		errs = append(errs, err)
	}
	if c.Processing.Workers == 0 {
		c.Processing.Workers = runtime.GOMAXPROCS(0)
	}
	if c.SASL.Mechanism != "" && c.SASL.Password == "" && c.SASL.PasswordFile == "" {
		errs = append(errs, errors.New("sasl: a password is required (sasl.password_file or VEIL_SASL_PASSWORD)"))
	}
	if _, err := parseLevel(c.Log.Level); err != nil {
		errs = append(errs, err)
	}
	if _, err := parseLogFormat(c.Log.Format); err != nil {
		errs = append(errs, err)
	}
	if c.AuthCheck.Interval < 0 {
		errs = append(errs, errors.New("auth_check.interval: must not be negative"))
	}
	if err := c.Config.Validate(); err != nil {
		errs = append(errs, err)
	}
	c.Erasure.Pipeline = c.Config.ErasurePipeline()
	if err := c.Erasure.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("erasure: %w", err))
	}
	if err := c.Rules.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("rules: %w", err))
	}
	if err := c.Canary.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("canary: %w", err))
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

// stateDir is where Veil keeps a user's state (the key-encryption key made
// by 'veil keygen'): $VEIL_STATE_DIR, else $XDG_STATE_HOME/veil, else
// ~/.local/state/veil.
func stateDir(getenv func(string) string) string {
	if d := getenv("VEIL_STATE_DIR"); d != "" {
		return d
	}
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "veil")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "veil")
	}
	return filepath.Join(home, ".local", "state", "veil")
}

// defaultKEKFile is the key file used when neither keys.kek_file nor
// VEIL_KEK is set, and where 'veil keygen' writes by default.
func defaultKEKFile(getenv func(string) string) string {
	return filepath.Join(stateDir(getenv), "kek.hex")
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
