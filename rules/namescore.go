package rules

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

// The name-likeness score covers the names no list holds. data/namegrams.tsv, built by
// data/namegrams.py from census and civil-registry name statistics against the Debian word
// lists, gives each character 3- and 4-gram its log-odds (times 8) of standing in a name
// rather than in a word. A word scores the mean over its positions. The person stages ask
// for it only where the position already suggests a name (a verb or preposition that takes a
// person, a second capitalised word), never to find names in free text.

//go:embed data/namegrams.tsv
var nameGramData string

// nameGrams maps a packed n-gram (see gramKey) to its log-odds times 8.
type nameGrams map[uint32]int8

// Name-likeness thresholds, in the table's units (mean log-odds times 8).
const (
	guessAfterVerb = 6  // one unknown word after a verb that takes a person ("ask Zdenka")
	guessPartMin   = 3  // each part of a full name no list knows
	guessPairSum   = 14 // both parts together, without a cue
	guessPairCue   = 8  // both parts together after a preposition ("for X Y")
)

// loadNameGrams parses the embedded n-gram table; lines starting with # are comments.
func loadNameGrams() (nameGrams, error) {
	g := make(nameGrams, 60000)
	rest := nameGramData
	for n := 0; rest != ""; n++ {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		if line == "" || line[0] == '#' {
			continue
		}
		gram, v, ok := strings.Cut(line, "\t")
		score, err := strconv.Atoi(v)
		if !ok || err != nil || score < -127 || score > 127 || len(gram) < 3 || len(gram) > 4 {
			return nil, fmt.Errorf("namegrams.tsv line %d: want a 3- or 4-gram, a tab and a score in -127..127", n+1)
		}
		var codes [4]byte
		for i := 0; i < len(gram); i++ {
			if codes[i] = gramCode(gram[i]); codes[i] == 0 {
				return nil, fmt.Errorf("namegrams.tsv line %d: bad character %q", n+1, gram[i])
			}
		}
		g[gramKey(codes[:len(gram)])] = int8(score)
	}
	return g, nil
}

// gramCode maps a character of the table's alphabet to 1..30, or 0 for any other.
func gramCode(c byte) byte {
	switch {
	case c >= 'a' && c <= 'z':
		return c - 'a' + 1
	case c == '#':
		return 27 // a run of non-ASCII bytes
	case c == '^':
		return 28
	case c == '$':
		return 29
	}
	return 0
}

// gramKey packs 3 or 4 codes; the length sits in bit 20, so a 3-gram never equals a 4-gram.
func gramKey(c []byte) uint32 {
	k := uint32(len(c)-3) << 20
	for _, x := range c {
		k = k<<5 | uint32(x)
	}
	return k
}

// score returns the name-likeness of w: the mean over its positions of the 4-gram's log-odds,
// or the 3-gram's where the table has no 4-gram. ok is false for a word of other characters
// than letters, or longer than 30 bytes.
func (g nameGrams) score(w string) (score int, ok bool) {
	var codes [34]byte
	n := 0
	codes[n] = gramCode('^')
	n++
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= 0x80:
			if codes[n-1] == 27 {
				continue
			}
			c = '#'
		case isAlpha(c):
			c = lower(c)
		default:
			return 0, false
		}
		if n >= 32 {
			return 0, false
		}
		codes[n] = gramCode(c)
		n++
	}
	codes[n] = gramCode('$')
	n++
	if n < 4 {
		return 0, false
	}
	sum := 0
	for i := 0; i+3 <= n; i++ {
		v, hit := int8(0), false
		if i+4 <= n {
			v, hit = g[gramKey(codes[i:i+4])]
		}
		if !hit {
			v = g[gramKey(codes[i:i+3])]
		}
		sum += int(v)
	}
	return sum / (n - 2), true
}
