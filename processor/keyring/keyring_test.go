package keyring

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// run runs a keyring of topic on c until the test ends.
func run(t *testing.T, c *kfake.Cluster, kek []byte, topic string) *Keyring {
	t.Helper()
	k, err := New(kek, topic, quiet)
	if err != nil {
		t.Fatal(err)
	}
	return start(t, c, k)
}

// waitFor polls cond until it holds, failing the test after 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKeyringRaceWinnerWrittenAgain: when another instance stores a
// different key for a subject that already has one, the first key wins and
// is written again so that compaction keeps it, even if the broker refuses
// that write once. (The keyring used to send it once, ignoring the result,
// while holding its lock.)
func TestKeyringRaceWinnerWrittenAgain(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "keys"))
	defer c.Close()
	kek := bytes.Repeat([]byte{7}, 32)
	k := run(t, c, kek, "keys")
	ctx := context.Background()
	winner, ok, err := k.Key(ctx, "s1", time.Now())
	if err != nil || !ok {
		t.Fatalf("Key = %v, %v", ok, err)
	}
	waitFor(t, "the key read back", func() bool {
		k.mu.Lock()
		defer k.mu.Unlock()
		return k.keys["s1"].offset >= 0
	})

	// The write after the next one (the keyring's rewrite) is refused once.
	// (When may be asked more than once per request.)
	var first kmsg.Request
	fault := c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: "keys", Err: kerr.InvalidRecord,
		When: func(r kmsg.Request) bool {
			if first == nil {
				first = r
			}
			return r != first
		}})
	other, err := k.wrap("s1", randomBytes(32), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "keys", Key: []byte("s1"), Value: other}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the refused rewrite", func() bool { return fault.Hits() > 0 })
	adm := kadm.NewClient(cl)
	waitFor(t, "the winner written again", func() bool {
		ends, err := adm.ListEndOffsets(ctx, "keys")
		o, _ := ends.Lookup("keys", 0)
		return err == nil && o.Offset >= 3
	})
	// Compaction keeps the last record per key: it must be the winner.
	c.Compact()
	fresh := run(t, c, kek, "keys")
	got, ok, err := fresh.Key(ctx, "s1", time.Now())
	if err != nil || !ok || !bytes.Equal(got, winner) {
		t.Errorf("after compaction a restored keyring has another key for s1 (ok %v, err %v): the winner was not written again", ok, err)
	}
}

func TestIdentifierIndexKey(t *testing.T) {
	kek := bytes.Repeat([]byte{1}, 32)
	index := bytes.Repeat([]byte{2}, 32)
	derive := func(key []byte) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte("veil identifier index v1"))
		return m.Sum(nil)
	}
	legacy, err := New(kek, "veil.keys", quiet)
	if err != nil {
		t.Fatal(err)
	}
	withIndex, err := New(kek, "veil.keys", quiet, IndexKey(index))
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := New(bytes.Repeat([]byte{3}, 32), "veil.keys", quiet, IndexKey(index), Previous(kek))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want []byte
	}{
		{"no index key: derived from the KEK", legacy.IdentifierIndexKey(), derive(LegacyIndexKey(kek))},
		{"index key", withIndex.IdentifierIndexKey(), derive(index)},
		{"index key, KEK rotated", rotated.IdentifierIndexKey(), derive(index)},
	}
	for _, tt := range tests {
		if !bytes.Equal(tt.got, tt.want) || len(tt.got) != 32 {
			t.Errorf("%s: %x, want %x", tt.name, tt.got, tt.want)
		}
	}
	if bytes.Equal(legacy.IdentifierIndexKey(), LegacyIndexKey(kek)) {
		t.Error("the identifier index key is the subject index key")
	}
}
