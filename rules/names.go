package rules

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"strings"
)

//go:embed data/*.txt
var nameData embed.FS

// Name kinds.
const (
	nameFirst uint8 = 1 << iota // a given name
	nameLast                    // a family name
	nameAmbig                   // also a common word (May, Will, Roos): needs context
)

// nameSets holds the name lists, keyed by ASCII-lower-cased name.
type nameSets struct {
	kinds map[string]uint8
}

// loadNames reads the embedded name lists: data/first_*.txt, data/last_*.txt
// and data/ambiguous*.txt. Lines hold whitespace-separated names; # starts a comment.
func loadNames() (*nameSets, error) {
	ns := &nameSets{kinds: map[string]uint8{}}
	entries, err := nameData.ReadDir("data")
	if err != nil {
		return nil, fmt.Errorf("listing name data: %w", err)
	}
	for _, ent := range entries {
		name := ent.Name()
		var kind uint8
		switch {
		case len(name) > 6 && name[:6] == "first_":
			kind = nameFirst
		case len(name) > 5 && name[:5] == "last_":
			kind = nameLast
		case strings.HasPrefix(name, "ambiguous"):
			kind = nameFirst | nameAmbig // given names that are also common words
		default:
			continue
		}
		data, err := nameData.ReadFile("data/" + name)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			line := sc.Bytes()
			if i := bytes.IndexByte(line, '#'); i >= 0 {
				line = line[:i]
			}
			for _, f := range bytes.Fields(line) {
				ns.kinds[asciiLower(string(f))] |= kind
			}
		}
	}
	return ns, nil
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lower(c)
	}
	return string(b)
}

// kind returns the name kinds of w (case-insensitive for ASCII letters).
func (ns *nameSets) kind(w string) uint8 {
	if len(w) > 32 || len(w) < 2 {
		return 0
	}
	var buf [32]byte
	for i := 0; i < len(w); i++ {
		buf[i] = lower(w[i])
	}
	k := ns.kinds[string(buf[:len(w)])]
	if k == 0 {
		// Hyphenated names: Bart-Jan, Smith-Jones, Anne-Marie.
		if i := strings.IndexByte(w, '-'); i > 1 && i < len(w)-2 {
			k1, k2 := ns.kind(w[:i]), ns.kind(w[i+1:])
			if k1 != 0 && k2 != 0 {
				return (k1 | k2) &^ nameAmbig
			}
		}
	}
	if k == nameAmbig {
		return 0
	}
	return k
}
