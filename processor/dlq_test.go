package processor_test

import (
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/schemas"
)

// TestDLQRedacted: undecodable Avro and Confluent input whose strings hold a
// card right after a length prefix that is itself a digit ('6', 27 bytes)
// reaches the DLQ with the card masked, and the DLQ key is not the input
// key.
func TestDLQRedacted(t *testing.T) {
	const card = "4111111111111111"
	text := card + " is my card" // 27 bytes: prefix 0x36, '6'
	str := append([]byte{byte(len(text) << 1)}, text...)
	tests := []struct {
		format schemas.Format
		give   []byte
	}{
		// A record that starts like an event but breaks off: not decodable.
		{schemas.FormatAvro, append(append([]byte{0x08, 'e', 'v', '-', '1'}, str...), 0xff, 0xff)},
		{schemas.FormatConfluent, append(append([]byte{0, 0, 0, 0, 7, 0x08, 'e', 'v', '-', '1'}, str...), 0xff, 0xff)},
		{schemas.FormatJSON, []byte(`{"event_id":"p1","body":"` + text)},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			e := newEnv(t)
			cfg := e.config(2)
			cfg.Input.Format = tt.format
			e.Produce(&kgo.Record{Topic: cfg.Topics.Raw, Key: []byte("conv-" + card), Value: tt.give})
			e.start(cfg)
			dlq := e.Consume(cfg.Topics.DLQ, 1, time.Minute)
			if len(dlq) != 1 {
				t.Fatalf("dlq holds %d records, want 1", len(dlq))
			}
			r := dlq[0]
			if strings.Contains(string(r.Key), card) {
				t.Errorf("dlq key %q is the raw input key", r.Key)
			}
			if strings.Contains(string(r.Value), "1111") {
				t.Errorf("dlq payload %q holds the card", r.Value)
			}
			if !strings.Contains(string(r.Value), "is my card") {
				t.Errorf("dlq payload %q lost the decodable text", r.Value)
			}
			if got := kafkatest.Header(r, processor.HeaderPayload); got != "redacted" {
				t.Errorf("payload header = %q, want redacted", got)
			}
		})
	}
}
