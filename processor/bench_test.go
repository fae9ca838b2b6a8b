package processor_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// The benchmarks here measure the hot path of a pool worker without Kafka:
// one raw record in, decoded, detected, rendered for the three default views,
// encoded, plus its subject index entry. The Kafka pipeline around it is
// measured by 'veil bench' (see docs/benchmarks.md).

// benchFiller pads bodies with plain support sentences (no personal data).
var benchFiller = []string{
	"Ik heb een vraag over mijn factuur van deze maand.", "The delivery was late again and nobody called me.",
	"Kunnen jullie dat nakijken en mij laten weten wat er mis is gegaan?", "Thanks for the quick reply, that helps a lot.",
	"De app crasht sinds de laatste update op mijn telefoon.", "I would like to change my subscription to the yearly plan.",
}

// benchEvents returns n events of genEvents (a card, an IBAN, a BSN and an
// e-mail address each), with author name and e-mail on customer events and
// bodies padded with plain sentences to at least bodyBytes.
func benchEvents(n, bodyBytes int) []schemas.ConversationEvent {
	evs := genEvents(n, 100)
	for i := range evs {
		ev := &evs[i]
		if ev.AuthorRole == "customer" {
			ev.AuthorName, ev.AuthorEmail = "Anna de Vries", "anna.devries@example.nl"
		}
		var b strings.Builder
		b.WriteString(ev.Body)
		for j := i; b.Len() < bodyBytes; j++ {
			b.WriteByte(' ')
			b.WriteString(benchFiller[j%len(benchFiller)])
		}
		ev.Body = b.String()
	}
	return evs
}

