package processor_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/processor/kafkatest/check"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
	"github.com/veil-privacy/veil/schemas/registrytest"
)

// producerSchema is the ConversationEvent schema as a producer evolves it:
// edit changes its list of fields.
func producerSchema(t testing.TB, edit func(fields []any) []any) string {
	t.Helper()
	text, err := schemas.Schema(schemas.RecordConversationEvent)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		t.Fatal(err)
	}
	s["fields"] = edit(s["fields"].([]any))
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// confluentProducer encodes events the way a Confluent serializer does:
// magic byte, the registry id of its schema, Avro binary of that schema.
type confluentProducer struct {
	id    int
	codec *goavro.Codec
	extra map[string]any // fields of its schema that Veil's lacks
}

func newConfluentProducer(t testing.TB, cl *sr.Client, subject, schema string, extra map[string]any) *confluentProducer {
	t.Helper()
	id, err := cl.RegisterSchema(kafkatest.Context(t), subject, sr.Schema{Schema: schema, Type: sr.TypeAvro}, -1, -1)
	if err != nil {
		t.Fatalf("registering the producer's schema under %s: %v", subject, err)
	}
	codec, err := goavro.NewCodec(schema)
	if err != nil {
		t.Fatal(err)
	}
	return &confluentProducer{id: id, codec: codec, extra: extra}
}

func (p *confluentProducer) encode(t testing.TB, ev schemas.ConversationEvent) []byte {
	t.Helper()
	opt := func(s string) any {
		if s == "" {
			return nil
		}
		return goavro.Union("string", s)
	}
	m := map[string]any{
		"event_id": ev.EventID, "conversation_id": ev.ConversationID, "customer_id": ev.CustomerID,
		"channel": ev.Channel, "locale": opt(ev.Locale), "author_role": opt(ev.AuthorRole),
		"author_name": opt(ev.AuthorName), "author_email": opt(ev.AuthorEmail), "sent_at": ev.SentAt,
		"subject": opt(ev.Subject), "body": ev.Body,
	}
	for k, v := range p.extra {
		m[k] = v
	}
	buf := binary.BigEndian.AppendUint32([]byte{0}, uint32(p.id))
	buf, err := p.codec.BinaryFromNative(buf, m)
	if err != nil {
		t.Fatalf("encoding with the producer's schema: %v", err)
	}
	return buf
}

