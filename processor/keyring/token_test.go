package keyring

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/veil-privacy/veil/rules"
)

func TestTokenizer(t *testing.T) {
	dek := []byte("0123456789abcdef0123456789abcdef")
	tests := []struct {
		typ        rules.Type
		give, same string // same: another notation of give, with the same token
	}{
		{rules.Email, "Anna@Example.nl", " anna@example.NL "},
		{rules.Phone, "+31 6 1234-5678", "+31612345678"},
		{rules.IBAN, "NL91 ABNA 0417 1643 00", "nl91abna0417164300"},
		{rules.Person, "Anna  de Vries", "anna de vries"},
	}
	z := NewTokenizer(dek)
	for _, tt := range tests {
		// A reused tokenizer gives what a fresh one gives.
		got, want := z.Token(tt.typ, tt.give), Token(dek, tt.typ, tt.give)
		if got != want || len(got) != 12 {
			t.Errorf("%s %q: reused tokenizer %q, fresh %q", tt.typ, tt.give, got, want)
		}
		if same := z.Token(tt.typ, tt.same); same != got {
			t.Errorf("%s: %q and %q get %q and %q, want one token", tt.typ, tt.give, tt.same, got, same)
		}
		if other := z.Token(rules.SSN, tt.give); other == got {
			t.Errorf("%q: the same token as type %s and %s", tt.give, tt.typ, rules.SSN)
		}
	}
	if Token([]byte("another key, another subject....."), rules.Email, "a@b.nl") == Token(dek, rules.Email, "a@b.nl") {
		t.Error("two keys give the same token")
	}
}

// stdToken is Token made with crypto/hmac and rules.Type.Normalize, as it
// was made before the Tokenizer kept its own hash states.
func stdToken(dek []byte, t rules.Type, value string) string {
	m := hmac.New(sha256.New, dek)
	m.Write([]byte(t))
	m.Write([]byte{0})
	m.Write([]byte(t.Normalize(value)))
	return hex.EncodeToString(m.Sum(nil)[:rules.PseudonymLen/2])
}

// FuzzTokenizer checks a tokenizer that changes keys against crypto/hmac,
// for keys of every length (longer than a block too) and every value.
func FuzzTokenizer(f *testing.F) {
	f.Add([]byte("0123456789abcdef0123456789abcdef"), "Anna@Example.nl", "+31 6 1234-5678")
	f.Add([]byte{}, "", " ")
	f.Add(bytes.Repeat([]byte{7}, 100), "Anna  de\tVries ", "ÉLODIE Dupont")
	f.Add([]byte("k"), "İstanbul\u00a0x", "NL91 ABNA (0417) 1643.00/x")
	var z Tokenizer
	f.Fuzz(func(t *testing.T, dek []byte, a, b string) {
		for _, typ := range []rules.Type{rules.Email, rules.Person, rules.Phone} {
			z.SetKey(dek)
			for _, v := range []string{a, b, a} {
				if got, want := z.Token(typ, v), stdToken(dek, typ, v); got != want {
					t.Fatalf("key %x %s %q: %s, crypto/hmac %s", dek, typ, v, got, want)
				}
			}
			z.SetKey([]byte("another key"))
			if got, want := z.Token(typ, a), stdToken([]byte("another key"), typ, a); got != want {
				t.Fatalf("after a change of key %s %q: %s, want %s", typ, a, got, want)
			}
		}
	})
}

func TestTokenizerAllocs(t *testing.T) {
	var z Tokenizer
	deks := [][]byte{bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)}
	i := 0
	n := testing.AllocsPerRun(100, func() {
		z.SetKey(deks[i%2])
		z.Token(rules.Email, "Anna.de.Vries@Example.nl")
		z.Token(rules.CustomerID, "cust-0042")
		z.Token(rules.CustomerID, "cust-0042") // remembered
		i++
	})
	if n > 2 {
		t.Errorf("%v allocations per key and two tokens, want 2 (the tokens)", n)
	}
}

func TestSubjectIDAllocs(t *testing.T) {
	k, err := New(bytes.Repeat([]byte{3}, 32), "veil.keys", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := k.SubjectID("cust-0042")
	if n := testing.AllocsPerRun(100, func() { _ = k.SubjectID("cust-0042") }); n > 1 && !raceEnabled {
		t.Errorf("SubjectID: %v allocations, want 1 (the id)", n)
	}
	m := hmac.New(sha256.New, k.subjectKey)
	m.Write([]byte("cust-0042"))
	if got := hex.EncodeToString(m.Sum(nil)[:16]); got != want {
		t.Errorf("SubjectID = %s, want %s", want, got)
	}
}
