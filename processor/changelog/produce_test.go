package changelog_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/veil-privacy/veil/processor/changelog"
)

// TestProduce: records the broker refuses (with an error the client does
// not retry itself) are produced again, in their order, until all are on
// the topic; a budget that runs out returns the last error.
func TestProduce(t *testing.T) {
	tests := []struct {
		name     string
		failures int           // produce requests refused
		budget   time.Duration // of the backoff
		wantErr  bool
	}{
		{"no failure", 0, time.Minute, false},
		{"three refused", 3, time.Minute, false},
		{"refused past the budget", -1, 500 * time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := kfake.MustCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "t"))
			defer c.Close()
			var fault *kfake.FaultHandle
			if tt.failures != 0 {
				fault = c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.Produce}, Topic: "t", Err: kerr.InvalidRecord, Count: tt.failures})
			}
			cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			var recs []*kgo.Record
			for i := range 20 {
				recs = append(recs, &kgo.Record{Topic: "t", Key: []byte("k"), Value: fmt.Appendf(nil, "%02d", i)})
			}
			rounds := 0
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err = changelog.Produce(ctx, cl, changelog.ProduceBackoff(tt.budget), recs, func(failed []*kgo.Record, err error) { rounds++ })
			if (err != nil) != tt.wantErr {
				t.Fatalf("Produce = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if tt.failures > 0 && rounds == 0 {
				t.Errorf("no failed round reported, fault hits %d", fault.Hits())
			}
			got := consume(t, c.ListenAddrs(), "t", len(recs))
			for i, r := range got {
				if want := fmt.Sprintf("%02d", i); string(r.Value) != want {
					t.Fatalf("record %d = %s, want %s (order lost or duplicated)", i, r.Value, want)
				}
				// Every record given tells where it landed, retried or not.
				if recs[i].Offset != r.Offset || recs[i].Partition != r.Partition {
					t.Errorf("record %d: Produce set offset %d/%d, it is at %d/%d", i, recs[i].Partition, recs[i].Offset, r.Partition, r.Offset)
				}
			}
		})
	}
}

func consume(t *testing.T, brokers []string, topic string, n int) []*kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []*kgo.Record
	for len(out) < n && ctx.Err() == nil {
		out = append(out, cl.PollFetches(ctx).Records()...)
	}
	if len(out) != n {
		t.Fatalf("read %d records, want %d", len(out), n)
	}
	return out
}
