package keyring

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
	"unicode/utf8"

	"github.com/veil-privacy/veil/rules"
)

// Token returns the pseudonym of a value of type t under a subject's data
// key: 12 hex digits of an HMAC-SHA256, stable for the subject while its key
// exists. Values are normalised first (case, separators) so that notations
// of one value get one token. To make several tokens, use a Tokenizer.
func Token(dek []byte, t rules.Type, value string) string {
	return NewTokenizer(dek).Token(t, value)
}

// Tokenizer makes pseudonyms under one data key at a time: the HMAC of
// RFC 2104 over SHA-256, computed with two hash states it keeps, so that
// neither a token nor a change of key allocates. It remembers the last few
// tokens it made under its current key, so a value rendered in several
// views is hashed once. Its zero value has no key: call SetKey, and Forget
// once done. It is not safe for concurrent use.
type Tokenizer struct {
	inner, outer hash.Hash
	ipad, opad   [sha256.BlockSize]byte // the key, padded and masked
	sum          []byte
	buf          []byte // the normalised value
	memo         [4]memoToken
	next         int // the memo entry to overwrite next
}

type memoToken struct {
	t        rules.Type
	v, token string
}

// NewTokenizer returns a Tokenizer for the data key dek.
func NewTokenizer(dek []byte) *Tokenizer {
	z := &Tokenizer{}
	z.SetKey(dek)
	return z
}

// SetKey makes dek the key of the tokens made from now on, and forgets the
// tokens made before.
func (z *Tokenizer) SetKey(dek []byte) {
	z.Forget()
	if z.inner == nil {
		z.inner, z.outer = sha256.New(), sha256.New()
	}
	k := dek
	if len(k) > sha256.BlockSize {
		z.inner.Reset()
		z.inner.Write(k)
		z.sum = z.inner.Sum(z.sum[:0])
		k = z.sum
	}
	copy(z.ipad[:], k)
	copy(z.opad[:], k)
	for i := range z.ipad {
		z.ipad[i] ^= 0x36
		z.opad[i] ^= 0x5c
	}
}

// Forget zeroes the key material and drops the remembered tokens (and the
// values they were made of); the tokenizer has no key until SetKey.
func (z *Tokenizer) Forget() {
	z.memo, z.next = [len(z.memo)]memoToken{}, 0
	z.ipad, z.opad = [sha256.BlockSize]byte{}, [sha256.BlockSize]byte{}
	clear(z.sum[:cap(z.sum)])
	clear(z.buf[:cap(z.buf)])
}

// Token is the package-level Token under the tokenizer's key.
func (z *Tokenizer) Token(t rules.Type, value string) string {
	for _, m := range z.memo {
		if m.token != "" && m.t == t && m.v == value {
			return m.token
		}
	}
	z.buf = append(z.buf[:0], t...)
	z.buf = append(z.buf, 0)
	z.buf = appendNormalized(z.buf, t, value)
	z.inner.Reset()
	z.inner.Write(z.ipad[:])
	z.inner.Write(z.buf)
	z.sum = z.inner.Sum(z.sum[:0])
	z.outer.Reset()
	z.outer.Write(z.opad[:])
	z.outer.Write(z.sum)
	z.sum = z.outer.Sum(z.sum[:0])
	var out [rules.PseudonymLen]byte
	token := string(hex.AppendEncode(out[:0], z.sum[:rules.PseudonymLen/2]))
	z.memo[z.next] = memoToken{t: t, v: value, token: token}
	z.next = (z.next + 1) % len(z.memo)
	return token
}

// Pseudonym is Token as a rules.Pseudonymizer.
func (z *Tokenizer) Pseudonym(t rules.Type, value string) (string, bool) {
	return z.Token(t, value), true
}

// appendNormalized appends t.Normalize(v) to dst, without allocating when v
// is ASCII (FuzzNormalized checks that it equals Normalize).
func appendNormalized(dst []byte, t rules.Type, v string) []byte {
	for i := range len(v) {
		if v[i] >= utf8.RuneSelf {
			return append(dst, t.Normalize(v)...)
		}
	}
	v = strings.TrimSpace(v)
	words := t.Norm() == rules.NormWords
	space := false // a space is due before the next word
	for i := range len(v) {
		c := v[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if words {
			switch c {
			case ' ', '\t', '\n', '\v', '\f', '\r':
				space = true
				continue
			}
			if space {
				dst = append(dst, ' ')
				space = false
			}
			dst = append(dst, c)
			continue
		}
		switch c {
		case ' ', '-', '.', '(', ')', '/', '\t':
			continue
		}
		dst = append(dst, c)
	}
	return dst
}
