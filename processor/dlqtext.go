package processor

import (
	"unicode"
	"unicode/utf8"

	"github.com/veil-privacy/veil/schemas"
)

// dlqText returns the text of a record value that could not be processed,
// for the DLQ. JSON that is valid UTF-8 is kept as it is. Anything else
// (Avro, Confluent-framed Avro, binary) is read as Avro strings: every run
// that a length prefix announces and that is printable text, one a line,
// without the prefix. A length prefix glued to the digits of a card would
// otherwise hide the card from the detector. Bytes that are not part of such
// a string are dropped.
func dlqText(f schemas.Format, v []byte) []byte {
	if f == schemas.FormatJSON && utf8.Valid(v) {
		return v
	}
	if f == schemas.FormatConfluent && len(v) >= 5 && v[0] == 0 {
		v = v[5:]
	}
	var out []byte
	for i := 0; i < len(v); {
		n, k := avroLength(v[i:])
		if k > 0 && n > 0 && n <= len(v)-i-k && printable(v[i+k:i+k+n]) {
			if len(out) > 0 {
				out = append(out, '\n')
			}
			out = append(out, v[i+k:i+k+n]...)
			i += k + n
			continue
		}
		i++
	}
	return out
}

// avroLength reads a zig-zag varint of at most 4 bytes (strings up to
// 128 MiB) and returns it and its length, or k 0 when b does not start with
// a positive one.
func avroLength(b []byte) (n, k int) {
	var u uint64
	for k = 0; k < len(b) && k < 4; k++ {
		u |= uint64(b[k]&0x7f) << (7 * k)
		if b[k] < 0x80 {
			if u&1 != 0 {
				return 0, 0
			}
			return int(u >> 1), k + 1
		}
	}
	return 0, 0
}

// printable reports whether b is UTF-8 text without control characters
// other than tab and newline.
func printable(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 || unicode.IsControl(r) && r != '\t' && r != '\n' {
			return false
		}
		b = b[size:]
	}
	return true
}

// cutText cuts text to at most n bytes at the last space before n, so that
// no value is cut in two and left half-detectable.
func cutText(text []byte, n int) []byte {
	text = text[:n]
	for i := len(text) - 1; i >= 0; i-- {
		if text[i] == ' ' || text[i] == '\n' || text[i] == '\t' {
			return text[:i]
		}
	}
	return nil
}

// minDigitRun is the shortest run of digits maskDigitRuns masks: shorter
// than a Dutch BSN, longer than a date.
const minDigitRun = 9

// maskDigitRuns replaces by '#' the digits of every run of at least
// minDigitRun digits, single spaces, dots and dashes between digits
// included: on the DLQ path, a number the detector missed (a card whose
// digits a decoding error left glued to other bytes) is dropped, not kept.
func maskDigitRuns(b []byte) []byte {
	for i := 0; i < len(b); {
		if b[i] < '0' || b[i] > '9' {
			i++
			continue
		}
		j, digits := i, 0
		for j < len(b) {
			if b[j] >= '0' && b[j] <= '9' {
				digits++
				j++
			} else if (b[j] == ' ' || b[j] == '-' || b[j] == '.') && j+1 < len(b) && b[j+1] >= '0' && b[j+1] <= '9' {
				j++
			} else {
				break
			}
		}
		if digits >= minDigitRun {
			for x := i; x < j; x++ {
				if b[x] >= '0' && b[x] <= '9' {
					b[x] = '#'
				}
			}
		}
		i = j
	}
	return b
}
