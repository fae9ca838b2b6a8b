package processor

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
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/rules"
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
	aead       cipher.AEAD
	subjectKey []byte
	topic      string
	log        *slog.Logger

	mu      sync.Mutex
	keys    map[string]keyEntry
	erased  map[string]Erasure
	pending map[string]chan struct{}
	cl      *kgo.Client
	ready   chan struct{}
}

type keyEntry struct {
	dek    []byte
	offset int64 // of the record it came from; -1 until read back
}

// Erasure is an erasure marker: the subject was erased at At by RequestID.
type Erasure struct {
	At        time.Time `json:"erased_at"`
	RequestID string    `json:"request_id"`
}

// wrappedKey is the value of a key record.
type wrappedKey struct {
	Version int       `json:"v"`
	Wrapped string    `json:"wrapped"` // base64(nonce | AES-GCM(dek))
	Created time.Time `json:"created_at"`
	// Rotated marks a key that replaces the subject's previous one on
	// purpose: it wins over earlier records instead of losing to them.
	Rotated bool `json:"rotated,omitempty"`
}

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
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("no key-encryption key: set keys.kek_file or VEIL_KEK")
	}
	if b, err := hex.DecodeString(raw); err == nil && len(b) == 32 {
		return b, nil
	}
	if b, err := base64.StdEncoding.DecodeString(raw); err == nil && len(b) == 32 {
		return b, nil
	}
	return nil, errors.New("key-encryption key must be 32 bytes, hex or base64 encoded")
}

// NewKEK returns a fresh random key-encryption key, hex encoded.
func NewKEK() string {
	return hex.EncodeToString(randomBytes(32))
}

// NewKeyring returns a keyring over topic with the key-encryption key kek.
// Call Run before using it.
func NewKeyring(kek []byte, topic string, log *slog.Logger) (*Keyring, error) {
	if len(kek) != 32 {
		return nil, errors.New("key-encryption key must be 32 bytes")
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("key-encryption key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("key-encryption key: %w", err)
	}
	m := hmac.New(sha256.New, kek)
	m.Write([]byte("veil subject id v1"))
	return &Keyring{
		aead: aead, subjectKey: m.Sum(nil), topic: topic, log: log,
		keys: map[string]keyEntry{}, erased: map[string]Erasure{}, pending: map[string]chan struct{}{},
		ready: make(chan struct{}),
	}, nil
}

// SubjectID returns the subject id of a customer id: a keyed hash, so that
// keys of compacted topics (which outlive their records as tombstones) never
// carry the raw id.
func (k *Keyring) SubjectID(customerID string) string {
	m := hmac.New(sha256.New, k.subjectKey)
	m.Write([]byte(customerID))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Run restores the keyring from its topic, then follows it until ctx is
// done. opts are the connection options; Ready is closed once restored.
func (k *Keyring) Run(ctx context.Context, opts []kgo.Opt) error {
	cl, err := kgo.NewClient(append(opts,
		kgo.ConsumeTopics(k.topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.RecordPartitioner(Partitioner()),
	)...)
	if err != nil {
		return fmt.Errorf("creating keyring client: %w", err)
	}
	defer cl.Close()
	// A topic created a moment ago may not be listable yet on every broker.
	var ends kadm.ListedOffsets
	bo := backoff.NewExponentialBackOff()
	bo.MaxElapsedTime = time.Minute
	err = backoff.Retry(func() error {
		var err error
		if ends, err = kadm.NewClient(cl).ListEndOffsets(ctx, k.topic); err == nil {
			err = ends.Error()
		}
		return err
	}, backoff.WithContext(bo, ctx))
	if err != nil {
		return fmt.Errorf("reading end offsets of %s: %w", k.topic, err)
	}
	want := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			want[o.Partition] = o.Offset
		}
	})
	k.mu.Lock()
	k.cl = cl
	k.mu.Unlock()
	restored := false
	if len(want) == 0 {
		restored = true
		close(k.ready)
	}
	for {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return nil
		}
		fetches.EachError(func(t string, p int32, err error) {
			k.log.Warn("keyring fetch error", "topic", t, "partition", p, "err", err)
		})
		fetches.EachRecord(func(r *kgo.Record) {
			k.apply(ctx, r, restored)
			if !restored && r.Offset+1 >= want[r.Partition] {
				delete(want, r.Partition)
			}
		})
		if !restored && len(want) == 0 {
			restored = true
			k.mu.Lock()
			n, e := len(k.keys), len(k.erased)
			k.mu.Unlock()
			k.log.Info("keyring restored", "keys", n, "erased", e)
			close(k.ready)
		}
	}
}

// Ready is closed once the keyring has been restored from its topic.
func (k *Keyring) Ready() <-chan struct{} { return k.ready }

