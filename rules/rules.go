package rules

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
