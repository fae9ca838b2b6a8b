package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor/keyring"
	"github.com/veil-privacy/veil/schemas"
)

// TestKeysRotate follows docs/security.md on kfake: Veil runs with its first
// KEK and no index key (as deployments did before the setting existed);
// it restarts with the derived index key, the new KEK current and the old
// one previous; 'veil keys rotate' runs while it processes events; it
// restarts with the new KEK alone. Every customer's pseudonym stays the
// same throughout, no key is left under the old KEK, and an erasure still
// completes and shreds the key.
func TestKeysRotate(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("VEIL_STATE_DIR", dir)
	oldKEK, newKEK, index := filepath.Join(dir, "kek-1.hex"), filepath.Join(dir, "kek-2.hex"), filepath.Join(dir, "index-key.hex")
	for _, args := range [][]string{{"--out", oldKEK}, {"--out", newKEK}, {"--index-key", "--from-kek", oldKEK, "--out", index}} {
		if err := runKeygen(context.Background(), args, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	broker := cluster.ListenAddrs()[0]
	admin := []kgo.Opt{kgo.SeedBrokers(broker)}
	cl, err := kgo.NewClient(admin...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	store := t.TempDir()
	configFor := func(env map[string]string) config {
		t.Helper()
		base := map[string]string{"VEIL_BROKERS": broker, "VEIL_STATE_DIR": dir, "VEIL_STORE_DIR": store}
		for k, v := range env {
			base[k] = v
		}
		c, err := loadConfig(examplePath, func(k string) string { return base[k] })
		if err != nil {
			t.Fatal(err)
		}
		return mustFinish(t, c)
	}

	customers := []string{"cust-k1", "cust-k2", "cust-k3", "cust-k4"}
	sent := 0
	// send produces n events per customer, stamped now.
	send := func(c config, n int) error {
		codec, err := schemas.NewCodec(c.Input.Format)
		if err != nil {
			return err
		}
		var recs []*kgo.Record
		for range n {
			for _, cust := range customers {
				sent++
				ev := schemas.ConversationEvent{EventID: fmt.Sprintf("ev-%04d", sent), ConversationID: "conv-" + cust,
					CustomerID: cust, Channel: "chat", Locale: "en-GB", AuthorRole: "customer", SentAt: time.Now().UTC(),
					Body: "please call me back"}
				v, err := codec.EncodeEvent(ev)
				if err != nil {
					return err
				}
				recs = append(recs, &kgo.Record{Topic: c.Topics.Raw, Key: []byte(ev.ConversationID), Value: v})
			}
		}
		return cl.ProduceSync(context.Background(), recs...).FirstErr()
	}
	mustSend := func(c config, n int) {
		t.Helper()
		if err := send(c, n); err != nil {
			t.Fatal(err)
		}
	}
	// pseudonyms reads the analytics view: the customer_id tokens of each
	// conversation, once n records are there.
	pseudonyms := func(c config, n int) map[string]map[string]bool {
		t.Helper()
		topic := ""
		for _, v := range c.Views {
			if v.Name == "analytics" {
				topic = v.Topic
			}
		}
		var out map[string]map[string]bool
		waitFor(t, fmt.Sprintf("%d analytics records", n), 60*time.Second, func() bool {
			recs, err := readAll(t, admin, topic)
			if err != nil {
				return false
			}
			out = map[string]map[string]bool{}
			got := 0
			for _, r := range recs {
				var ev map[string]any
				if r.Value == nil || json.Unmarshal(r.Value, &ev) != nil {
					continue
				}
				conv := fmt.Sprint(ev["conversation_id"])
				if out[conv] == nil {
					out[conv] = map[string]bool{}
				}
				out[conv][fmt.Sprint(ev["customer_id"])] = true
				got++
			}
			return got >= n
		})
		return out
	}

	// 1. The first KEK, no index key.
	c1 := configFor(map[string]string{"VEIL_KEK_FILE": oldKEK})
	v := startVeil(t, c1)
	mustSend(c1, 2)
	before := pseudonyms(c1, sent)
	v.stop(t)

	// 2. The index key derived from the first KEK, the new KEK current, the
	// old one previous; rotation while Veil processes events.
	rot := map[string]string{"VEIL_KEK_FILE": newKEK, "VEIL_PREVIOUS_KEK_FILES": oldKEK, "VEIL_INDEX_KEY_FILE": index}
	c2 := configFor(rot)
	v = startVeil(t, c2)
	mustSend(c2, 2)
	for k, val := range rot {
		t.Setenv(k, val)
	}
	t.Setenv("VEIL_BROKERS", broker)
	t.Setenv("VEIL_STORE_DIR", store)
	// Events keep coming while the rotation runs.
	stop, sending := make(chan struct{}), make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				sending <- nil
				return
			default:
			}
			if err := send(c2, 1); err != nil {
				sending <- err
				return
			}
		}
	}()
	var out bytes.Buffer
	err = runKeys(context.Background(), []string{"rotate", "--config", examplePath}, &out, io.Discard)
	close(stop)
	if serr := <-sending; serr != nil {
		t.Fatal(serr)
	}
	if err != nil {
		t.Fatalf("veil keys rotate: %v\n%s", err, out.String())
	}
	t.Logf("veil keys rotate, with %d events sent so far: %s", sent, strings.TrimSpace(out.String()))
	if !strings.Contains(out.String(), "no key is under a previous KEK") {
		t.Errorf("veil keys rotate said %q", out.String())
	}
	mustSend(c2, 2)
	pseudonyms(c2, sent)
	v.stop(t)

	// 3. The new KEK alone.
	c3 := configFor(map[string]string{"VEIL_KEK_FILE": newKEK, "VEIL_INDEX_KEY_FILE": index})
	startVeil(t, c3) // stopped when the test ends
	mustSend(c3, 2)
	after := pseudonyms(c3, sent)
	for _, cust := range customers {
		conv := "conv-" + cust
		if len(before[conv]) != 1 || len(after[conv]) != 1 {
			t.Errorf("%s: pseudonyms %v before the rotation, %v in all", cust, before[conv], after[conv])
		}
	}
	if len(after) != len(customers) {
		t.Errorf("%d conversations in the analytics view, want %d", len(after), len(customers))
	}

	// Every key is under the new KEK.
	keyRecs, err := readAll(t, admin, c3.Topics.Keys)
	if err != nil {
		t.Fatal(err)
	}
	last := map[string][]byte{}
	for _, r := range keyRecs {
		if !strings.HasPrefix(string(r.Key), "erased/") {
			last[string(r.Key)] = r.Value
		}
	}
	newID := keyring.KEKID(c3.Keys.KEK)
	for s, val := range last {
		var w struct {
			KEK string `json:"kek"`
		}
		if err := json.Unmarshal(val, &w); err != nil || w.KEK != newID {
			t.Errorf("key of %s: under KEK %q, want %s", s, w.KEK, newID)
		}
	}
	if len(last) != len(customers) {
		t.Errorf("%d keys, want %d", len(last), len(customers))
	}

	// Erasure still finds the customer and shreds its key.
	rc := eraseAndWait(t, admin, c3, "cust-k2", "rotate-erase-1")
	if rc.Status != "completed" || rc.Events != sent/len(customers) {
		t.Errorf("receipt %+v, want completed with %d events", rc, sent/len(customers))
	}
	kr, err := keyring.New(c3.Keys.KEK, c3.Topics.Keys, nil, keyring.IndexKey(c3.Keys.IndexKey))
	if err != nil {
		t.Fatal(err)
	}
	legacy, _ := keyring.New(c1.Keys.KEK, c1.Topics.Keys, nil)
	subject := kr.SubjectID("cust-k2")
	if rc.SubjectHash != subject || subject != legacy.SubjectID("cust-k2") {
		t.Errorf("subject %s in the receipt, %s now, %s before the rotation: want one id", rc.SubjectHash, subject, legacy.SubjectID("cust-k2"))
	}
	keyRecs, err = readAll(t, admin, c3.Topics.Keys)
	if err != nil {
		t.Fatal(err)
	}
	var shredded bool
	for _, r := range keyRecs {
		if string(r.Key) == subject {
			shredded = r.Value == nil
		}
	}
	if !shredded {
		t.Errorf("the key of cust-k2 (subject %s) was not tombstoned", subject)
	}
}

