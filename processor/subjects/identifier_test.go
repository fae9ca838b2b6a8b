package subjects

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/veil-privacy/veil/rules"
)

func TestIdentifyingTypeNames(t *testing.T) {
	for _, tt := range []struct {
		got  string
		want rules.Type
	}{
		{typeEmail, rules.Email}, {typePhone, rules.Phone}, {typeCard, rules.CreditCard}, {typeIBAN, rules.IBAN},
		{typeBSN, rules.BSN}, {typeSSN, rules.SSN}, {typeBENRN, rules.BENRN}, {typePerson, rules.Person},
	} {
		if tt.got != string(tt.want) {
			t.Errorf("type name %q, rules calls it %q", tt.got, tt.want)
		}
	}
	for _, tt := range []struct {
		typ   string
		names bool
		want  bool
	}{
		{"EMAIL_ADDRESS", false, true}, {"NL_BSN", false, true}, {"PERSON", false, false}, {"PERSON", true, true},
		{"IP_ADDRESS", true, false}, {"PASSWORD", true, false}, {"ORDER_NO", true, false},
	} {
		if got := Identifying(tt.typ, tt.names); got != tt.want {
			t.Errorf("Identifying(%s, %v) = %v, want %v", tt.typ, tt.names, got, tt.want)
		}
	}
}

func TestNormalizeIdentifier(t *testing.T) {
	tests := []struct {
		typ, value, region string
		want               string
		ok                 bool
	}{
		{"EMAIL_ADDRESS", " Anna.de.Vries@Example.NL ", "", "anna.de.vries@example.nl", true},
		{"EMAIL_ADDRESS", "anna", "", "anna", false},
		{"EMAIL_ADDRESS", "@example.nl", "", "@example.nl", false},
		{"EMAIL_ADDRESS", "anna@", "", "anna@", false},
		{"EMAIL_ADDRESS", "an na@example.nl", "", "an na@example.nl", false},
		{"PHONE_NUMBER", "06-12345678", "nl-NL", "31612345678", true},
		{"PHONE_NUMBER", "+31 6 1234 5678", "", "31612345678", true},
		{"PHONE_NUMBER", "+31 (0)6 1234 5678", "de-DE", "31612345678", true},
		{"PHONE_NUMBER", "0031 6 12345678", "", "31612345678", true},
		{"PHONE_NUMBER", "(020) 555 0100", "NL", "31205550100", true},
		{"PHONE_NUMBER", "030 1234567", "de_DE", "49301234567", true},
		{"PHONE_NUMBER", "(415) 555-0100", "en-US", "14155550100", true},
		{"PHONE_NUMBER", "1 415 555 0100", "en-US", "14155550100", true},
		{"PHONE_NUMBER", "06-12345678", "", "0612345678", true},
		{"PHONE_NUMBER", "06-12345678", "xx-ZZ", "0612345678", true},
		{"PHONE_NUMBER", "112", "nl-NL", "112", false},
		{"PHONE_NUMBER", "+1234567890123456", "", "1234567890123456", false},
		{"CREDIT_CARD", "4111 1111-1111 1111", "", "4111111111111111", true},
		{"CREDIT_CARD", "4111", "", "4111", false},
		{"IBAN_CODE", "nl91 abna 0417 1643 00", "", "NL91ABNA0417164300", true},
		{"IBAN_CODE", "DE89-3704-0044-0532-0130-00", "", "DE89370400440532013000", true},
		{"IBAN_CODE", "1234567890123456", "", "1234567890123456", false},
		{"NL_BSN", "111.222.333", "", "111222333", true},
		{"NL_BSN", "11222333", "", "011222333", true},
		{"NL_BSN", "1234", "", "1234", false},
		{"US_SSN", "123-45-6789", "", "123456789", true},
		{"BE_NRN", "85.07.30-033.28", "", "85073003328", true},
		{"PERSON", "  Jan   de\tVries ", "", "jan de vries", true},
		{"PERSON", "Özlem YILMAZ", "", "özlem yilmaz", true},
		{"PERSON", "  ", "", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeIdentifier(tt.typ, tt.value, tt.region)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeIdentifier(%s, %q, %q) = %q, %v; want %q, %v", tt.typ, tt.value, tt.region, got, ok, tt.want, tt.ok)
		}
		// Appended after other bytes, the same form follows them.
		b, ok := AppendNormalizedIdentifier([]byte("x/"), tt.typ, tt.value, tt.region)
		if string(b) != "x/"+tt.want || ok != tt.ok {
			t.Errorf("AppendNormalizedIdentifier(x/, %s, %q, %q) = %q, %v; want %q, %v", tt.typ, tt.value, tt.region, b, ok, "x/"+tt.want, tt.ok)
		}
	}
	buf := make([]byte, 0, 64)
	for _, tt := range tests[:18] { // the ASCII e-mail, phone and card cases
		if n := testing.AllocsPerRun(20, func() { buf, _ = AppendNormalizedIdentifier(buf[:0], tt.typ, tt.value, tt.region) }); n != 0 {
			t.Errorf("AppendNormalizedIdentifier(%s, %q) allocates %v times, want 0", tt.typ, tt.value, n)
		}
	}
}

