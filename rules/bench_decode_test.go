package rules

import "testing"

// BenchmarkShortDecodeGate measures, over the short chat messages of BenchmarkShort, Detect and
// the check that decides whether a text holds an encoding, in one run: the check's cost as a
// share of Detect is the price of decoding for text that holds none.
func BenchmarkShortDecodeGate(b *testing.B) {
	msgs, total := loadShort(b)
	e := newTestEngine(b)
	b.Run("detect", func(b *testing.B) {
		var dst []Finding
		b.SetBytes(int64(total))
		b.ReportAllocs()
		for b.Loop() {
			for _, m := range msgs {
				dst = e.Detect(dst[:0], m.Text, m.Locale)
			}
		}
	})
	b.Run("gate", func(b *testing.B) {
		n := 0
		b.SetBytes(int64(total))
		b.ReportAllocs()
		for b.Loop() {
			n = 0
			for _, m := range msgs {
				if e.entities.encodings(m.Text) != 0 {
					n++
				}
			}
		}
		b.ReportMetric(float64(n), "encoded/op")
	})
}

// BenchmarkEncoded runs Detect over the labelled set in testdata/encoded, its plain sentences and
// their encoded variants apart, in one run: the ratio of their ns/op per message is what
// decoding costs where it applies.
func BenchmarkEncoded(b *testing.B) {
	sets := map[string][]shortMessage{}
	for _, ev := range loadEncoded(b) {
		k := "encoded"
		if ev.Tags["encoding"] == "plain" {
			k = "plain"
		}
		sets[k] = append(sets[k], shortMessage{Locale: ev.Locale, Text: ev.Body})
	}
	e := newTestEngine(b)
	for _, k := range []string{"plain", "encoded"} {
		msgs := sets[k]
		b.Run(k, func(b *testing.B) {
			var dst []Finding
			b.ReportAllocs()
			for b.Loop() {
				for _, m := range msgs {
					dst = e.Detect(dst[:0], m.Text, m.Locale)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(msgs)), "ns/msg")
		})
	}
}
