package rules

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Encoded text: HTML character references, JSON (and JavaScript) string escapes, quoted-printable
// and percent-encoding are decoded into a view of the text that the scanner reads like any other
// text. Every decoded byte remembers the encoded form it came from, so a finding in the view maps
// back to a span of the original bytes that covers each encoded form it touches whole: redacting
// that span leaves no part of "jan&#64;example.nl" readable. Decoding is applied only where the
// encoding is plausible, and at most maxDecodeLayers times ("&amp;#64;", "%2540").

//go:embed entities/html5.tsv
var html5Entities []byte

// maxDecodeLayers bounds nested encodings: "&amp;#64;" needs two passes, a third is not tried.
const maxDecodeLayers = 2

// maxEntityName is the longest entity name looked up (the table's longest has 21 bytes).
const maxEntityName = 32

// entityTable maps an HTML entity name (without '&' and ';') to its code point.
type entityTable map[string]rune

// loadEntities reads the embedded subset of the WHATWG named character references.
func loadEntities() (entityTable, error) {
	t := entityTable{}
	sc := bufio.NewScanner(bytes.NewReader(html5Entities))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		name, hex, ok := strings.Cut(line, "\t")
		cp, err := strconv.ParseUint(hex, 16, 32)
		if !ok || err != nil || name == "" || len(name) > maxEntityName || !utf8.ValidRune(rune(cp)) {
			return nil, fmt.Errorf("entities/html5.tsv:%d: want name<TAB>hex code point, got %q", n, line)
		}
		t[name] = rune(cp)
	}
	return t, sc.Err()
}

// decodeUnit is one decoded encoded form: src[srcStart:srcEnd] became dec[decStart:decEnd].
// Text between units is copied unchanged. A unit may decode to nothing (a soft line break, a
// zero-width character).
type decodeUnit struct {
	decStart, decEnd, srcStart, srcEnd int
}

// decodeLayer is one pass of decoding: the text it produced and its units, in order.
type decodeLayer struct {
	text  string
	units []decodeUnit
}

// decodedView is a text with its encodings decoded, up to maxDecodeLayers deep.
type decodedView struct {
	// layers[0] decodes the original text, layers[1] (if any) decodes layers[0].text.
	layers []decodeLayer
}

// Text returns the fully decoded text.
func (v *decodedView) Text() string { return v.layers[len(v.layers)-1].text }

// mapSpan maps the span [a, b) of the decoded text back to the original text. The result covers
// every encoded form that produced a byte of [a, b) whole; a < b gives start < end.
func (v *decodedView) mapSpan(a, b int) (int, int) {
	for i := len(v.layers) - 1; i >= 0; i-- {
		a, b = v.layers[i].mapSpan(a, b)
	}
	return a, b
}

// mapSpan maps [a, b) of l.text back to the text l decoded.
func (l *decodeLayer) mapSpan(a, b int) (int, int) {
	if a >= b {
		s := l.mapOffset(a, false)
		return s, s
	}
	return l.mapOffset(a, false), l.mapOffset(b-1, true)
}

// mapOffset returns where the decoded byte at p starts (end false) or ends (end true) in the source.
func (l *decodeLayer) mapOffset(p int, end bool) int {
	// The last unit starting at or before p.
	k := sort.Search(len(l.units), func(i int) bool { return l.units[i].decStart > p }) - 1
	if k < 0 {
		if end {
			return p + 1
		}
		return p
	}
	u := &l.units[k]
	if p < u.decEnd {
		if end {
			return u.srcEnd
		}
		return u.srcStart
	}
	s := u.srcEnd + p - u.decEnd
	if end {
		return s + 1
	}
	return s
}

// decodeFlags say which encodings a text plausibly holds.
type decodeFlags uint8

// The flags, in the order of the bytes that start their forms in encodings.
const (
	decHTML decodeFlags = 1 << iota
	decJSON
	decQP
	decPercent
)

// encodings reports which encodings t plausibly holds, 0 for none. Text without '&', '\\', '='
// and '%' costs four byte searches and no allocation.
func (tab entityTable) encodings(t string) decodeFlags {
	var f decodeFlags
	for k, c := range [...]byte{'&', '\\', '=', '%'} {
		for i := 0; i < len(t); i++ {
			j := strings.IndexByte(t[i:], c)
			if j < 0 {
				break
			}
			i += j
			if tab.plausibleAt(t, i) {
				f |= 1 << k
				break
			}
		}
	}
	return f
}