func TestIdentifierHasher(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	h, err := NewIdentifierHasher(key)
	if err != nil {
		t.Fatal(err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("EMAIL_ADDRESS\x00anna@example.nl"))
	want := hex.EncodeToString(m.Sum(nil)[:16])
	if got := h.ID("EMAIL_ADDRESS", "anna@example.nl"); got != want {
		t.Fatalf("ID = %s, want %s", got, want)
	}
	// The type is part of what is hashed: one value of two types gets two ids.
	if h.ID("PHONE_NUMBER", "anna@example.nl") == want || h.ID("EMAIL_ADDRESS", "anna@example.nl ") == want {
		t.Fatal("ids of different identifiers collide")
	}
	other, _ := NewIdentifierHasher(bytes.Repeat([]byte{8}, 32))
	if other.ID("EMAIL_ADDRESS", "anna@example.nl") == want {
		t.Fatal("ids under two keys are equal")
	}
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { buf = h.AppendID(buf[:0], "EMAIL_ADDRESS", "anna@example.nl") }); n != 0 {
		t.Fatalf("AppendID allocates %v times, want 0", n)
	}
	if _, err := NewIdentifierHasher(key[:16]); err == nil {
		t.Fatal("a 16-byte key was accepted")
	}
}

// testIdentifierEntry is a typical entry: UUID conversation and event ids,
// two views.
func testIdentifierEntry() IdentifierEntry {
	conv := "3f6c2a9e-8b1d-4c7a-9e2f-5d8b1a0c7e4f"
	return IdentifierEntry{
		ID: "0123456789abcdef0123456789abcdef", Key: conv + "/9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d", ConversationID: conv,
		Type: "EMAIL_ADDRESS", Subject: "c0ffee00c0ffee00c0ffee00c0ffee00",
		SentAt: time.Date(2026, 3, 1, 12, 30, 0, 123_000_000, time.UTC),
		Views:  []IdentifierView{{Name: "support", Forms: FormKept}, {Name: "analytics", Forms: FormPseudonymized | FormMasked}},
	}
}

func TestIdentifierEntry(t *testing.T) {
	e := testIdentifierEntry()
	slash := IdentifierEntry{ID: e.ID, Key: "a/b/c", ConversationID: "a", Type: "X", Views: []IdentifierView{{Name: "v", Forms: FormKept}},
		SentAt: time.UnixMilli(-5).UTC()}
	for _, want := range []IdentifierEntry{e, slash} {
		val, err := AppendIdentifierEntry([]byte("p"), &want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseIdentifierEntry([]byte(IdentifierEntryKey(want.ID, want.Key)), val[1:])
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip: %+v, want %+v", got, want)
		}
	}
	bad := []func(*IdentifierEntry){
		func(e *IdentifierEntry) { e.ConversationID = "other" },
		func(e *IdentifierEntry) { e.ConversationID = e.Key },
		func(e *IdentifierEntry) { e.Views = nil },
		func(e *IdentifierEntry) { e.Views[0].Forms = 0 },
		func(e *IdentifierEntry) { e.Views[0].Forms = 8 },
		func(e *IdentifierEntry) { e.Views[1].Name = "" },
		func(e *IdentifierEntry) { e.Type = "" },
	}
	for i, f := range bad {
		e := testIdentifierEntry()
		f(&e)
		if b, err := AppendIdentifierEntry([]byte("p"), &e); err == nil || string(b) != "p" {
			t.Errorf("bad entry %d: %q, %v; want an error and nothing written", i, b, err)
		}
	}
}

// TestIdentifierEntrySize measures the bytes one finding costs the index:
// the key and value of its entry (docs/erasure.md quotes the figures).
func TestIdentifierEntrySize(t *testing.T) {
	e := testIdentifierEntry()
	val, err := AppendIdentifierEntry(nil, &e)
	if err != nil {
		t.Fatal(err)
	}
	key := IdentifierEntryKey(e.ID, e.Key)
	t.Logf("identifier entry: key %d bytes, value %d bytes, %d in all", len(key), len(val), len(key)+len(val))
	if got, want := len(key), 32+1+73; got != want {
		t.Errorf("key %d bytes, want %d", got, want)
	}
	if got, want := len(val), 1+14+33+1+6+1+9+11; got != want {
		t.Errorf("value %d bytes, want %d", got, want)
	}
}

