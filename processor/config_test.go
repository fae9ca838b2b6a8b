package processor

import (
	"strings"
	"testing"
	"time"

	"github.com/veil-privacy/veil/rules"
)

func validConfig() Config {
	c := Default()
	c.Keys.KEK = make([]byte, 32)
	return c
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		want   []string // substrings of the error; none: valid
	}{
		{"defaults", func(*Config) {}, nil},
		{"unknown type", func(c *Config) {
			c.Views[0].Policy.Types = map[rules.Type]rules.Rule{"SHOE_SIZE": {Action: rules.Redact}}
		}, []string{`views[0] (analytics): policy: unknown type "SHOE_SIZE"`}},
		{"unknown action", func(c *Config) {
			c.Views[1].Policy.Types = map[rules.Type]rules.Rule{rules.Email: {Action: "encrypt"}}
		}, []string{`views[1] (personalization): policy: type EMAIL_ADDRESS: unknown action "encrypt"`}},
		{"unknown default action", func(c *Config) { c.Views[0].Policy.Default = rules.Rule{Action: "hide"} }, []string{`default: unknown action "hide"`}},
		{"unknown field", func(c *Config) {
			c.Views[2].Policy.Fields = map[string]rules.Rule{"shoe_size": {Action: rules.Keep}}
		}, []string{`views[2] (support): policy: unknown field "shoe_size"`}},
		{"keep_last without mask", func(c *Config) {
			c.Views[0].Policy.Types = map[rules.Type]rules.Rule{rules.IBAN: {Action: rules.Redact, KeepLast: 4}}
		}, []string{"keep_last applies only to action mask"}},
		{"view without name or topic", func(c *Config) { c.Views = append(c.Views, View{}) }, []string{"views[3]: name required", "views[3]: topic required"}},
		{"duplicate view", func(c *Config) { c.Views = append(c.Views, c.Views[0]) }, []string{"duplicate view name", "is used twice"}},
		{"no views", func(c *Config) { c.Views = nil }, []string{"at least one view"}},
		{"transaction timeout", func(c *Config) { c.Processing.TransactionTimeout = 20 * time.Minute }, []string{"processing.transaction_timeout: 20m0s is outside 1s to 15m"}},
		{"batch bound below event bound", func(c *Config) { c.Input.MaxBatchBytes = c.Input.MaxEventBytes - 1 }, []string{"input.max_batch_bytes: 1048575 must be between"}},
		{"batch bound over 1 GiB", func(c *Config) { c.Input.MaxBatchBytes = 1<<30 + 1 }, []string{"input.max_batch_bytes:"}},
		{"channel not a token", func(c *Config) { c.Input.Channels = []string{"Chat Room"} }, []string{`input.channels: "Chat Room" is not a lower-case token`}},
		{"role not a token", func(c *Config) { c.Input.AuthorRoles = []string{""} }, []string{"input.author_roles:"}},
		{"any token", func(c *Config) { c.Input.Channels, c.Input.AuthorRoles = nil, nil }, nil},
		{"every error listed", func(c *Config) {
			c.Brokers = nil
			c.Input.Format = "xml"
			c.Processing.Guarantee = "maybe"
			c.Keys.KEK = nil
		}, []string{"brokers:", "input.format:", "processing.guarantee:", "key-encryption key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.change(&c)
			err := c.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want errors %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}
