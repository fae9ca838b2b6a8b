// Package keyring holds the per-subject data keys that pseudonyms are made
// with, wrapped by the key-encryption key on the compacted topic veil.keys,
// with the erasure markers that shredding a key leaves.
//
// A wrapped key (record format v2) names the key-encryption key (KEK) that
// wraps it by its id, and its AES-GCM additional data binds the KEK id and
// the subject: a wrapped key copied to another subject's record does not
// unwrap. A keyring writes with its current KEK and reads with it and any
// previous ones, so that keys can be re-wrapped under a new KEK (Rewrap)
// while Veil runs. Subject ids are keyed hashes under a separate index key,
// so that they do not change when the KEK does.
package keyring

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor/changelog"
)

// Keyring holds the per-subject data keys that pseudonyms are made with. A
// key is 32 random bytes, stored wrapped (AES-256-GCM under the
// key-encryption key) in the compacted topic veil.keys under the subject id,
// never under the customer id. Shredding a subject tombstones its key, which
// makes every pseudonym made with it unlinkable, and writes an erasure marker
// (key "erased/<subject>") so that late events sent before the erasure are
// dropped rather than given a fresh key.
//
// Every instance reads the whole topic (restored at start, then followed),
// so any instance can pseudonymize any subject. If two instances create a key
// for the same subject at once, the first in the log wins and the loser
// writes the winner again, so that compaction keeps the winner.
type Keyring struct {
	kekID      string                 // id of the current KEK, which wraps new keys
	aeads      map[string]cipher.AEAD // by KEK id: the current and previous KEKs
	order      []string               // KEK ids, current first
	subjectKey []byte
	topic      string
	log        *slog.Logger

	mu         sync.Mutex
	keys       map[string]keyEntry
	erased     map[string]Erasure
	pending    map[string]chan struct{}
	rewrites   map[string][]byte   // subject -> wrapped winner to write again
	gone       map[string]int64    // subject -> offset of its last key tombstone
	retomb     map[string]struct{} // subjects whose shredded key a re-wrap wrote again
	unreadable map[string]string   // subject -> why its key record does not unwrap
	next       map[int32]int64     // partition -> offset after the last record applied
	restored   bool                // restore done: conflicts seen now are new
	cl         *kgo.Client
	ready      chan struct{}
	rewrite    chan struct{} // signalled when rewrites or retomb is not empty
	ran        atomic.Bool   // Run was called
	acks       ackState

	subjectMACs sync.Pool // of *subjectMAC
}

type keyEntry struct {
	dek     []byte
	offset  int64  // of the record it came from; -1 until read back
	origin  int64  // of the record that first stored dek (a re-wrap keeps it)
	kek     string // id of the KEK that wraps it on the topic
	version int    // record format
}

// Erasure is an erasure marker: the subject was erased at At by RequestID.
type Erasure struct {
	At        time.Time `json:"erased_at"`
	RequestID string    `json:"request_id"`
}

// wrappedKey is the value of a key record.
type wrappedKey struct {
	// Version is 2; version 1 records (no KEK id, additional data not
	// bound to the subject) are still read, and Rewrap replaces them.
	Version int `json:"v"`
	// KEK is the id of the key-encryption key that wraps the key (KEKID).
	KEK     string    `json:"kek,omitempty"`
	Wrapped string    `json:"wrapped"` // base64(nonce | AES-GCM(dek)), additional data aad(KEK, subject)
	Created time.Time `json:"created_at"`
	// Rotated marks a key that replaces the subject's previous one on
	// purpose: it wins over earlier records instead of losing to them.
	Rotated bool `json:"rotated,omitempty"`
	// Of marks a re-wrap (the same key under another KEK): the offset, in
	// the same partition, of the record that first stored the key. A
	// re-wrap never brings back a key shredded after that record.
	Of *int64 `json:"rewrap_of,omitempty"`
}

