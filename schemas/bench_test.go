package schemas

import "testing"

func BenchmarkDecodeEvent(b *testing.B) {
	for _, f := range allFormats {
		c := newTestCodec(b, f)
		data, err := c.EncodeEvent(sampleEvent())
		if err != nil {
			b.Fatal(err)
		}
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := c.DecodeEvent(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncodeEvent(b *testing.B) {
	for _, f := range allFormats {
		c := newTestCodec(b, f)
		e := sampleEvent()
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.EncodeEvent(e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncodeRendered(b *testing.B) {
	for _, f := range allFormats {
		c := newTestCodec(b, f)
		r := sampleRendered()
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.EncodeRendered(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeRendered(b *testing.B) {
	for _, f := range allFormats {
		c := newTestCodec(b, f)
		data, err := c.EncodeRendered(sampleRendered())
		if err != nil {
			b.Fatal(err)
		}
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := c.DecodeRendered(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
