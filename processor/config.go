package processor

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// Config configures a Processor. Start from Default, which sets every field
// but the key-encryption key; New does not fill zero values, and Validate
// reports every error at once.
type Config struct {
	// Brokers are the seed brokers, host:port.
	Brokers []string `yaml:"brokers"`
	// ClientID names this client in broker logs and quotas.
	ClientID string `yaml:"client_id"`
	// Group is the consumer group of all Veil instances of one deployment.
	Group string `yaml:"group"`
	// InstanceID enables static group membership (KIP-345): a restarted
	// instance with the same id gets its partitions back without waiting for
	// the session timeout. Use a stable per-instance name (pod name).
	InstanceID string `yaml:"instance_id"`
	// SessionTimeout is how long the group waits for a silent member.
	SessionTimeout time.Duration `yaml:"session_timeout"`
	// RebalanceTimeout bounds how long a rebalance waits for members.
	RebalanceTimeout time.Duration `yaml:"rebalance_timeout"`
	// TLS secures connections to the brokers.
	TLS TLS `yaml:"tls"`
	// SASL authenticates to the brokers.
	SASL SASL `yaml:"sasl"`
	// Topics names the topics Veil reads and writes.
	Topics Topics `yaml:"topics"`
	// Input configures decoding of raw events.
	Input Input `yaml:"input"`
	// Output configures encoding of rendered events.
	Output Output `yaml:"output"`
	// SchemaRegistry is the Confluent-API schema registry: it resolves the
	// schema ids of confluent input and registers (or looks up) the schema
	// of confluent output. Optional.
	SchemaRegistry schemas.RegistryConfig `yaml:"schema_registry"`
	// Processing configures parallelism, retries and shutdown.
	Processing Processing `yaml:"processing"`
	// DLQ configures the dead-letter topic.
	DLQ DLQ `yaml:"dlq"`
	// Keys configures the key-encryption key of the keyring.
	Keys Keys `yaml:"keys"`
	// Views are the audiences, each with its own topic and policy.
	Views []View `yaml:"views"`
	// TopicDefaults are used when Veil creates its topics.
	TopicDefaults TopicDefaults `yaml:"topic_defaults"`
	// Kafka are Java client properties (security.protocol, linger.ms, ...),
	// mapped to the client's options; see KafkaProperties.
	Kafka KafkaProperties `yaml:"kafka"`
}