// aad is the additional data of a version 2 wrapped key: it binds the
// KEK id and the subject.
func aad(kekID, subject string) []byte {
	return []byte("veil data key v2\x00" + kekID + "\x00" + subject)
}

// aadV1 is the additional data of version 1 records, bound to nothing.
var aadV1 = []byte("veil data key v1")

const erasedPrefix = "erased/"

// ReadKEK reads a 32-byte key-encryption key, hex or base64 encoded, from
// the file at path or else from the VEIL_KEK environment variable (getenv).
func ReadKEK(path string, getenv func(string) string) ([]byte, error) {
	raw := getenv("VEIL_KEK")
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading key-encryption key: %w", err)
		}
		raw = string(b)
	}
	if strings.TrimSpace(raw) == "" {
		return nil, errors.New("no key-encryption key: set keys.kek_file or VEIL_KEK")
	}
	b, err := DecodeKey(raw)
	if err != nil {
		return nil, fmt.Errorf("key-encryption key: %w", err)
	}
	return b, nil
}

// ReadIndexKey reads the 32-byte subject index key, hex or base64 encoded,
// from the file at path or else from the VEIL_INDEX_KEY environment
// variable (getenv). With neither set it returns nil: the keyring then
// derives the index key from the KEK (LegacyIndexKey).
func ReadIndexKey(path string, getenv func(string) string) ([]byte, error) {
	raw := getenv("VEIL_INDEX_KEY")
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading index key: %w", err)
		}
		raw = string(b)
	}
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	b, err := DecodeKey(raw)
	if err != nil {
		return nil, fmt.Errorf("index key: %w", err)
	}
	return b, nil
}

// DecodeKey decodes a 32-byte key written as hex or base64 (surrounding
// white space ignored).
func DecodeKey(raw string) ([]byte, error) {
	raw = strings.TrimSpace(raw)
	if b, err := hex.DecodeString(raw); err == nil && len(b) == 32 {
		return b, nil
	}
	if b, err := base64.StdEncoding.DecodeString(raw); err == nil && len(b) == 32 {
		return b, nil
	}
	return nil, errors.New("must be 32 bytes, hex or base64 encoded")
}

// NewKEK returns a fresh random 32-byte key (a key-encryption key or an
// index key), hex encoded.
func NewKEK() string {
	return hex.EncodeToString(randomBytes(32))
}

