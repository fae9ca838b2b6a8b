package subjects

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The identifier index: for each finding of an identifying type that a view
// record still shows (kept, masked or pseudonymised), a keyed hash of the
// type and normalised value -> the view key that holds it. One record per
// identifier and view key on the index's compacted topic:
//
//	key   = IdentifierID (32 hex digits) "/" view key
//	value = IdentifierEntry in the binary format of AppendIdentifierEntry
//
// partitioned by the IdentifierID, so that every entry of one identifier is
// on one partition. The hash is an HMAC-SHA256 under a key of Veil's own
// (keyring.IdentifierIndexKey), so the index lets nobody recover or enumerate
// identifiers; it holds no value.

// The identifying types, as rules names them (this package does not import
// rules; TestIdentifyingTypeNames checks the names).
const (
	typeEmail  = "EMAIL_ADDRESS"
	typePhone  = "PHONE_NUMBER"
	typeCard   = "CREDIT_CARD"
	typeIBAN   = "IBAN_CODE"
	typeBSN    = "NL_BSN"
	typeSSN    = "US_SSN"
	typeBENRN  = "BE_NRN"
	typePerson = "PERSON"
)

// Identifying reports whether findings of type typ are indexed: e-mail
// addresses, phone numbers, IBANs, cards and national numbers (BSN, SSN,
// Belgian national register number), and names when names is set.
func Identifying(typ string, names bool) bool {
	switch typ {
	case typeEmail, typePhone, typeCard, typeIBAN, typeBSN, typeSSN, typeBENRN:
		return true
	case typePerson:
		return names
	}
	return false
}

// callingCodes are the country calling codes of the regions whose national
// phone numbers (with trunk prefix 0) NormalizeIdentifier can make E.164.
var callingCodes = map[string]string{
	"AT": "43", "BE": "32", "CH": "41", "DE": "49", "DK": "45", "ES": "34", "FI": "358", "FR": "33",
	"GB": "44", "IE": "353", "IT": "39", "LU": "352", "NL": "31", "NO": "47", "PL": "48", "PT": "351", "SE": "46",
	"US": "1", "CA": "1",
}

// NormalizeIdentifier returns the canonical form of value as an identifier
// of type typ, the form that is hashed, so that spellings of one value get
// one hash. ok is false when value cannot be one of that type (no '@' in an
// e-mail address, too few or too many digits).
//   - e-mail addresses: trimmed and lower-cased;
//   - phone numbers: E.164 digits, without '+'. A number with "+" or "00" is
//     international ("(0)" after the country code is dropped); a national one
//     ("06 1234 5678") takes the calling code of region, a locale ("nl-NL") or
//     region code ("NL"); without a known region its digits are taken as they
//     are;
//   - cards, BSN (8 digits padded to 9), SSN, Belgian national numbers: digits only;
//   - IBANs: letters and digits only, upper-cased (the letters of a BBAN tell
//     banks apart);
//   - other types (names): lower-cased, white space collapsed.
func NormalizeIdentifier(typ, value, region string) (string, bool) {
	var buf [64]byte
	b, ok := AppendNormalizedIdentifier(buf[:0], typ, value, region)
	return string(b), ok
}

