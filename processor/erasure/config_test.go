package erasure

import (
	"github.com/veil-privacy/veil/processor/changelog"

	"strings"
	"testing"
	"time"
)

// validConfig is Default with the pipeline of a processor's defaults.
func validConfig() Config {
	c := Default()
	c.Pipeline = Pipeline{
		Group: "veil", SessionTimeout: 45 * time.Second, RebalanceTimeout: time.Minute, InputFormat: "json",
		Subjects: "veil.subjects", Keys: "veil.keys", Identifiers: "veil.identifiers", OutputFormat: "json",
		Views:        []string{"conversations.analytics"},
		Reserved:     []string{"conversations.raw", "conversations.dlq"},
		CreateTopics: true, Partitions: 6, ReplicationFactor: -1, Tables: []changelog.TopicSpec{
			{Name: "veil.subjects", Configs: map[string]string{"cleanup.policy": "compact"}},
			{Name: "veil.keys", Configs: map[string]string{"cleanup.policy": "compact"}},
		},
	}
	return c
}

func TestRetentionMatch(t *testing.T) {
	r := Retention{
		Rules: []Rule{
			{Name: "exempt-support", View: "support", Keep: 0},
			{Name: "chat-analytics", Channel: "chat", View: "analytics", Keep: 30 * 24 * time.Hour},
			{Name: "nl-NL", Locale: "nl-NL", Keep: 60 * 24 * time.Hour},
			{Name: "dutch", Locale: "nl", Keep: 90 * 24 * time.Hour},
			{Name: "region-de", Locale: "*-DE", Keep: 10 * 24 * time.Hour},
			{Name: "email", Channel: "EMAIL", Keep: 365 * 24 * time.Hour},
		},
		DefaultKeep: 2 * 365 * 24 * time.Hour,
	}
	tests := []struct {
		channel, locale, view string
		want                  string
	}{
		{"chat", "nl-NL", "support", "exempt-support"},
		{"chat", "nl-NL", "analytics", "chat-analytics"},
		{"chat", "nl-NL", "personalization", "nl-NL"},
		{"chat", "nl_NL", "personalization", "nl-NL"},
		{"chat", "NL-nl", "personalization", "nl-NL"},
		{"chat", "nl-BE", "personalization", "dutch"},
		{"chat", "nl", "personalization", "dutch"},
		{"chat", "nld", "personalization", "default"},
		{"chat", "en-DE", "personalization", "region-de"},
		{"chat", "de-de", "personalization", "region-de"},
		{"chat", "de", "personalization", "default"},
		{"email", "en-GB", "analytics", "email"},
		{"Email", "", "personalization", "email"},
		{"chat", "", "personalization", "default"},
		{"sms", "fr-FR", "", "default"},
	}
	for _, tt := range tests {
		got := r.Match(tt.channel, tt.locale, tt.view)
		if got.Name != tt.want {
			t.Errorf("Match(%q, %q, %q) = %s, want %s", tt.channel, tt.locale, tt.view, got.Name, tt.want)
		}
	}
	if got := r.Match("sms", "", "x"); got.Keep != r.DefaultKeep {
		t.Errorf("default keep = %v, want %v", got.Keep, r.DefaultKeep)
	}
}

func TestConfigValidate(t *testing.T) {
	if err := func() error { c := validConfig(); return c.Validate() }(); err != nil {
		t.Fatalf("Default() with a pipeline is invalid: %v", err)
	}
	tests := []struct {
		name string
		give func(*Config)
		want []string // substrings of the error, all reported at once
	}{
		{"no topics", func(c *Config) { c.Topics = Topics{} }, []string{"topics.requests: required", "topics.receipts: required"}},
		{"same topics", func(c *Config) { c.Topics.Receipts = c.Topics.Requests }, []string{"must differ"}},
		{"format", func(c *Config) { c.Format = "xml" }, []string{"erasure.format"}},
		{"confluent without schema id", func(c *Config) { c.Format = "confluent" }, []string{"erasure.receipt_schema_id"}},
		{"no pipeline", func(c *Config) { c.Pipeline = Pipeline{} }, []string{"topics.subjects and topics.keys", "topics.identifiers", "output.format", "erasure.group", "session_timeout"}},
		{"processor topic", func(c *Config) { c.Topics.Requests, c.Topics.Receipts = "conversations.raw", "conversations.analytics" },
			[]string{`"conversations.raw" is also a processor topic`, `"conversations.analytics" is also a processor topic`}},
		{"numbers", func(c *Config) {
			c.StoreCacheBytes, c.SweepInterval, c.MaxPollRecords, c.RetryMaxElapsed = 0, -1, 0, 0
			c.RequestRetention, c.ReceiptRetention = 0, -1
		}, []string{"store_cache_bytes", "sweep_interval", "max_poll_records", "retry_max_elapsed", "request_retention", "receipt_retention"}},
		{"rules", func(c *Config) {
			c.Retention = Retention{DefaultKeep: -time.Hour, Rules: []Rule{
				{Name: "a", Keep: time.Hour},
				{Name: "a", Keep: -time.Hour},
				{Keep: time.Hour},
				{Name: "b/c", Locale: "nl NL"},
				{Name: "d", Locale: "nl-*"},
			}}
		}, []string{"default_keep", "rules[1] (a): duplicate", "rules[1] (a): keep", "rules[2]: name required",
			"rules[3] (b/c): name must not", "rules[3] (b/c): locale", "rules[4] (d): locale"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.give(&c)
			err := c.Validate()
			if err == nil {
				t.Fatal("Validate() = nil, want errors")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	c := validConfig()
	c.Retention.Rules = []Rule{{Name: "ok", Locale: "*-NL"}, {Name: "ok2", Locale: "en-GB"}, {Name: "ok3", Locale: "zh-Hant-TW"}}
	if err := c.Validate(); err != nil {
		t.Errorf("valid rules rejected: %v", err)
	}
}

func TestTopicSpecs(t *testing.T) {
	c := validConfig()
	specs := TopicSpecs(c)
	got := map[string]map[string]string{}
	for _, s := range specs {
		got[s.Name] = s.Configs
	}
	if got["erasure.requests"]["cleanup.policy"] != "delete" || got["erasure.receipts"]["retention.ms"] != "-1" {
		t.Errorf("requests/receipts specs = %v / %v", got["erasure.requests"], got["erasure.receipts"])
	}
	for _, n := range []string{"veil.subjects", "veil.keys"} {
		if got[n]["cleanup.policy"] != "compact" {
			t.Errorf("%s: %v, want compacted", n, got[n])
		}
	}
}
