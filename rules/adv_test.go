package rules

import (
	"strings"
	"testing"
	"time"
)

// TestAdversarialLinear checks that pathological inputs take time linear in
// their size: 1 MB of each must be scanned well within a generous bound.
func TestAdversarialLinear(t *testing.T) {
	e := newTestEngine(t)
	for _, unit := range []string{"1 ", "06 ", "a@", "@a.", "Jan ", "van ", "<a ", "&", "1.", "1-", "NL91 ", "wachtwoord ", "Hoi ", "\xff", "::", "AB12 "} {
		text := strings.Repeat(unit, (1<<20)/len(unit))
		start := time.Now()
		fs := e.Detect(nil, text, "")
		checkFindings(t, text, fs)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("1 MB of %q took %v", unit, d)
		} else {
			t.Logf("1 MB of %-14q %8v  %d findings", unit, d.Round(time.Millisecond), len(fs))
		}
	}
}