// AppendNormalizedIdentifier appends NormalizeIdentifier's form of value to
// dst. For ASCII values it allocates nothing beyond growing dst, so that the
// processor can index the findings of every event.
func AppendNormalizedIdentifier(dst []byte, typ, value, region string) ([]byte, bool) {
	value = strings.TrimSpace(value)
	base := len(dst)
	switch typ {
	case typeEmail:
		dst = appendLower(dst, value)
		v := dst[base:]
		at := bytes.IndexByte(v, '@')
		return dst, at > 0 && at < len(v)-1 && !bytes.ContainsFunc(v, unicode.IsSpace)
	case typePhone:
		return appendPhone(dst, value, region)
	case typeCard:
		dst = appendDigits(dst, value, "")
		return dst, len(dst)-base >= 12 && len(dst)-base <= 19
	case typeBSN:
		dst = appendDigits(dst, value, "")
		if len(dst)-base == 8 {
			dst = append(dst, 0)
			copy(dst[base+1:], dst[base:])
			dst[base] = '0'
		}
		return dst, len(dst)-base == 9
	case typeSSN:
		dst = appendDigits(dst, value, "")
		return dst, len(dst)-base == 9
	case typeBENRN:
		dst = appendDigits(dst, value, "")
		return dst, len(dst)-base == 11
	case typeIBAN:
		dst = appendIBAN(dst, value)
		v := dst[base:]
		return dst, len(v) >= 15 && len(v) <= 34 && v[0] >= 'A' && v[1] >= 'A' && v[2] <= '9' && v[3] <= '9'
	}
	v := strings.Join(strings.Fields(strings.ToLower(value)), " ")
	return append(dst, v...), v != ""
}

// appendLower appends s lower-cased (ASCII without allocating).
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(dst, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// appendIBAN appends the ASCII letters, upper-cased, and digits of s.
func appendIBAN(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c >= 'A' && c <= 'Z':
			dst = append(dst, c)
		case c >= 'a' && c <= 'z':
			dst = append(dst, c-'a'+'A')
		}
	}
	return dst
}

// appendPhone appends the E.164 digits of a phone number; see NormalizeIdentifier.
func appendPhone(dst []byte, v, region string) ([]byte, bool) {
	base := len(dst)
	intl := strings.HasPrefix(v, "+")
	skip := ""
	if intl {
		// "+31 (0)6 ...": the trunk prefix in brackets is not dialled.
		skip = "(0)"
	}
	dst = appendDigits(dst, v, skip)
	d := dst[base:]
	switch {
	case intl:
	case len(d) >= 2 && d[0] == '0' && d[1] == '0':
		dst = dst[:base+copy(d, d[2:])]
	default:
		if _, r, ok := strings.Cut(region, "-"); ok {
			region = r
		} else if _, r, ok := strings.Cut(region, "_"); ok {
			region = r
		}
		cc, known := callingCodes[strings.ToUpper(region)]
		switch {
		case !known, len(d) == 0:
		case cc == "1" && len(d) == 10:
			// North America: ten digits are a national number; with a
			// leading 1 (the trunk prefix is the calling code), or of
			// another length, the digits are taken as they are.
			dst = insertAt(dst, base, cc)
		case cc == "1":
		case len(d) > 0 && d[0] == '0':
			dst = insertAt(dst[:base+copy(d, d[1:])], base, cc)
		}
	}
	n := len(dst) - base
	return dst, n >= 6 && n <= 15
}

// insertAt inserts s into b at i.
func insertAt(b []byte, i int, s string) []byte {
	n := len(b)
	b = append(b, s...)
	copy(b[i+len(s):], b[i:n])
	copy(b[i:], s)
	return b
}

// appendDigits appends the ASCII digits of s; the first occurrence of skip
// (if not empty) is left out.
func appendDigits(dst []byte, s, skip string) []byte {
	if skip != "" {
		if i := strings.Index(s, skip); i >= 0 {
			dst = appendDigits(dst, s[:i], "")
			s = s[i+len(skip):]
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			dst = append(dst, s[i])
		}
	}
	return dst
}

// IdentifierIDLen is the length of an IdentifierID in hex digits: 128 bits of
// the HMAC, ample against collisions among billions of identifiers.
const IdentifierIDLen = 32

// IdentifierHasher makes identifier ids under the identifier index key: the
// HMAC-SHA256 of the type, a zero byte and the normalised value, its first
// 16 bytes in hex. It keeps its hash state and scratch space, so that an id
// appended to a buffer does not allocate. It is not safe for concurrent use.
type IdentifierHasher struct {
	mac      hash.Hash
	buf, sum []byte
}

