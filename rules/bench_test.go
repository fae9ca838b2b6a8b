package rules

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// genText builds about n bytes of mixed customer-service text: mostly plain
// sentences in Dutch and English, with personal data, look-alikes (amounts,
// versions, order and tracking numbers, dates) and some HTML, the way a
// support inbox looks. It is seeded and deterministic.
//
// Every segment carries personal data with probability 11/spread: spread 24
// gives about 10 findings per KB (dense), 80 about 3 per KB (like the labelled corpus).
func genText(n int, seed uint64, spread int) string {
	r := rand.New(rand.NewPCG(seed, 7))
	first := []string{"Anna", "Bas", "Chloe", "Deniz", "Elif", "Femke", "George", "Hamza", "Ingrid", "Joost", "Kavya", "Liam", "Mehmet", "Nadia", "Olga", "Pieter"}
	last := []string{"Jansen", "de Vries", "Smith", "Yilmaz", "El Amrani", "Kowalski", "Patel", "van Dijk", "Brown", "Visser"}
	filler := []string{
		"Ik heb een vraag over mijn factuur van deze maand.", "The delivery was late again and nobody called me.",
		"Kunnen jullie dat nakijken en mij laten weten wat er mis is gegaan?", "Thanks for the quick reply, that helps a lot.",
		"De app crasht sinds de laatste update op mijn telefoon.", "I would like to change my subscription to the yearly plan.",
		"Het pakket is nooit aangekomen bij het afhaalpunt.", "Could you please check the status of my refund?",
		"We hebben je verzoek doorgestuurd naar de juiste afdeling.", "Let me know if there is anything else I can do.",
		"Volgens de track and trace is het al bezorgd.", "I tried resetting the router but it did not help.",
	}
	digits := func(k int) string {
		b := make([]byte, k)
		for i := range b {
			b[i] = byte('0' + r.IntN(10))
		}
		return string(b)
	}
	var b strings.Builder
	for b.Len() < n {
		switch r.IntN(spread) {
		case 0:
			fmt.Fprintf(&b, "Hoi %s, bedankt voor je bericht! ", first[r.IntN(len(first))])
		case 1:
			fmt.Fprintf(&b, "Kind regards, %s %s\n", first[r.IntN(len(first))], last[r.IntN(len(last))])
		case 2:
			fmt.Fprintf(&b, "Je kunt me bellen op 06-%s of mailen naar %s.%s@example.nl. ", digits(8), strings.ToLower(first[r.IntN(len(first))]), digits(2))
		case 3:
			fmt.Fprintf(&b, "My card is 4111 1111 1111 1111 and the order #%s. ", digits(6))
		case 4:
			fmt.Fprintf(&b, "Graag terugstorten op NL91 ABNA 0417 1643 00 t.n.v. %s %s. ", first[r.IntN(len(first))], last[r.IntN(len(last))])
		case 5:
			fmt.Fprintf(&b, "Ik heb € %d,%s betaald op %d-%d-2024 voor bestelling %s. ", r.IntN(900)+10, digits(2), r.IntN(28)+1, r.IntN(12)+1, digits(9))
		case 6:
			fmt.Fprintf(&b, "I'm on version %d.%d.%d and my IP is 192.168.%d.%d. ", r.IntN(20), r.IntN(20), r.IntN(99), r.IntN(255), r.IntN(255))
		case 7:
			fmt.Fprintf(&b, "<p>Mijn nieuwe adres is Kerkstraat %d, 1234 AB Utrecht.</p> ", r.IntN(300)+1)
		case 8:
			fmt.Fprintf(&b, "My date of birth is %d/%d/19%s and my password is Summer%s! ", r.IntN(12)+1, r.IntN(28)+1, digits(2), digits(2))
		case 9:
			fmt.Fprintf(&b, "Het trackingnummer %s staat nog open. ", digits(16))
		case 10:
			fmt.Fprintf(&b, "\n> Op %d maart 2025 schreef %s <support@example.com>:\n> ", r.IntN(28)+1, first[r.IntN(len(first))])
		default:
			b.WriteString(filler[r.IntN(len(filler))])
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// typicalSpread gives the PII density of a support inbox (about 3 findings per KB).
const typicalSpread = 80

var benchSizes = []struct {
	name string
	n    int
}{{"1KB", 1 << 10}, {"100KB", 100 << 10}, {"10MB", 10 << 20}}

func BenchmarkDetect(b *testing.B) {
	e := newTestEngine(b)
	for _, sz := range benchSizes {
		text := genText(sz.n, 1, typicalSpread)
		b.Run(sz.name, func(b *testing.B) {
			var dst []Finding
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				dst = e.Detect(dst[:0], text, "")
			}
			b.ReportMetric(float64(len(dst))/float64(len(text))*1024, "findings/KB")
		})
	}
}

// BenchmarkDetectDense is BenchmarkDetect on text about three times denser in personal data.
func BenchmarkDetectDense(b *testing.B) {
	e := newTestEngine(b)
	text := genText(100<<10, 1, 24)
	var dst []Finding
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		dst = e.Detect(dst[:0], text, "")
	}
	b.ReportMetric(float64(len(dst))/float64(len(text))*1024, "findings/KB")
}

// BenchmarkRegexpBaseline runs ten typical PII regular expressions over the
// same text. It is the baseline that BenchmarkDetect is compared with.
func BenchmarkRegexpBaseline(b *testing.B) {
	pats := baselinePatterns()
	for _, sz := range benchSizes {
		text := genText(sz.n, 1, typicalSpread)
		b.Run(sz.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				for _, re := range pats {
					re.FindAllStringIndex(text, -1)
				}
			}
		})
	}
}

