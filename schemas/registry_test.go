package schemas_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/veil-privacy/veil/schemas"
	"github.com/veil-privacy/veil/schemas/registrytest"
)

func TestRegistryConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *schemas.RegistryConfig)
		want string // "" for valid
	}{
		{"defaults", func(*schemas.RegistryConfig) {}, ""},
		{"url", func(c *schemas.RegistryConfig) { c.URL = "https://sr:8081" }, ""},
		{"not a url", func(c *schemas.RegistryConfig) { c.URL = "sr:8081" }, "schema_registry.url"},
		{"strategy", func(c *schemas.RegistryConfig) { c.SubjectStrategy = "TopicNameStrategy" }, "subject_strategy"},
		{"password without user", func(c *schemas.RegistryConfig) { c.PasswordFile = "/p" }, "username: required"},
		{"basic and bearer", func(c *schemas.RegistryConfig) { c.Username, c.BearerTokenFile = "u", "/t" }, "exclude each other"},
		{"half a client cert", func(c *schemas.RegistryConfig) { c.TLS.CertFile = "/c" }, "cert_file and key_file"},
		{"timeout", func(c *schemas.RegistryConfig) { c.Timeout = 0 }, "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := schemas.DefaultRegistryConfig()
			tt.edit(&c)
			err := c.Validate()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("Validate() = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestRegistrySubject(t *testing.T) {
	tests := []struct {
		give, want string
	}{
		{schemas.TopicNameStrategy, "conversations.analytics-value"},
		{schemas.RecordNameStrategy, "veil.RenderedEvent"},
		{schemas.TopicRecordNameStrategy, "conversations.analytics-veil.RenderedEvent"},
	}
	for _, tt := range tests {
		c := schemas.DefaultRegistryConfig()
		c.URL, c.SubjectStrategy = "http://127.0.0.1:1", tt.give
		g, err := schemas.NewRegistry(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := g.Subject("conversations.analytics", schemas.RecordRenderedEvent); got != tt.want {
			t.Errorf("%s: Subject = %q, want %q", tt.give, got, tt.want)
		}
	}
}

// TestRegistrySchemaID registers Veil's receipt schema on a real registry,
// then looks it up read-only; read-only on a subject never registered fails.
func TestRegistrySchemaID(t *testing.T) {
	url := registrytest.URL(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	topic := "t-schemaid-" + hex.EncodeToString(b)

	c := schemas.DefaultRegistryConfig()
	c.URL = url
	c.ReadOnly = true
	ro, err := schemas.NewRegistry(c)
	if err != nil {
		t.Fatal(err)
	}
	if id, err := ro.SchemaID(ctx, topic, schemas.RecordErasureReceipt); err == nil {
		t.Fatalf("read-only lookup of an unregistered subject gave id %d", id)
	}
	c.ReadOnly = false
	rw, err := schemas.NewRegistry(c)
	if err != nil {
		t.Fatal(err)
	}
	id, err := rw.SchemaID(ctx, topic, schemas.RecordErasureReceipt)
	if err != nil {
		t.Fatal(err)
	}
	again, err := rw.SchemaID(ctx, topic, schemas.RecordErasureReceipt)
	if err != nil || again != id {
		t.Fatalf("registering again: id %d, %v; want %d", again, err, id)
	}
	got, err := ro.SchemaID(ctx, topic, schemas.RecordErasureReceipt)
	if err != nil || got != id {
		t.Fatalf("read-only lookup: id %d, %v; want %d", got, err, id)
	}

	// Under RecordNameStrategy the subject is the record's name, whatever
	// the topic; the id is the same schema's.
	c.SubjectStrategy = schemas.RecordNameStrategy
	byName, err := schemas.NewRegistry(c)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := byName.SchemaID(ctx, "any-topic", schemas.RecordErasureReceipt); err != nil || got != id {
		t.Fatalf("record_name strategy: id %d, %v; want %d", got, err, id)
	}
	cl, err := sr.NewClient(sr.URLs(url))
	if err != nil {
		t.Fatal(err)
	}
	if ss, err := cl.SchemaByVersion(ctx, string(schemas.RecordErasureReceipt), -1); err != nil || ss.ID != int(id) {
		t.Fatalf("subject %s: id %d, %v; want %d", schemas.RecordErasureReceipt, ss.ID, err, id)
	}

	// The registered id decodes Veil's own encoding; an id the registry
	// does not know is ErrSchema.
	codec, err := schemas.NewCodec(schemas.FormatConfluent, schemas.WithRegistry(rw), schemas.WithSchemaID(schemas.RecordErasureRequest, id))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := schemas.NewCodec(schemas.FormatConfluent, schemas.WithSchemaID(schemas.RecordErasureReceipt, id))
	if err != nil {
		t.Fatal(err)
	}
	rc := schemas.ErasureReceipt{RequestID: "r", SubjectHash: "s", Reason: "request", Status: "completed",
		StartedAt: time.UnixMilli(1000).UTC(), Tombstones: map[string]int{"a": 1}, Events: 1}
	buf, err := enc.EncodeErasureReceipt(rc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := codec.DecodeErasureReceipt(buf); err != nil {
		t.Fatalf("decoding with the registered id: %v", err)
	}
	buf[1], buf[2] = 0x7f, 0xff
	if _, err := codec.DecodeErasureReceipt(buf); !errors.Is(err, schemas.ErrSchema) {
		t.Fatalf("unknown id: error %v, want ErrSchema", err)
	}
}

// TestRegistryUnavailable: a registry that does not answer is not a bad
// record: the error is ErrRegistryUnavailable, never ErrSchema.
func TestRegistryUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close() // nothing listens there now
	c := schemas.DefaultRegistryConfig()
	c.URL = "http://127.0.0.1:" + strconv.Itoa(port)
	g, err := schemas.NewRegistry(c)
	if err != nil {
		t.Fatal(err)
	}
	codec, err := schemas.NewCodec(schemas.FormatConfluent, schemas.WithRegistry(g))
	if err != nil {
		t.Fatal(err)
	}
	_, err = codec.DecodeEvent([]byte{0, 0, 0, 0, 1, 2, 'e'})
	if !errors.Is(err, schemas.ErrRegistryUnavailable) || errors.Is(err, schemas.ErrSchema) {
		t.Fatalf("error %v, want ErrRegistryUnavailable", err)
	}
}
