package rules

import "strings"

// lexTable is an open-addressing hash table from lower-cased words (at most
// 24 bytes) to lexicon classes, one value per language view (see lang). A word is packed into
// three 64-bit words, lower-cased eight bytes at a time (packLower), so a lookup hashes and
// compares three words instead of every byte, and usually costs one probe.
type lexTable struct {
	slots []lexSlot
	mask  uint64
	// views holds the per-language classes of the words whose classes differ between
	// languages; most words (names, common words) are the same in every view.
	views [][numLangs]uint32
}

type lexSlot struct {
	key  wordKey // the word, packed by packKey
	n    uint32  // its length; 0 marks an empty slot
	val  uint32  // the classes in view langAll
	view uint32  // 1 + index into views, or 0 when every view has val
}

const fnvOffset, fnvPrime = 14695981039346656037, 1099511628211

// newLexTable builds the table of the words of m; streets, when not nil, is the index of the
// street suffixes, from which it derives kStreetEnding.
func newLexTable(m map[string]*[numLangs]uint32, streets *suffixIndex) lexTable {
	n := 1
	for n < len(m)*2 {
		n <<= 1
	}
	t := lexTable{slots: make([]lexSlot, n), mask: uint64(n - 1)}
	for k, classes := range m {
		if len(k) == 0 || len(k) > 24 {
			continue
		}
		v := classes
		if streets != nil {
			v = deriveClasses(k, *classes, streets)
		}
		key := packKey(k)
		for i := key.hash(len(k), 0) & t.mask; ; i = (i + 1) & t.mask {
			if t.slots[i].n == 0 {
				t.slots[i] = lexSlot{key: key, n: uint32(len(k)), val: v[langAll]}
				if !sameInAllViews(v) {
					t.views = append(t.views, *v)
					t.slots[i].view = uint32(len(t.views))
				}
				break
			}
		}
	}
	return t
}

// get returns the classes of w in language view l, compared case-insensitively for ASCII letters.
func (t *lexTable) get(w string, l lang) uint32 {
	var key wordKey
	switch n := len(w); {
	case n == 0 || n > 24:
		return 0
	case n < 4: // packLower, written out for the short words most lookups are
		key.a = lower8(uint64(w[0]) | uint64(w[n>>1])<<(8*(n>>1)) | uint64(w[n-1])<<(8*(n-1)))
	case n <= 8:
		key.a = lower8(le32(w, 0) | le32(w, n-4)<<(8*(n-4)))
	default:
		key = packLower(w)
	}
	n := uint32(len(w))
	for i := key.hash(len(w), 0) & t.mask; ; i = (i + 1) & t.mask {
		sl := &t.slots[i]
		if sl.n == 0 {
			return 0
		}
		if sl.key == key && sl.n == n {
			if sl.view == 0 || l == langAll {
				return sl.val
			}
			return t.views[sl.view-1][l]
		}
	}
}

// wordKey holds the first 24 bytes of a word, eight to a field in little-endian order; the
// bytes past the word's end are zero.
type wordKey struct{ a, b, c uint64 }

// packKey packs the first 24 bytes of w as they are.
func packKey(w string) wordKey {
	var k [3]uint64
	for i := 0; i < len(w) && i < 24; i++ {
		k[i>>3] |= uint64(w[i]) << (8 * (i & 7))
	}
	return wordKey{k[0], k[1], k[2]}
}

// packLower packs the first 24 bytes of w (at least one) with its ASCII letters lower-cased:
// packLower(w) == packKey(k) exactly when w lower-cased begins with the first 24 bytes of k.
func packLower(w string) wordKey {
	n := len(w)
	switch {
	case n <= 8:
		return wordKey{a: lower8(loadTail(w, 0, n))}
	case n <= 16:
		return wordKey{a: lower8(le64(w, 0)), b: lower8(loadTail(w, 8, n-8))}
	}
	return wordKey{lower8(le64(w, 0)), lower8(le64(w, 8)), lower8(loadTail(w, 16, min(n, 24)-16))}
}

// le64 returns the eight bytes of w at i in little-endian order.
func le64(w string, i int) uint64 {
	_ = w[i+7]
	return uint64(w[i]) | uint64(w[i+1])<<8 | uint64(w[i+2])<<16 | uint64(w[i+3])<<24 |
		uint64(w[i+4])<<32 | uint64(w[i+5])<<40 | uint64(w[i+6])<<48 | uint64(w[i+7])<<56
}

// le32 returns the four bytes of w at i in little-endian order.
func le32(w string, i int) uint64 {
	_ = w[i+3]
	return uint64(w[i]) | uint64(w[i+1])<<8 | uint64(w[i+2])<<16 | uint64(w[i+3])<<24
}

