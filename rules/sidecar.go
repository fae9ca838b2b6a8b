package rules

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The sidecar of a rendered record: where its rendered texts still hold
// findings (kept, masked, pseudonymised) or Veil's redaction tokens, by
// field, type and byte span. It holds no values, only types and offsets, so
// a later, stricter rendering (Rerender) can rewrite the record without its
// raw text.
//
// Encoding, version 1 (ASCII, no white space inside a section):
//
//	sidecar = "1" [ " " types *( " " section ) ]
//	types   = type *( "," type )          ; the type table, each name at most once
//	section = field span *( "," span )    ; one section per field, fields in order b s c n e
//	field   = "b" | "s" | "c" | "n" | "e" ; body, subject, customer_id, author_name, author_email
//	span    = index form start "+" length ; decimal numbers without leading zeros
//	form    = "k" | "m" | "p" | "r"       ; kept, masked, pseudonymised, redacted token
//
// index is the position of the span's type in the type table. Spans of a
// section are sorted by start and do not overlap; length is at least 1; the
// offsets are UTF-8 byte offsets into that field's rendered text. "1" alone
// says that nothing is left: every finding was removed, or there was none.
// Example: "1 EMAIL_ADDRESS,PERSON b0p12+26,1k50+4 n1k0+4".

// SidecarVersion is the version the sidecar encoding starts with.
const SidecarVersion = '1'

// Field is a text field of a rendered record, as the sidecar numbers them.
type Field uint8

// The fields of a rendered record that the sidecar covers.
const (
	FieldBody Field = iota
	FieldSubject
	FieldCustomerID
	FieldAuthorName
	FieldAuthorEmail
	numFields
)

// fieldLetters are the sidecar letters of the fields, in Field order.
const fieldLetters = "bscne"

// String returns the sidecar letter of f.
func (f Field) String() string {
	if f < numFields {
		return fieldLetters[f : f+1]
	}
	return "Field(" + strconv.Itoa(int(f)) + ")"
}

// Form is how a finding was rendered, as far as the rendered text shows it.
type Form uint8

// The forms a span can have. A removed finding leaves no span.
const (
	// Kept: the value is readable as it was written.
	Kept Form = iota + 1
	// Masked: the value with some of its letters and digits replaced by '•'.
	Masked
	// Pseudonymized: "TYPE:" and PseudonymLen hex digits.
	Pseudonymized
	// Redacted: "[TYPE]".
	Redacted
)

const formLetters = "?kmpr"

// String returns the sidecar letter of f.
func (f Form) String() string {
	if f >= Kept && f <= Redacted {
		return formLetters[f : f+1]
	}
	return "Form(" + strconv.Itoa(int(f)) + ")"
}

// Span is one finding left in a rendered text, or a redaction token that
// stands for one. Start and End are byte offsets into the rendered text of
// Field, End exclusive.
type Span struct {
	Field      Field
	Type       Type
	Start, End int
	Form       Form
}

// maxSidecarOffset bounds the offsets a sidecar may carry: no rendered text is
// near that long, and every sum of two offsets fits an int.
const maxSidecarOffset = 1 << 30

// ErrSidecar marks a sidecar that cannot be parsed, or that does not fit the
// text it describes.
var ErrSidecar = errors.New("invalid sidecar")

// AppendSidecar appends the encoding of spans to dst. spans must be sorted
// by field and start, within a field not overlapping (as RenderSpans makes
// them); it does not check.
func AppendSidecar(dst []byte, spans []Span) []byte {
	dst = append(dst, SidecarVersion)
	if len(spans) == 0 {
		return dst
	}
	// The type table, in order of first use: few types, so a linear search.
	dst = append(dst, ' ')
	for i, s := range spans {
		if sidecarTypeIndex(spans[:i], s.Type) >= 0 {
			continue
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, s.Type...)
	}
	field := Field(numFields)
	for i, s := range spans {
		if s.Field != field {
			field = s.Field
			dst = append(dst, ' ')
			dst = append(dst, field.String()...)
		} else {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(typeOrdinal(spans[:i+1], s.Type)), 10)
		dst = append(dst, s.Form.String()...)
		dst = strconv.AppendInt(dst, int64(s.Start), 10)
		dst = append(dst, '+')
		dst = strconv.AppendInt(dst, int64(s.End-s.Start), 10)
	}
	return dst
}

// sidecarTypeIndex returns the index of the first span of type t, or -1.
func sidecarTypeIndex(spans []Span, t Type) int {
	for i := range spans {
		if spans[i].Type == t {
			return i
		}
	}
	return -1
}

// typeOrdinal returns the position of t in the type table of spans (which
// holds t): the number of distinct types first used before it.
func typeOrdinal(spans []Span, t Type) int {
	n := 0
	for i := range spans {
		if spans[i].Type == t {
			return n
		}
		if sidecarTypeIndex(spans[:i], spans[i].Type) < 0 {
			n++
		}
	}
	return n
}

