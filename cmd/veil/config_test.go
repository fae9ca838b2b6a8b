package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

const testKEK = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// TestConfigErrors: every error of a config file and its environment is
// reported. The environment is the test's own map, never the caller's: a
// VEIL_KEK set where the tests run must not hide the missing key.
func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		env        map[string]string
		want       []string
	}{
		{"unknown key", "brokers: [a:1]\nshoe_size: 42\n", nil, []string{"field shoe_size not found"}},
		{"every error listed", "brokers: [nohost]\ninput: {format: xml}\nviews:\n  - name: a\n    topic: t\n    policy: {types: {SHOE: {action: redact}}}\n",
			map[string]string{"VEIL_KEK": testKEK},
			[]string{`"nohost" is not host:port`, "input.format", `unknown type "SHOE"`}},
		{"no key-encryption key", "brokers: [a:1]\n", nil, []string{"key-encryption key"}},
		{"env overrides", "brokers: [a:1]\n", map[string]string{"VEIL_KEK": testKEK, "VEIL_WORKERS": "many"}, []string{"VEIL_WORKERS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "veil.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := loadConfig(path, env(tt.env))
			if err == nil {
				err = c.finish()
			}
			if err == nil {
				t.Fatalf("config accepted, want errors %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %v\nwant it to contain %q", err, w)
				}
			}
		})
	}
}
