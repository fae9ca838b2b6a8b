// Package erasure erases data subjects from Veil's view topics on request
// and expires view records by retention policy. It keeps a local index of
// which view records hold whose data (restored from the compacted topic
// veil.subjects for the partitions it owns), writes tombstones for them,
// shreds the subject's data key and publishes a PII-free receipt.
package erasure

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/schemas"
)

// Config configures the erasure service. Start from Default, which sets
// every field but Pipeline; Validate reports every error at once.
type Config struct {
	// Topics names the request and receipt topics.
	Topics Topics `yaml:"topics"`
	// Group is the consumer group of the erasure service. Empty means the
	// processor's group with the suffix "-erasure".
	Group string `yaml:"group"`
	// Format of erasure requests and receipts: json, avro or confluent.
	// Empty means the processor's input format.
	Format schemas.Format `yaml:"format"`
	// ReceiptSchemaID is the schema-registry id written in receipts in the
	// confluent format (required there).
	ReceiptSchemaID uint32 `yaml:"receipt_schema_id"`
	// StoreDir is the directory under which each run makes a fresh local
	// index store (removed again when the run ends). Empty means
	// os.TempDir(). The store is a cache: it is rebuilt from Kafka alone.
	StoreDir string `yaml:"store_dir"`
	// StoreCacheBytes bounds the store's block cache; with the memtable
	// (4 MiB) it bounds the memory the index takes, whatever its size.
	StoreCacheBytes int64 `yaml:"store_cache_bytes"`
	// SweepInterval is the time between retention sweeps; 0 disables them.
	SweepInterval time.Duration `yaml:"sweep_interval"`
	// Retention says how long view records are kept.
	Retention Retention `yaml:"retention"`
	// MaxPollRecords bounds the requests handled between two commits.
	MaxPollRecords int `yaml:"max_poll_records"`
	// RetryMaxElapsed bounds retries of failed tombstones and receipts; past
	// it the service stops without committing the request, which is then
	// handled again (idempotently) by whoever owns it next.
	RetryMaxElapsed time.Duration `yaml:"retry_max_elapsed"`
	// RequestRetention is retention.ms of the request topic. Requests hold
	// raw customer ids, so they are kept only as long as an outage of the
	// erasure service may last: a request not handled by then is lost and
	// must be sent again (its receipt never comes). Default 24h.
	RequestRetention time.Duration `yaml:"request_retention"`
	// ReceiptRetention is retention.ms of the receipt topic; 0 keeps
	// receipts forever (they hold no personal data).
	ReceiptRetention time.Duration `yaml:"receipt_retention"`
	// Pipeline is what the service shares with the processor of the same
	// deployment. It is not part of the erasure section of the config
	// file: the command copies it from the processor's settings
	// (processor.Config.ErasurePipeline).
	Pipeline Pipeline `yaml:"-"`
}

// Pipeline is what the erasure service takes from the processor it runs
// with.
type Pipeline struct {
	// Group is the processor's consumer group: the service's group, unless
	// Config.Group is set, is this with the suffix "-erasure".
	Group string
	// InstanceID is the processor's static member id, if any: the service
	// uses it with the suffix "-erasure".
	InstanceID string
	// SessionTimeout and RebalanceTimeout are those of the group.
	SessionTimeout, RebalanceTimeout time.Duration
	// DeliveryTimeout bounds one produce attempt (0: the client's default).
	DeliveryTimeout time.Duration
	// InputFormat is the format of requests and receipts when Config.Format
	// is empty.
	InputFormat schemas.Format
	// Subjects is the subject index topic, Keys the data-key topic,
	// Identifiers the identifier index topic.
	Subjects, Keys, Identifiers string
	// OutputFormat is the format of the view records, which erasure by
	// identifier reads and writes again; OutputSchemaID is the schema id
	// of the confluent format (0: the id each record carries).
	OutputFormat   schemas.Format
	OutputSchemaID uint32
	// Views are the view topics: every index entry is erased from all of
	// them, whatever views it names.
	Views []string
	// Reserved are the processor's other topics (raw, DLQ), which requests
	// and receipts must not be.
	Reserved []string
	// CreateTopics makes the service create its missing topics at start,
	// with Partitions and ReplicationFactor; Tables are the index and keys
	// topics with their settings.
	CreateTopics      bool
	Partitions        int32
	ReplicationFactor int16
	Tables            []changelog.TopicSpec
}