// KEKID returns the id of a key-encryption key: 16 hex digits of a keyed
// hash under the KEK itself, which names the KEK without revealing it.
func KEKID(kek []byte) string {
	m := hmac.New(sha256.New, kek)
	m.Write([]byte("veil kek id v1"))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// LegacyIndexKey returns the index key that subject ids were made with
// before the index key was a setting of its own: a keyed hash of the KEK.
// A deployment that never set an index key keeps its subject ids by
// setting this one (veil keygen --index-key --from-kek) before it rotates
// its KEK.
func LegacyIndexKey(kek []byte) []byte {
	m := hmac.New(sha256.New, kek)
	m.Write([]byte("veil subject id v1"))
	return m.Sum(nil)
}

// identifierLabel is the derivation label of the identifier index key.
const identifierLabel = "veil identifier index v1"

// IdentifierIndexKey derives the key of the identifier index from the index
// key (of the subject ids): HMAC-SHA256 under indexKey of the label "veil
// identifier index v1". It is derived from the index key rather than the KEK
// itself so that a KEK rotation keeps every identifier hash, as it keeps every
// subject id; with no index key set, the index key is LegacyIndexKey of the
// KEK, so the identifier index key is then derived from the KEK.
func IdentifierIndexKey(indexKey []byte) []byte {
	m := hmac.New(sha256.New, indexKey)
	m.Write([]byte(identifierLabel))
	return m.Sum(nil)
}

// IdentifierIndexKey returns the key of the keyring's identifier index
// (the package-level IdentifierIndexKey of its index key).
func (k *Keyring) IdentifierIndexKey() []byte { return IdentifierIndexKey(k.subjectKey) }

// Option configures a Keyring.
type Option func(*options)

type options struct {
	previous [][]byte
	indexKey []byte
}

// Previous adds key-encryption keys that are no longer current: data keys
// wrapped with them are read, never written.
func Previous(keks ...[]byte) Option {
	return func(o *options) { o.previous = append(o.previous, keks...) }
}

// IndexKey sets the 32-byte key that subject ids are made with. Without it
// (or with nil) the keyring uses LegacyIndexKey of the current KEK.
func IndexKey(key []byte) Option {
	return func(o *options) { o.indexKey = key }
}

// New returns a keyring over topic that wraps new data keys with the
// key-encryption key kek. Call Run before using it.
func New(kek []byte, topic string, log *slog.Logger, opts ...Option) (*Keyring, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	k := &Keyring{
		kekID: KEKID(kek), aeads: map[string]cipher.AEAD{}, subjectKey: o.indexKey, topic: topic, log: log,
		keys: map[string]keyEntry{}, erased: map[string]Erasure{}, pending: map[string]chan struct{}{},
		rewrites: map[string][]byte{}, gone: map[string]int64{}, retomb: map[string]struct{}{},
		unreadable: map[string]string{}, next: map[int32]int64{}, ready: make(chan struct{}), rewrite: make(chan struct{}, 1),
		acks: newAckState(),
	}
	for i, key := range append([][]byte{kek}, o.previous...) {
		what := "key-encryption key"
		if i > 0 {
			what = fmt.Sprintf("previous key-encryption key %d", i)
		}
		if len(key) != 32 {
			return nil, fmt.Errorf("%s must be 32 bytes", what)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		id := KEKID(key)
		if _, dup := k.aeads[id]; !dup {
			k.aeads[id] = aead
			k.order = append(k.order, id)
		}
	}
	switch {
	case k.subjectKey == nil:
		k.subjectKey = LegacyIndexKey(kek)
	case len(k.subjectKey) != 32:
		return nil, errors.New("index key must be 32 bytes")
	}
	return k, nil
}

// KEKID returns the id of the keyring's current key-encryption key.
func (k *Keyring) KEKID() string { return k.kekID }

// SubjectID returns the subject id of a customer id: a keyed hash under the
// index key (never the KEK, so that rotating the KEK keeps every id), so that
// keys of compacted topics (which outlive their records as tombstones) never
// carry the raw id.
func (k *Keyring) SubjectID(customerID string) string {
	h, _ := k.subjectMACs.Get().(*subjectMAC)
	if h == nil {
		h = &subjectMAC{mac: hmac.New(sha256.New, k.subjectKey)}
	}
	defer k.subjectMACs.Put(h)
	h.mac.Reset()
	h.buf = append(h.buf[:0], customerID...)
	h.mac.Write(h.buf)
	h.sum = h.mac.Sum(h.sum[:0])
	var id [32]byte
	return string(hex.AppendEncode(id[:0], h.sum[:16]))
}

// subjectMAC is an HMAC state under the subject key, kept in a pool for
// SubjectID, with its scratch space.
type subjectMAC struct {
	mac      hash.Hash
	buf, sum []byte
}

// Run restores the keyring from its topic, then follows it until ctx is
// done. opts are the connection options; Ready is closed once restored. It
// returns nil when ctx ends, and an error if following stops before. Run
// may be called once.
func (k *Keyring) Run(ctx context.Context, opts []kgo.Opt) error {
	if k.ran.Swap(true) {
		return errors.New("keyring: Run called twice")
	}
	cl, err := kgo.NewClient(append(opts[:len(opts):len(opts)], kgo.RecordPartitioner(changelog.Partitioner()))...)
	if err != nil {
		return fmt.Errorf("creating keyring client: %w", err)
	}
	defer cl.Close()
	k.mu.Lock()
	k.cl = cl
	k.mu.Unlock()
	t, err := changelog.Follow(ctx, opts, k.topic, nil, k.apply, k.log)
	if err != nil {
		return err
	}
	defer t.Stop()
	if err := t.CaughtUp(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("restoring %s: %w", k.topic, err)
	}
	k.mu.Lock()
	k.restored = true
	n, e, u := len(k.keys), len(k.erased), len(k.unreadable)
	var why string
	for _, w := range k.unreadable {
		why = w // one reason as an example; they are alike
		break
	}
	k.mu.Unlock()
	k.log.Info("keyring restored", "keys", n, "erased", e, "kek", k.kekID, "keks", k.order)
	if u > 0 {
		k.log.Error("unreadable key records", "subjects", u, "err", why,
			"hint", "add their key-encryption key to keys.previous_kek_files")
	}
	close(k.ready)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.Done():
			if ctx.Err() != nil {
				return nil // the table stopped because ctx ended
			}
			return fmt.Errorf("following %s: %w", k.topic, t.Err())
		case <-k.rewrite:
			k.writeWinners(ctx)
		case <-k.acks.publish:
			k.writeAck(ctx)
		}
	}
}

