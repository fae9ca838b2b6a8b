package rules

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// turnsOf runs the messages through one conversation, the asker and the other party taking
// turns (agent first), and returns the findings of the last message.
func turnsOf(e *Engine, c *Conversation, locale string, msgs ...string) []Finding {
	var fs []Finding
	for i, m := range msgs {
		author := "agent"
		if i%2 == 1 {
			author = "customer"
		}
		fs = e.DetectTurn(fs[:0], c, Turn{Text: m, Locale: locale, Author: author})
	}
	return fs
}

// primedOnly returns the type of the one finding that the question made possible, or "".
func primedOnly(t *testing.T, fs []Finding) Type {
	t.Helper()
	var got Type
	for _, f := range fs {
		if strings.Contains(f.Why, primedMark) {
			if got != "" {
				t.Errorf("two primed findings: %+v", fs)
			}
			got = f.Type
		}
	}
	return got
}

func TestDetectTurnPrimes(t *testing.T) {
	e := newTestEngine(t)
	tests := []struct {
		locale   string
		question string
		answer   string
		want     Type // the type of the primed finding; "" for none
		value    string
	}{
		// Dutch
		{"nl-NL", "Wat is uw burgerservicenummer?", "123456782", BSN, "123456782"},
		{"nl-NL", "Mag ik uw BSN even?", "1234 56 782", BSN, "1234 56 782"},
		{"nl-NL", "Graag uw geboortedatum ter controle.", "14-03-1988", BirthDate, "14-03-1988"},
		{"nl-NL", "geboortedatum?", "14-03-1988", BirthDate, "14-03-1988"},
		{"nl-NL", "Wanneer bent u geboren?", "3 mei 1975", BirthDate, "3 mei 1975"},
		{"nl-NL", "Wat is uw wachtwoord?", "Tulp!2019", Password, "Tulp!2019"},
		{"nl-NL", "Mag ik uw naam?", "Jansen", Person, "Jansen"},
		{"nl-NL", "Mag ik uw naam?", "ja hoor, pieter jansen", Person, "pieter jansen"},
		{"nl-BE", "Wat is uw rijksregisternummer?", "85073003328", BENRN, "85073003328"},
		// English
		{"en-GB", "what's your password?", "bluefish42", Password, "bluefish42"},
		{"en-GB", "Could you confirm your date of birth please", "March 14, 1988", BirthDate, "March 14, 1988"},
		{"en-US", "What's your social security number?", "536221234", SSN, "536221234"},
		{"en-GB", "Can I have your surname?", "Okafor", Person, "Okafor"},
		{"en-GB", "What's your PIN?", "it's 4821", Password, "4821"},
		// German
		{"de-DE", "Wie lautet Ihr Passwort?", "Sommer2024!", Password, "Sommer2024!"},
		{"de-DE", "Bitte nennen Sie Ihr Geburtsdatum.", "14.03.1988", BirthDate, "14.03.1988"},
		{"de-DE", "Wie ist Ihr Nachname?", "Schäfer", Person, "Schäfer"},
		// French
		{"fr-FR", "Quelle est votre date de naissance ?", "14/03/1988", BirthDate, "14/03/1988"},
		{"fr-FR", "Quel est votre mot de passe ?", "c'est soleil#77", Password, "soleil#77"},
		{"fr-FR", "Quel est votre nom de famille ?", "Lefebvre", Person, "Lefebvre"},
		// Controls: a question for something that is no personal data, a bare value that fails
		// its validator, a plain word after a password question, a reply that is no name.
		{"nl-NL", "wat is uw ordernummer?", "20240117", "", ""},
		{"nl-NL", "Wat is uw burgerservicenummer?", "123456789", "", ""},
		{"en-GB", "what's your password?", "forgotten", "", ""},
		{"en-GB", "what's your password?", "I forgot it, sorry", "", ""},
		{"nl-NL", "Mag ik uw naam?", "Natuurlijk", "", ""},
		{"en-GB", "What is your user name?", "jdoe", "", ""},
		{"de-DE", "Wie lautet Ihre Bestellnummer?", "20240117", "", ""},
		{"fr-FR", "Quel est votre numéro de commande ?", "14031988", "", ""},
		{"en-GB", "Your date of birth is on file.", "14-03-1988", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.question+"/"+tt.answer, func(t *testing.T) {
			var c Conversation
			fs := turnsOf(e, &c, tt.locale, tt.question, tt.answer)
			got := primedOnly(t, fs)
			if got != tt.want {
				t.Fatalf("primed type %q, want %q; findings %+v", got, tt.want, fs)
			}
			if tt.want == "" {
				return
			}
			for _, f := range fs {
				if f.Type == tt.want && tt.answer[f.Start:f.End] != tt.value {
					t.Errorf("span %q, want %q", tt.answer[f.Start:f.End], tt.value)
				}
			}
			// Without the question, the same answer is not claimed as this type (or not as surely).
			plain := e.Detect(nil, tt.answer, tt.locale)
			for _, p := range plain {
				for _, f := range fs {
					if p.Type == f.Type && p.Start == f.Start && p.End == f.End && p.Confidence >= f.Confidence {
						t.Errorf("Detect alone already finds %+v", p)
					}
				}
			}
		})
	}
}

