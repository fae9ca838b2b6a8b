package changelog_test

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor/changelog"
)

// TestPartitionerMatchesKafka: on random keys of every length up to 64
// bytes, PartitionFor and Partitioner (by record key and by the key in the
// record's context) choose the partition that franz-go's default
// partitioner (Kafka's murmur2, as in the Java client) chooses.
func TestPartitionerMatchesKafka(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	kafka := kgo.StickyKeyPartitioner(nil).ForTopic("t")
	ours := changelog.Partitioner().ForTopic("t")
	byPrefix := changelog.ByKeyPrefix()
	for i := range 20_000 {
		key := make([]byte, i%65)
		for j := range key {
			key[j] = byte(rng.UintN(256))
		}
		n := 1 + rng.IntN(64)
		want := kafka.Partition(&kgo.Record{Key: key}, n)
		if got := changelog.PartitionFor(string(key), n); got != want {
			t.Fatalf("PartitionFor(%x, %d) = %d, franz-go %d", key, n, got, want)
		}
		if got := ours.Partition(&kgo.Record{Key: key}, n); got != want {
			t.Fatalf("Partitioner by key %x, %d partitions = %d, franz-go %d", key, n, got, want)
		}
		r := &kgo.Record{Key: []byte("other"), Context: changelog.WithPartitionKey(string(key))}
		if got := ours.Partition(r, n); got != want {
			t.Fatalf("Partitioner by context key %x, %d partitions = %d, franz-go %d", key, n, got, want)
		}
		if bytes.IndexByte(key, '/') < 0 {
			r := &kgo.Record{Key: append(append(slices.Clip(key), '/'), "c/e"...), Context: byPrefix}
			if got := ours.Partition(r, n); got != want {
				t.Fatalf("Partitioner by key prefix %x, %d partitions = %d, franz-go %d", key, n, got, want)
			}
		}
	}
}