// plausibleAt reports whether an encoded form that counts as evidence of its encoding starts at
// t[i] ('&', '\\', '=' or '%').
func (tab entityTable) plausibleAt(t string, i int) bool {
	var tmp [utf8.UTFMax]byte
	var n int
	switch t[i] {
	case '&':
		_, n = tab.entity(t, i)
	case '\\':
		_, n = jsonEscape(tmp[:0], t, i)
	case '=':
		return qpEvidence(t, i)
	case '%':
		_, n = hexRun(tmp[:0], t, i, '%', false)
	}
	return n > 0
}

// decode returns the decoded view of t and true, or false when t holds no plausible encoding.
func (tab entityTable) decode(t string) (decodedView, bool) {
	var v decodedView
	for len(v.layers) < maxDecodeLayers {
		f := tab.encodings(t)
		if f == 0 {
			break
		}
		l := tab.decodeOnce(t, f)
		if len(l.units) == 0 {
			break
		}
		v.layers = append(v.layers, l)
		t = l.text
	}
	return v, len(v.layers) > 0
}

// decodeOnce decodes one layer of the encodings f in t.
func (tab entityTable) decodeOnce(t string, f decodeFlags) decodeLayer {
	l := decodeLayer{units: make([]decodeUnit, 0, 16)}
	buf := make([]byte, 0, len(t))
	last := 0
	var tmp [utf8.UTFMax]byte // one unit decodes to one character at most
	for i := 0; i < len(t); i++ {
		var out []byte
		var n int
		switch c := t[i]; {
		case c == '&' && f&decHTML != 0:
			var r rune
			if r, n = tab.entity(t, i); n > 0 {
				out = appendDecoded(tmp[:0], r)
			}
		case c == '\\' && f&decJSON != 0:
			out, n = jsonEscape(tmp[:0], t, i)
		case c == '=' && f&decQP != 0:
			out, n = qpUnit(tmp[:0], t, i)
		case c == '%' && f&decPercent != 0:
			out, n = hexRun(tmp[:0], t, i, '%', false)
		}
		if n == 0 {
			continue
		}
		buf = append(buf, t[last:i]...)
		u := decodeUnit{decStart: len(buf), srcStart: i, srcEnd: i + n}
		buf = append(buf, out...)
		u.decEnd = len(buf)
		l.units = append(l.units, u)
		last = i + n
		i += n - 1
	}
	buf = append(buf, t[last:]...)
	l.text = string(buf)
	return l
}

// appendDecoded appends r as the scanner should read it: spaces of every width (&nbsp;, &thinsp;)
// as an ASCII space, invisible characters (soft hyphen, zero-width space and joiners, BOM) as
// nothing, anything else as UTF-8.
func appendDecoded(dst []byte, r rune) []byte {
	switch {
	case r == 0xA0 || r >= 0x2000 && r <= 0x200A || r == 0x202F || r == 0x205F || r == 0x3000:
		return append(dst, ' ')
	case r == 0xAD || r >= 0x200B && r <= 0x200D || r == 0x2060 || r == 0xFEFF:
		return dst
	}
	return utf8.AppendRune(dst, r)
}

// entity parses an HTML character reference at t[i] ('&'): a named one from the table with its
// ';', or a numeric one (see numericRef). It returns the code point and the length, or 0.
func (tab entityTable) entity(t string, i int) (rune, int) {
	j := i + 1
	if j < len(t) && t[j] == '#' {
		return numericRef(t, i)
	}
	k := j
	for k < len(t) && k-j <= maxEntityName && isAlnum(t[k]) {
		k++
	}
	if k == j || k >= len(t) || t[k] != ';' {
		return 0, 0
	}
	r, ok := tab[t[j:k]]
	if !ok {
		return 0, 0
	}
	return r, k + 1 - i
}

// numericRef parses a decimal or hex character reference of at most 8 digits at t[i] ("&#64;",
// "&#x40;"), whose ';' browsers do without ("jan&#64example.nl" reads "jan@example.nl"). NUL,
// controls other than whitespace and surrogates are not text and give 0.
func numericRef(t string, i int) (rune, int) {
	j := i + 2
	hex := j < len(t) && (t[j] == 'x' || t[j] == 'X')
	if hex {
		j++
	}
	digit := func(c byte) bool { return hex && isHexByte(c) || !hex && isDigit(c) }
	k := j
	for k < len(t) && k-j < 8 && digit(t[k]) {
		k++
	}
	if k == j || k < len(t) && digit(t[k]) {
		return 0, 0
	}
	base := 10
	if hex {
		base = 16
	}
	cp, err := strconv.ParseUint(t[j:k], base, 32)
	if err != nil || !utf8.ValidRune(rune(cp)) || cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r' || cp >= 0x7F && cp < 0xA0 {
		return 0, 0
	}
	if k < len(t) && t[k] == ';' {
		k++
	}
	return rune(cp), k - i
}