// TLS configures TLS to the brokers.
type TLS struct {
	// Enabled switches TLS on; with no CA file the system roots are used.
	Enabled bool `yaml:"enabled"`
	// CAFile is a PEM bundle of CAs to trust.
	CAFile string `yaml:"ca_file"`
	// CertFile and KeyFile are a client certificate for mutual TLS.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// ServerName overrides the name checked in the broker certificate.
	ServerName string `yaml:"server_name"`
	// InsecureSkipVerify disables certificate checks; for tests only.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// SASL configures SASL authentication.
type SASL struct {
	// Mechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; empty disables SASL.
	Mechanism string `yaml:"mechanism"`
	// Username to authenticate as.
	Username string `yaml:"username"`
	// PasswordFile holds the password (never put it in the config file).
	PasswordFile string `yaml:"password_file"`
	// Password is set from PasswordFile or the VEIL_SASL_PASSWORD environment
	// variable; it is never read from YAML.
	Password string `yaml:"-"`
}

// Topics names the topics.
type Topics struct {
	// Raw is the ingest topic of raw conversation events (key conversation_id).
	Raw string `yaml:"raw"`
	// DLQ receives rejected input, redacted, with reason headers.
	DLQ string `yaml:"dlq"`
	// Subjects is the subject index changelog (compacted): which view
	// records hold whose data.
	Subjects string `yaml:"subjects"`
	// Keys holds the per-subject data keys, wrapped (compacted).
	Keys string `yaml:"keys"`
	// Identifiers is the identifier index changelog (compacted): which view
	// records show which identifier (e-mail address, phone number, IBAN,
	// card, national number), by keyed hash; erasure by identifier reads it.
	Identifiers string `yaml:"identifiers"`
}

// Keys configures the key-encryption keys that wrap the per-subject data
// keys and the index key that subject ids are made with. Keys are read from
// files or the environment, never from the config file itself.
type Keys struct {
	// KEKFile holds the 32-byte key-encryption key, hex or base64 encoded:
	// it wraps new data keys.
	KEKFile string `yaml:"kek_file"`
	// KEK is the key itself, set by the command from KEKFile or VEIL_KEK.
	KEK []byte `yaml:"-" json:"-"`
	// PreviousKEKFiles hold key-encryption keys that are no longer current,
	// during a rotation: data keys wrapped with them are read, never
	// written (see docs/security.md).
	PreviousKEKFiles []string `yaml:"previous_kek_files"`
	// PreviousKEKs are those keys, set by the command from PreviousKEKFiles.
	PreviousKEKs [][]byte `yaml:"-" json:"-"`
	// IndexKeyFile holds the 32-byte index key that subject ids are keyed
	// hashes under, hex or base64 encoded (or VEIL_INDEX_KEY). Unset, it is
	// derived from the KEK, as before it was a setting: a KEK rotation would
	// then change every subject id, so set it before rotating
	// ('veil keygen --index-key --from-kek FILE' writes the derived one).
	IndexKeyFile string `yaml:"index_key_file"`
	// IndexKey is the key itself, set by the command from IndexKeyFile or
	// VEIL_INDEX_KEY; nil derives it from KEK.
	IndexKey []byte `yaml:"-" json:"-"`
}

// Input configures decoding.
type Input struct {
	// Format is json, avro or confluent (Avro with the 5-byte schema-id frame).
	Format schemas.Format `yaml:"format"`
	// MaxEventBytes rejects larger events to the DLQ as oversized.
	MaxEventBytes int `yaml:"max_event_bytes"`
	// MaxBatchBytes bounds what the Kafka client decompresses of one record
	// batch. A batch that would decompress to more (a compression bomb) is
	// not decompressed further: it goes to the DLQ as one record without
	// payload (reason batch_too_large) and consumption skips past it. At
	// least max_event_bytes.
	MaxBatchBytes int `yaml:"max_batch_bytes"`
	// MaxTextBytes rejects events whose body plus subject is longer (DLQ,
	// reason text_too_long): no text is published unscanned.
	MaxTextBytes int `yaml:"max_text_bytes"`
	// MaxFindings rejects events with more findings (DLQ, reason
	// too_many_findings): such an event is more likely a dump than a
	// conversation.
	MaxFindings int `yaml:"max_findings"`
	// Channels are the allowed values of channel, AuthorRoles those of
	// author_role: copied verbatim into every view, they must not carry
	// free text. An event with another value goes to the DLQ (reason
	// field). Empty: any lower-case token of at most 32 characters.
	Channels    []string `yaml:"channels"`
	AuthorRoles []string `yaml:"author_roles"`
}

// Output configures encoding.
type Output struct {
	// Format is json, avro or confluent.
	Format schemas.Format `yaml:"format"`
	// SchemaID is the registry id written in confluent output. 0 means: ask
	// schema_registry at start (register the schema under each view topic's
	// subject, or look it up when read_only).
	SchemaID uint32 `yaml:"schema_id"`
	// MaxRecordBytes is the largest output record; a rendered event larger
	// than this goes to the DLQ instead of failing the whole partition at
	// the broker. Keep it below the topics' max.message.bytes.
	MaxRecordBytes int `yaml:"max_record_bytes"`
}

// Processing configures the worker pool and the commit loop.
type Processing struct {
	// Workers is the size of the redaction pool (default GOMAXPROCS).
	Workers int `yaml:"workers"`
	// MaxPollRecords bounds one batch; a batch is fully acknowledged before
	// its offsets are committed and the next one starts.
	MaxPollRecords int `yaml:"max_poll_records"`
	// MaxInFlightBytes bounds the output bytes buffered and unacknowledged;
	// workers block (back-pressure) when it is reached.
	MaxInFlightBytes int `yaml:"max_in_flight_bytes"`
	// Guarantee is at_least_once (default) or exactly_once. Exactly-once
	// produces every output and commits the consumed offsets in one Kafka
	// transaction; downstream readers must read with read_committed.
	Guarantee string `yaml:"guarantee"`
	// TransactionalID identifies this instance's transactions (exactly_once
	// only): stable across restarts and unique per instance, so that a
	// restarted instance fences its previous incarnation. Default
	// (DefaultTransactionalID): the group, "-", and the instance id, else the
	// client id and host name.
	TransactionalID string `yaml:"transactional_id"`
	// TransactionTimeout is how long the broker lets a transaction of this
	// instance stay open before aborting it (exactly_once only). It bounds
	// how long the partitions of an instance that died and does not come
	// back stay blocked for read_committed readers and the instance that
	// takes them over; an instance that restarts with the same
	// transactional id aborts its predecessor's transaction at once. Keep
	// it above the time a batch takes and within the broker's
	// transaction.max.timeout.ms (default 15m).
	TransactionTimeout time.Duration `yaml:"transaction_timeout"`
	// DeliveryTimeout bounds one produce attempt, the client's own retries
	// included (at least 10s).
	DeliveryTimeout time.Duration `yaml:"delivery_timeout"`
	// RetryMaxElapsed bounds retries of failed outputs (exponential backoff);
	// past it the processor stops without committing, so nothing is lost.
	RetryMaxElapsed time.Duration `yaml:"retry_max_elapsed"`
	// ShutdownGrace bounds draining the current batch on SIGTERM.
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
}

// DLQ configures the dead-letter topic.
type DLQ struct {
	// IncludeRaw puts the raw, unredacted input in DLQ records. Off by
	// default: the DLQ then holds the input with every finding redacted.
	IncludeRaw bool `yaml:"include_raw"`
	// MaxPayloadBytes truncates (redacted) DLQ payloads.
	MaxPayloadBytes int `yaml:"max_payload_bytes"`
}

// View is one audience: a topic and the policy its events are rendered with.
type View struct {
	// Name identifies the view in headers, metrics and rendered events.
	Name string `yaml:"name"`
	// Topic is the compacted output topic.
	Topic string `yaml:"topic"`
	// Policy says how each type of finding and structured field is rendered.
	Policy PolicyConfig `yaml:"policy"`
}

// PolicyConfig is a view's masking policy as written in the config file.
type PolicyConfig struct {
	// Version is carried in every rendered event and header.
	Version string `yaml:"version"`
	// Default applies to finding types not listed in Types.
	Default rules.Rule `yaml:"default"`
	// Types maps a finding type (EMAIL_ADDRESS, …) to its rule.
	Types map[rules.Type]rules.Rule `yaml:"types"`
	// Fields maps a structured field (customer_id, author_name,
	// author_email) to its rule; unlisted fields are removed.
	Fields map[string]rules.Rule `yaml:"fields"`
}

// TopicDefaults are the settings Veil uses when it creates topics.
type TopicDefaults struct {
	// Create makes Veil create its missing topics at start.
	Create bool `yaml:"create"`
	// Partitions of each created topic.
	Partitions int32 `yaml:"partitions"`
	// ReplicationFactor of each created topic (-1: broker default).
	ReplicationFactor int16 `yaml:"replication_factor"`
	// MinCompactionLag applies to the view topics (the subject index and
	// the keys topic are compacted at once); MaxCompactionLag to the views
	// and the subject index, and to the keys topic up to 24h: it bounds the
	// time from a tombstone to physical deletion of the records it
	// supersedes. DeleteRetention applies to all compacted topics.
	MinCompactionLag time.Duration `yaml:"min_compaction_lag"`
	MaxCompactionLag time.Duration `yaml:"max_compaction_lag"`
	DeleteRetention  time.Duration `yaml:"delete_retention"`
	// RawRetention is retention.ms of the raw topic, DLQRetention of the DLQ.
	RawRetention time.Duration `yaml:"raw_retention"`
	DLQRetention time.Duration `yaml:"dlq_retention"`
}

// Default returns the defaults: one analytics view redacting every finding.
func Default() Config {
	return Config{
		Brokers:          []string{"127.0.0.1:9092"},
		ClientID:         "veil",
		Group:            "veil",
		SessionTimeout:   45 * time.Second,
		RebalanceTimeout: 60 * time.Second,
		Topics: Topics{
			Raw: "conversations.raw", DLQ: "conversations.dlq",
			Subjects: "veil.subjects", Keys: "veil.keys", Identifiers: "veil.identifiers",
		},
		Input: Input{Format: schemas.FormatJSON, MaxEventBytes: 1 << 20, MaxBatchBytes: 16 << 20, MaxTextBytes: 512 << 10, MaxFindings: 1000,
			Channels:    []string{"chat", "email", "sms", "voice", "social", "web", "messaging"},
			AuthorRoles: []string{"customer", "agent", "bot", "system"}},
		Output:         Output{Format: schemas.FormatJSON, MaxRecordBytes: 1_000_000},
		SchemaRegistry: schemas.DefaultRegistryConfig(),
		Processing: Processing{
			Workers:            runtime.GOMAXPROCS(0),
			MaxPollRecords:     2000,
			MaxInFlightBytes:   64 << 20,
			Guarantee:          AtLeastOnce,
			DeliveryTimeout:    30 * time.Second,
			TransactionTimeout: 30 * time.Second,
			RetryMaxElapsed:    2 * time.Minute,
			ShutdownGrace:      25 * time.Second,
		},
		DLQ:   DLQ{MaxPayloadBytes: 64 << 10},
		Views: DefaultViews(),
		TopicDefaults: TopicDefaults{
			Create:            true,
			Partitions:        6,
			ReplicationFactor: -1,
			MinCompactionLag:  time.Hour,
			MaxCompactionLag:  7 * 24 * time.Hour,
			DeleteRetention:   24 * time.Hour,
			RawRetention:      3 * 24 * time.Hour,
			DLQRetention:      7 * 24 * time.Hour,
		},
	}
}

// DefaultViews returns the built-in views, one per audience:
//   - analytics: every finding redacted, customer_id pseudonymized;
//   - personalization: contact details pseudonymized (one token per value
//     and customer, so a customer's events link up), nothing else raw;
//   - support: what agents need to help: names, e-mail, phone and address
//     kept, cards and IBANs masked to their last 4, secrets and national
//     ids redacted.
func DefaultViews() []View {
	redact, pseudo, keep := rules.Rule{Action: rules.Redact}, rules.Rule{Action: rules.Pseudonymize}, rules.Rule{Action: rules.Keep}
	last4 := rules.Rule{Action: rules.Mask, KeepLast: 4}
	return []View{{
		Name:  "analytics",
		Topic: "conversations.analytics",
		Policy: PolicyConfig{
			Version: "analytics/1",
			Default: redact,
			Fields:  map[string]rules.Rule{"customer_id": pseudo},
		},
	}, {
		Name:  "personalization",
		Topic: "conversations.personalization",
		Policy: PolicyConfig{
			Version: "personalization/1",
			Default: redact,
			Types:   map[rules.Type]rules.Rule{rules.Email: pseudo, rules.Phone: pseudo},
			Fields:  map[string]rules.Rule{"customer_id": pseudo, "author_email": pseudo},
		},
	}, {
		Name:  "support",
		Topic: "conversations.support",
		Policy: PolicyConfig{
			Version: "support/1",
			Default: redact,
			Types: map[rules.Type]rules.Rule{
				rules.Person: keep, rules.Email: keep, rules.Phone: keep, rules.Address: keep,
				rules.CreditCard: last4, rules.IBAN: last4,
			},
			Fields: map[string]rules.Rule{"customer_id": keep, "author_name": keep, "author_email": keep},
		},
	}}
}

// The processing guarantees.
const (
	AtLeastOnce = "at_least_once"
	ExactlyOnce = "exactly_once"
)

// Validate reports every error in c.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if err := c.Kafka.check(*c); err != nil {
		errs = append(errs, err)
	}
	if len(c.Brokers) == 0 {
		bad("brokers: at least one broker is required")
	}
	for i, b := range c.Brokers {
		if !strings.Contains(b, ":") {
			bad("brokers[%d]: %q is not host:port", i, b)
		}
	}
	if c.Group == "" {
		bad("group: required")
	}
	if c.SessionTimeout <= 0 || c.RebalanceTimeout <= 0 {
		bad("session_timeout and rebalance_timeout must be positive")
	}
	if c.TLS.CertFile != "" && c.TLS.KeyFile == "" || c.TLS.CertFile == "" && c.TLS.KeyFile != "" {
		bad("tls: cert_file and key_file go together")
	}
	switch c.SASL.Mechanism {
	case "":
	case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
		if c.SASL.Username == "" {
			bad("sasl.username: required with mechanism %s", c.SASL.Mechanism)
		}
	default:
		bad("sasl.mechanism: unknown %q (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)", c.SASL.Mechanism)
	}
	if c.Topics.Raw == "" {
		bad("topics.raw: required")
	}
	if c.Topics.DLQ == "" {
		bad("topics.dlq: required")
	}
	if c.Topics.Subjects == "" || c.Topics.Keys == "" {
		bad("topics.subjects and topics.keys: required")
	}
	if c.Topics.Identifiers == "" {
		bad("topics.identifiers: required")
	}
	if len(c.Keys.KEK) != 32 {
		bad("keys: a 32-byte key-encryption key is required (keys.kek_file or VEIL_KEK)")
	}
	for i, k := range c.Keys.PreviousKEKs {
		if len(k) != 32 {
			bad("keys.previous_kek_files[%d]: must hold a 32-byte key", i)
		}
	}
	if n := len(c.Keys.IndexKey); n != 0 && n != 32 {
		bad("keys.index_key_file: must hold a 32-byte key")
	}
	if len(c.Keys.PreviousKEKs) > 0 && c.Keys.IndexKey == nil {
		// Derived from the current KEK, subject ids would change with it.
		bad("keys.previous_kek_files: a rotation needs keys.index_key_file (or VEIL_INDEX_KEY), or subject ids change with the KEK; 'veil keygen --index-key --from-kek OLD_KEK_FILE' writes the one in use")
	}
	if _, err := schemas.ParseFormat(string(c.Input.Format)); err != nil {
		bad("input.format: %v", err)
	}
	if _, err := schemas.ParseFormat(string(c.Output.Format)); err != nil {
		bad("output.format: %v", err)
	}
	if c.Input.MaxEventBytes <= 0 || c.Input.MaxTextBytes <= 0 || c.Input.MaxFindings <= 0 {
		bad("input: max_event_bytes, max_text_bytes and max_findings must be positive")
	}
	if c.Input.MaxBatchBytes < c.Input.MaxEventBytes || c.Input.MaxBatchBytes > 1<<30 {
		bad("input.max_batch_bytes: %d must be between max_event_bytes and 1 GiB", c.Input.MaxBatchBytes)
	}
	if err := validateTokens(c.Input.Channels); err != nil {
		bad("input.channels: %v", err)
	}
	if err := validateTokens(c.Input.AuthorRoles); err != nil {
		bad("input.author_roles: %v", err)
	}
	errs = append(errs, c.validateRegistry()...)
	if c.Output.MaxRecordBytes <= 0 {
		bad("output.max_record_bytes: must be positive")
	}
	p := c.Processing
	if p.Workers <= 0 {
		bad("processing.workers: must be positive")
	}
	if p.MaxPollRecords <= 0 {
		bad("processing.max_poll_records: must be positive")
	}
	if p.MaxInFlightBytes < c.Output.MaxRecordBytes {
		bad("processing.max_in_flight_bytes: must be at least output.max_record_bytes")
	}
	if p.Guarantee != AtLeastOnce && p.Guarantee != ExactlyOnce {
		bad("processing.guarantee: unknown %q (want %s or %s)", p.Guarantee, AtLeastOnce, ExactlyOnce)
	}
	if p.DeliveryTimeout < 10*time.Second {
		// The client backs off up to 5 s between produce attempts; a shorter
		// timeout can fail records before they are ever sent again.
		bad("processing.delivery_timeout: %v is below the minimum of 10s", p.DeliveryTimeout)
	}
	if p.TransactionTimeout < time.Second || p.TransactionTimeout > 15*time.Minute {
		bad("processing.transaction_timeout: %v is outside 1s to 15m", p.TransactionTimeout)
	}
	if p.RetryMaxElapsed <= 0 || p.ShutdownGrace <= 0 {
		bad("processing: retry_max_elapsed and shutdown_grace must be positive")
	}
	if c.DLQ.MaxPayloadBytes < 0 {
		bad("dlq.max_payload_bytes: must not be negative")
	}
	if len(c.Views) == 0 {
		bad("views: at least one view is required")
	}
	names := map[string]bool{}
	topics := map[string]bool{c.Topics.Raw: true, c.Topics.DLQ: true, c.Topics.Subjects: true, c.Topics.Keys: true, c.Topics.Identifiers: true}
	for i, v := range c.Views {
		at := fmt.Sprintf("views[%d]", i)
		if v.Name != "" {
			at = fmt.Sprintf("views[%d] (%s)", i, v.Name)
		}
		if v.Name == "" {
			bad("%s: name required", at)
		} else if names[v.Name] {
			bad("%s: duplicate view name", at)
		}
		names[v.Name] = true
		if v.Topic == "" {
			bad("%s: topic required", at)
		} else if topics[v.Topic] {
			bad("%s: topic %q is used twice", at, v.Topic)
		}
		topics[v.Topic] = true
		if err := v.Policy.policy().Validate(); err != nil {
			bad("%s: policy: %w", at, err)
		}
		for f, r := range v.Policy.Fields {
			if _, ok := rules.StructuredField(f); !ok {
				bad("%s: policy: unknown field %q (want %s)", at, f, strings.Join(rules.StructuredFields(), ", "))
			} else if err := r.Validate(); err != nil {
				bad("%s: policy: field %s: %w", at, f, err)
			}
		}
	}
	if c.TopicDefaults.Partitions <= 0 {
		bad("topic_defaults.partitions: must be positive")
	}
	return errors.Join(errs...)
}

// policy returns the rules.Policy of the finding types.
// An unset default redacts: a policy fails closed.
func (pc PolicyConfig) policy() rules.Policy {
	def := pc.Default
	if def.Action == "" {
		def.Action = rules.Redact
	}
	return rules.Policy{Version: pc.Version, Default: def, Types: pc.Types}
}
