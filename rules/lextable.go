package rules

// lexTable is an open-addressing hash table from lower-cased words (at most
// 24 bytes) to lexicon classes. It hashes while lower-casing, so a lookup
// costs one pass over the word and usually one probe.
type lexTable struct {
	slots []lexSlot
	mask  uint64
}

type lexSlot struct {
	hash uint64
	key  string
	val  uint32
}

const fnvOffset, fnvPrime = 14695981039346656037, 1099511628211

func newLexTable(m map[string]uint32) lexTable {
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
				t.slots[i] = lexSlot{hash: h, key: k, val: v}
				break
			}
		}
	}
	return t
}

// get returns the classes of w, compared case-insensitively for ASCII letters.
func (t *lexTable) get(w string) uint32 {
	if len(w) == 0 || len(w) > 24 {
		return 0
	}
	var buf [24]byte
	h := uint64(fnvOffset)
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 32
		}
		buf[i] = c
		h = (h ^ uint64(c)) * fnvPrime
	}
	h |= 1
	key := buf[:len(w)]
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		sl := &t.slots[i]
		if sl.hash == 0 {
			return 0
		}
		if sl.hash == h && sl.key == string(key) {
			return sl.val
		}
	}
}