func TestParseIdentifierEntryRefuses(t *testing.T) {
	e := testIdentifierEntry()
	val, _ := AppendIdentifierEntry(nil, &e)
	key := []byte(IdentifierEntryKey(e.ID, e.Key))
	tests := []struct {
		name       string
		key, value []byte
	}{
		{"no slash", []byte(e.ID), val},
		{"short id", key[1:], val},
		{"upper-case id", bytes.ToUpper(key), val},
		{"no view key", []byte(e.ID + "/"), val},
		{"empty", key, nil},
		{"version", key, append([]byte{2}, val[1:]...)},
		{"truncated", key, val[:len(val)-1]},
		{"trailing", key, append(bytes.Clone(val), 0)},
		{"long varint", key, append([]byte{1, 0x8d, 0}, val[2:]...)},
		{"conversation id past the key", []byte(e.ID + "/x"), val},
	}
	for _, tt := range tests {
		if _, err := ParseIdentifierEntry(tt.key, tt.value); !errors.Is(err, ErrIdentifierEntry) {
			t.Errorf("%s: %v, want ErrIdentifierEntry", tt.name, err)
		}
	}
}

// FuzzParseIdentifierEntry checks that ParseIdentifierEntry accepts exactly
// what AppendIdentifierEntry writes: an accepted record encodes again to the
// same bytes.
func FuzzParseIdentifierEntry(f *testing.F) {
	e := testIdentifierEntry()
	val, _ := AppendIdentifierEntry(nil, &e)
	f.Add([]byte(IdentifierEntryKey(e.ID, e.Key)), val)
	f.Add([]byte(e.ID+"/a/b"), []byte{1, 1, 'X', 0, 1, 9, 1, 1, 'v', 1})
	f.Fuzz(func(t *testing.T, key, value []byte) {
		got, err := ParseIdentifierEntry(key, value)
		if err != nil {
			if !errors.Is(err, ErrIdentifierEntry) {
				t.Fatalf("error %v is not ErrIdentifierEntry", err)
			}
			return
		}
		again, err := AppendIdentifierEntry(nil, &got)
		if err != nil {
			t.Fatalf("%+v decoded from %q %x does not encode: %v", got, key, value, err)
		}
		if k := IdentifierEntryKey(got.ID, got.Key); k != string(key) || !bytes.Equal(again, value) {
			t.Fatalf("%q %x decoded to %+v, encodes to %q %x", key, value, got, k, again)
		}
	})
}

// FuzzNormalizeIdentifier: normalising is idempotent (a normal form is its
// own normal form, so a request that names a value as the index stored it
// finds it), appending leaves what dst held, and the normal form of an
// e-mail address, card or national number has no byte the value did not.
func FuzzNormalizeIdentifier(f *testing.F) {
	types := []string{"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "NL_BSN", "US_SSN", "BE_NRN", "PERSON"}
	for i, v := range []string{" Anna@Example.NL ", "+31 (0)6 1234 5678", "4111-1111 1111 1111", "nl91 abna 0417 1643 00", "11222333", "123-45-6789", "85.07.30-033.28", "Jan  de Vries"} {
		f.Add(uint8(i), v, "nl-NL")
	}
	f.Add(uint8(1), "(415) 555-0100", "en-US")
	f.Add(uint8(1), "0031 6 12345678", "")
	f.Fuzz(func(t *testing.T, ti uint8, v, region string) {
		typ := types[int(ti)%len(types)]
		n, ok := NormalizeIdentifier(typ, v, region)
		b, ok2 := AppendNormalizedIdentifier([]byte("pre"), typ, v, region)
		if string(b) != "pre"+n || ok != ok2 {
			t.Fatalf("Append(%s, %q, %q) = %q, %v; Normalize = %q, %v", typ, v, region, b, ok2, n, ok)
		}
		if !utf8.ValidString(v) || typ == "PHONE_NUMBER" && strings.HasPrefix(n, "00") {
			// Lower-casing maps invalid bytes to U+FFFD; a number that after
			// its international prefix starts with another is none.
			return
		}
		if again, _ := NormalizeIdentifier(typ, n, region); again != n {
			t.Fatalf("Normalize(%s, %q, %q) = %q, and of that %q", typ, v, region, n, again)
		}
	})
}