// apply folds one record of the keys topic into the cache.
func (k *Keyring) apply(ctx context.Context, r *kgo.Record, live bool) {
	key := string(r.Key)
	k.mu.Lock()
	defer k.mu.Unlock()
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
		return
	}
	dek, rotated, err := k.unwrap(r.Value)
	if err != nil {
		k.log.Error("unreadable key record", "partition", r.Partition, "offset", r.Offset, "err", err)
		return
	}
	cur, ok := k.keys[key]
	switch {
	case !ok || rotated || cur.offset < 0 && hmac.Equal(cur.dek, dek):
		k.keys[key] = keyEntry{dek: dek, offset: r.Offset}
	case hmac.Equal(cur.dek, dek):
		// The winner written again: nothing changes.
	case cur.offset < 0:
		// Our own key lost a race with another instance's: adopt theirs.
		k.keys[key] = keyEntry{dek: dek, offset: r.Offset}
	default:
		// A later, different key: the earlier one wins; write it again so
		// that compaction keeps it.
		if live && k.cl != nil {
			if v, err := k.wrap(cur.dek, false); err == nil {
				k.cl.Produce(ctx, &kgo.Record{Topic: k.topic, Key: r.Key, Value: v}, nil)
			}
		}
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
				k.keys[subject] = keyEntry{dek: dek, offset: -1}
			}
		}
		k.mu.Unlock()
		close(done)
		if err != nil {
			return nil, false, err
		}
	}
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
	v, err := k.wrap(dek, false)
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
	v, err := k.wrap(dek, true)
	if err != nil {
		return err
	}
	k.mu.Lock()
	k.keys[subject] = keyEntry{dek: dek, offset: -1}
	k.mu.Unlock()
	return k.produce(ctx, &kgo.Record{Topic: k.topic, Key: []byte(subject), Value: v})
}

// Shred destroys subject's data key and records the erasure: a tombstone on
// the key and a marker that makes events sent up to at late.
func (k *Keyring) Shred(ctx context.Context, subject string, e Erasure) error {
	marker, _ := json.Marshal(e)
	k.mu.Lock()
	delete(k.keys, subject)
	k.erased[subject] = e
	k.mu.Unlock()
	return k.produce(ctx,
		&kgo.Record{Topic: k.topic, Key: []byte(subject)},
		&kgo.Record{Topic: k.topic, Key: []byte(erasedPrefix + subject), Value: marker},
	)
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
	bo := backoff.NewExponentialBackOff()
	bo.MaxElapsedTime = 0 // until ctx is done
	return backoff.Retry(func() error {
		return cl.ProduceSync(ctx, recs...).FirstErr()
	}, backoff.WithContext(bo, ctx))
}

func (k *Keyring) wrap(dek []byte, rotated bool) ([]byte, error) {
	nonce := randomBytes(k.aead.NonceSize())
	sealed := k.aead.Seal(nonce, nonce, dek, []byte("veil data key v1"))
	return json.Marshal(wrappedKey{Version: 1, Wrapped: base64.StdEncoding.EncodeToString(sealed), Created: time.Now().UTC(), Rotated: rotated})
}

func (k *Keyring) unwrap(v []byte) (dek []byte, rotated bool, err error) {
	var w wrappedKey
	if err := json.Unmarshal(v, &w); err != nil {
		return nil, false, fmt.Errorf("decoding wrapped key: %w", err)
	}
	sealed, err := base64.StdEncoding.DecodeString(w.Wrapped)
	if err != nil || len(sealed) < k.aead.NonceSize() {
		return nil, false, errors.New("decoding wrapped key: bad encoding")
	}
	n := k.aead.NonceSize()
	dek, err = k.aead.Open(nil, sealed[:n], sealed[n:], []byte("veil data key v1"))
	if err != nil {
		return nil, false, errors.New("unwrapping key: wrong key-encryption key or corrupt record")
	}
	return dek, w.Rotated, nil
}

// Token returns the pseudonym of a value of type t under a subject's data
// key: 12 hex digits of an HMAC, stable for the subject while its key exists.
// Values are normalised first (case, separators) so that notations of one
// value get one token. To make several tokens, use a Tokenizer.
func Token(dek []byte, t rules.Type, value string) string {
	return NewTokenizer(dek).Token(t, value)
}

// Tokenizer makes the pseudonyms of one subject, reusing one HMAC state.
// It is not safe for concurrent use.
type Tokenizer struct {
	mac hash.Hash
	sum []byte
}

// NewTokenizer returns a Tokenizer for the data key dek.
func NewTokenizer(dek []byte) *Tokenizer {
	return &Tokenizer{mac: hmac.New(sha256.New, dek), sum: make([]byte, 0, sha256.Size)}
}

// Token is the package-level Token under the tokenizer's key.
func (z *Tokenizer) Token(t rules.Type, value string) string {
	z.mac.Reset()
	z.mac.Write([]byte(t))
	z.mac.Write([]byte{0})
	z.mac.Write([]byte(normalize(t, value)))
	z.sum = z.mac.Sum(z.sum[:0])
	return hex.EncodeToString(z.sum[:rules.PseudonymLen/2])
}

func normalize(t rules.Type, v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	switch t {
	case rules.Email, rules.Person, rules.Address:
		return strings.Join(strings.Fields(v), " ")
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')', '/', '\t':
			return -1
		}
		return r
	}, v)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return b
}