// TestDetectTurnNotQuestion: an order-number question keeps a bare 11-proof number from being
// claimed as a BSN, which it would be alone.
func TestDetectTurnNotQuestion(t *testing.T) {
	e := newTestEngine(t)
	if fs := e.Detect(nil, "123456782", "nl-NL"); len(fs) != 1 || fs[0].Type != BSN {
		t.Fatalf("alone: %+v, want one BSN", fs)
	}
	var c Conversation
	if fs := turnsOf(e, &c, "nl-NL", "Wat is uw ordernummer?", "123456782"); len(fs) != 0 {
		t.Errorf("after an order question: %+v, want none", fs)
	}
}

func TestDetectTurnExpiry(t *testing.T) {
	e := newTestEngine(t)
	const q, a = "Wat is uw geboortedatum?", "14-03-1988"
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		turns []Turn // after the question, sent by "agent" at t0
		want  bool   // the last turn's date is primed
	}{
		{"answer", []Turn{{Text: a, Author: "customer", SentAt: t0.Add(time.Minute)}}, true},
		{"second answer", []Turn{{Text: "momentje", Author: "customer"}, {Text: a, Author: "customer"}}, true},
		{"after primeTurns answers", []Turn{{Text: "momentje", Author: "customer"}, {Text: "even zoeken", Author: "customer"},
			{Text: a, Author: "customer"}}, false},
		{"asker's own message", []Turn{{Text: a, Author: "agent"}}, false},
		{"asker's follow-up keeps it", []Turn{{Text: "Dan kan ik u verder helpen.", Author: "agent"},
			{Text: "momentje", Author: "customer"}, {Text: a, Author: "customer"}}, true},
		{"too late", []Turn{{Text: a, Author: "customer", SentAt: t0.Add(PrimeFor + time.Second)}}, false},
		{"answered", []Turn{{Text: a, Author: "customer"}, {Text: "01-02-1990", Author: "customer"}}, false},
		{"unknown authors", []Turn{{Text: a}}, true},
		{"a new question replaces it", []Turn{{Text: "En uw ordernummer?", Author: "agent"}, {Text: a, Author: "customer"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Conversation
			author := "agent"
			if tt.name == "unknown authors" {
				author = ""
			}
			e.DetectTurn(nil, &c, Turn{Text: q, Locale: "nl-NL", Author: author, SentAt: t0})
			var fs []Finding
			for _, tn := range tt.turns {
				tn.Locale = "nl-NL"
				fs = e.DetectTurn(fs[:0], &c, tn)
			}
			if got := primedOnly(t, fs) == BirthDate; got != tt.want {
				t.Errorf("primed %v, want %v (findings %+v)", got, tt.want, fs)
			}
		})
	}
}

// TestConversationSize bounds the state: a fixed 16 bytes per conversation, and a Conversations
// that never holds more than Max conversations.
func TestConversationSize(t *testing.T) {
	if n := unsafe.Sizeof(Conversation{}); n != 16 {
		t.Errorf("Conversation is %d bytes, want 16", n)
	}
	e := newTestEngine(t)
	cs := Conversations{Max: 8}
	for i := range 100 {
		id := fmt.Sprintf("conv-%d", i)
		cs.Detect(e, nil, id, Turn{Text: "Wat is uw BSN?", Author: "agent"})
		if cs.Len() > 8 || len(cs.ring) > 8 {
			t.Fatalf("after %d conversations: %d kept, ring %d; want at most 8", i+1, cs.Len(), len(cs.ring))
		}
	}
	// The newest are kept, the oldest dropped.
	if !cs.Get("conv-99").Active() || cs.Get("conv-0").Active() {
		t.Errorf("conv-99 active %v, conv-0 active %v; want true, false", cs.Get("conv-99").Active(), cs.Get("conv-0").Active())
	}
	// An answered conversation takes no room.
	fs := cs.Detect(e, nil, "conv-99", Turn{Text: "123456782", Author: "customer"})
	if primedOnly(t, fs) != BSN || cs.Get("conv-99").Active() {
		t.Errorf("answer %+v, still active %v", fs, cs.Get("conv-99").Active())
	}
	if cs.Len() != 7 {
		t.Errorf("%d kept after one was answered, want 7", cs.Len())
	}
}

// TestConversationsBytes measures the heap a Conversations takes per open question (state,
// ring slot and map entry, with a 36-byte conversation id): docs/accuracy.md quotes it.
func TestConversationsBytes(t *testing.T) {
	const n = 4096
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%08d-0000-4000-8000-%012d", i, i)
	}
	st := Conversation{asked: 1, left: primeTurns}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC() // the second one frees what sync.Pools held over the first
	runtime.ReadMemStats(&before)
	cs := &Conversations{Max: n}
	for _, id := range ids {
		cs.Put(id, st)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / n
	t.Logf("%.0f bytes per open conversation (%d kept), the id's own bytes not counted", per, cs.Len())
	if cs.Len() != n {
		t.Fatalf("%d kept, want %d", cs.Len(), n)
	}
	if per > 256 {
		t.Errorf("%.0f bytes per conversation, want at most 256", per)
	}
	runtime.KeepAlive(cs)
}

