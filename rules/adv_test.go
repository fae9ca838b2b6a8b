package rules

import (
	"strings"
	"testing"
)

// adversarialUnits repeated to 1 MB make pathological inputs: long runs of
// candidate starts for the number, phone, e-mail, name, HTML and IBAN scanners.
var adversarialUnits = []string{"1 ", "06 ", "a@", "@a.", "Jan ", "van ", "<a ", "&", "1.", "1-", "NL91 ", "wachtwoord ", "Hoi ", "\xff", "::", "AB12 "}

// TestAdversarial checks the Detect contract on pathological inputs. Their
// speed (it must be linear in size) is measured by BenchmarkAdversarial.
func TestAdversarial(t *testing.T) {
	e := newTestEngine(t)
	for _, unit := range adversarialUnits {
		text := strings.Repeat(unit, (1<<20)/len(unit))
		checkFindings(t, text, e.Detect(nil, text, ""))
	}
}

// BenchmarkAdversarial reports MB/s on 1 MB and 4 MB of each pathological
// input; equal rates at both sizes show linear time.
func BenchmarkAdversarial(b *testing.B) {
	e := newTestEngine(b)
	for _, unit := range adversarialUnits {
		for _, mb := range []int{1, 4} {
			text := strings.Repeat(unit, (mb<<20)/len(unit))
			b.Run(strings.TrimSpace(unit)+"/"+string(rune('0'+mb))+"MB", func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				for b.Loop() {
					e.Detect(nil, text, "")
				}
			})
		}
	}
}