// ParseSidecar appends the spans encoded in b to dst. It accepts exactly
// what AppendSidecar writes, and refuses (ErrSidecar) anything else: an
// unknown version, a malformed number, a span out of order or overlapping
// another, a type index out of the table. Built-in type names are not
// allocated. On error dst is returned as it was.
func ParseSidecar(dst []Span, b []byte) ([]Span, error) {
	if len(b) == 0 || b[0] != SidecarVersion {
		return dst, fmt.Errorf("%w: unknown version", ErrSidecar)
	}
	if len(b) == 1 {
		return dst, nil
	}
	if b[1] != ' ' {
		return dst, fmt.Errorf("%w: no type table", ErrSidecar)
	}
	var table [16]Type
	types, i, err := parseTypeTable(table[:0], b, 2)
	if err != nil {
		return dst, err
	}
	var usedBuf [16]bool
	used := usedBuf[:]
	if len(types) > len(used) {
		used = make([]bool, len(types))
	}
	used = used[:len(types)]
	first, field := len(dst), -1
	for i < len(b) {
		if b[i] != ' ' || i+1 >= len(b) {
			return dst[:first], fmt.Errorf("%w: expected a section at byte %d", ErrSidecar, i)
		}
		f := -1
		for k := 0; k < len(fieldLetters); k++ {
			if fieldLetters[k] == b[i+1] {
				f = k
			}
		}
		if f <= field {
			return dst[:first], fmt.Errorf("%w: unknown or repeated field at byte %d", ErrSidecar, i+1)
		}
		field = f
		if dst, i, err = parseSection(dst, b, i+2, Field(f), types, used); err != nil {
			return dst[:first], err
		}
	}
	if len(dst) == first {
		return dst, fmt.Errorf("%w: a type table without spans", ErrSidecar)
	}
	// AppendSidecar lists types in order of first use and only types in use.
	if err := checkTypeOrder(dst[first:], types, used); err != nil {
		return dst[:first], err
	}
	return dst, nil
}

// parseTypeTable appends the type names of the table at b[i:] to types and
// returns where the table ends.
func parseTypeTable(types []Type, b []byte, i int) ([]Type, int, error) {
	for {
		j := i
		for j < len(b) && (isUpper(b[j]) || isDigit(b[j]) || b[j] == '_') {
			j++
		}
		t := internType(b[i:j])
		if !validTypeName(t) {
			return types, i, fmt.Errorf("%w: bad type name at byte %d", ErrSidecar, i)
		}
		if slices.Contains(types, t) {
			return types, i, fmt.Errorf("%w: type %s twice in the table", ErrSidecar, t)
		}
		types = append(types, t)
		if i = j; i < len(b) && b[i] == ',' {
			i++
			continue
		}
		return types, i, nil
	}
}

// parseSection appends the spans of the section of field f at b[i:] and
// returns where it ends; used marks the types the spans have.
func parseSection(dst []Span, b []byte, i int, f Field, types []Type, used []bool) ([]Span, int, error) {
	last := 0
	for {
		var ti, start, n int
		var ok bool
		if ti, i, ok = parseSidecarInt(b, i); !ok || ti >= len(types) || i >= len(b) {
			return dst, i, fmt.Errorf("%w: bad type index at byte %d", ErrSidecar, i)
		}
		form := Form(strings.IndexByte(formLetters[1:], b[i]) + 1)
		if form == 0 {
			return dst, i, fmt.Errorf("%w: bad form at byte %d", ErrSidecar, i)
		}
		if start, i, ok = parseSidecarInt(b, i+1); !ok || i >= len(b) || b[i] != '+' {
			return dst, i, fmt.Errorf("%w: bad span start at byte %d", ErrSidecar, i)
		}
		if n, i, ok = parseSidecarInt(b, i+1); !ok || n == 0 || start < last || start+n > maxSidecarOffset {
			return dst, i, fmt.Errorf("%w: bad span length, or a span out of order, at byte %d", ErrSidecar, i)
		}
		last = start + n
		used[ti] = true
		dst = append(dst, Span{Field: f, Type: types[ti], Start: start, End: last, Form: form})
		if i < len(b) && b[i] == ',' {
			i++
			continue
		}
		return dst, i, nil
	}
}

// checkTypeOrder refuses a type table that AppendSidecar would not write:
// a type never used, or types out of order of first use.
func checkTypeOrder(spans []Span, types []Type, used []bool) error {
	for i := range used {
		if !used[i] {
			return fmt.Errorf("%w: type %s in the table is not used", ErrSidecar, types[i])
		}
	}
	n := 0
	for i := range spans {
		if sidecarTypeIndex(spans[:i], spans[i].Type) >= 0 {
			continue
		}
		if spans[i].Type != types[n] {
			return fmt.Errorf("%w: type table out of order", ErrSidecar)
		}
		n++
	}
	return nil
}

// parseSidecarInt reads a decimal number without leading zeros at b[i:],
// at most maxSidecarOffset.
func parseSidecarInt(b []byte, i int) (n, next int, ok bool) {
	j := i
	for j < len(b) && isDigit(b[j]) {
		n = n*10 + int(b[j]-'0')
		if n > maxSidecarOffset {
			return 0, j, false
		}
		j++
	}
	if j == i || b[i] == '0' && j > i+1 {
		return 0, j, false
	}
	return n, j, true
}

// internType returns the type named b, without allocating for a built-in one.
func internType(b []byte) Type {
	for i := range registry {
		if string(registry[i].Type) == string(b) {
			return registry[i].Type
		}
	}
	return Type(b)
}