func TestExplain(t *testing.T) {
	e := newTestEngine(t)
	var c Conversation
	fs := turnsOf(e, &c, "nl-NL", "Wat is uw burgerservicenummer?", "123456782")
	if len(fs) != 1 {
		t.Fatalf("findings %+v, want one", fs)
	}
	x := e.Explain("123456782", "nl-NL", fs[0])
	if x.Detector != "bsn.elfproef" || x.Question != "burgerservicenummer" || !strings.Contains(x.Validator, "11-proof") || x.Context != "" {
		t.Errorf("primed: %+v", x)
	}
	text := "Mijn BSN is 123456782, wachtwoord: Zomer24!"
	for _, f := range e.Detect(nil, text, "nl-NL") {
		x := e.Explain(text, "nl-NL", f)
		want := map[Type]string{BSN: "bsn", Password: "wachtwoord"}[f.Type]
		if x.Context != want || x.Question != "" || x.Validator != f.Why {
			t.Errorf("%s: %+v, want context %q", f.Type, x, want)
		}
	}
}

// FuzzConversation feeds arbitrary messages by arbitrary authors and times through one
// conversation: the state stays within its bounds, and DetectTurn's findings stay in bounds.
func FuzzConversation(f *testing.F) {
	f.Add("Wat is uw burgerservicenummer?", "123456782", "agent", "customer", int64(0))
	f.Add("what's your password?", "bluefish42", "", "", int64(60))
	f.Add("Mag ik uw naam? En uw geboortedatum?", "ja hoor, pieter jansen", "a", "b", int64(4000))
	f.Add("wat is uw ordernummer?", "20240117", "agent", "agent", int64(-5))
	e := newTestEngine(f)
	f.Fuzz(func(t *testing.T, a, b, authorA, authorB string, gap int64) {
		var c Conversation
		t0 := time.Unix(1_700_000_000, 0)
		for i, m := range []string{a, b, a, b, b} {
			author := authorA
			if i%2 == 1 {
				author = authorB
			}
			fs := e.DetectTurn(nil, &c, Turn{Text: m, Author: author, SentAt: t0.Add(time.Duration(i*int(gap%100000)) * time.Second)})
			for _, f := range fs {
				if f.Start < 0 || f.End > len(m) || f.Start >= f.End {
					t.Fatalf("finding %+v out of bounds of %q", f, m)
				}
			}
			if c.left > primeTurns || c.left == 0 && c != (Conversation{}) {
				t.Fatalf("state %+v: left out of range or a closed state kept", c)
			}
			if int(c.cue) > len(e.ask.words) || c.asked>>numTypes != 0 {
				t.Fatalf("state %+v: cue or types out of range", c)
			}
		}
	})
}

// BenchmarkConversationTurns runs the short chat messages through Detect and, in the same
// loop, through DetectTurn as the alternating agent and customer messages of 40 conversations
// (what a processor worker does). The two passes alternate within each op, so load on a shared
// machine hits both alike; turn/detect is their CPU-time ratio.
func BenchmarkConversationTurns(b *testing.B) {
	msgs, total := loadShort(b)
	e := newTestEngine(b)
	ids := make([]string, 40)
	for i := range ids {
		ids[i] = fmt.Sprintf("conv-%d", i)
	}
	var dst []Finding
	var cs Conversations
	var detect, turn int64
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		c0 := cpuNanos(b)
		for _, m := range msgs {
			dst = e.Detect(dst[:0], m.Text, m.Locale)
		}
		c1 := cpuNanos(b)
		for i, m := range msgs {
			author := [2]string{"agent", "customer"}[i/len(ids)%2]
			dst = cs.Detect(e, dst[:0], ids[i%len(ids)], Turn{Text: m.Text, Locale: m.Locale, Author: author})
		}
		detect, turn = detect+c1-c0, turn+cpuNanos(b)-c1
	}
	b.ReportMetric(float64(detect)/float64(b.N), "detect-cpu-ns/op")
	b.ReportMetric(float64(turn)/float64(b.N), "turn-cpu-ns/op")
	b.ReportMetric(float64(turn)/float64(detect), "turn/detect")
}

// TestPrimedNameDropped: a primed name that does not look like a name ("Momentje") is dropped,
// and the rest of the message is found as Detect alone finds it.
func TestPrimedNameDropped(t *testing.T) {
	e := newTestEngine(t)
	const answer = "Momentje, mijn BSN is 123456782"
	var c Conversation
	fs := turnsOf(e, &c, "nl-NL", "Mag ik uw naam?", answer)
	plain := e.Detect(nil, answer, "nl-NL")
	if len(fs) != len(plain) {
		t.Fatalf("primed %+v, alone %+v: want the same findings", fs, plain)
	}
	for i := range fs {
		if fs[i].Type == Person || fs[i].Start != plain[i].Start || fs[i].Type != plain[i].Type {
			t.Errorf("primed %+v, alone %+v", fs[i], plain[i])
		}
	}
}