// writeWinners writes again the keys that won a race, so that compaction
// keeps them rather than the later losers, and tombstones again the keys
// that a re-wrap wrote after they were shredded.
func (k *Keyring) writeWinners(ctx context.Context) {
	k.mu.Lock()
	recs := make([]*kgo.Record, 0, len(k.rewrites)+len(k.retomb))
	for subject, v := range k.rewrites {
		recs = append(recs, &kgo.Record{Topic: k.topic, Key: []byte(subject), Value: v})
	}
	for subject := range k.retomb {
		if _, ok := k.keys[subject]; !ok {
			recs = append(recs, &kgo.Record{Topic: k.topic, Key: []byte(subject)})
		}
	}
	clear(k.rewrites)
	clear(k.retomb)
	k.mu.Unlock()
	if err := k.produce(ctx, recs...); err != nil && ctx.Err() == nil {
		// Every instance still picks the winner (the first in the log);
		// only compaction may keep the loser until the next conflict.
		k.log.Error("writing winning data keys again", "keys", len(recs), "err", err)
	}
}

// Ready is closed once the keyring has been restored from its topic.
func (k *Keyring) Ready() <-chan struct{} { return k.ready }

// apply folds records of the keys topic into the cache.
func (k *Keyring) apply(p int32, recs []*kgo.Record) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, r := range recs {
		k.next[r.Partition] = max(k.next[r.Partition], r.Offset+1)
		if !k.applyAck(p, r) {
			k.applyOne(r)
		}
	}
	k.signalAck()
	if len(k.rewrites) > 0 || len(k.retomb) > 0 {
		select {
		case k.rewrite <- struct{}{}:
		default:
		}
	}
	return nil
}