// jsonEscape parses a JSON string escape at t[i] ('\\'): \" \\ \/ \b \f \n \r \t, \uXXXX (a
// surrogate pair as one character) and the JavaScript \xXX. It returns the decoded bytes and the
// length of the escape, or 0. A lone surrogate is left as it is.
func jsonEscape(dst []byte, t string, i int) ([]byte, int) {
	if i+1 >= len(t) {
		return nil, 0
	}
	switch c := t[i+1]; c {
	case '"', '\\', '/':
		return append(dst, c), 2
	case 'b', 'f', 'n', 'r', 't':
		return append(dst, "\b\f\n\r\t"[strings.IndexByte("bfnrt", c)]), 2
	case 'x':
		return hexRun(dst, t, i, '\\', true)
	case 'u':
		r, ok := hex4(t, i+2)
		if !ok {
			return nil, 0
		}
		if r >= 0xD800 && r < 0xDC00 {
			if lo, ok := hex4(t, i+8); ok && t[i+6] == '\\' && t[i+7] == 'u' && lo >= 0xDC00 && lo < 0xE000 {
				return appendDecoded(dst, 0x10000+(r-0xD800)<<10+(lo-0xDC00)), 12
			}
			return nil, 0
		}
		if r >= 0xDC00 && r < 0xE000 || r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			return nil, 0
		}
		return appendDecoded(dst, r), 6
	}
	return nil, 0
}

// hex4 parses four hex digits at t[i].
func hex4(t string, i int) (rune, bool) {
	if i+4 > len(t) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(t[i : i+4]) {
		if !isHexByte(c) {
			return 0, false
		}
		r = r<<4 | rune(hexVal(c))
	}
	return r, true
}

// hexRun parses at t[i] one byte written as mark and two hex digits ("%40", "=3D", with x after
// the backslash "\x40" when x is set) and returns the bytes it stands for: a printable ASCII byte
// (or tab, CR, LF), or -- when it starts a UTF-8 sequence -- the whole sequence written the same
// way ("%C3%A9" is é). Anything else (a control byte, a lone or invalid UTF-8 byte) gives 0.
// Percent-encoding and \x take either case of hex digit; quoted-printable only upper case.
func hexRun(dst []byte, t string, i int, mark byte, x bool) ([]byte, int) {
	b0, w, ok := hexByte(t, i, mark, x)
	if !ok {
		return nil, 0
	}
	if b0 < utf8.RuneSelf {
		if b0 < 0x20 && b0 != '\t' && b0 != '\n' && b0 != '\r' || b0 == 0x7F {
			return nil, 0
		}
		return append(dst, b0), w
	}
	var seq [utf8.UTFMax]byte
	seq[0] = b0
	n, p := 1, i+w
	for n < utf8.UTFMax && !utf8.FullRune(seq[:n]) {
		b, _, ok := hexByte(t, p, mark, x)
		if !ok {
			return nil, 0
		}
		seq[n] = b
		n++
		p += w
	}
	r, size := utf8.DecodeRune(seq[:n])
	if r == utf8.RuneError || size != n {
		return nil, 0
	}
	return appendDecoded(dst, r), p - i
}

// hexByte parses one mark-and-two-hex-digits byte at t[i] and returns it and its width.
func hexByte(t string, i int, mark byte, x bool) (byte, int, bool) {
	w := 3
	if x {
		w = 4
	}
	if i+w > len(t) || t[i] != mark || x && t[i+1] != 'x' {
		return 0, 0, false
	}
	h, l := t[i+w-2], t[i+w-1]
	if !isHexByte(h) || !isHexByte(l) || mark == '=' && (isLower(h) || isLower(l)) {
		return 0, 0, false
	}
	return hexVal(h)<<4 | hexVal(l), w, true
}

// qpUnit parses a quoted-printable unit at t[i] ('='): a soft line break ("=\r\n", "=\n"), which
// decodes to nothing, or an encoded byte (see hexRun).
func qpUnit(dst []byte, t string, i int) ([]byte, int) {
	if n := softBreak(t, i); n > 0 {
		return dst, n
	}
	return hexRun(dst, t, i, '=', false)
}

// qpLineMax is the longest quoted-printable line, its soft line break's '=' included (RFC 2045).
const qpLineMax = 77

// softBreak returns the length of a quoted-printable soft line break at t[i], or 0. The line it
// ends must be at most qpLineMax bytes and hold a space or an encoded byte: a line of base64
// ending in padding ("...6Y=\n-----END") has neither.
func softBreak(t string, i int) int {
	n := 0
	switch {
	case strings.HasPrefix(t[i:], "=\r\n"):
		n = 3
	case strings.HasPrefix(t[i:], "=\n"):
		n = 2
	default:
		return 0
	}
	line := t[max(0, i-qpLineMax+1):i]
	if k := strings.LastIndexByte(line, '\n'); k >= 0 {
		line = line[k+1:]
	} else if i >= qpLineMax {
		return 0
	}
	if strings.IndexByte(line, ' ') >= 0 || hasQPByte(line) {
		return n
	}
	return 0
}

