package keyring

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

var (
	kekA = bytes.Repeat([]byte{7}, 32)
	kekB = bytes.Repeat([]byte{9}, 32)
)

// runWith runs a keyring with opts on c until the test ends.
func runWith(t *testing.T, c *kfake.Cluster, kek []byte, opts ...Option) *Keyring {
	t.Helper()
	k, err := New(kek, "keys", quiet, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return start(t, c, k)
}

// start runs k on c until the test ends and waits until it is restored.
func start(t *testing.T, c *kfake.Cluster, k *Keyring) *Keyring {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- k.Run(ctx, []kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	select {
	case <-k.Ready():
	case err := <-done:
		t.Fatalf("Run ended before the keyring was restored: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("keyring not restored within 30s")
	}
	return k
}

// keyRecords reads the keys topic: the last record of each key, and all
// records in order.
func keyRecords(t *testing.T, c *kfake.Cluster) (last map[string]*kgo.Record, all []*kgo.Record) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics("keys"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ends := endOffsets(t, c)
	last = map[string]*kgo.Record{}
	for seen := map[int32]int64{}; ; {
		done := true
		for p, e := range ends {
			done = done && seen[p] >= e
		}
		if done {
			return last, all
		}
		fs := cl.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			t.Fatal(err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			last[string(r.Key)] = r
			all = append(all, r)
			seen[r.Partition] = r.Offset + 1
		})
	}
}

func endOffsets(t *testing.T, c *kfake.Cluster) map[int32]int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	lo, err := kadm.NewClient(cl).ListEndOffsets(context.Background(), "keys")
	if err == nil {
		err = lo.Error()
	}
	if err != nil {
		t.Fatal(err)
	}
	ends := map[int32]int64{}
	lo.Each(func(o kadm.ListedOffset) { ends[o.Partition] = o.Offset })
	return ends
}

func produce(t *testing.T, c *kfake.Cluster, recs ...*kgo.Record) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.DefaultProduceTopic("keys"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// TestWrappedKeyBoundToSubject: a wrapped key copied into another subject's
// record does not unwrap there, and that subject gets no key (not even a
// fresh one) while its record is unreadable. (The additional data used to
// be a constant: the copy gave the other subject the first one's key.)
func TestWrappedKeyBoundToSubject(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "keys"))
	defer c.Close()
	k := run(t, c, kekA, "keys")
	ctx := context.Background()
	dek, _, err := k.Key(ctx, "s1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	last, _ := keyRecords(t, c)
	produce(t, c, &kgo.Record{Key: []byte("s2"), Value: last["s1"].Value})

	fresh := run(t, c, kekA, "keys")
	got, ok, err := fresh.Key(ctx, "s2", time.Now())
	if bytes.Equal(got, dek) {
		t.Fatal("s2 unwrapped s1's key from a copied record")
	}
	if err == nil || ok {
		t.Errorf("Key(s2) = %v, %v; want an error (its record does not unwrap)", ok, err)
	}
	if again, _, err := fresh.Key(ctx, "s1", time.Now()); err != nil || !bytes.Equal(again, dek) {
		t.Errorf("Key(s1) after restore = %v; want s1's key", err)
	}
}

// TestKeyRecordNamesKEK: every wrapped key names its KEK by an id that is
// not the KEK, and is version 2.
func TestKeyRecordNamesKEK(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "keys"))
	defer c.Close()
	k := run(t, c, kekA, "keys")
	for _, s := range []string{"s1", "s2"} {
		if _, _, err := k.Key(context.Background(), s, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.Replace(context.Background(), "s1"); err != nil {
		t.Fatal(err)
	}
	_, all := keyRecords(t, c)
	if len(all) != 3 {
		t.Fatalf("%d key records, want 3", len(all))
	}
	for _, r := range all {
		var w map[string]any
		if err := json.Unmarshal(r.Value, &w); err != nil {
			t.Fatal(err)
		}
		if w["kek"] != KEKID(kekA) || w["v"] != float64(2) {
			t.Errorf("record %s: kek %v v %v, want %s v2", r.Key, w["kek"], w["v"], KEKID(kekA))
		}
		if v := string(r.Value); strings.Contains(v, hex.EncodeToString(kekA)) || strings.Contains(v, base64.StdEncoding.EncodeToString(kekA)) {
			t.Errorf("record %s holds the KEK", r.Key)
		}
	}
	if KEKID(kekA) == KEKID(kekB) || len(KEKID(kekA)) != 16 {
		t.Errorf("KEK ids %q, %q: want 16 hex digits, one per KEK", KEKID(kekA), KEKID(kekB))
	}
}

// TestSubjectIDsSurviveRotation: subject ids come from the index key, not
// the current KEK; without an index key they are what they always were
// (a keyed hash of the KEK), and setting LegacyIndexKey keeps them when the
// KEK changes.
func TestSubjectIDsSurviveRotation(t *testing.T) {
	idx := bytes.Repeat([]byte{3}, 32)
	mk := func(kek []byte, opts ...Option) *Keyring {
		k, err := New(kek, "keys", quiet, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	tests := []struct {
		name       string
		give, want *Keyring
	}{
		{"index key", mk(kekA, IndexKey(idx)), mk(kekB, Previous(kekA), IndexKey(idx))},
		{"legacy ids kept", mk(kekA), mk(kekB, Previous(kekA), IndexKey(LegacyIndexKey(kekA)))},
	}
	for _, tt := range tests {
		if got, want := tt.give.SubjectID("cust-1"), tt.want.SubjectID("cust-1"); got != want {
			t.Errorf("%s: subject id %s before the rotation, %s after", tt.name, got, want)
		}
	}
	// The id existing deployments have (computed by the keyring before the
	// index key existed).
	if got := mk(kekA).SubjectID("cust-1"); got != "81ec025ea55130abfa93fb20c8130ce4" {
		t.Errorf("legacy subject id %s changed", got)
	}
	if mk(kekA, IndexKey(idx)).SubjectID("cust-1") == mk(kekA).SubjectID("cust-1") {
		t.Error("the index key does not change subject ids")
	}
}

// v1Record is a key record as written before record format v2.
func v1Record(t *testing.T, kek, dek []byte) []byte {
	t.Helper()
	block, _ := aes.NewCipher(kek)
	aead, _ := cipher.NewGCM(block)
	nonce := randomBytes(aead.NonceSize())
	sealed := aead.Seal(nonce, nonce, dek, []byte("veil data key v1"))
	v, _ := json.Marshal(map[string]any{"v": 1, "wrapped": base64.StdEncoding.EncodeToString(sealed), "created_at": time.Now().UTC()})
	return v
}

// TestRewrap: keys under an old KEK (v2, and v1 records of before) are
// re-wrapped under the new one with the same data keys, while an instance
// that holds both KEKs keeps its keys; afterwards, compacted, the new KEK
// alone reads every key.
func TestRewrap(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "keys"))
	defer c.Close()
	ctx := context.Background()
	old := runWith(t, c, kekA)
	want := map[string][]byte{}
	for i := range 20 {
		s := fmt.Sprintf("s%02d", i)
		dek, _, err := old.Key(ctx, s, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		want[s] = dek
	}
	legacy := randomBytes(32)
	produce(t, c, &kgo.Record{Key: []byte("v1"), Value: v1Record(t, kekA, legacy)})
	want["v1"] = legacy

	running := runWith(t, c, kekB, Previous(kekA)) // an instance already on the new KEK
	check := func(k *Keyring, when string) {
		t.Helper()
		for s, dek := range want {
			got, ok, err := k.Key(ctx, s, time.Now())
			if err != nil || !ok || !bytes.Equal(got, dek) {
				t.Errorf("%s: key of %s changed (ok %v, err %v)", when, s, ok, err)
			}
		}
	}
	check(running, "before the rotation")
	rot := runWith(t, c, kekB, Previous(kekA))
	res, err := rot.Rewrap(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rewrapped != 21 || res.Current != 21 || len(res.Stale) != 0 {
		t.Errorf("Rewrap = %+v, want 21 re-wrapped, 21 current, none stale", res)
	}
	waitFor(t, "the running instance reading the re-wraps", func() bool {
		running.mu.Lock()
		defer running.mu.Unlock()
		for s := range want {
			if running.keys[s].kek != KEKID(kekB) {
				return false
			}
		}
		return true
	})
	check(running, "after the rotation")
	if again, err := rot.Rewrap(ctx); err != nil || again.Rewrapped != 0 {
		t.Errorf("second Rewrap = %+v, %v; want nothing to do", again, err)
	}

	c.Compact()
	check(runWith(t, c, kekB), "the new KEK alone, compacted")
	// The old KEK alone reads nothing any more: it can be destroyed.
	gone := runWith(t, c, kekA)
	if _, _, err := gone.Key(ctx, "s00", time.Now()); err == nil {
		t.Error("the old KEK still reads a re-wrapped key")
	}
}

// TestRewrapKeepsShreddedKeys: a re-wrap of a key that was shredded after
// the rotation read it (the race of a rotation with an erasure) brings
// nothing back: running instances ignore it, one of them tombstones the key
// again, and after compaction a restored keyring has no key.
func TestRewrapKeepsShreddedKeys(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "keys"))
	defer c.Close()
	ctx := context.Background()
	k := runWith(t, c, kekB, Previous(kekA))
	dek, _, err := k.Key(ctx, "s1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the key read back", func() bool {
		k.mu.Lock()
		defer k.mu.Unlock()
		return k.keys["s1"].offset >= 0
	})
	k.mu.Lock()
	origin := k.keys["s1"].origin
	k.mu.Unlock()
	if _, err := k.Shred(ctx, "s1", Erasure{At: time.Now(), RequestID: "r1"}); err != nil {
		t.Fatal(err)
	}
	late, err := k.wrap("s1", dek, false, &origin) // what a rotation that read s1 before the shred writes
	if err != nil {
		t.Fatal(err)
	}
	produce(t, c, &kgo.Record{Key: []byte("s1"), Value: late})
	waitFor(t, "s1 tombstoned again", func() bool {
		last, _ := keyRecords(t, c)
		// key 0, tombstone 1, marker 2, the late re-wrap 3: a tombstone after it.
		return last["s1"] != nil && last["s1"].Value == nil && last["s1"].Offset > 3
	})
	k.mu.Lock()
	_, has := k.keys["s1"]
	k.mu.Unlock()
	if has {
		t.Error("the running keyring took back a shredded key")
	}
	c.Compact()
	fresh := runWith(t, c, kekB)
	fresh.mu.Lock()
	_, has = fresh.keys["s1"]
	fresh.mu.Unlock()
	if has {
		t.Error("after compaction a restored keyring has the shredded key")
	}
}

// TestUnknownKEK: a key wrapped with a KEK the keyring does not hold is
// refused, not replaced by a fresh key (which would change pseudonyms).
func TestUnknownKEK(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "keys"))
	defer c.Close()
	ctx := context.Background()
	if _, _, err := runWith(t, c, kekA).Key(ctx, "s1", time.Now()); err != nil {
		t.Fatal(err)
	}
	_, _, err := runWith(t, c, kekB).Key(ctx, "s1", time.Now())
	if err == nil || !strings.Contains(err.Error(), "previous_kek_files") {
		t.Errorf("Key under an unknown KEK: %v, want a refusal naming keys.previous_kek_files", err)
	}
}
