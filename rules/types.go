package rules

import (
	"slices"
	"strings"
)

// Type is a category of personal data. The names match the labelled corpus.
type Type string

// The types Veil detects in free text, and CustomerID, which only structured fields carry.
const (
	Email      Type = "EMAIL_ADDRESS"
	Phone      Type = "PHONE_NUMBER"
	CreditCard Type = "CREDIT_CARD"
	IBAN       Type = "IBAN_CODE"
	BSN        Type = "NL_BSN"
	SSN        Type = "US_SSN"
	IP         Type = "IP_ADDRESS"
	Password   Type = "PASSWORD"
	APIKey     Type = "API_KEY"
	Person     Type = "PERSON"
	Address    Type = "ADDRESS"
	BirthDate  Type = "DATE_OF_BIRTH"
	CustomerID Type = "CUSTOMER_ID"
	BENRN      Type = "BE_NRN"
)

// Overlap ranks: when two findings of equal confidence and length overlap, the lower rank wins.
const (
	rankNationalID   = iota // checksummed numbers: card, IBAN, BSN, SSN
	rankMachine             // machine syntax: e-mail, API key, IP
	rankSecretOrDate        // password, date of birth
	rankPhone
	rankAddress
	rankPerson
	rankOther // types from rule packs, and types never found in free text
)

// Norm says how a value is normalised before it is pseudonymised, so that
// spellings of one value ("06-1234 5678", "0612345678") get one pseudonym.
type Norm uint8

const (
	// NormCompact lower-cases and drops spaces, tabs and the separators - . ( ) /.
	NormCompact Norm = iota
	// NormWords lower-cases and collapses runs of white space to one space.
	NormWords
)

// typeSpec declares one built-in type. Everything else about a type (the
// number of types, overlap ranks, enabled checks, normalisation, structured
// field names, the words that mark rendered text) is derived from these rows.
type typeSpec struct {
	// Type is the name findings carry.
	Type Type
	// Rank orders overlapping findings of equal confidence and length (lower wins).
	Rank int
	// Norm is the pseudonym normalisation.
	Norm Norm
	// Fields are the structured event fields that hold this type (empty: none).
	Fields []string
	// Detectors are the detector ids that may report this type; empty for a
	// type that only structured fields carry.
	Detectors []string
	// Context names the lexicon section ([ctx-...]) holding this type's own context
	// words, compiled into Engine.typeCtx; empty when the type has none of its own.
	Context string
}

// registry declares every built-in type once. Its order is the order Types returns.
var registry = [...]typeSpec{
	{Type: Email, Rank: rankMachine, Norm: NormWords, Fields: []string{"author_email"},
		Detectors: []string{"email.syntax", "email.obfuscated"}},
	{Type: Phone, Rank: rankPhone, Norm: NormCompact, Detectors: []string{"phone.format"}},
	{Type: CreditCard, Rank: rankNationalID, Norm: NormCompact, Detectors: []string{"card.luhn"}},
	{Type: IBAN, Rank: rankNationalID, Norm: NormCompact, Detectors: []string{"iban.mod97"}},
	{Type: BSN, Rank: rankNationalID, Norm: NormCompact, Detectors: []string{"bsn.elfproef"}},
	{Type: SSN, Rank: rankNationalID, Norm: NormCompact, Detectors: []string{"ssn.format"}},
	{Type: IP, Rank: rankMachine, Norm: NormCompact, Detectors: []string{"ip.v4", "ip.v6"}},
	{Type: Password, Rank: rankSecretOrDate, Norm: NormCompact,
		Detectors: []string{"password.keyword", "password.quoted", "password.url", "password.primed"}},
	{Type: APIKey, Rank: rankMachine, Norm: NormCompact,
		Detectors: []string{"apikey.prefix", "apikey.jwt", "apikey.entropy", "apikey.context", "apikey.pair"}},
	{Type: Person, Rank: rankPerson, Norm: NormWords, Fields: []string{"author_name"},
		Detectors: []string{"person.names", "person.initials", "person.header", "person.guess"}},
	{Type: Address, Rank: rankAddress, Norm: NormWords, Detectors: []string{"address.street",
		"address.street_line", "address.nl_postcode", "address.uk_postcode"}},
	{Type: BirthDate, Rank: rankSecretOrDate, Norm: NormCompact, Detectors: []string{"dob.numeric", "dob.words"}},
	{Type: CustomerID, Rank: rankOther, Norm: NormCompact, Fields: []string{"customer_id"}},
	{Type: BENRN, Rank: rankNationalID, Norm: NormCompact, Detectors: []string{"be_nrn.mod97"}, Context: "ctx-be-nrn"},
}

// numTypes is the number of built-in types; type indexes size small fixed arrays.
const numTypes = len(registry)

// Types returns every built-in type in registry order. The slice is a copy.
func Types() []Type {
	ts := make([]Type, numTypes)
	for i := range registry {
		ts[i] = registry[i].Type
	}
	return ts
}

// typeIndex returns the registry index of t, or -1. It is not inlined, so that its callers
// (enabledAny, on every word) stay small enough to be.
//
//go:noinline
func typeIndex(t Type) int {
	for h := typeHash(t); typeSlots[h] != 0; h = (h + 1) & (numTypeSlots - 1) {
		if i := int(typeSlots[h]) - 1; registry[i].Type == t {
			return i
		}
	}
	return -1
}

// numTypeSlots is the size of typeSlots, a power of two.
const numTypeSlots = 64

// typeSlots is an open-addressing table of the registry by typeHash: 1 + a registry index, or 0
// for an empty slot. typeIndex compares t with one or two types instead of every type.
var typeSlots = func() (slots [numTypeSlots]int8) {
	for i := range registry {
		h := typeHash(registry[i].Type)
		for slots[h] != 0 {
			h = (h + 1) & (numTypeSlots - 1)
		}
		slots[h] = int8(i + 1)
	}
	return slots
}()

// typeHash mixes the length and the first and last bytes of t into an index of typeSlots.
func typeHash(t Type) int {
	if t == "" {
		return 0
	}
	return (len(t)*31 + int(t[0])*7 + int(t[len(t)-1])) & (numTypeSlots - 1)
}

// Valid reports whether t is a built-in type.
func (t Type) Valid() bool { return typeIndex(t) >= 0 }

// typeRank orders types from most to least specific for tie-breaking.
func typeRank(t Type) int {
	if i := typeIndex(t); i >= 0 {
		return registry[i].Rank
	}
	return rankOther
}

// Norm returns the pseudonym normalisation of t; types from rule packs use NormCompact.
func (t Type) Norm() Norm {
	if i := typeIndex(t); i >= 0 {
		return registry[i].Norm
	}
	return NormCompact
}

// Normalize returns v in the canonical form that is pseudonymised for type t,
// so that different spellings of one value map to one pseudonym.
func (t Type) Normalize(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if t.Norm() == NormWords {
		return strings.Join(strings.Fields(v), " ")
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')', '/', '\t':
			return -1
		}
		return r
	}, v)
}

// StructuredField returns the type held by the structured event field name
// ("customer_id", "author_name", "author_email").
func StructuredField(name string) (Type, bool) {
	for i := range registry {
		if slices.Contains(registry[i].Fields, name) {
			return registry[i].Type, true
		}
	}
	return "", false
}

// StructuredFields returns the names of every structured field, sorted.
func StructuredFields() []string {
	var fs []string
	for i := range registry {
		fs = append(fs, registry[i].Fields...)
	}
	slices.Sort(fs)
	return fs
}