// NewIdentifierHasher returns a hasher under key (32 bytes,
// keyring.IdentifierIndexKey).
func NewIdentifierHasher(key []byte) (*IdentifierHasher, error) {
	if len(key) != 32 {
		return nil, errors.New("identifier index key must be 32 bytes")
	}
	return &IdentifierHasher{mac: hmac.New(sha256.New, key)}, nil
}

// AppendID appends the id of the identifier of type typ with the normalised
// value norm (NormalizeIdentifier) to dst.
func (h *IdentifierHasher) AppendID(dst []byte, typ, norm string) []byte {
	h.mac.Reset()
	h.buf = append(append(append(h.buf[:0], typ...), 0), norm...)
	h.mac.Write(h.buf)
	clear(h.buf)
	h.sum = h.mac.Sum(h.sum[:0])
	return hex.AppendEncode(dst, h.sum[:IdentifierIDLen/2])
}

// AppendIDOf is AppendID of a normalised value held in bytes.
func (h *IdentifierHasher) AppendIDOf(dst []byte, typ string, norm []byte) []byte {
	h.mac.Reset()
	h.buf = append(append(append(h.buf[:0], typ...), 0), norm...)
	h.mac.Write(h.buf)
	clear(h.buf)
	h.sum = h.mac.Sum(h.sum[:0])
	return hex.AppendEncode(dst, h.sum[:IdentifierIDLen/2])
}

// ID returns the id of the identifier of type typ with the normalised value norm.
func (h *IdentifierHasher) ID(typ, norm string) string {
	var b [IdentifierIDLen]byte
	return string(h.AppendID(b[:0], typ, norm))
}

// IdentifierEntryKey is the index-topic key of the entry of identifier id in
// the record with view key viewKey: "<id>/<view key>".
func IdentifierEntryKey(id, viewKey string) string { return id + "/" + viewKey }

// IdentifierView is one view whose record shows an identifier, and how.
type IdentifierView struct {
	Name string
	// Forms is a set of FormKept, FormMasked and FormPseudonymized: how the
	// view's record shows the identifier (a view that redacts it has no entry).
	Forms uint8
}

// The forms of IdentifierView.Forms.
const (
	FormKept uint8 = 1 << iota
	FormMasked
	FormPseudonymized
	allForms = FormKept | FormMasked | FormPseudonymized
)

// IdentifierEntry is one entry of the identifier index: the view record
// with key Key shows the identifier ID (of type Type) in Views.
type IdentifierEntry struct {
	// ID is the identifier's IdentifierID.
	ID string
	// Key is the record key on every view topic: "<conversation_id>/<event_id>".
	Key string
	// ConversationID is the partitioning key of the view records; it is a
	// prefix of Key and is stored as its length.
	ConversationID string
	// Type is the identifier's type, for receipts and per-type counts.
	Type string
	// Subject is the subject id of the record: its pseudonyms are made with
	// that subject's key, so erasing the identifier there needs it.
	Subject string
	// SentAt is when the event was sent, to the millisecond.
	SentAt time.Time
	// Views are the views whose records show the identifier.
	Views []IdentifierView
}

// identifierVersion is the first byte of an identifier entry's value.
const identifierVersion = 1

// maxIdentifierViews bounds the views of one entry on decoding.
const maxIdentifierViews = 64