// newBenchProcessor returns a processor with the default views whose keyring
// holds a data key for every customer of evs, so handling needs no broker.
func newBenchProcessor(b *testing.B, f schemas.Format, evs []schemas.ConversationEvent) (*processor.Processor, *rules.Engine) {
	b.Helper()
	cfg := processor.Default()
	cfg.Input.Format, cfg.Output.Format = f, f
	cfg.Keys.KEK = make([]byte, 32)
	_, _ = rand.Read(cfg.Keys.KEK)
	engine, err := rules.NewEngine(rules.Config{})
	if err != nil {
		b.Fatal(err)
	}
	p, err := processor.New(cfg, engine, slog.New(slog.NewJSONHandler(io.Discard, nil)), prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	for _, ev := range evs {
		p.Keyring().GiveKey(ev.CustomerID)
	}
	return p, engine
}

func avgBytes(recs []*kgo.Record) int64 {
	var n int
	for _, r := range recs {
		n += len(r.Value)
	}
	return int64(n / len(recs))
}

// BenchmarkHandle is one event through one worker: ns/op is ns per event.
// "dense" events are genEvents' (~140 bytes, 4 findings in the body);
// "600B" pads them to 600 bytes of body.
func BenchmarkHandle(b *testing.B) {
	for _, f := range []schemas.Format{schemas.FormatJSON, schemas.FormatAvro} {
		for _, size := range []struct {
			name  string
			bytes int
		}{{"dense", 0}, {"600B", 600}, {"4KB", 4 << 10}} {
			b.Run(fmt.Sprintf("%s/%s", f, size.name), func(b *testing.B) {
				evs := benchEvents(1000, size.bytes)
				recs := encodeAll(b, "raw", f, evs)
				p, _ := newBenchProcessor(b, f, evs)
				h := p.NewHandler()
				ctx := context.Background()
				b.SetBytes(avgBytes(recs))
				b.ReportAllocs()
				var outBytes int
				i := 0
				for b.Loop() {
					n, ob, err := h.Handle(ctx, recs[i%len(recs)])
					if err != nil || n != 4 {
						b.Fatalf("handle: %d outputs, %v", n, err)
					}
					outBytes += ob
					i++
				}
				b.ReportMetric(float64(outBytes)/float64(i), "outB/event")
			})
		}
	}
}

// BenchmarkHandleParallel runs one Handler per goroutine (GOMAXPROCS of
// them), as the worker pool does: ns/op is wall time per event over all
// workers, so it shows how the hot path scales across cores.
func BenchmarkHandleParallel(b *testing.B) {
	evs := benchEvents(1000, 600)
	recs := encodeAll(b, "raw", schemas.FormatJSON, evs)
	p, _ := newBenchProcessor(b, schemas.FormatJSON, evs)
	b.SetBytes(avgBytes(recs))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		h := p.NewHandler()
		ctx := context.Background()
		for i := 0; pb.Next(); i++ {
			if _, _, err := h.Handle(ctx, recs[i%len(recs)]); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkHandleStages splits BenchmarkHandle/json/600B into its stages,
// each run alone on the same events: decoding, detection (body and subject),
// rendering the three default views (pseudonyms included) and encoding the
// three rendered events. What Handle costs beyond their sum is the key and
// erasure look-ups, metrics, the index entry and the output records.
func BenchmarkHandleStages(b *testing.B) {
	evs := benchEvents(1000, 600)
	recs := encodeAll(b, "raw", schemas.FormatJSON, evs)
	codec, err := schemas.NewCodec(schemas.FormatJSON)
	if err != nil {
		b.Fatal(err)
	}
	engine, err := rules.NewEngine(rules.Config{})
	if err != nil {
		b.Fatal(err)
	}
	findings := make([][]rules.Finding, len(evs))
	for i, ev := range evs {
		findings[i] = engine.Detect(nil, ev.Body, ev.Locale)
	}
	var policies []rules.Policy
	for _, v := range processor.DefaultViews() {
		policies = append(policies, rules.Policy{Version: v.Policy.Version, Default: v.Policy.Default, Types: v.Policy.Types})
	}
	dek := make([]byte, 32)
	pz := func(t rules.Type, v string) (string, bool) { return processor.Token(dek, t, v), true }
	rendered := func(ev schemas.ConversationEvent, body string) schemas.RenderedEvent {
		return schemas.RenderedEvent{
			EventID: ev.EventID, ConversationID: ev.ConversationID, CustomerID: "3f2a9c01b7de",
			Channel: ev.Channel, Locale: ev.Locale, AuthorRole: ev.AuthorRole, SentAt: ev.SentAt,
			ProcessedAt: time.Now().UTC(), Body: body, View: "analytics", PolicyVersion: "analytics/1",
			DetectorVersion: engine.Version(), Redactions: map[string]int{"CREDIT_CARD": 1, "IBAN_CODE": 1, "NL_BSN": 1, "EMAIL_ADDRESS": 1},
		}
	}

	b.Run("decode", func(b *testing.B) {
		b.SetBytes(avgBytes(recs))
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := codec.DecodeEvent(recs[i%len(recs)].Value); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("detect", func(b *testing.B) {
		b.SetBytes(avgBytes(recs))
		b.ReportAllocs()
		var dst []rules.Finding
		i := 0
		for b.Loop() {
			ev := &evs[i%len(evs)]
			dst = engine.Detect(dst[:0], ev.Body, ev.Locale)
			dst = engine.Detect(dst, ev.Subject, ev.Locale)
			i++
		}
	})
	b.Run("render3", func(b *testing.B) {
		b.SetBytes(avgBytes(recs))
		b.ReportAllocs()
		var buf []byte
		counts := map[rules.Type]int{}
		i := 0
		for b.Loop() {
			k := i % len(evs)
			for _, pol := range policies {
				clear(counts)
				buf = pol.Render(buf[:0], evs[k].Body, findings[k], pz, counts)
				_ = string(buf)
			}
			i++
		}
	})
	b.Run("encode3", func(b *testing.B) {
		res := make([]schemas.RenderedEvent, len(evs))
		for i, ev := range evs {
			res[i] = rendered(ev, ev.Body)
		}
		b.SetBytes(avgBytes(recs))
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			for range policies {
				if _, err := codec.EncodeRendered(res[i%len(res)]); err != nil {
					b.Fatal(err)
				}
			}
			i++
		}
	})
}
