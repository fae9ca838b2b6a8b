package processor_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/processor/keyring"
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

// chatEvents returns n events of genEvents whose bodies and locales are the
// 400 short chat messages of the rules package's short-message benchmark
// (rules/testdata/short: 50-300 bytes, NL/EN/DE/FR, about four in ten with
// personal data), with author name and e-mail on customer events.
func chatEvents(tb testing.TB, n int) []schemas.ConversationEvent {
	tb.Helper()
	f, err := os.Open("../rules/testdata/short/short.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var msgs []struct{ Locale, Text string }
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m struct{ Locale, Text string }
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			tb.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	if err := sc.Err(); err != nil || len(msgs) == 0 {
		tb.Fatalf("reading the short messages: %d read, %v", len(msgs), err)
	}
	evs := genEvents(n, 100)
	for i := range evs {
		ev := &evs[i]
		if ev.AuthorRole == "customer" {
			ev.AuthorName, ev.AuthorEmail = "Anna de Vries", "anna.devries@example.nl"
		}
		m := msgs[i%len(msgs)]
		ev.Body, ev.Locale = m.Text, m.Locale
	}
	return evs
}

// cpuNanos returns the user and system CPU time of the process: on a shared
// machine it counts the time the benchmark ran, not the time it waited for
// a core. Background GC work is in it, as it is in the cost of an event.
func cpuNanos(tb testing.TB) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
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

// BenchmarkHandle is one event through one worker: ns/op is ns per event,
// cpu-ns/event the process's CPU time per event (GC included), the figure to
// compare on a shared machine.
// "chat" events carry the short chat messages of chatEvents (50-300 bytes of
// body, about four in ten with personal data); "dense" events are
// genEvents' (~140 bytes, 4 findings in the body); "600B" and "4KB" pad
// those to 600 and 4096 bytes of body.
func BenchmarkHandle(b *testing.B) {
	for _, f := range []schemas.Format{schemas.FormatJSON, schemas.FormatAvro} {
		for _, size := range []struct {
			name  string
			bytes int
		}{{"chat", -1}, {"dense", 0}, {"600B", 600}, {"4KB", 4 << 10}} {
			b.Run(fmt.Sprintf("%s/%s", f, size.name), func(b *testing.B) {
				var evs []schemas.ConversationEvent
				if size.bytes < 0 {
					evs = chatEvents(b, 1000)
				} else {
					evs = benchEvents(1000, size.bytes)
				}
				recs := encodeAll(b, "raw", f, evs)
				p, _ := newBenchProcessor(b, f, evs)
				h := p.NewHandler()
				ctx := context.Background()
				b.SetBytes(avgBytes(recs))
				b.ReportAllocs()
				var outBytes, outs int
				i := 0
				cpu := cpuNanos(b)
				for b.Loop() {
					n, ob, err := h.Handle(ctx, recs[i%len(recs)])
					// Three views, the subject index entry, and an identifier
					// index entry per identifier shown.
					if err != nil || n < 4 {
						b.Fatalf("handle: %d outputs, %v", n, err)
					}
					outs += n
					outBytes += ob
					i++
				}
				b.ReportMetric(float64(cpuNanos(b)-cpu)/float64(i), "cpu-ns/event")
				b.ReportMetric(float64(outBytes)/float64(i), "outB/event")
				b.ReportMetric(float64(outs-4*i)/float64(i), "ids/event")
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
	pz := func(t rules.Type, v string) (string, bool) { return keyring.Token(dek, t, v), true }
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

// BenchmarkCompression compresses the four outputs of chat events (three
// views and the index entry, as Handle makes them) with the client's own
// compressor (kgo.DefaultCompressor), in record batches per topic and
// partition as the producer builds them: "full" batches hold every record
// of 400 events (each short message once, so no text repeats within a
// batch) for one of 6 partitions, about 67 records (a busy producer), "8rec"
// batches 8 records (a lightly loaded one that lingers 10 ms). ns/op
// is the time of all batches; cpu-ns/event the compression CPU per event,
// wireB/event the compressed bytes per event, rawB/event the uncompressed
// ones.
func BenchmarkCompression(b *testing.B) {
	const events, partitions = 400, 6
	evs := chatEvents(b, events)
	recs := encodeAll(b, "raw", schemas.FormatJSON, evs)
	p, _ := newBenchProcessor(b, schemas.FormatJSON, evs)
	outs, err := p.NewHandler().Outputs(context.Background(), recs)
	if err != nil {
		b.Fatal(err)
	}
	type tp struct {
		topic string
		part  int
	}
	parts := map[tp][][]byte{}
	for _, r := range outs {
		k := tp{r.Topic, changelog.Partitioner().ForTopic(r.Topic).Partition(r, partitions)}
		parts[k] = append(parts[k], appendRecord(nil, r, len(parts[k])))
	}
	for _, batching := range []struct {
		name string
		max  int
	}{{"full", events}, {"8rec", 8}} {
		var batches [][]byte
		raw := 0
		for _, rs := range parts {
			for len(rs) > 0 {
				n := min(batching.max, len(rs))
				batches = append(batches, slices.Concat(rs[:n]...))
				raw += len(batches[len(batches)-1])
				rs = rs[n:]
			}
		}
		for _, codec := range []struct {
			name  string
			codec kgo.CompressionCodec
		}{{"snappy", kgo.SnappyCompression()}, {"lz4", kgo.Lz4Compression()}, {"zstd", kgo.ZstdCompression()}} {
			b.Run(batching.name+"/"+codec.name, func(b *testing.B) {
				c, err := kgo.DefaultCompressor(codec.codec)
				if err != nil {
					b.Fatal(err)
				}
				var buf bytes.Buffer
				wire := 0
				b.ReportAllocs()
				cpu := cpuNanos(b)
				for b.Loop() {
					wire = 0
					for _, batch := range batches {
						buf.Reset()
						out, _ := c.Compress(&buf, batch)
						wire += len(out)
					}
				}
				b.ReportMetric(float64(cpuNanos(b)-cpu)/float64(b.N)/events, "cpu-ns/event")
				b.ReportMetric(float64(wire)/events, "wireB/event")
				b.ReportMetric(float64(raw)/events, "rawB/event")
			})
		}
	}
}

// appendRecord appends r as a record of a Kafka record batch (v2): length,
// attributes, timestamp and offset deltas, key, value and headers, in
// varints.
func appendRecord(dst []byte, r *kgo.Record, offsetDelta int) []byte {
	var body []byte
	body = append(body, 0)
	body = binary.AppendVarint(body, 0)
	body = binary.AppendVarint(body, int64(offsetDelta))
	body = appendVarBytes(body, r.Key)
	body = appendVarBytes(body, r.Value)
	body = binary.AppendVarint(body, int64(len(r.Headers)))
	for _, h := range r.Headers {
		body = appendVarBytes(body, []byte(h.Key))
		body = appendVarBytes(body, h.Value)
	}
	dst = binary.AppendVarint(dst, int64(len(body)))
	return append(dst, body...)
}

func appendVarBytes(dst, b []byte) []byte {
	if b == nil {
		return binary.AppendVarint(dst, -1)
	}
	return append(binary.AppendVarint(dst, int64(len(b))), b...)
}