// Topics names the erasure topics.
type Topics struct {
	// Requests holds ErasureRequests, keyed by customer_id.
	Requests string `yaml:"requests"`
	// Receipts receives ErasureReceipts, keyed by request id.
	Receipts string `yaml:"receipts"`
}

// Retention is the retention policy: rules tried in order, first match wins.
type Retention struct {
	// Rules are tried in order; the first that matches an event's channel,
	// locale and view says how long its record in that view is kept.
	Rules []Rule `yaml:"rules"`
	// DefaultKeep applies when no rule matches; 0 keeps records forever.
	DefaultKeep time.Duration `yaml:"default_keep"`
}

// Rule is one retention rule. Empty match fields match anything.
type Rule struct {
	// Name identifies the rule in receipts; required and unique.
	Name string `yaml:"name"`
	// Channel matches the event channel exactly ("chat", "email"), ignoring
	// case.
	Channel string `yaml:"channel"`
	// Locale matches the event locale ignoring case, by language-tag prefix
	// at a subtag boundary: "nl" matches "nl", "nl-NL" and "nl-BE"; "nl-NL"
	// matches "nl-NL" only. "*-NL" matches any language in region NL
	// ("nl-NL", "en-NL").
	Locale string `yaml:"locale"`
	// View matches the view name exactly.
	View string `yaml:"view"`
	// Keep is how long a matching record is kept after the event was sent;
	// 0 keeps it forever (an explicit exemption).
	Keep time.Duration `yaml:"keep"`
}

// Default returns the defaults: keep everything until erased on request,
// sweep every 15 minutes.
func Default() Config {
	return Config{
		Topics:           Topics{Requests: "erasure.requests", Receipts: "erasure.receipts"},
		StoreCacheBytes:  16 << 20,
		SweepInterval:    15 * time.Minute,
		MaxPollRecords:   100,
		RetryMaxElapsed:  2 * time.Minute,
		RequestRetention: 24 * time.Hour,
	}
}