// applyOne folds one record into the cache; k.mu is held.
func (k *Keyring) applyOne(r *kgo.Record) {
	key := string(r.Key)
	if s, ok := strings.CutPrefix(key, erasedPrefix); ok {
		var e Erasure
		if r.Value == nil {
			delete(k.erased, s)
		} else if err := json.Unmarshal(r.Value, &e); err == nil {
			k.erased[s] = e
		}
		return
	}
	if r.Value == nil {
		delete(k.keys, key)
		delete(k.unreadable, key)
		k.gone[key] = r.Offset
		return
	}
	w, dek, err := k.unwrap(key, r.Value)
	if err != nil {
		// Fail closed: the record replaces what came before, and the
		// subject gets no fresh key (which would change its pseudonyms)
		// until its key can be read.
		delete(k.keys, key)
		k.unreadable[key] = err.Error()
		if k.restored {
			// While restoring, a later record (a re-wrap under a KEK held)
			// may replace this one: what is left is logged once restored.
			k.log.Error("unreadable key record", "partition", r.Partition, "offset", r.Offset, "err", err)
		}
		return
	}
	delete(k.unreadable, key)
	read := keyEntry{dek: dek, offset: r.Offset, origin: r.Offset, kek: w.KEK, version: w.Version}
	cur, ok := k.keys[key]
	if w.Of != nil {
		// A re-wrap: the same key under another KEK.
		read.origin = *w.Of
		switch {
		case ok && hmac.Equal(cur.dek, dek):
			read.origin = cur.origin
			k.keys[key] = read
		case ok:
			// The subject got another key since: that one stays.
			k.rewriteLocked(key, cur)
		case k.gone[key] > *w.Of:
			// Shredded after the record re-wrapped: it stays shredded,
			// and is tombstoned again so that compaction keeps that.
			if k.restored {
				k.retomb[key] = struct{}{}
			}
		default:
			k.keys[key] = read
		}
		return
	}
	switch {
	case !ok || w.Rotated || cur.offset < 0 && hmac.Equal(cur.dek, dek):
		k.keys[key] = read
	case hmac.Equal(cur.dek, dek):
		// The winner written again (perhaps under another KEK).
		read.origin = cur.origin
		k.keys[key] = read
	case cur.offset < 0:
		// Our own key lost a race with another instance's: adopt theirs.
		k.keys[key] = read
	default:
		// A later, different key: the earlier one wins; Run writes it
		// again so that compaction keeps it.
		k.rewriteLocked(key, cur)
	}
}

// rewriteLocked has Run write cur again as subject's key, once the keyring
// is restored (conflicts seen while restoring were resolved before); k.mu
// is held.
func (k *Keyring) rewriteLocked(subject string, cur keyEntry) {
	if !k.restored {
		return
	}
	if v, err := k.wrap(subject, cur.dek, false, nil); err == nil {
		k.rewrites[subject] = v
	}
}

// Key returns the data key of subject, creating and storing one if the
// subject has none. It reports false, with no key created, when the subject
// was erased at or after sentAt: the event is late and must be dropped.
func (k *Keyring) Key(ctx context.Context, subject string, sentAt time.Time) ([]byte, bool, error) {
	for {
		k.mu.Lock()
		if e, ok := k.erased[subject]; ok && !sentAt.After(e.At) {
			k.mu.Unlock()
			return nil, false, nil
		}
		if ke, ok := k.keys[subject]; ok {
			k.mu.Unlock()
			return ke.dek, true, nil
		}
		if why, ok := k.unreadable[subject]; ok {
			k.mu.Unlock()
			return nil, false, fmt.Errorf("the data key of subject %s is stored but unreadable (%s): add its key-encryption key to keys.previous_kek_files", subject, why)
		}
		if wait, ok := k.pending[subject]; ok {
			k.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, false, ctx.Err()
			}
		}
		done := make(chan struct{})
		k.pending[subject] = done
		k.mu.Unlock()
		dek, err := k.create(ctx, subject)
		k.mu.Lock()
		delete(k.pending, subject)
		if err == nil {
			if _, ok := k.keys[subject]; !ok {
				k.keys[subject] = keyEntry{dek: dek, offset: -1, origin: -1, kek: k.kekID, version: 2}
			}
		}
		k.mu.Unlock()
		close(done)
		if err != nil {
			return nil, false, err
		}
	}
}

// DataKey returns the data key of subject if it has one, without creating
// one: for re-rendering a record's pseudonyms, which must never give a subject
// a key it does not have (an erased subject has none).
func (k *Keyring) DataKey(subject string) ([]byte, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	ke, ok := k.keys[subject]
	return ke.dek, ok
}

// Erased reports the erasure marker of subject, if any.
func (k *Keyring) Erased(subject string) (Erasure, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e, ok := k.erased[subject]
	return e, ok
}