// hasQPByte reports whether s holds a quoted-printable byte ("=3D"); base64 has '=' only at its end.
func hasQPByte(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if _, _, ok := hexByte(s, i, '=', false); ok {
			return true
		}
	}
	return false
}

// qpEvidence reports whether the '=' at t[i] shows that t is quoted-printable: a soft line break
// after text, "=3D" (an encoded '='), a UTF-8 sequence written as "=C3=A9", or "=40" (an encoded
// '@') between letters or digits. "a=b", "x=10" and base64 padding are no evidence.
func qpEvidence(t string, i int) bool {
	if softBreak(t, i) > 0 {
		return true
	}
	b, w, ok := hexByte(t, i, '=', false)
	if !ok {
		return false
	}
	switch {
	case b == '=':
		return true
	case b >= utf8.RuneSelf:
		var tmp [utf8.UTFMax]byte
		_, n := hexRun(tmp[:0], t, i, '=', false)
		return n > w
	case b == '@':
		return i > 0 && isAlnum(t[i-1]) && i+w < len(t) && isAlnum(t[i+w])
	}
	return false
}

func isHexByte(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func hexVal(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// detectDecoded adds to the findings dst[base:] of the raw text those found in its decoded view,
// mapped back to the original bytes. A raw finding is never dropped: a decoded one that lies
// within raw findings is left out, one that holds every raw finding it overlaps replaces them,
// and of any other only the bytes no raw finding covers are added.
func (e *Engine) detectDecoded(dst []Finding, base int, text, locale string) []Finding {
	v, ok := e.entities.decode(text)
	if !ok {
		return dst
	}
	dec := e.detect(make([]Finding, 0, 8), v.Text(), locale)
	if len(dec) == 0 {
		return dst
	}
	merged := slices.Clone(dst[base:])
	for _, f := range dec {
		f.Start, f.End = v.mapSpan(f.Start, f.End)
		f.Start, f.End = runeBounds(text, f.Start, f.End)
		f.Why = joinWhy(f.Why, "decoded")
		merged = mergeFinding(merged, f)
	}
	return append(dst[:base], merged...)
}

// runeBounds widens [a, b) so that it splits no UTF-8 sequence of t.
func runeBounds(t string, a, b int) (int, int) {
	for k := 0; k < utf8.UTFMax && a > 0 && splitsSeq(t, a); k++ {
		a--
	}
	for k := 0; k < utf8.UTFMax && b < len(t) && splitsSeq(t, b); k++ {
		b++
	}
	return a, b
}

// splitsSeq reports whether offset p falls inside a valid multi-byte UTF-8 sequence of t.
func splitsSeq(t string, p int) bool {
	for q := p - 1; q >= 0 && q >= p-(utf8.UTFMax-1); q-- {
		if utf8.RuneStart(t[q]) {
			r, size := utf8.DecodeRuneInString(t[q:])
			return !(r == utf8.RuneError && size == 1) && q+size > p
		}
	}
	return false
}

// joinWhy appends note to why.
func joinWhy(why, note string) string {
	if why == "" {
		return note
	}
	return why + "; " + note
}

// mergeFinding adds f to fs (sorted by Start, non-overlapping) under the rules of detectDecoded.
func mergeFinding(fs []Finding, f Finding) []Finding {
	lo := sort.Search(len(fs), func(i int) bool { return fs[i].End > f.Start })
	hi := lo
	for hi < len(fs) && fs[hi].Start < f.End {
		hi++
	}
	// The parts of f that no finding covers.
	var gaps []Finding
	at := f.Start
	for _, o := range fs[lo:hi] {
		if o.Start > at {
			g := f
			g.Start, g.End = at, o.Start
			gaps = append(gaps, g)
		}
		at = max(at, o.End)
	}
	if at < f.End {
		g := f
		g.Start = at
		gaps = append(gaps, g)
	}
	switch {
	case len(gaps) == 0:
		return fs
	case lo == hi || f.Start <= fs[lo].Start && fs[hi-1].End <= f.End:
		return slices.Replace(fs, lo, hi, f)
	}
	mid := append(slices.Clone(fs[lo:hi]), gaps...)
	slices.SortFunc(mid, func(a, b Finding) int { return a.Start - b.Start })
	return slices.Replace(fs, lo, hi, mid...)
}
