package erasure

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

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/schemas"
)

// doneMarker separates the subject from the request id in the key of a
// completion record on the index topic: "<subject>/!done/<request_id>".
const doneMarker = "/!done/"

// doneKey is the index-topic key of the completion record of a request.
func doneKey(subject, requestID string) string { return subject + doneMarker + requestID }

// done is the value of a completion record: the receipt that was published
// and the request record it answered.
type done struct {
	Receipt   schemas.ErasureReceipt `json:"receipt"`
	Partition int32                  `json:"partition"`
	Offset    int64                  `json:"offset"`
}

// store is the local copy of the index partitions an instance owns, in
// Pebble: bounded memory whatever the index size. It is a cache of the index
// topic, rebuilt from it on every start, so it is written without a WAL and
// removed when closed.
//
// Keys: 'e' | partition (4 bytes, big endian) | "<subject>/<view key>" for
// index entries, 'd' | partition | "<subject>/<request id>" for completion
// records; values as on the topic.
type store struct {
	dir string
	db  *pebble.DB
}

// openStore makes a fresh store in a new directory under base.
func openStore(base string, cacheBytes int64, log *slog.Logger) (*store, error) {
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
	return &store{dir: dir, db: db}, nil
}

// close closes the store and removes its directory.
func (s *store) close() error {
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
	if s, rid, ok := strings.Cut(string(key), doneMarker); ok {
		return append(append(append(prefix('d', p), s...), '/'), rid...)
	}
	return append(prefix('e', p), key...)
}

// apply folds records of index partition p into the store: a value sets its
// key, a tombstone deletes it. Control records are skipped.
func (s *store) apply(p int32, recs []*kgo.Record) error {
	b := s.db.NewBatch()
	defer b.Close()
	for _, r := range recs {
		if r.Attrs.IsControl() || len(r.Key) == 0 {
			continue
		}
		k := storeKey(p, r.Key)
		var err error
		if r.Value == nil {
			err = b.Delete(k, nil)
		} else {
			err = b.Set(k, r.Value, nil)
		}
		if err != nil {
			return fmt.Errorf("updating store: %w", err)
		}
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		return fmt.Errorf("updating store: %w", err)
	}
	return nil
}

// drop removes everything of partition p.
func (s *store) drop(p int32) error {
	for _, kind := range []byte{'e', 'd'} {
		if err := s.db.DeleteRange(prefix(kind, p), prefix(kind, p+1), pebble.NoSync); err != nil {
			return fmt.Errorf("dropping partition %d from store: %w", p, err)
		}
	}
	return nil
}

// entries calls fn with the index key and entry of each index entry of partition p whose index key
// starts with keyPrefix ("" for all), in key order, on a consistent snapshot.
// fn may stop the iteration by returning errStop.
func (s *store) entries(p int32, keyPrefix string, fn func(key string, e processor.IndexEntry) error) error {
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
		e, err := processor.UnmarshalIndexEntry(v)
		if err != nil {
			// Not ours to fix: skip it, it holds no key we could use.
			continue
		}
		if err := fn(string(it.Key()[len(lower)-len(keyPrefix):]), e); err != nil {
			if errors.Is(err, errStop) {
				return nil
			}
			return err
		}
	}
	return it.Error()
}

var errStop = errors.New("stop")

// done returns the completion record of requestID for subject, if any.
func (s *store) done(p int32, subject, requestID string) (done, bool, error) {
	v, closer, err := s.db.Get(storeKey(p, []byte(doneKey(subject, requestID))))
	if errors.Is(err, pebble.ErrNotFound) {
		return done{}, false, nil
	}
	if err != nil {
		return done{}, false, fmt.Errorf("reading store: %w", err)
	}
	defer closer.Close()
	var d done
	if err := json.Unmarshal(v, &d); err != nil {
		return done{}, false, fmt.Errorf("decoding completion record: %w", err)
	}
	return d, true, nil
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