// create makes a key for subject and stores it, retrying transient produce
// errors until ctx is done.
func (k *Keyring) create(ctx context.Context, subject string) ([]byte, error) {
	dek := randomBytes(32)
	v, err := k.wrap(subject, dek, false, nil)
	if err != nil {
		return nil, err
	}
	rec := &kgo.Record{Topic: k.topic, Key: []byte(subject), Value: v}
	if err := k.produce(ctx, rec); err != nil {
		return nil, fmt.Errorf("storing data key: %w", err)
	}
	return dek, nil
}

// Replace gives subject a new data key (key rotation): pseudonyms made from
// now on differ from those made before.
func (k *Keyring) Replace(ctx context.Context, subject string) error {
	dek := randomBytes(32)
	v, err := k.wrap(subject, dek, true, nil)
	if err != nil {
		return err
	}
	k.mu.Lock()
	k.keys[subject] = keyEntry{dek: dek, offset: -1, origin: -1, kek: k.kekID, version: 2}
	k.mu.Unlock()
	return k.produce(ctx, &kgo.Record{Topic: k.topic, Key: []byte(subject), Value: v})
}

// Shred destroys subject's data key and records the erasure: a tombstone on
// the key and a marker that makes events sent up to at late. It returns
// where the marker landed, for Acknowledged.
func (k *Keyring) Shred(ctx context.Context, subject string, e Erasure) (Marker, error) {
	marker, _ := json.Marshal(e)
	k.mu.Lock()
	delete(k.keys, subject)
	k.erased[subject] = e
	k.mu.Unlock()
	m := &kgo.Record{Topic: k.topic, Key: []byte(erasedPrefix + subject), Value: marker}
	if err := k.produce(ctx, &kgo.Record{Topic: k.topic, Key: []byte(subject)}, m); err != nil {
		return Marker{}, err
	}
	return Marker{Partition: m.Partition, Offset: m.Offset}, nil
}

// Marker is where an erasure marker is on the keys topic.
type Marker struct {
	Partition int32
	Offset    int64
}

