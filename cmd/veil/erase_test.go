package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/schemas"
)

func eraseCluster(t *testing.T) (string, *kgo.Client) {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	addr := c.ListenAddrs()[0]
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	if _, err := kadm.NewClient(cl).CreateTopics(context.Background(), 3, 1, nil, "erasure.requests", "erasure.receipts"); err != nil {
		t.Fatal(err)
	}
	return addr, cl
}

func TestRunEraseProduces(t *testing.T) {
	t.Setenv("VEIL_BROKERS", "")
	addr, cl := eraseCluster(t)
	var out, errb bytes.Buffer
	err := runErase(context.Background(), []string{"--brokers", addr, "--customer", "cust-42", "--request-id", "r1", "--reason", "TICKET-7"}, &out, &errb)
	if err != nil {
		t.Fatalf("runErase: %v (%s)", err, errb.String())
	}
	if got := strings.TrimSpace(out.String()); got != "r1" {
		t.Errorf("printed %q, want the request id", got)
	}
	if strings.Contains(out.String()+errb.String(), "cust-42") {
		t.Error("the customer id was printed")
	}
	rec := readOne(t, cl, "erasure.requests")
	codec, _ := schemas.NewCodec(schemas.FormatJSON)
	q, err := codec.DecodeErasureRequest(rec.Value)
	if err != nil {
		t.Fatal(err)
	}
	if string(rec.Key) != "cust-42" || q.RequestID != "r1" || q.CustomerID != "cust-42" || q.Reason != "TICKET-7" || q.RequestedAt.IsZero() {
		t.Errorf("request record key %q = %+v", rec.Key, q)
	}
	if want := int32(changelog.PartitionFor("cust-42", 3)); rec.Partition != want {
		t.Errorf("partition %d, want %d (murmur2 of the customer id)", rec.Partition, want)
	}

	// Without a request id, a random one is made.
	out.Reset()
	if err := runErase(context.Background(), []string{"--brokers", addr, "--customer", "c"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(out.String()); !strings.HasPrefix(got, "erase-") || len(got) != len("erase-")+24 {
		t.Errorf("generated request id %q", got)
	}
}

// TestRunEraseIdentifiers: --identifier TYPE=VALUE, repeated, puts the
// identifiers in the request, which is keyed by its request id when no
// customer is named; no value is printed; a type that is not indexed, or an
// argument without '=', is refused without quoting the value.
func TestRunEraseIdentifiers(t *testing.T) {
	t.Setenv("VEIL_BROKERS", "")
	addr, cl := eraseCluster(t)
	var out, errb bytes.Buffer
	err := runErase(context.Background(), []string{"--brokers", addr, "--request-id", "r9",
		"--identifier", "EMAIL_ADDRESS=anna@example.nl", "--identifier", "CREDIT_CARD=5555 5555 5555 4444"}, &out, &errb)
	if err != nil {
		t.Fatalf("runErase: %v (%s)", err, errb.String())
	}
	if strings.Contains(out.String()+errb.String(), "anna") || strings.Contains(out.String()+errb.String(), "5555") {
		t.Errorf("a value was printed: %q %q", out.String(), errb.String())
	}
	rec := readOne(t, cl, "erasure.requests")
	codec, _ := schemas.NewCodec(schemas.FormatJSON)
	q, err := codec.DecodeErasureRequest(rec.Value)
	if err != nil {
		t.Fatal(err)
	}
	want := []schemas.Identifier{{Type: "EMAIL_ADDRESS", Value: "anna@example.nl"}, {Type: "CREDIT_CARD", Value: "5555 5555 5555 4444"}}
	if string(rec.Key) != "r9" || q.CustomerID != "" || !reflect.DeepEqual(q.Identifiers, want) {
		t.Errorf("request record key %q = %+v, want key r9 and identifiers %v", rec.Key, q, want)
	}
	// A swapped VALUE=TYPE must not print the value either (it did: the
	// type was quoted), and a national phone number is refused.
	for _, bad := range []string{"PERSON=Anna Secret", "EMAIL_ADDRESS", "EMAIL_ADDRESS=", "Secret@example.nl=EMAIL_ADDRESS", "PHONE_NUMBER=06 Secret"} {
		errb.Reset()
		err := runErase(context.Background(), []string{"--brokers", addr, "--identifier", bad}, &out, &errb)
		if err == nil {
			t.Errorf("--identifier %q accepted", bad)
		}
		if strings.Contains(errb.String()+fmt.Sprint(err), "Secret") {
			t.Errorf("--identifier %q: the value was quoted: %v %s", bad, err, errb.String())
		}
	}
}

func TestRunEraseWait(t *testing.T) {
	t.Setenv("VEIL_BROKERS", "")
	addr, cl := eraseCluster(t)
	codec, _ := schemas.NewCodec(schemas.FormatJSON)
	receipt := func(id string, events int) *kgo.Record {
		v, err := codec.EncodeErasureReceipt(schemas.ErasureReceipt{RequestID: id, SubjectHash: "ab12", Reason: "request",
			Events: events, StartedAt: time.Unix(1, 0).UTC(), CompletedAt: time.Unix(2, 0).UTC(), Status: "completed"})
		if err != nil {
			t.Fatal(err)
		}
		return &kgo.Record{Topic: "erasure.receipts", Key: []byte(id), Value: v}
	}
	// An older receipt of the same id must not be taken for the new one.
	if err := cl.ProduceSync(context.Background(), receipt("r2", 1), receipt("other", 9)).FirstErr(); err != nil {
		t.Fatal(err)
	}

	// A stand-in for the erasure service answers every request.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	wg.Go(func() {
		rc, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics("erasure.requests"))
		if err != nil {
			t.Error(err)
			return
		}
		defer rc.Close()
		for ctx.Err() == nil {
			rc.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
				q, err := codec.DecodeErasureRequest(r.Value)
				if err == nil {
					rc.ProduceSync(ctx, receipt("other", 3), receipt(q.RequestID, 5))
				}
			})
		}
	})

	var out, errb bytes.Buffer
	err := runErase(context.Background(), []string{"--brokers", addr, "--customer", "c1", "--request-id", "r2", "--wait", "--timeout", "20s"}, &out, &errb)
	if err != nil {
		t.Fatalf("runErase --wait: %v (%s)", err, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || lines[0] != "r2" {
		t.Fatalf("output %q, want the id and the receipt", out.String())
	}
	got, err := codec.DecodeErasureReceipt([]byte(lines[1]))
	if err != nil || got.RequestID != "r2" || got.Events != 5 {
		t.Errorf("printed receipt %+v (%v), want the new receipt of r2", got, err)
	}
}

func TestRunEraseErrors(t *testing.T) {
	t.Setenv("VEIL_BROKERS", "")
	addr, _ := eraseCluster(t)
	var out, errb bytes.Buffer
	if err := runErase(context.Background(), []string{"--brokers", addr}, &out, &errb); !errors.Is(err, errUsage) {
		t.Errorf("no --customer: %v, want usage", err)
	}
	if err := runErase(context.Background(), []string{"--brokers", addr, "--customer", "c", "--format", "xml"}, &out, &errb); err == nil {
		t.Error("bad format accepted")
	}
	start := time.Now()
	err := runErase(context.Background(), []string{"--brokers", addr, "--customer", "c", "--wait", "--timeout", "1s"}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("no receipt: %v, want a timeout", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("timeout of 1s took %v", d)
	}
	if err := runErase(context.Background(), []string{"--brokers", addr, "--customer", "c", "--wait", "--receipts", "missing", "--timeout", "5s"}, &out, &errb); err == nil {
		t.Error("missing receipt topic accepted")
	}
}

func readOne(t *testing.T, cl *kgo.Client, topic string) *kgo.Record {
	t.Helper()
	rc, err := kgo.NewClient(kgo.SeedBrokers(cl.OptValue(kgo.SeedBrokers).([]string)...), kgo.ConsumeTopics(topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		recs := rc.PollFetches(ctx).Records()
		if len(recs) > 0 {
			return recs[0]
		}
		if ctx.Err() != nil {
			t.Fatalf("no record on %s", topic)
		}
	}
}

// TestRunEraseConfig: with --config, the request goes to the topic and in
// the format that the file's erasure section names. (They used to be
// ignored for the flags' defaults.)
func TestRunEraseConfig(t *testing.T) {
	t.Setenv("VEIL_BROKERS", "")
	addr, cl := eraseCluster(t)
	if _, err := kadm.NewClient(cl).CreateTopics(context.Background(), 3, 1, nil, "desk.requests", "desk.receipts"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "veil.yaml")
	yaml := "brokers: [" + addr + "]\nerasure:\n  format: avro\n  topics: {requests: desk.requests, receipts: desk.receipts}\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if err := runErase(context.Background(), []string{"--config", path, "--customer", "cust-7", "--request-id", "r7", "--timeout", "10s"}, &out, &errb); err != nil {
		t.Fatalf("runErase: %v (%s)", err, errb.String())
	}
	rec := readOne(t, cl, "desk.requests")
	codec, _ := schemas.NewCodec(schemas.FormatAvro)
	if q, err := codec.DecodeErasureRequest(rec.Value); err != nil || q.RequestID != "r7" {
		t.Errorf("request on desk.requests: %+v, %v; want request r7 in Avro", q, err)
	}
}
