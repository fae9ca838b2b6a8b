package accuracy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// contextBytes is how much text a leak shows on each side of the span.
const contextBytes = 32

// Mask renders a value as its shape, never its characters: upper-case letters
// become X, other letters x, digits 9, common separators ( -./:@()+_,)
// stay, and anything else becomes *. The shape tells the notation of a
// leaked value (grouping, case, prefix length) without the value.
func Mask(v string) string {
	var b strings.Builder
	b.Grow(len(v))
	for _, r := range v {
		switch {
		case unicode.IsUpper(r):
			b.WriteByte('X')
		case unicode.IsLetter(r):
			b.WriteByte('x')
		case unicode.IsDigit(r):
			b.WriteByte('9')
		case strings.ContainsRune(" -./:@()+_,", r):
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		default:
			b.WriteByte('*')
		}
	}
	return b.String()
}

// leakContext renders the text around span s of text with every gold span in
// gs masked and s itself between ⟦ and ⟧. Offsets are clamped to the text and
// moved to rune boundaries, so a malformed span never splits a character.
func leakContext(text string, gs []Span, s Span) string {
	clamp := func(i int) int { return min(max(i, 0), len(text)) }
	back := func(i int) int {
		for i > 0 && i < len(text) && !utf8.RuneStart(text[i]) {
			i--
		}
		return i
	}
	fwd := func(i int) int {
		for i < len(text) && !utf8.RuneStart(text[i]) {
			i++
		}
		return i
	}
	ss, se := back(clamp(s.Start)), fwd(clamp(s.End))
	lo, hi := back(clamp(ss-contextBytes)), fwd(clamp(se+contextBytes))
	// mark[i] is true for bytes of [lo,hi) inside any gold span.
	mark := make([]bool, hi-lo)
	for _, g := range gs {
		for i := max(clamp(g.Start), lo); i < min(clamp(g.End), hi); i++ {
			mark[i-lo] = true
		}
	}
	var b strings.Builder
	if lo > 0 {
		b.WriteString("…")
	}
	plain := func(t string) { b.WriteString(strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", " ").Replace(t)) }
	// write renders text[from:to] rune by rune: a rune with any byte in a
	// gold span is masked with the rest of its run.
	write := func(from, to int) {
		for i := from; i < to; {
			masked := false
			j := i
			for j < to {
				_, n := utf8.DecodeRuneInString(text[j:])
				m := false
				for k := j; k < j+n && k < hi; k++ {
					m = m || mark[k-lo]
				}
				if j > i && m != masked {
					break
				}
				masked = m
				j += n
			}
			if masked {
				b.WriteString(Mask(text[i:j]))
			} else {
				plain(text[i:j])
			}
			i = j
		}
	}
	write(lo, ss)
	b.WriteString("⟦")
	b.WriteString(Mask(text[ss:se]))
	b.WriteString("⟧")
	write(se, hi)
	if hi < len(text) {
		b.WriteString("…")
	}
	return b.String()
}