// TestRotationNeedsIndexKey: previous KEKs without an index key are
// refused, since subject ids would then change with the current KEK.
func TestRotationNeedsIndexKey(t *testing.T) {
	dir := t.TempDir()
	a, b, idx := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "i")
	for _, args := range [][]string{{"--out", a}, {"--out", b}, {"--index-key", "--out", idx}} {
		if err := runKeygen(context.Background(), args, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		give map[string]string
		want string // in the error; "" for none
	}{
		{map[string]string{"VEIL_KEK_FILE": b, "VEIL_PREVIOUS_KEK_FILES": a}, "keys.index_key_file"},
		{map[string]string{"VEIL_KEK_FILE": b, "VEIL_PREVIOUS_KEK_FILES": a, "VEIL_INDEX_KEY_FILE": idx}, ""},
		{map[string]string{"VEIL_KEK_FILE": b, "VEIL_PREVIOUS_KEK_FILES": filepath.Join(dir, "missing")}, "previous_kek_files"},
		{map[string]string{"VEIL_KEK_FILE": b, "VEIL_INDEX_KEY": "short"}, "index_key_file"},
	}
	for _, tt := range tests {
		c, err := loadConfig("", func(k string) string { return tt.give[k] })
		if err == nil {
			err = c.finish()
		}
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%v: %v, want an error naming %q", tt.give, err, tt.want)
		}
	}
}