// Validate reports every error in c.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Topics.Requests == "" {
		bad("erasure.topics.requests: required")
	}
	if c.Topics.Receipts == "" {
		bad("erasure.topics.receipts: required")
	}
	if c.Topics.Requests != "" && c.Topics.Requests == c.Topics.Receipts {
		bad("erasure.topics: requests and receipts must differ")
	}
	pl := c.Pipeline
	if pl.Subjects == "" || pl.Keys == "" {
		bad("topics.subjects and topics.keys: required")
	}
	if pl.Identifiers == "" {
		bad("topics.identifiers: required")
	}
	if _, err := schemas.ParseFormat(string(pl.OutputFormat)); err != nil {
		bad("output.format: %v", err)
	}
	for _, t := range []string{c.Topics.Requests, c.Topics.Receipts} {
		if t != "" && (t == pl.Subjects || t == pl.Keys || t == pl.Identifiers || slices.Contains(pl.Views, t) || slices.Contains(pl.Reserved, t)) {
			bad("erasure.topics: %q is also a processor topic", t)
		}
	}
	if c.group() == "" {
		bad("erasure.group: required when the processor has no group")
	}
	if pl.SessionTimeout <= 0 || pl.RebalanceTimeout <= 0 {
		bad("session_timeout and rebalance_timeout must be positive")
	}
	if pl.CreateTopics && pl.Partitions <= 0 {
		bad("topic_defaults.partitions: must be positive")
	}
	if f, err := schemas.ParseFormat(string(c.format())); err != nil {
		bad("erasure.format: %v", err)
	} else if f == schemas.FormatConfluent && c.ReceiptSchemaID == 0 {
		bad("erasure.receipt_schema_id: required with the confluent format")
	}
	if c.StoreCacheBytes <= 0 {
		bad("erasure.store_cache_bytes: must be positive")
	}
	if c.SweepInterval < 0 {
		bad("erasure.sweep_interval: must not be negative")
	}
	if c.MaxPollRecords <= 0 {
		bad("erasure.max_poll_records: must be positive")
	}
	if c.RetryMaxElapsed <= 0 {
		bad("erasure.retry_max_elapsed: must be positive")
	}
	if c.RequestRetention <= 0 {
		bad("erasure.request_retention: must be positive")
	}
	if c.ReceiptRetention < 0 {
		bad("erasure.receipt_retention: must not be negative")
	}
	if c.Retention.DefaultKeep < 0 {
		bad("erasure.retention.default_keep: must not be negative")
	}
	names := map[string]bool{}
	for i, r := range c.Retention.Rules {
		at := fmt.Sprintf("erasure.retention.rules[%d]", i)
		if r.Name == "" {
			bad("%s: name required", at)
		} else {
			at += " (" + r.Name + ")"
			if names[r.Name] {
				bad("%s: duplicate rule name", at)
			}
			if strings.ContainsAny(r.Name, "/ \t\n") {
				bad("%s: name must not contain '/' or spaces", at)
			}
		}
		names[r.Name] = true
		if r.Keep < 0 {
			bad("%s: keep must not be negative", at)
		}
		if err := checkLocale(r.Locale); err != nil {
			bad("%s: locale: %v", at, err)
		}
	}
	return errors.Join(errs...)
}

// group is the service's consumer group.
func (c *Config) group() string {
	if c.Group != "" || c.Pipeline.Group == "" {
		return c.Group
	}
	return c.Pipeline.Group + "-erasure"
}

// format is the format of requests and receipts.
func (c *Config) format() schemas.Format {
	if c.Format != "" {
		return c.Format
	}
	return c.Pipeline.InputFormat
}

// checkLocale accepts "", a language tag ("nl", "nl-NL") or "*-REGION".
func checkLocale(l string) error {
	if l == "" {
		return nil
	}
	for i, sub := range strings.Split(l, "-") {
		if sub == "*" && i == 0 && strings.Count(l, "-") == 1 {
			continue
		}
		if sub == "" || len(sub) > 8 || strings.IndexFunc(sub, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		}) >= 0 {
			return fmt.Errorf("%q is not a language tag or *-REGION", l)
		}
	}
	return nil
}

// Match returns the rule for a record of a view of an event with channel
// and locale: the first matching rule, or a rule named "default" with
// DefaultKeep. A Keep of 0 means keep forever.
func (r Retention) Match(channel, locale, view string) Rule {
	for _, rule := range r.Rules {
		if rule.matches(channel, locale, view) {
			return rule
		}
	}
	return Rule{Name: "default", Keep: r.DefaultKeep}
}

func (r Rule) matches(channel, locale, view string) bool {
	if r.Channel != "" && !strings.EqualFold(r.Channel, channel) {
		return false
	}
	if r.View != "" && r.View != view {
		return false
	}
	return r.Locale == "" || localeMatches(r.Locale, locale)
}

// localeMatches reports whether tag matches pattern (see Rule.Locale).
func localeMatches(pattern, tag string) bool {
	pattern, tag = strings.ToLower(pattern), strings.ToLower(strings.ReplaceAll(tag, "_", "-"))
	if region, ok := strings.CutPrefix(pattern, "*-"); ok {
		subs := strings.Split(tag, "-")
		for _, s := range subs[1:] {
			if s == region {
				return true
			}
		}
		return false
	}
	return tag == pattern || strings.HasPrefix(tag, pattern+"-")
}
