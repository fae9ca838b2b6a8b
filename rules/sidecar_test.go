package rules

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

func TestAppendSidecar(t *testing.T) {
	tests := []struct {
		name  string
		spans []Span
		want  string
	}{
		{"none", nil, "1"},
		{"one", []Span{{Field: FieldBody, Type: Email, Start: 12, End: 38, Form: Pseudonymized}}, "1 EMAIL_ADDRESS b0p12+26"},
		{"table in order of first use", []Span{
			{Field: FieldBody, Type: Email, Start: 12, End: 38, Form: Pseudonymized},
			{Field: FieldBody, Type: Person, Start: 50, End: 54, Form: Kept},
			{Field: FieldBody, Type: Email, Start: 60, End: 75, Form: Redacted},
			{Field: FieldAuthorName, Type: Person, Start: 0, End: 4, Form: Kept},
		}, "1 EMAIL_ADDRESS,PERSON b0p12+26,1k50+4,0r60+15 n1k0+4"},
		{"custom type and every field", []Span{
			{Field: FieldBody, Type: "ORDER_NO", Start: 0, End: 1, Form: Masked},
			{Field: FieldSubject, Type: IBAN, Start: 3, End: 14, Form: Redacted},
			{Field: FieldCustomerID, Type: CustomerID, Start: 0, End: 26, Form: Pseudonymized},
			{Field: FieldAuthorName, Type: Person, Start: 0, End: 8, Form: Redacted},
			{Field: FieldAuthorEmail, Type: Email, Start: 0, End: 11, Form: Kept},
		}, "1 ORDER_NO,IBAN_CODE,CUSTOMER_ID,PERSON,EMAIL_ADDRESS b0m0+1 s1r3+11 c2p0+26 n3r0+8 e4k0+11"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(AppendSidecar([]byte("x"), tt.spans))
			if got != "x"+tt.want {
				t.Fatalf("AppendSidecar = %q, want %q", got, "x"+tt.want)
			}
			spans, err := ParseSidecar([]Span{{Type: "KEEP"}}, []byte(tt.want))
			if err != nil {
				t.Fatalf("ParseSidecar(%q): %v", tt.want, err)
			}
			if want := append([]Span{{Type: "KEEP"}}, tt.spans...); !slices.Equal(spans, want) {
				t.Fatalf("ParseSidecar(%q) = %+v, want %+v", tt.want, spans, want)
			}
		})
	}
}

func TestParseSidecarRefuses(t *testing.T) {
	for _, in := range []string{
		"",
		"2",
		"1 ",
		"1 EMAIL_ADDRESS",   // a table without spans
		"1 EMAIL_ADDRESS b", // a section without spans
		"1 email b0k0+1",    // lower-case type
		"1 EMAIL_ADDRESS,EMAIL_ADDRESS b0k0+1,1k2+1", // a type twice
		"1 EMAIL_ADDRESS,PERSON b0k0+1",              // a type not used
		"1 EMAIL_ADDRESS,PERSON b1k0+1,0k2+1",        // table out of order
		"1 EMAIL_ADDRESS b1k0+1",                     // index out of the table
		"1 EMAIL_ADDRESS b0x0+1",                     // unknown form
		"1 EMAIL_ADDRESS b0k0+0",                     // empty span
		"1 EMAIL_ADDRESS b0k01+1",                    // leading zero
		"1 EMAIL_ADDRESS b0k5+3,0k7+1",               // overlap
		"1 EMAIL_ADDRESS b0k5+3,0k1+1",               // out of order
		"1 EMAIL_ADDRESS s0k0+1 b0k0+1",              // fields out of order
		"1 EMAIL_ADDRESS b0k0+1 b0k3+1",              // a field twice
		"1 EMAIL_ADDRESS x0k0+1",                     // unknown field
		"1 EMAIL_ADDRESS b0k0+1,",                    // trailing comma
		"1 EMAIL_ADDRESS b0k0+1 ",                    // trailing space
		"1 EMAIL_ADDRESS b0k1073741824+1",            // too long
		"1 EMAIL_ADDRESS b0k99999999999999999999+1",
		"1 EMAIL_ADDRESS b0k0",
		"1 EMAIL_ADDRESS b0k0+",
		"1 EMAIL_ADDRESS b0",
	} {
		got, err := ParseSidecar(nil, []byte(in))
		if !errors.Is(err, ErrSidecar) || len(got) != 0 {
			t.Errorf("ParseSidecar(%q) = %+v, %v; want ErrSidecar and no spans", in, got, err)
		}
	}
}