// AppendIdentifierEntry appends the value of e on the index topic to dst:
//
//	version     1 byte, 1
//	type        uvarint length, bytes
//	subject     uvarint length, bytes
//	conv length uvarint: Key[:n] is the conversation id, Key[n] is '/'
//	sent_at     varint, Unix milliseconds
//	views       uvarint count, then per view: uvarint length, name bytes, forms byte
//
// The key (IdentifierEntryKey of ID and Key) is not repeated in it.
func AppendIdentifierEntry(dst []byte, e *IdentifierEntry) ([]byte, error) {
	n := len(e.ConversationID)
	if n >= len(e.Key) || e.Key[:n] != e.ConversationID || e.Key[n] != '/' {
		return dst, errors.New("encoding identifier entry: the key does not start with the conversation id and '/'")
	}
	if len(e.Views) == 0 || len(e.Views) > maxIdentifierViews {
		return dst, fmt.Errorf("encoding identifier entry: %d views (want 1 to %d)", len(e.Views), maxIdentifierViews)
	}
	if e.Type == "" {
		return dst, errors.New("encoding identifier entry: no type")
	}
	for _, v := range e.Views {
		if v.Name == "" || v.Forms == 0 || v.Forms > allForms {
			return dst, fmt.Errorf("encoding identifier entry: view %q with forms %#x", v.Name, v.Forms)
		}
	}
	dst = append(dst, identifierVersion)
	dst = appendString(dst, e.Type)
	dst = appendString(dst, e.Subject)
	dst = binary.AppendUvarint(dst, uint64(n))
	dst = binary.AppendVarint(dst, e.SentAt.UnixMilli())
	dst = binary.AppendUvarint(dst, uint64(len(e.Views)))
	for _, v := range e.Views {
		dst = appendString(dst, v.Name)
		dst = append(dst, v.Forms)
	}
	return dst, nil
}

func appendString(dst []byte, s string) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(s))), s...)
}

// ErrIdentifierEntry marks an identifier index record that cannot be decoded.
var ErrIdentifierEntry = errors.New("invalid identifier entry")

// ParseIdentifierEntry decodes an identifier index record: its key and value.
// It accepts exactly what IdentifierEntryKey and AppendIdentifierEntry write.
func ParseIdentifierEntry(key, value []byte) (IdentifierEntry, error) {
	var e IdentifierEntry
	id, viewKey, ok := strings.Cut(string(key), "/")
	if !ok || len(id) != IdentifierIDLen || !isLowerHex(id) || viewKey == "" {
		return e, fmt.Errorf("%w: bad key", ErrIdentifierEntry)
	}
	e.ID, e.Key = id, viewKey
	if len(value) == 0 || value[0] != identifierVersion {
		return e, fmt.Errorf("%w: unknown version", ErrIdentifierEntry)
	}
	r := entryReader{b: value[1:]}
	e.Type = r.string()
	e.Subject = r.string()
	n := r.uvarint()
	ms := r.varint()
	views := r.uvarint()
	if r.err || n >= uint64(len(viewKey)) || viewKey[n] != '/' || views == 0 || views > maxIdentifierViews {
		return e, fmt.Errorf("%w: bad fields", ErrIdentifierEntry)
	}
	e.ConversationID, e.SentAt = viewKey[:n], time.UnixMilli(ms).UTC()
	e.Views = make([]IdentifierView, views)
	for i := range e.Views {
		v := &e.Views[i]
		v.Name, v.Forms = r.string(), r.byte()
		r.err = r.err || v.Name == "" || v.Forms == 0 || v.Forms > allForms
	}
	if r.err || len(r.b) != 0 || e.Type == "" {
		return e, fmt.Errorf("%w: bad views or trailing bytes", ErrIdentifierEntry)
	}
	return e, nil
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// entryReader reads the fields of an encoded entry; err is set, for good, at
// the first field that cannot be read.
type entryReader struct {
	b   []byte
	err bool
}

func (r *entryReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	// Only the shortest encoding, so that decoding and encoding again give the same bytes.
	var tmp [binary.MaxVarintLen64]byte
	if n <= 0 || n != binary.PutUvarint(tmp[:], v) {
		r.err = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *entryReader) varint() int64 {
	v, n := binary.Varint(r.b)
	var tmp [binary.MaxVarintLen64]byte
	if n <= 0 || n != binary.PutVarint(tmp[:], v) {
		r.err = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *entryReader) string() string {
	n := r.uvarint()
	if r.err || n > uint64(len(r.b)) {
		r.err = true
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *entryReader) byte() byte {
	if r.err || len(r.b) == 0 {
		r.err = true
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}