// loadTail returns the r bytes (1 to 8) of w at i in little-endian order. It reads two parts
// that overlap unless r is 2, 4 or 8: the bytes both hold are the same, so or-ing them joins them.
func loadTail(w string, i, r int) uint64 {
	if r >= 4 {
		return le32(w, i) | le32(w, i+r-4)<<(8*(r-4))
	}
	return uint64(w[i]) | uint64(w[i+r>>1])<<(8*(r>>1)) | uint64(w[i+r-1])<<(8*(r-1))
}

// lower8 lower-cases the ASCII upper-case letters among the eight bytes of x, as lower does for
// one byte: a byte of 'A'..'Z' gets its 0x20 bit; other bytes, UTF-8 bytes included, stay.
func lower8(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	low := x &^ highs                 // each byte's low seven bits, so no sum below carries
	atLeastA := low + (0x80-'A')*ones // high bit set where the byte is 'A' or more
	pastZ := low + (0x80-'Z'-1)*ones  // high bit set where it is past 'Z'
	upper := atLeastA &^ pastZ &^ x & highs
	return x | upper>>2
}

// hash mixes a packed word of n bytes and a seed (a word list's id) into a table hash.
func (k wordKey) hash(n int, seed uint64) uint64 {
	h := (k.a ^ k.b*0xc2b2ae3d27d4eb4f ^ k.c*0x165667b19e3779f9 ^ uint64(n)<<56 ^ seed) * 0x9e3779b97f4a7c15
	return h ^ h>>29
}

// lowerEqual reports whether w lower-cased (ASCII letters) equals key.
func lowerEqual[S string | []byte](w S, key string) bool {
	if len(w) != len(key) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if lower(w[i]) != key[i] {
			return false
		}
	}
	return true
}

// deriveClasses returns the classes v of the word w with the derived classes set:
// kStreetEnding in the views in which w is a common word or greeting and ends in an entry of
// streets, as isStreet tests, and kHyphenated in the views in which w is a common word and holds
// a '-' after its first byte.
func deriveClasses(w string, v [numLangs]uint32, streets *suffixIndex) *[numLangs]uint32 {
	for l := range v {
		if v[l]&(kStop|kGreeting) != 0 && len(w) >= 5 && streets.has(w, 2, maskOf(lang(l))) {
			v[l] |= kStreetEnding
		}
		if v[l]&(kStop|kNotName|kGreeting) != 0 && strings.IndexByte(w, '-') > 0 {
			v[l] |= kHyphenated
		}
	}
	return &v
}

// sameInAllViews reports whether a word has the same classes in every language view.
func sameInAllViews(v *[numLangs]uint32) bool {
	for _, x := range v {
		if x != v[langAll] {
			return false
		}
	}
	return true
}

// setTable holds the entries of the word lists (lexData.sets) by list and lower-cased word, so
// inSet costs one pass over the word and usually one probe instead of a comparison with every
// entry of the list.
type setTable struct {
	slots []setSlot
	mask  uint64
	// lens[id] has bit min(n, 63) set when list id has an entry of n bytes.
	lens [numSets]uint64
}

type setSlot struct {
	hash  uint64
	key   string
	id    setID
	langs langMask // the languages the entry applies in
}

// setHash starts the hash of a word of list id.
func setHash(id setID) uint64 { return (fnvOffset ^ uint64(id)) * fnvPrime }

func newSetTable(sets *[numSets][]lexEntry) setTable {
	total := 0
	for _, ents := range sets {
		total += len(ents)
	}
	n := 1
	for n < total*2 {
		n <<= 1
	}
	t := setTable{slots: make([]setSlot, n), mask: uint64(n - 1)}
	for id, ents := range sets {
		for _, x := range ents {
			t.lens[id] |= 1 << min(len(x.w), 63)
			h := setHash(setID(id))
			for i := 0; i < len(x.w); i++ {
				h = (h ^ uint64(x.w[i])) * fnvPrime
			}
			h |= 1 // 0 marks an empty slot
			for i := h & t.mask; ; i = (i + 1) & t.mask {
				sl := &t.slots[i]
				if sl.hash == 0 {
					*sl = setSlot{hash: h, key: x.w, id: setID(id), langs: x.mask}
					break
				}
				if sl.hash == h && sl.id == setID(id) && sl.key == x.w {
					sl.langs |= x.mask
					break
				}
			}
		}
	}
	return t
}

// has reports whether w, ASCII letters lower-cased, is an entry of list id that applies in a
// language of mask.
func (t *setTable) has(id setID, w string, mask langMask) bool {
	if t.lens[id]&(1<<min(len(w), 63)) == 0 {
		return false
	}
	h := setHash(id)
	for i := 0; i < len(w); i++ {
		h = (h ^ uint64(lower(w[i]))) * fnvPrime
	}
	h |= 1
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		sl := &t.slots[i]
		if sl.hash == 0 {
			return false
		}
		if sl.hash == h && sl.id == id && sl.langs&mask != 0 && lowerEqual(w, sl.key) {
			return true
		}
	}
}
