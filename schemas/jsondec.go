package schemas

import (
	"fmt"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The conversation event is decoded once for every input record, so it has
// a hand-written JSON decoder. It gives what encoding/json gives when it
// decodes eventJSON, error messages included (FuzzEventJSON checks that on
// every input): keys matched exactly, else case-folded as encoding/json
// folds them; the last of duplicate keys wins; null leaves a field as it
// is; unknown fields are checked and skipped; invalid UTF-8 and lone
// surrogates become U+FFFD; a syntax error anywhere is reported before a
// field of the wrong type; nesting deeper than 10,000 is a syntax error.
// It makes two allocations: the buffer the values are unescaped into, and
// the one string every field of the event is a substring of.

// eventField numbers the fields of the JSON conversation event.
type eventField int

const (
	fieldEventID eventField = iota
	fieldConversationID
	fieldCustomerID
	fieldChannel
	fieldLocale
	fieldAuthorRole
	fieldAuthorName
	fieldAuthorEmail
	fieldSentAt
	fieldSubject
	fieldBody
	numEventFields
	fieldUnknown eventField = -1
)

// name is the JSON name of f, as in eventJSON.
func (f eventField) name() string {
	switch f {
	case fieldEventID:
		return "event_id"
	case fieldConversationID:
		return "conversation_id"
	case fieldCustomerID:
		return "customer_id"
	case fieldChannel:
		return "channel"
	case fieldLocale:
		return "locale"
	case fieldAuthorRole:
		return "author_role"
	case fieldAuthorName:
		return "author_name"
	case fieldAuthorEmail:
		return "author_email"
	case fieldSentAt:
		return "sent_at"
	case fieldSubject:
		return "subject"
	case fieldBody:
		return "body"
	}
	return ""
}

// lookupEventField returns the field a decoded key names: the field of that
// exact name, else the one whose name folds to the same as key.
func lookupEventField(key []byte) eventField {
	switch string(key) {
	case "event_id":
		return fieldEventID
	case "conversation_id":
		return fieldConversationID
	case "customer_id":
		return fieldCustomerID
	case "channel":
		return fieldChannel
	case "locale":
		return fieldLocale
	case "author_role":
		return fieldAuthorRole
	case "author_name":
		return fieldAuthorName
	case "author_email":
		return fieldAuthorEmail
	case "sent_at":
		return fieldSentAt
	case "subject":
		return fieldSubject
	case "body":
		return fieldBody
	}
	var arr [64]byte
	folded := appendFolded(arr[:0], key)
	for f := range numEventFields {
		if equalUpper(folded, f.name()) {
			return f
		}
	}
	return fieldUnknown
}

// equalUpper reports whether folded is the folded form of name, a name of
// lower-case ASCII letters and underscores.
func equalUpper(folded []byte, name string) bool {
	if len(folded) != len(name) {
		return false
	}
	for i := range len(name) {
		c := name[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if folded[i] != c {
			return false
		}
	}
	return true
}

// appendFolded appends the case-folded form of name, folded the way
// encoding/json matches keys to field names: ASCII letters upper-cased,
// every other rune replaced by the smallest rune of its simple-fold orbit
// (so the long s and the Kelvin sign match s and k).
func appendFolded(dst, name []byte) []byte {
	for i := 0; i < len(name); {
		if c := name[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(name[i:])
		smallest := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			smallest = min(smallest, f)
		}
		dst = utf8.AppendRune(dst, smallest)
		i += n
	}
	return dst
}

// maxJSONDepth is encoding/json's bound on nesting.
const maxJSONDepth = 10000

// eventDecoder is the state of decoding one JSON conversation event.
type eventDecoder struct {
	data    []byte
	i       int
	depth   int
	vals    []byte // the unescaped values of the known fields
	spans   [numEventFields][2]int
	set     [numEventFields]bool
	typeErr error // the first field of the wrong type
	keyBuf  [64]byte
}

// syntaxError is the error of the byte at i (the end of the input when i
// is past it), with the offset encoding/json reports: the bytes read.
func (d *eventDecoder) syntaxError(i int) error {
	return fmt.Errorf("%w: invalid JSON at byte %d", ErrMalformed, min(i+1, len(d.data)))
}

// typeError keeps the first field of the wrong type; offset is where
// encoding/json reports it (the end of a literal, just after '{' or '[').
func (d *eventDecoder) typeError(f eventField, offset int) {
	if d.typeErr != nil {
		return
	}
	if f == fieldUnknown {
		d.typeErr = fmt.Errorf("%w: JSON value at byte %d: want an object", ErrMalformed, offset)
		return
	}
	d.typeErr = fmt.Errorf("%w: JSON field %s at byte %d: want a string", ErrMalformed, f.name(), offset)
}

func (d *eventDecoder) skipSpace() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// decodeJSON decodes data into e.
func (e *ConversationEvent) decodeJSON(data []byte) error {
	d := eventDecoder{data: data, vals: make([]byte, 0, len(data))}
	if err := d.top(); err != nil {
		return err
	}
	if d.typeErr != nil {
		return d.typeErr
	}
	s := string(d.vals)
	field := func(f eventField) string {
		if !d.set[f] {
			return ""
		}
		return s[d.spans[f][0]:d.spans[f][1]]
	}
	*e = ConversationEvent{
		EventID:        field(fieldEventID),
		ConversationID: field(fieldConversationID),
		CustomerID:     field(fieldCustomerID),
		Channel:        field(fieldChannel),
		Locale:         field(fieldLocale),
		AuthorRole:     field(fieldAuthorRole),
		AuthorName:     field(fieldAuthorName),
		AuthorEmail:    field(fieldAuthorEmail),
		Subject:        field(fieldSubject),
		Body:           field(fieldBody),
	}
	if sp := d.spans[fieldSentAt]; d.set[fieldSentAt] && sp[1] > sp[0] {
		var t time.Time
		if err := t.UnmarshalText(d.vals[sp[0]:sp[1]]); err != nil {
			return fmt.Errorf("%w: JSON field sent_at is not an RFC 3339 time", ErrMalformed)
		}
		e.SentAt = t.UTC()
	}
	return nil
}

// top decodes the top-level value: an object, or null (which sets
// nothing); any other value is of the wrong type.
func (d *eventDecoder) top() error {
	d.skipSpace()
	if d.i < len(d.data) && d.data[d.i] == '{' {
		if err := d.object(true); err != nil {
			return err
		}
	} else if err := d.value(fieldUnknown, true); err != nil {
		return err
	}
	d.skipSpace()
	if d.i < len(d.data) {
		return d.syntaxError(d.i) // after the top-level value
	}
	return nil
}

// value decodes the value at d.i into field f (fieldUnknown: skip it). top
// says the value is the top-level one, which must be an object.
func (d *eventDecoder) value(f eventField, top bool) error {
	if d.i >= len(d.data) {
		return d.syntaxError(d.i)
	}
	target := f != fieldUnknown || top
	switch c := d.data[d.i]; {
	case c == '"':
		if f == fieldUnknown {
			if _, err := d.str(nil, false); err != nil {
				return err
			}
			if top {
				d.typeError(f, d.i)
			}
			return nil
		}
		start := len(d.vals)
		vals, err := d.str(d.vals, true)
		if err != nil {
			return err
		}
		d.vals = vals
		d.spans[f], d.set[f] = [2]int{start, len(vals)}, true
		return nil
	case c == '{':
		if target {
			d.typeError(f, d.i+1)
		}
		return d.object(false)
	case c == '[':
		if target {
			d.typeError(f, d.i+1)
		}
		return d.array()
	case c == 't':
		return d.literal("true", f, target)
	case c == 'f':
		return d.literal("false", f, target)
	case c == 'n':
		return d.literal("null", f, false) // null leaves the field as it is
	case c == '-' || '0' <= c && c <= '9':
		if err := d.number(); err != nil {
			return err
		}
		if target {
			d.typeError(f, d.i)
		}
		return nil
	}
	return d.syntaxError(d.i)
}

// enter counts one more level of nesting at the bracket at d.i.
func (d *eventDecoder) enter() error {
	d.depth++
	if d.depth > maxJSONDepth {
		return d.syntaxError(d.i)
	}
	d.i++
	return nil
}

// object decodes the object at d.i; fields says its members are the
// event's fields (the top-level object), else they are skipped.
func (d *eventDecoder) object(fields bool) error {
	if err := d.enter(); err != nil {
		return err
	}
	d.skipSpace()
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		d.depth--
		return nil
	}
	for {
		if d.i >= len(d.data) || d.data[d.i] != '"' {
			return d.syntaxError(d.i)
		}
		key, err := d.str(d.keyBuf[:0], fields)
		if err != nil {
			return err
		}
		f := fieldUnknown
		if fields {
			f = lookupEventField(key)
		}
		d.skipSpace()
		if d.i >= len(d.data) || d.data[d.i] != ':' {
			return d.syntaxError(d.i)
		}
		d.i++
		d.skipSpace()
		if err := d.value(f, false); err != nil {
			return err
		}
		if done, err := d.next('}'); done || err != nil {
			return err
		}
	}
}

// next reads what follows a member of an object or an element of an array:
// a comma, with more to come, or closing, which ends it (done).
func (d *eventDecoder) next(closing byte) (done bool, err error) {
	d.skipSpace()
	if d.i >= len(d.data) {
		return false, d.syntaxError(d.i)
	}
	switch d.data[d.i] {
	case ',':
		d.i++
		d.skipSpace()
		return false, nil
	case closing:
		d.i++
		d.depth--
		return true, nil
	}
	return false, d.syntaxError(d.i)
}

// array skips the array at d.i.
func (d *eventDecoder) array() error {
	if err := d.enter(); err != nil {
		return err
	}
	d.skipSpace()
	if d.i < len(d.data) && d.data[d.i] == ']' {
		d.i++
		d.depth--
		return nil
	}
	for {
		if err := d.value(fieldUnknown, false); err != nil {
			return err
		}
		if done, err := d.next(']'); done || err != nil {
			return err
		}
	}
}

// literal reads the literal word at d.i; a true or false where a string
// (target) is wanted is of the wrong type.
func (d *eventDecoder) literal(word string, f eventField, target bool) error {
	for j := range len(word) {
		if d.i >= len(d.data) || d.data[d.i] != word[j] {
			return d.syntaxError(d.i)
		}
		d.i++
	}
	if target {
		d.typeError(f, d.i)
	}
	return nil
}

// number reads the number at d.i (RFC 8259 grammar).
func (d *eventDecoder) number() error {
	digits := func() error { // one or more
		if d.i >= len(d.data) || d.data[d.i] < '0' || d.data[d.i] > '9' {
			return d.syntaxError(d.i)
		}
		for d.i < len(d.data) && '0' <= d.data[d.i] && d.data[d.i] <= '9' {
			d.i++
		}
		return nil
	}
	if d.data[d.i] == '-' {
		d.i++
	}
	if d.i < len(d.data) && d.data[d.i] == '0' {
		d.i++
	} else if err := digits(); err != nil {
		return err
	}
	if d.i < len(d.data) && d.data[d.i] == '.' {
		d.i++
		if err := digits(); err != nil {
			return err
		}
	}
	if d.i < len(d.data) && (d.data[d.i] == 'e' || d.data[d.i] == 'E') {
		d.i++
		if d.i < len(d.data) && (d.data[d.i] == '+' || d.data[d.i] == '-') {
			d.i++
		}
		if err := digits(); err != nil {
			return err
		}
	}
	return nil
}

// str reads the string at d.i (at its opening quote). With keep, it
// appends the unescaped value to dst, as encoding/json unescapes it;
// otherwise it only checks it.
func (d *eventDecoder) str(dst []byte, keep bool) ([]byte, error) {
	data := d.data
	i := d.i + 1
	for {
		start := i
		for i < len(data) {
			c := data[i]
			if c == '"' || c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
				break
			}
			i++
		}
		if keep {
			dst = append(dst, data[start:i]...)
		}
		if i >= len(data) {
			return dst, d.syntaxError(i)
		}
		switch c := data[i]; {
		case c == '"':
			d.i = i + 1
			return dst, nil
		case c < 0x20:
			return dst, d.syntaxError(i)
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(data[i:])
			if keep {
				if r == utf8.RuneError && size == 1 {
					dst = utf8.AppendRune(dst, unicode.ReplacementChar)
				} else {
					dst = append(dst, data[i:i+size]...)
				}
			}
			i += size
			continue
		}
		// A backslash.
		i++
		if i >= len(data) {
			return dst, d.syntaxError(i)
		}
		var b byte
		switch data[i] {
		case '"', '\\', '/':
			b = data[i]
		case 'b':
			b = '\b'
		case 'f':
			b = '\f'
		case 'n':
			b = '\n'
		case 'r':
			b = '\r'
		case 't':
			b = '\t'
		case 'u':
			r, err := d.hex4(i + 1)
			if err != nil {
				return dst, err
			}
			i += 5
			if utf16.IsSurrogate(r) {
				// A pair only if a valid low surrogate follows; else
				// U+FFFD, and what follows is read on its own.
				r2 := rune(-1)
				if i+1 < len(data) && data[i] == '\\' && data[i+1] == 'u' {
					if v, err := d.hex4(i + 2); err == nil {
						r2 = v
					}
				}
				if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
					r = dec
					i += 6
				} else {
					r = unicode.ReplacementChar
				}
			}
			if keep {
				dst = utf8.AppendRune(dst, r)
			}
			continue
		default:
			return dst, d.syntaxError(i)
		}
		if keep {
			dst = append(dst, b)
		}
		i++
	}
}

// hex4 reads four hex digits at i.
func (d *eventDecoder) hex4(i int) (rune, error) {
	var r rune
	for j := i; j < i+4; j++ {
		if j >= len(d.data) {
			return 0, d.syntaxError(j)
		}
		c := d.data[j]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, d.syntaxError(j)
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}
