package subjects

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/cockroachdb/pebble/v2"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Store is the local copy of the index partitions an instance owns, in
// Pebble: bounded memory whatever the index size. It is a cache of the index
// topic, rebuilt from it on every start, so it is written without a WAL and
// removed when closed.
//
// Keys: 'e' | partition (4 bytes, big endian) | "<subject>/<view key>" for
// index entries, 'd' | partition | "<subject>/<request id>" for completion
// records and 'g' | partition | "<subject>/<request id>" for progress
// records; values as on the topic. Identifier index entries, of the
// partitions of the identifier index topic the store follows, are kept apart:
// 'i' | partition | "<identifier id>/<view key>" (ApplyIdentifiers).
type Store struct {
	dir string
	db  *pebble.DB
}

// OpenStore makes a fresh store in a new directory under base.
func OpenStore(base string, cacheBytes int64, log *slog.Logger) (*Store, error) {
	if base == "" {
		base = os.TempDir()
	}
	if err := os.MkdirAll(base, 0o700); err != nil {
		return nil, fmt.Errorf("creating store directory: %w", err)
	}
	dir, err := os.MkdirTemp(base, "veil-erasure-*")
	if err != nil {
		return nil, fmt.Errorf("creating store directory: %w", err)
	}
	cache := pebble.NewCache(cacheBytes)
	defer cache.Unref()
	db, err := pebble.Open(dir, &pebble.Options{
		Cache:        cache,
		MemTableSize: 4 << 20,
		DisableWAL:   true,
		Logger:       pebbleLogger{log},
	})
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("opening store: %w", err)
	}
	return &Store{dir: dir, db: db}, nil
}

// Close closes the store and removes its directory.
func (s *Store) Close() error {
	err := s.db.Close()
	if rerr := os.RemoveAll(s.dir); err == nil {
		err = rerr
	}
	return err
}

func prefix(kind byte, p int32) []byte {
	b := make([]byte, 5, 64)
	b[0] = kind
	binary.BigEndian.PutUint32(b[1:], uint32(p))
	return b
}

// storeKey maps an index-topic key of partition p to its store key.
func storeKey(p int32, key []byte) []byte {
	for _, m := range []struct {
		marker string
		kind   byte
	}{{doneMarker, 'd'}, {progressMarker, 'g'}} {
		if s, rid, ok := strings.Cut(string(key), m.marker); ok {
			return append(append(append(prefix(m.kind, p), s...), '/'), rid...)
		}
	}
	return append(prefix('e', p), key...)
}

// Apply folds records of index partition p into the store: a value sets its
// key, a tombstone deletes it. Control records are skipped.
func (s *Store) Apply(p int32, recs []*kgo.Record) error {
	return s.apply(recs, func(key []byte) []byte { return storeKey(p, key) }, "store")
}

// ApplyIdentifiers folds records of identifier index partition p into the
// store, as Apply does for the subject index.
func (s *Store) ApplyIdentifiers(p int32, recs []*kgo.Record) error {
	return s.apply(recs, func(key []byte) []byte { return append(prefix('i', p), key...) }, "identifier store")
}

// apply writes recs to the store in one batch, each under keyOf its key;
// what names the store in errors.
func (s *Store) apply(recs []*kgo.Record, keyOf func([]byte) []byte, what string) error {
	b := s.db.NewBatch()
	defer b.Close()
	for _, r := range recs {
		if r.Attrs.IsControl() || len(r.Key) == 0 {
			continue
		}
		k := keyOf(r.Key)
		var err error
		if r.Value == nil {
			err = b.Delete(k, nil)
		} else {
			err = b.Set(k, r.Value, nil)
		}
		if err != nil {
			return fmt.Errorf("updating %s: %w", what, err)
		}
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		return fmt.Errorf("updating %s: %w", what, err)
	}
	return nil
}

// DropIdentifiers removes everything of identifier index partition p.
func (s *Store) DropIdentifiers(p int32) error {
	if err := s.db.DeleteRange(prefix('i', p), prefix('i', p+1), pebble.NoSync); err != nil {
		return fmt.Errorf("dropping identifier partition %d from store: %w", p, err)
	}
	return nil
}