// TestSchemaRegistry runs Veil with a real schema registry: input framed
// with the ids of a producer's schema versions (the second adds a field) is
// decoded; input whose schema changed a type, or whose id the registry does
// not know, goes to the DLQ with reason schema; the views are framed with
// the id Veil registered for them.
func TestSchemaRegistry(t *testing.T) {
	url := registrytest.URL(t)
	e := newEnv(t)
	cfg := e.config(2)
	cfg.Input.Format = schemas.FormatConfluent
	cfg.Output.Format = schemas.FormatConfluent
	cfg.SchemaRegistry.URL = url
	cl, err := sr.NewClient(sr.URLs(url))
	if err != nil {
		t.Fatal(err)
	}
	subject := cfg.Topics.Raw + "-value"
	same := func(f []any) []any { return f }
	v1 := newConfluentProducer(t, cl, subject, producerSchema(t, same), nil)
	added := func(f []any) []any {
		return append(f, map[string]any{"name": "priority", "type": []any{"null", "int"}, "default": nil})
	}
	v2 := newConfluentProducer(t, cl, subject, producerSchema(t, added), map[string]any{"priority": goavro.Union("int", int32(2))})
	// A type change Veil cannot read, registered under a subject of its own
	// (the registry would refuse it under a subject with compatibility rules).
	retyped := func(f []any) []any {
		for i, x := range f {
			if x.(map[string]any)["name"] == "body" {
				f[i] = map[string]any{"name": "body", "type": "int"}
			}
		}
		return f
	}
	bad := newConfluentProducer(t, cl, cfg.Topics.Raw+"-retyped-value", producerSchema(t, retyped), nil)
	if v1.id == v2.id {
		t.Fatalf("both producer versions got schema id %d", v1.id)
	}

	evs := genEvents(60, 6)
	var recs []*kgo.Record
	for i, ev := range evs {
		p := v1
		if i >= len(evs)/2 {
			p = v2 // the producer upgrades half way
		}
		recs = append(recs, &kgo.Record{Topic: cfg.Topics.Raw, Key: []byte(ev.ConversationID), Value: p.encode(t, ev)})
	}
	retypedValue := slices.Clone(v1.encode(t, evs[0])) // bytes do not matter: the schema is refused first
	binary.BigEndian.PutUint32(retypedValue[1:], uint32(bad.id))
	unknownValue := slices.Clone(v1.encode(t, evs[1]))
	binary.BigEndian.PutUint32(unknownValue[1:], uint32(max(v1.id, v2.id, bad.id)+1_000_000))
	poison := []*kgo.Record{
		{Topic: cfg.Topics.Raw, Key: []byte("retyped"), Value: retypedValue},
		{Topic: cfg.Topics.Raw, Key: []byte("unknown"), Value: unknownValue},
	}
	e.Produce(append(recs[:len(recs)/2:len(recs)/2], append(poison, recs[len(recs)/2:]...)...)...)
	e.start(cfg)

	for i, v := range cfg.Views {
		out := e.ConsumeKeys(v.Topic, len(evs), time.Minute)
		if i == 0 {
			// The canaries include contact details that other views keep.
			rc, _, err := check.View(kafkatest.Context(t), e.Brokers, v.Topic, cfg.Output.Format, history(evs), canaries())
			if err != nil {
				t.Fatal(err)
			}
			if rc.Lost != 0 || rc.Leaks != 0 || rc.Order != 0 {
				t.Errorf("view %s: checker: %v", v.Name, rc)
			}
		}
		ids := map[uint32]bool{}
		for _, r := range out {
			if len(r.Value) < 5 || r.Value[0] != 0 {
				t.Fatalf("view %s: record at offset %d is not Confluent-framed", v.Name, r.Offset)
			}
			ids[binary.BigEndian.Uint32(r.Value[1:5])] = true
		}
		if len(ids) != 1 {
			t.Fatalf("view %s: schema ids %v, want one", v.Name, ids)
		}
		for id := range ids {
			checkRegisteredRendered(t, cl, v.Topic+"-value", int(id))
		}
	}

	dlq := e.Consume(cfg.Topics.DLQ, len(poison), 30*time.Second)
	wantErr := map[string]string{
		"retyped": fmt.Sprintf("schema id %d cannot be read as veil.ConversationEvent: field body: writer type int cannot be read as string", bad.id),
		"unknown": "is unknown to the registry",
	}
	for _, r := range dlq {
		if got := kafkatest.Header(r, processor.HeaderReason); got != processor.ReasonSchema {
			t.Errorf("DLQ record %s: reason %q, want %q", r.Key, got, processor.ReasonSchema)
		}
		// The DLQ key is a keyed hash of the input key: match by the error.
		got, matched := kafkatest.Header(r, processor.HeaderError), ""
		for k, want := range wantErr {
			if strings.Contains(got, want) {
				matched = k
			}
		}
		if matched == "" {
			t.Errorf("DLQ record %s: error %q, want one of %q", r.Key, got, wantErr)
		}
		delete(wantErr, matched)
	}
	e.WaitCommitted(cfg.Group, cfg.Topics.Raw, 30*time.Second)
}

// checkRegisteredRendered checks that id is registered under subject and is
// Veil's RenderedEvent schema: a consumer resolving the id reads the view.
func checkRegisteredRendered(t testing.TB, cl *sr.Client, subject string, id int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ss, err := cl.SchemaByVersion(ctx, subject, -1)
	if err != nil {
		t.Fatalf("latest schema of %s: %v", subject, err)
	}
	if ss.ID != id {
		t.Fatalf("subject %s holds schema id %d, the view is framed with %d", subject, ss.ID, id)
	}
	s, err := cl.SchemaByID(ctx, id)
	if err != nil {
		t.Fatalf("schema id %d: %v", id, err)
	}
	want, err := schemas.Schema(schemas.RecordRenderedEvent)
	if err != nil {
		t.Fatal(err)
	}
	var got, exp any
	if err := json.Unmarshal([]byte(s.Schema), &got); err != nil {
		t.Fatalf("schema id %d is not JSON: %v", id, err)
	}
	_ = json.Unmarshal([]byte(want), &exp)
	if !reflect.DeepEqual(got, exp) {
		t.Fatalf("schema id %d is not Veil's RenderedEvent schema:\n%s", id, s.Schema)
	}
}

