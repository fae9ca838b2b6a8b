package processor

import (
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
