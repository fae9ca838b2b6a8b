package processor_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/schemas"
)

// TestDecompressionBomb: records of 150 MB that compress to a few hundred
// KiB go to the DLQ without payload, with a reason, while good records keep
// flowing; the processor (a child process, so its memory is its own) peaks
// well under the 512 MiB of a k8s limit.
func TestDecompressionBomb(t *testing.T) {
	for _, g := range guarantees {
		t.Run(g, func(t *testing.T) { testDecompressionBomb(t, g) })
	}
}

func testDecompressionBomb(t *testing.T, guarantee string) {
	bombs := 100
	if testing.Short() {
		bombs = 5
	}
	e := newEnv(t)
	cfg := e.config(4)
	cfg.Processing.Guarantee = guarantee
	evs := genEvents(2000, 40)
	recs := encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)

	// One 150 MB event: valid JSON, a body full of card numbers.
	var b bytes.Buffer
	b.WriteString(`{"event_id":"bomb","conversation_id":"c-bomb","customer_id":"cust-bomb","channel":"chat","sent_at":"2026-01-01T00:00:00Z","body":"`)
	line := "card 4111 1111 1111 1111 mail jan@example.nl "
	for b.Len() < 150<<20 {
		b.WriteString(line)
	}
	b.WriteString(`"}`)
	bomb := b.Bytes()

	pr, err := kgo.NewClient(kgo.SeedBrokers(e.Brokers...), kgo.RecordPartitioner(changelog.Partitioner()),
		kgo.ProducerBatchCompression(kgo.ZstdCompression()), kgo.ProducerBatchMaxBytes(200<<20), kgo.BrokerMaxWriteBytes(210<<20),
		kgo.ProducerLinger(0), kgo.MaxBufferedBytes(400<<20))
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	// Compressing a bomb takes a while: 100 of them take minutes.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// Interleaved, each bomb its own batch.
	step := len(recs) / bombs
	for i := range bombs {
		if err := pr.ProduceSync(ctx, recs[i*step:(i+1)*step]...).FirstErr(); err != nil {
			t.Fatalf("producing good records: %v", err)
		}
		r := &kgo.Record{Topic: cfg.Topics.Raw, Key: []byte(fmt.Sprintf("c-bomb-%d/4111111111111111", i)), Value: bomb}
		if err := pr.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatalf("producing bomb %d: %v", i, err)
		}
	}
	if err := pr.ProduceSync(ctx, recs[bombs*step:]...).FirstErr(); err != nil {
		t.Fatalf("producing good records: %v", err)
	}
	bomb, b = nil, bytes.Buffer{}

	child := e.startChild(cfg)
	e.verify(t, guarantee, cfg, history(evs), 3*time.Minute)
	dlq := e.Consume(cfg.Topics.DLQ, bombs, time.Minute)
	hwm := vmHWM(t, child.Process.Pid)
	t.Logf("%d bombs of %d MiB: peak RSS of the processor %d MiB", bombs, 150, hwm>>20)
	if len(dlq) != bombs {
		t.Fatalf("dlq holds %d records, want %d", len(dlq), bombs)
	}
	for _, r := range dlq {
		if got := kafkatest.Header(r, processor.HeaderReason); got != processor.ReasonBatch && got != processor.ReasonOversized {
			t.Errorf("reason = %q, want %s or %s", got, processor.ReasonBatch, processor.ReasonOversized)
		}
		if len(r.Value) != 0 {
			t.Errorf("dlq record of a bomb holds %d bytes of payload, want none", len(r.Value))
		}
		if strings.Contains(string(r.Key), "4111") {
			t.Errorf("dlq key %q holds the raw input key", r.Key)
		}
	}
	if hwm > 256<<20 {
		t.Errorf("processor peaked at %d MiB RSS, want under 256 MiB", hwm>>20)
	}
}

// vmHWM returns the peak resident set size of process pid.
func vmHWM(t *testing.T, pid int) int64 {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for l := range strings.Lines(string(raw)) {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}