// TestSchemaRegistryUnavailable: when the registry cannot be asked, the
// record is not judged: nothing goes to the DLQ or a view, nothing is
// committed, and the processor stops with the registry error.
func TestSchemaRegistryUnavailable(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(1)
	cfg.Input.Format = schemas.FormatConfluent
	cfg.SchemaRegistry.URL = fmt.Sprintf("http://127.0.0.1:%d", kafkatest.FreePort(t)) // nothing listens
	cfg.SchemaRegistry.Timeout = 2 * time.Second
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatConfluent, genEvents(3, 1))...)

	err := runUntilItStops(t, cfg)
	if !errors.Is(err, schemas.ErrRegistryUnavailable) {
		t.Fatalf("Run returned %v, want ErrRegistryUnavailable", err)
	}
	for _, topic := range []string{cfg.Topics.DLQ, cfg.Views[0].Topic} {
		if n := sum(e.EndOffsets(topic)); n != 0 {
			t.Errorf("%s holds %d records", topic, n)
		}
	}
	if got := sum(e.Committed(cfg.Group, cfg.Topics.Raw)); got != 0 {
		t.Errorf("committed %d, want nothing", got)
	}
}

// TestSchemaRegistryReadOnly: in read-only mode Veil registers nothing: it
// will not start while a view's subject lacks its schema, and once the
// schema is registered (by CI, say) it frames the views with that id.
func TestSchemaRegistryReadOnly(t *testing.T) {
	url := registrytest.URL(t)
	e := newEnv(t)
	cfg := e.config(1)
	cfg.Output.Format = schemas.FormatConfluent
	cfg.SchemaRegistry.URL = url
	cfg.SchemaRegistry.ReadOnly = true
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, genEvents(5, 1))...)

	err := runUntilItStops(t, cfg)
	if err == nil || !strings.Contains(err.Error(), "looking up the schema of veil.RenderedEvent under subject "+cfg.Views[0].Topic+"-value") {
		t.Fatalf("read-only Run with nothing registered returned %v", err)
	}
	if n := sum(e.EndOffsets(cfg.Views[0].Topic)); n != 0 {
		t.Fatalf("view holds %d records", n)
	}

	cl, err := sr.NewClient(sr.URLs(url))
	if err != nil {
		t.Fatal(err)
	}
	text, err := schemas.Schema(schemas.RecordRenderedEvent)
	if err != nil {
		t.Fatal(err)
	}
	var id int
	for _, v := range cfg.Views {
		if id, err = cl.RegisterSchema(kafkatest.Context(t), v.Topic+"-value", sr.Schema{Schema: text}, -1, -1); err != nil {
			t.Fatal(err)
		}
	}
	e.start(cfg)
	for _, r := range e.ConsumeKeys(cfg.Views[0].Topic, 5, time.Minute) {
		if got := binary.BigEndian.Uint32(r.Value[1:5]); r.Value[0] != 0 || got != uint32(id) {
			t.Fatalf("view record framed with id %d, want %d", got, id)
		}
	}
}

// runUntilItStops runs a processor with cfg until Run returns by itself
// (within a minute) and returns what it returned.
func runUntilItStops(t *testing.T, cfg processor.Config) error {
	t.Helper()
	engine, err := rules.NewEngine(rules.Config{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := processor.New(cfg, engine, slog.New(slog.NewJSONHandler(io.Discard, nil)), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	select {
	case err = <-done:
		return err
	case <-time.After(time.Minute):
		cancel()
		<-done
		t.Fatal("the processor kept running")
		return nil
	}
}
