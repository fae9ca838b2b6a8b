package rules

import (
	"strings"
	"testing"
)

// TestCanaryDetected: every value of a canary passes its validator and is
// found by the engine as its type, covering the whole value, and every type
// Veil detects in free text has a value.
func TestCanaryDetected(t *testing.T) {
	e, err := NewEngine(Default())
	if err != nil {
		t.Fatal(err)
	}
	cs, err := NewCanaries()
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(200) {
		c := cs.Make(seed)
		found := e.Detect(nil, c.Text, "en")
		have := map[Type]bool{}
		for _, v := range c.Values {
			have[v.Type] = true
			at := strings.Index(c.Text, v.Value)
			if at < 0 {
				t.Fatalf("seed %d: %s value %q not in the text", seed, v.Type, v.Value)
			}
			covered := false
			for _, f := range found {
				if f.Type == v.Type && f.Start <= at && f.End >= at+len(v.Value) {
					covered = true
				}
			}
			if !covered {
				t.Errorf("seed %d: %s %q not detected as a whole; findings %+v", seed, v.Type, v.Value, found)
			}
		}
		for _, typ := range Types() {
			if i := typeIndex(typ); len(registry[i].Detectors) > 0 && !have[typ] {
				t.Fatalf("type %s has no canary value", typ)
			}
		}
	}
}
