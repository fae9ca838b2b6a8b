package processor

import (
	"slices"
	"testing"

	"github.com/veil-privacy/veil/rules"
)

func TestKeptGaps(t *testing.T) {
	span := func(start, end int, form rules.Form, typ rules.Type) rules.Span {
		return rules.Span{Field: rules.FieldAuthorName, Type: typ, Start: start, End: end, Form: form}
	}
	body := rules.Span{Field: rules.FieldBody, Type: rules.Email, Start: 3, End: 9, Form: rules.Kept}
	tests := []struct {
		name  string
		text  string
		spans []rules.Span
		want  []rules.Span
	}{
		{"a card in the name", "Anna [CREDIT_CARD] de Vries",
			[]rules.Span{body, span(5, 18, rules.Redacted, rules.CreditCard)},
			[]rules.Span{body, span(0, 4, rules.Kept, rules.Person), span(5, 18, rules.Redacted, rules.CreditCard), span(19, 27, rules.Kept, rules.Person)}},
		{"at the start, white space around", "[PHONE_NUMBER]  \t Jan ",
			[]rules.Span{body, span(0, 14, rules.Redacted, rules.Phone)},
			[]rules.Span{body, span(0, 14, rules.Redacted, rules.Phone), span(18, 21, rules.Kept, rules.Person)}},
		{"nothing else", "[PHONE_NUMBER] [EMAIL_ADDRESS]",
			[]rules.Span{body, span(0, 14, rules.Redacted, rules.Phone), span(15, 30, rules.Redacted, rules.Email)},
			[]rules.Span{body, span(0, 14, rules.Redacted, rules.Phone), span(15, 30, rules.Redacted, rules.Email)}},
		{"removed: no spans", "Anna ", []rules.Span{body}, []rules.Span{body, span(0, 4, rules.Kept, rules.Person)}},
	}
	for _, tt := range tests {
		got := keptGaps(slices.Clone(tt.spans), 1, []byte(tt.text), rules.Person, rules.FieldAuthorName)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
