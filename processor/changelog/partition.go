package changelog

import (
	"bytes"
	"context"

	"github.com/twmb/franz-go/pkg/kgo"
)

// partitionKeyCtx carries the partitioning key of an output record in its
// Context: view records are keyed "<conversation_id>/<event_id>" but
// partitioned by conversation_id alone, so one conversation stays in one
// partition and a tombstone lands where the record it deletes is.
type partitionKeyCtx struct{}

// WithPartitionKey returns a record Context that makes the Partitioner put
// the record in the partition of key.
func WithPartitionKey(key string) context.Context {
	return context.WithValue(context.Background(), partitionKeyCtx{}, key)
}

// keyPrefixCtx marks a record partitioned by its key up to the first '/'.
type keyPrefixCtx struct{}

// ByKeyPrefix returns a record Context that makes the Partitioner put the
// record in the partition of its key's first part, up to the first '/' (the
// identifier id of an identifier index entry), as PartitionFor of that part.
// Unlike WithPartitionKey it names no key, so one Context serves every such
// record and setting it allocates nothing.
func ByKeyPrefix() context.Context {
	return context.WithValue(context.Background(), keyPrefixCtx{}, true)
}

// Partitioner partitions records by the key set with WithPartitionKey, or
// by the key's first part for a record with ByKeyPrefix, or else by the record key, with Kafka's murmur2 so that a raw topic and a view
// topic of the same size put one conversation in the same partition number.
// Records without any key keep the partition they were given (or 0).
func Partitioner() kgo.Partitioner {
	return kgo.BasicConsistentPartitioner(func(string) func(*kgo.Record, int) int {
		return func(r *kgo.Record, n int) int {
			if r.Context != nil {
				if k, ok := r.Context.Value(partitionKeyCtx{}).(string); ok {
					return PartitionFor(k, n)
				}
				if r.Context.Value(keyPrefixCtx{}) != nil {
					k := r.Key
					if i := bytes.IndexByte(k, '/'); i >= 0 {
						k = k[:i]
					}
					return int(murmur2(k)&0x7fffffff) % n
				}
			}
			if r.Key == nil {
				return int(max(r.Partition, 0)) % n
			}
			return int(murmur2(r.Key)&0x7fffffff) % n
		}
	})
}

// PartitionFor returns the partition of key among n partitions, as Kafka's
// default partitioner computes it.
func PartitionFor(key string, n int) int {
	return int(murmur2([]byte(key))&0x7fffffff) % n
}

// murmur2 is Kafka's key hash (Utils.murmur2 in the Java client).
func murmur2(b []byte) uint32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
		r           = 24
	)
	h := seed ^ uint32(len(b))
	for ; len(b) >= 4; b = b[4:] {
		k := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	switch len(b) {
	case 3:
		h ^= uint32(b[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(b[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(b[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return h
}