func TestParseSidecarAllocs(t *testing.T) {
	b := []byte("1 EMAIL_ADDRESS,PERSON b0p12+26,1k50+4,0r60+15 n1k0+4")
	spans := make([]Span, 0, 8)
	if n := testing.AllocsPerRun(100, func() {
		var err error
		if spans, err = ParseSidecar(spans[:0], b); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("ParseSidecar allocates %v times per call, want 0", n)
	}
}

// FuzzParseSidecar checks that ParseSidecar accepts exactly the encodings
// AppendSidecar writes: whatever it accepts re-encodes to the same bytes, and
// its spans are sorted, in bounds and not overlapping.
func FuzzParseSidecar(f *testing.F) {
	for _, s := range []string{
		"1", "1 EMAIL_ADDRESS b0p12+26", "1 EMAIL_ADDRESS,PERSON b0p12+26,1k50+4,0r60+15 n1k0+4",
		"1 ORDER_NO,IBAN_CODE,CUSTOMER_ID,PERSON,EMAIL_ADDRESS b0m0+1 s1r3+11 c2p0+26 n3r0+8 e4k0+11",
		"1 A,B,C,D,E,F,G,H,I,J,K,L,M,N,O,P,Q b0k0+1,1k1+1,2k2+1,3k3+1,4k4+1,5k5+1,6k6+1,7k7+1,8k8+1,9k9+1,10k10+1,11k11+1,12k12+1,13k13+1,14k14+1,15k15+1,16k16+1",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		spans, err := ParseSidecar(nil, b)
		if err != nil {
			if !errors.Is(err, ErrSidecar) || len(spans) != 0 {
				t.Fatalf("ParseSidecar(%q) = %+v, %v", b, spans, err)
			}
			return
		}
		if got := AppendSidecar(nil, spans); !bytes.Equal(got, b) {
			t.Fatalf("ParseSidecar(%q) then AppendSidecar = %q", b, got)
		}
		for i, s := range spans {
			if s.Start < 0 || s.End <= s.Start || s.End > maxSidecarOffset || s.Field >= numFields || s.Form < Kept || s.Form > Redacted || !validTypeName(s.Type) {
				t.Fatalf("span %d %+v of %q is invalid", i, s, b)
			}
			if i > 0 && (s.Field < spans[i-1].Field || s.Field == spans[i-1].Field && s.Start < spans[i-1].End) {
				t.Fatalf("span %d %+v of %q is out of order", i, s, b)
			}
		}
	})
}

func TestRenderSpans(t *testing.T) {
	text := "Hi Anna, mail anna@example.nl or call 06-12345678; card 4111 1111 1111 1111, pw hunter2."
	find := func(v string, ty Type) Finding {
		i := bytes.Index([]byte(text), []byte(v))
		return Finding{Type: ty, Start: i, End: i + len(v)}
	}
	fs := []Finding{find("Anna", Person), find("anna@example.nl", Email), find("06-12345678", Phone),
		find("4111 1111 1111 1111", CreditCard), find("hunter2", Password)}
	pol := Policy{Default: Rule{Action: Redact}, Types: map[Type]Rule{
		Person: {Action: Keep}, Email: {Action: Pseudonymize}, Phone: {Action: Remove},
		CreditCard: {Action: Mask, KeepLast: 4},
	}}
	pz := func(Type, string) (string, bool) { return "0123456789ab", true }
	dst, spans := pol.RenderSpans([]byte("prefix"), text, fs, pz, nil, nil, FieldSubject)
	got := string(dst[len("prefix"):])
	want := "Hi Anna, mail EMAIL_ADDRESS:0123456789ab or call ; card •••• •••• •••• 1111, pw [PASSWORD]."
	if got != want {
		t.Fatalf("rendered %q, want %q", got, want)
	}
	if plain := string(pol.Render(nil, text, fs, pz, nil)); plain != want {
		t.Fatalf("Render = %q, RenderSpans = %q", plain, want)
	}
	wantSpans := []struct {
		text string
		ty   Type
		form Form
	}{
		{"Anna", Person, Kept}, {"EMAIL_ADDRESS:0123456789ab", Email, Pseudonymized},
		{"•••• •••• •••• 1111", CreditCard, Masked}, {"[PASSWORD]", Password, Redacted},
	}
	if len(spans) != len(wantSpans) {
		t.Fatalf("spans %+v, want %d", spans, len(wantSpans))
	}
	for i, w := range wantSpans {
		s := spans[i]
		if got[s.Start:s.End] != w.text || s.Type != w.ty || s.Form != w.form || s.Field != FieldSubject {
			t.Errorf("span %d = %+v (%q), want %q %s %s", i, s, got[s.Start:s.End], w.text, w.ty, w.form)
		}
	}
	if _, spans := pol.RenderSpans(nil, "nothing here", nil, nil, nil, nil, FieldBody); spans == nil || len(spans) != 0 {
		t.Fatalf("no findings: spans %#v, want empty and not nil", spans)
	}
}
