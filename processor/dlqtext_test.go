package processor

import (
	"strings"
	"testing"

	"github.com/veil-privacy/veil/schemas"
)

// avroString is s with its Avro length prefix (zig-zag varint).
func avroString(s string) []byte {
	var b []byte
	u := uint64(len(s)) << 1
	for u >= 0x80 {
		b = append(b, byte(u)|0x80)
		u >>= 7
	}
	return append(append(b, byte(u)), s...)
}

func TestDLQText(t *testing.T) {
	card := "4111111111111111 is my card" // 27 bytes: its prefix is '6'
	tests := []struct {
		name   string
		format schemas.Format
		give   []byte
		want   string
	}{
		{"json kept", schemas.FormatJSON, []byte(`{"body":"x"}`), `{"body":"x"}`},
		{"avro strings", schemas.FormatAvro, append(append([]byte{0xff}, avroString("ev-1")...), avroString(card)...), "ev-1\n" + card},
		{"confluent frame skipped", schemas.FormatConfluent, append([]byte{0, 0, 0, 0, 7}, avroString(card)...), card},
		{"binary json falls back", schemas.FormatJSON, append([]byte{0xff}, avroString(card)...), card},
		{"no strings", schemas.FormatAvro, []byte{0xff, 0x01, 0x00}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(dlqText(tt.format, tt.give)); got != tt.want {
				t.Errorf("dlqText = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMaskDigitRuns(t *testing.T) {
	tests := []struct{ give, want string }{
		{"64111111111111111", "#################"},
		{"card 4111 1111 1111 1111.", "card #### #### #### ####."},
		{"on 2026-01-01 at 10", "on 2026-01-01 at 10"},
		{"bsn 111222333", "bsn #########"},
		{"order 12345678", "order 12345678"},
	}
	for _, tt := range tests {
		if got := string(maskDigitRuns([]byte(tt.give))); got != tt.want {
			t.Errorf("maskDigitRuns(%q) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

func TestCutText(t *testing.T) {
	if got := string(cutText([]byte("card 4111111111111111"), 12)); got != "card" {
		t.Errorf("cutText = %q, want %q", got, "card")
	}
}

func FuzzDLQText(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 7, 0x36, '4', '1'})
	f.Add([]byte(`{"a":"b"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, format := range []schemas.Format{schemas.FormatJSON, schemas.FormatAvro, schemas.FormatConfluent} {
			out := dlqText(format, b)
			if len(out) > len(b)+len(b) {
				t.Fatalf("dlqText grew %d bytes to %d", len(b), len(out))
			}
			if format != schemas.FormatJSON && strings.ContainsRune(string(out), 0) {
				t.Fatal("dlqText kept a NUL byte")
			}
		}
	})
}

func TestFieldShapes(t *testing.T) {
	tests := []struct {
		give string
		want bool
	}{
		{"nl-NL", true}, {"de", true}, {"zh-Hant-TW", true}, {"es-419", true}, {"de-CH-1901", true},
		{"nl_NL", false}, {"card 4111 1111 1111 1111", false}, {"english", false}, {"", false},
	}
	for _, tt := range tests {
		if got := localeShape.MatchString(tt.give); got != tt.want {
			t.Errorf("locale %q: %v, want %v", tt.give, got, tt.want)
		}
	}
	if allowed("Jan Jansen", nil) || !allowed("chat", nil) || allowed("fax", []string{"chat"}) {
		t.Error("allowed: wrong answer for a token list")
	}
}
