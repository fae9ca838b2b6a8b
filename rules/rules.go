// Package rules detects personal data in conversation text and renders text
// under a masking policy. It is pure: no Kafka, no I/O on the hot path.
//
// Detection runs once per event and yields findings (type, UTF-8 byte span,
// confidence, detector id, why); each view then renders the same findings
// with its own Policy.
package rules

// Type is a category of personal data. The names match the labelled corpus.
type Type string

// The types Veil detects.
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
)

// Types lists every built-in type in a fixed order.
var Types = []Type{Email, Phone, CreditCard, IBAN, BSN, SSN, IP, Password, APIKey, Person, Address, BirthDate}

// Valid reports whether t is a known type.
func (t Type) Valid() bool {
	for _, k := range Types {
		if k == t {
			return true
		}
	}
	return false
}

// Finding is one detected span of personal data in a text.
type Finding struct {
	// Start and End are UTF-8 byte offsets into the text, End exclusive.
	Start, End int
	// Type is the category of the data.
	Type Type
	// Confidence is in (0, 1].
	Confidence float32
	// Detector names the detector that produced the finding (e.g. "iban.mod97").
	Detector string
	// Why says what supported the finding (validator passed, context words).
	Why string
}
