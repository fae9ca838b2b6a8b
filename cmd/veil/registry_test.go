package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/veil-privacy/veil/schemas"
	"github.com/veil-privacy/veil/schemas/registrytest"
)

// TestCheckConfluentOutput: --check rejects confluent output that has no
// schema id to write, and accepts a fixed id or a registry.
func TestCheckConfluentOutput(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       string // "" for valid
	}{
		{"no id", "output: {format: confluent}\n", "output.format confluent: set output.schema_id or schema_registry.url"},
		{"fixed id", "output: {format: confluent, schema_id: 42}\n", ""},
		{"registry", "output: {format: confluent}\nschema_registry: {url: 'http://127.0.0.1:8081', subject_strategy: record_name}\n", ""},
		{"bad strategy", "schema_registry: {url: 'http://127.0.0.1:8081', subject_strategy: RecordNameStrategy}\n", "subject_strategy"},
		{"unknown key", "schema_registry: {urls: ['http://127.0.0.1:8081']}\n", "field urls not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "veil.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := loadConfig(path, env(map[string]string{"VEIL_KEK": testKEK}))
			if err == nil {
				c.Keys.KEK = []byte(testKEK[:32])
				err = c.finish()
			}
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("config error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestRegisterReceiptSchema: confluent receipts without a fixed id get the
// id of Veil's receipt schema, registered under the receipt topic's subject.
func TestRegisterReceiptSchema(t *testing.T) {
	url := registrytest.URL(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := defaultConfig()
	c.SchemaRegistry.URL = url
	c.Erasure.Format = schemas.FormatConfluent
	c.Erasure.Topics.Receipts = "t-receipts-" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
	if err := registerReceiptSchema(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if c.Erasure.ReceiptSchemaID == 0 {
		t.Fatal("no receipt schema id set")
	}
	cl, err := sr.NewClient(sr.URLs(url))
	if err != nil {
		t.Fatal(err)
	}
	ss, err := cl.SchemaByVersion(ctx, c.Erasure.Topics.Receipts+"-value", -1)
	if err != nil || ss.ID != int(c.Erasure.ReceiptSchemaID) {
		t.Fatalf("subject of the receipt topic: id %d, %v; want %d", ss.ID, err, c.Erasure.ReceiptSchemaID)
	}
	// A fixed id is left alone.
	c.Erasure.ReceiptSchemaID = 7
	if err := registerReceiptSchema(ctx, &c); err != nil || c.Erasure.ReceiptSchemaID != 7 {
		t.Fatalf("fixed id: %d, %v; want 7", c.Erasure.ReceiptSchemaID, err)
	}
}
