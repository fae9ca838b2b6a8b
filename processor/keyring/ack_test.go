package keyring

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// TestAckWaitsForBatchesInFlight: a processor's keyring acknowledges a
// shred made by another instance only once every batch that began before it
// applied the shred is done, and a new member id acknowledges the shreds
// applied before it joined.
func TestAckWaitsForBatchesInFlight(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "keys"))
	defer c.Close()
	kek := make([]byte, 32)
	proc := run(t, c, kek, "keys")
	eraser := run(t, c, kek, "keys")
	ctx := context.Background()

	proc.SetMember("m1")
	inFlight := proc.BeginRender() // rendering, shred not yet known
	subject := eraser.SubjectID("cust-1")
	mk, err := eraser.Shred(ctx, subject, Erasure{At: time.Now(), RequestID: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the processor to apply the shred", func() bool { _, ok := proc.Erased(subject); return ok })
	later := proc.BeginRender() // began after the shred: sees it
	later.Done()
	if missing, _ := eraser.Acknowledged([]string{"m1"}, mk.Partition, mk.Offset); len(missing) != 1 {
		t.Fatalf("acknowledged while a batch that began before the shred is in flight")
	}
	inFlight.Done()
	waitFor(t, "m1's acknowledgement", func() bool {
		missing, _ := eraser.Acknowledged([]string{"m1"}, mk.Partition, mk.Offset)
		return len(missing) == 0
	})

	// A member that joins later acknowledges what it applied before, and
	// deletes the acknowledgement of its earlier member id.
	proc.SetMember("m2")
	waitFor(t, "m2's acknowledgement", func() bool {
		missing, _ := eraser.Acknowledged([]string{"m2"}, mk.Partition, mk.Offset)
		return len(missing) == 0
	})
	if missing, _ := eraser.Acknowledged([]string{"m1"}, mk.Partition, mk.Offset); len(missing) != 1 {
		t.Errorf("m1's acknowledgement was not deleted")
	}
	// A later shred is not acknowledged by the earlier acknowledgement.
	mk2, err := eraser.Shred(ctx, eraser.SubjectID("cust-2"), Erasure{At: time.Now(), RequestID: "r2"})
	if err != nil {
		t.Fatal(err)
	}
	if mk2.Partition == mk.Partition && mk2.Offset <= mk.Offset {
		t.Fatalf("second marker at %+v, not after the first at %+v", mk2, mk)
	}
	waitFor(t, "m2's acknowledgement of the second shred", func() bool {
		missing, _ := eraser.Acknowledged([]string{"m2"}, mk2.Partition, mk2.Offset)
		return len(missing) == 0
	})
}
