package rules

// lexTable is an open-addressing hash table from lower-cased words (at most
// 24 bytes) to lexicon classes, one value per language view (see lang). It hashes while lower-casing, so a lookup
// costs one pass over the word and usually one probe.
type lexTable struct {
	slots []lexSlot
	mask  uint64
	// views holds the per-language classes of the words whose classes differ between
	// languages; most words (names, common words) are the same in every view.
	views [][numLangs]uint32
}

type lexSlot struct {
	hash uint64
	key  string
	val  uint32 // the classes in view langAll
	view uint32 // 1 + index into views, or 0 when every view has val
}

const fnvOffset, fnvPrime = 14695981039346656037, 1099511628211

func newLexTable(m map[string]*[numLangs]uint32) lexTable {
	n := 1
	for n < len(m)*2 {
		n <<= 1
	}
	t := lexTable{slots: make([]lexSlot, n), mask: uint64(n - 1)}
	for k, v := range m {
		if len(k) == 0 || len(k) > 24 {
			continue
		}
		h := uint64(fnvOffset)
		for i := 0; i < len(k); i++ {
			h = (h ^ uint64(k[i])) * fnvPrime
		}
		h |= 1 // 0 marks an empty slot
		for i := h & t.mask; ; i = (i + 1) & t.mask {
			if t.slots[i].hash == 0 {
				t.slots[i] = lexSlot{hash: h, key: k, val: v[langAll]}
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
func (t *lexTable) get(w string, l lang) uint32 { return lexGet(t, w, l) }

// lexGet is get for a string or a byte slice (a word rewritten in a buffer), without copying it.
func lexGet[S string | []byte](t *lexTable, w S, l lang) uint32 {
	if len(w) == 0 || len(w) > 24 {
		return 0
	}
	h := uint64(fnvOffset)
	for i := 0; i < len(w); i++ {
		h = (h ^ uint64(lower(w[i]))) * fnvPrime
	}
	h |= 1
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		sl := &t.slots[i]
		if sl.hash == 0 {
			return 0
		}
		if sl.hash == h && lowerEqual(w, sl.key) {
			if sl.view == 0 || l == langAll {
				return sl.val
			}
			return t.views[sl.view-1][l]
		}
	}
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