// produce writes recs and waits for them, retrying with backoff.
func (k *Keyring) produce(ctx context.Context, recs ...*kgo.Record) error {
	select {
	case <-k.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	k.mu.Lock()
	cl := k.cl
	k.mu.Unlock()
	return changelog.Produce(ctx, cl, changelog.ProduceBackoff(0), recs, func(failed []*kgo.Record, err error) {
		k.log.Warn("re-producing key records", "records", len(failed), "err", err)
	})
}

// wrap wraps dek as subject's key under the current KEK; of marks a
// re-wrap of the record at that offset.
func (k *Keyring) wrap(subject string, dek []byte, rotated bool, of *int64) ([]byte, error) {
	aead := k.aeads[k.kekID]
	nonce := randomBytes(aead.NonceSize())
	sealed := aead.Seal(nonce, nonce, dek, aad(k.kekID, subject))
	return json.Marshal(wrappedKey{Version: 2, KEK: k.kekID, Wrapped: base64.StdEncoding.EncodeToString(sealed),
		Created: time.Now().UTC(), Rotated: rotated, Of: of})
}

// unwrap decodes subject's key record v and unwraps its key with the KEK it
// names (version 1 records: with any KEK the keyring holds).
func (k *Keyring) unwrap(subject string, v []byte) (wrappedKey, []byte, error) {
	var w wrappedKey
	if err := json.Unmarshal(v, &w); err != nil {
		return w, nil, fmt.Errorf("decoding wrapped key: %w", err)
	}
	sealed, err := base64.StdEncoding.DecodeString(w.Wrapped)
	if err != nil || len(sealed) < 12 {
		return w, nil, errors.New("decoding wrapped key: bad encoding")
	}
	switch w.Version {
	case 1:
		for _, id := range k.order {
			aead := k.aeads[id]
			n := aead.NonceSize()
			if dek, err := aead.Open(nil, sealed[:n], sealed[n:], aadV1); err == nil {
				w.KEK = id
				return w, dek, nil
			}
		}
		return w, nil, errors.New("unwrapping version 1 key: none of the key-encryption keys opens it")
	case 2:
		aead, ok := k.aeads[w.KEK]
		if !ok {
			return w, nil, fmt.Errorf("wrapped with key-encryption key %q, which this keyring does not hold", w.KEK)
		}
		n := aead.NonceSize()
		dek, err := aead.Open(nil, sealed[:n], sealed[n:], aad(w.KEK, subject))
		if err != nil {
			return w, nil, fmt.Errorf("unwrapping key with key-encryption key %s: not this subject's key, or corrupt", w.KEK)
		}
		return w, dek, nil
	}
	return w, nil, fmt.Errorf("wrapped key version %d unknown", w.Version)
}

// RewrapResult counts what Rewrap did.
type RewrapResult struct {
	// Rewrapped is the number of keys written again under the current KEK.
	Rewrapped int
	// Current is the number of keys under the current KEK, in record
	// format v2, once the re-wraps were read back.
	Current int
	// Stale maps the KEK id of each key not under the current KEK (or still
	// version 1) afterwards to their number: keys another instance wrote
	// meanwhile with an old KEK. Run Rewrap again once every instance
	// writes with the current one.
	Stale map[string]int
	// Unreadable is the number of subjects whose key record opens with none
	// of the keyring's KEKs.
	Unreadable int
}

// Rewrap writes every data key the keyring holds that is not yet wrapped
// with the current KEK (in record format v2) again under it, with the same
// key, so that pseudonyms do not change, and waits until it has read them
// back. Running instances that hold the current KEK (as current or
// previous) keep reading every key throughout. A key shredded while Rewrap
// runs stays shredded (see wrappedKey.Of).
func (k *Keyring) Rewrap(ctx context.Context) (RewrapResult, error) {
	select {
	case <-k.ready:
	case <-ctx.Done():
		return RewrapResult{}, ctx.Err()
	}
	k.mu.Lock()
	var recs []*kgo.Record
	for subject, e := range k.keys {
		if e.offset < 0 || e.version == 2 && e.kek == k.kekID {
			continue
		}
		of := e.origin
		v, err := k.wrap(subject, e.dek, false, &of)
		if err != nil {
			k.mu.Unlock()
			return RewrapResult{}, err
		}
		recs = append(recs, &kgo.Record{Topic: k.topic, Key: []byte(subject), Value: v})
	}
	k.mu.Unlock()
	if err := k.produce(ctx, recs...); err != nil {
		return RewrapResult{}, fmt.Errorf("writing re-wrapped keys: %w", err)
	}
	var ends []int64 // offset after each partition's last re-wrap
	for _, r := range recs {
		for int(r.Partition) >= len(ends) {
			ends = append(ends, 0)
		}
		ends[r.Partition] = max(ends[r.Partition], r.Offset+1)
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !k.readTo(ends) {
		select {
		case <-tick.C:
		case <-ctx.Done():
			return RewrapResult{}, ctx.Err()
		}
	}
	res := RewrapResult{Rewrapped: len(recs), Stale: map[string]int{}}
	k.mu.Lock()
	defer k.mu.Unlock()
	res.Unreadable = len(k.unreadable)
	for _, e := range k.keys {
		switch {
		case e.version == 2 && e.kek == k.kekID:
			res.Current++
		case e.version == 1:
			res.Stale[e.kek+" (v1)"]++
		default:
			res.Stale[e.kek]++
		}
	}
	return res, nil
}

// readTo reports whether the keyring has applied every record before
// ends[p] of each partition p.
func (k *Keyring) readTo(ends []int64) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	for p, end := range ends {
		if end > 0 && k.next[int32(p)] < end {
			return false
		}
	}
	return true
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return b
}

// GiveKey gives the subject of customerID a fresh data key held only in
// memory, never stored on the topic: for benchmarks of the hot path, which
// pseudonymize without Kafka.
func (k *Keyring) GiveKey(customerID string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[k.SubjectID(customerID)] = keyEntry{dek: randomBytes(32), offset: -1, origin: -1, kek: k.kekID, version: 2}
}