// Identifiers calls fn with each entry of identifier id (an IdentifierID) in
// identifier index partition p, in key order, on a consistent snapshot.
// Entries that do not decode are skipped. fn may stop the iteration by
// returning ErrStop.
func (s *Store) Identifiers(p int32, id string, fn func(e IdentifierEntry) error) error {
	lower := append(append(prefix('i', p), id...), '/')
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upperBound(lower)})
	if err != nil {
		return fmt.Errorf("reading identifier store: %w", err)
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			return fmt.Errorf("reading identifier store: %w", err)
		}
		e, err := ParseIdentifierEntry(it.Key()[5:], v)
		if err != nil {
			continue
		}
		if err := fn(e); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return it.Error()
}

// Drop removes everything of partition p.
func (s *Store) Drop(p int32) error {
	for _, kind := range []byte{'e', 'd', 'g'} {
		if err := s.db.DeleteRange(prefix(kind, p), prefix(kind, p+1), pebble.NoSync); err != nil {
			return fmt.Errorf("dropping partition %d from store: %w", p, err)
		}
	}
	return nil
}

// Entries calls fn with the index key and entry of each index entry of partition p whose index key
// starts with keyPrefix ("" for all), in key order, on a consistent snapshot.
// fn may stop the iteration by returning ErrStop.
func (s *Store) Entries(p int32, keyPrefix string, fn func(key string, e Entry) error) error {
	lower := append(prefix('e', p), keyPrefix...)
	upper := upperBound(lower)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return fmt.Errorf("reading store: %w", err)
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			return fmt.Errorf("reading store: %w", err)
		}
		e, err := UnmarshalEntry(v)
		if err != nil {
			// Not ours to fix: skip it, it holds no key we could use.
			continue
		}
		if err := fn(string(it.Key()[len(lower)-len(keyPrefix):]), e); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return it.Error()
}

// ErrStop, returned by the function given to Entries, ends the iteration
// early without an error.
var ErrStop = errors.New("stop")

// Done returns the completion record of requestID for subject, if any.
func (s *Store) Done(p int32, subject, requestID string) (Done, bool, error) {
	var d Done
	ok, err := s.get(storeKey(p, []byte(DoneKey(subject, requestID))), &d)
	if err != nil {
		return Done{}, false, fmt.Errorf("reading completion record: %w", err)
	}
	return d, ok, nil
}

// Progress returns the progress record of requestID for subject, if any.
func (s *Store) Progress(p int32, subject, requestID string) (Progress, bool, error) {
	var g Progress
	ok, err := s.get(storeKey(p, []byte(ProgressKey(subject, requestID))), &g)
	if err != nil {
		return Progress{}, false, fmt.Errorf("reading progress record: %w", err)
	}
	return g, ok, nil
}

// Has reports whether partition p holds the index entry of key.
func (s *Store) Has(p int32, key string) (bool, error) {
	ok, err := s.get(storeKey(p, []byte(key)), nil)
	if err != nil {
		return false, fmt.Errorf("reading index entry: %w", err)
	}
	return ok, nil
}

// get reads the value of k into v (JSON; not decoded if v is nil) and
// reports whether k exists.
func (s *Store) get(k []byte, v any) (bool, error) {
	b, closer, err := s.db.Get(k)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer closer.Close()
	if v == nil {
		return true, nil
	}
	return true, json.Unmarshal(b, v)
}

// upperBound returns the smallest key greater than every key with prefix b.
func upperBound(b []byte) []byte {
	u := append([]byte(nil), b...)
	for i := len(u) - 1; i >= 0; i-- {
		if u[i] < 0xff {
			u[i]++
			return u[:i+1]
		}
	}
	return nil
}

// pebbleLogger passes Pebble's errors to the service log (they name files,
// never keys or values) and keeps its informational messages out.
type pebbleLogger struct{ log *slog.Logger }

func (pebbleLogger) Infof(string, ...any) {}
func (l pebbleLogger) Errorf(format string, args ...any) {
	l.log.Error("index store: " + fmt.Sprintf(format, args...))
}
func (l pebbleLogger) Fatalf(format string, args ...any) {
	msg := "index store: " + fmt.Sprintf(format, args...)
	l.log.Error(msg)
	panic(msg)
}