func TestGenTextFindings(t *testing.T) {
	e := newTestEngine(t)
	text := genText(64<<10, 3, 24)
	fs := e.Detect(nil, text, "")
	counts := map[Type]int{}
	for _, f := range fs {
		counts[f.Type]++
	}
	for _, typ := range []Type{Person, Phone, Email, CreditCard, IBAN, IP, Address, BirthDate, Password} {
		if counts[typ] == 0 {
			t.Errorf("no %s findings in generated text: %v", typ, counts)
		}
	}
}

// cpuSeconds returns the user+system CPU time of this process.
func cpuSeconds(t testing.TB) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkDetectPerCPU reports MB per CPU-second (user+system time of the
// whole process, GC included) for Detect and the regexp baseline on the same
// text, and their ratio. On a shared, noisy machine CPU time is a fairer
// per-core figure than wall time:
// go test ./rules/ -run XXX -bench DetectPerCPU -benchtime 3x.
func BenchmarkDetectPerCPU(b *testing.B) {
	e := newTestEngine(b)
	pats := baselinePatterns()
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			text := genText(sz.n, 1, typicalSpread)
			reps := max(1, (16<<20)/len(text))
			var dst []Finding
			var detect, base float64
			for b.Loop() {
				c0 := cpuSeconds(b)
				for range reps {
					dst = e.Detect(dst[:0], text, "")
				}
				detect += cpuSeconds(b) - c0
				c0 = cpuSeconds(b)
				for range max(1, reps/32) {
					for _, re := range pats {
						re.FindAllStringIndex(text, -1)
					}
				}
				base += cpuSeconds(b) - c0
			}
			mb := float64(b.N*reps*len(text)) / 1e6
			bmb := float64(b.N*max(1, reps/32)*len(text)) / 1e6
			b.ReportMetric(mb/detect, "MB/CPU-s")
			b.ReportMetric(bmb/base, "regexp-MB/CPU-s")
			b.ReportMetric((mb/detect)/(bmb/base), "x-regexp")
		})
	}
}

// baselinePatterns returns ten typical PII regular expressions: the baseline the engine is compared with.
func baselinePatterns() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`),
		regexp.MustCompile(`\+?\d[\d \-()]{7,}\d`),
		regexp.MustCompile(`\b(?:\d[ -]?){13,19}\b`),
		regexp.MustCompile(`\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b`),
		regexp.MustCompile(`\b\d{3}-\d{2}-\d{4}\b`),
		regexp.MustCompile(`\b(?:\d{1,3}\.){3}\d{1,3}\b`),
		regexp.MustCompile(`\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b`),
		regexp.MustCompile(`\b\d{4}\.?\d{2}\.?\d{3}\b`),
		regexp.MustCompile(`\b[1-9]\d{3} ?[A-Z]{2}\b`),
		regexp.MustCompile(`\b(?:AKIA[A-Z0-9]{16}|ghp_[A-Za-z0-9]{36}|sk_live_[A-Za-z0-9]{16,})\b`),
	}
}
