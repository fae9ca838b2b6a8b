package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/schemas"
)

// TestSecuredKafka runs the shipped deployment path on Apache Kafka with
// SASL/SCRAM-SHA-512 and the ACLs applied by deploy/acls/apply-acls.sh:
// Veil as User:veil with deploy/veil.example.yaml, in both guarantees; each
// audience reads its view and is refused the others and raw; the privacy
// desk erases a customer with `veil erase --wait`; retention sweeps run.
//
// It needs a broker started by `deploy/kafka/kafka.sh start --sasl
// --scram-users FILE` and these variables (deploy/test-all.sh sets them):
// VEIL_TEST_SASL_BROKERS (the SASL listener), VEIL_TEST_ADMIN_BROKERS (the
// PLAINTEXT listener, a super user) and VEIL_TEST_SCRAM_USERS (FILE).
func TestSecuredKafka(t *testing.T) {
	saslBrokers, adminBrokers, usersFile := os.Getenv("VEIL_TEST_SASL_BROKERS"), os.Getenv("VEIL_TEST_ADMIN_BROKERS"), os.Getenv("VEIL_TEST_SCRAM_USERS")
	if saslBrokers == "" || adminBrokers == "" || usersFile == "" {
		t.Skip("needs Apache Kafka with SASL: VEIL_TEST_SASL_BROKERS, VEIL_TEST_ADMIN_BROKERS, VEIL_TEST_SCRAM_USERS (deploy/test-all.sh sets them)")
	}
	pw := readUsers(t, usersFile)
	for _, u := range []string{"veil", "analytics", "personalization", "support", "privacy-desk"} {
		if pw[u] == "" {
			t.Fatalf("%s has no user %s", usersFile, u)
		}
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "veil")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	admin := []kgo.Opt{kgo.SeedBrokers(adminBrokers)}
	as := func(user string) []kgo.Opt {
		return []kgo.Opt{kgo.SeedBrokers(saslBrokers), kgo.SASL(scram.Auth{User: user, Pass: pw[user]}.AsSha512Mechanism())}
	}

	// The privacy desk's config for `veil erase`.
	deskPass := filepath.Join(dir, "privacy-desk.password")
	deskCfg := filepath.Join(dir, "privacy-desk.yaml")
	writeFile(t, deskPass, pw["privacy-desk"])
	writeFile(t, deskCfg, fmt.Sprintf("brokers: [%s]\nsasl: {mechanism: SCRAM-SHA-512, username: privacy-desk, password_file: %s}\n", saslBrokers, deskPass))

	t.Setenv("VEIL_STATE_DIR", dir)
	if err := runKeygen(context.Background(), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VEIL_BROKERS", saslBrokers)
	t.Setenv("VEIL_SASL_MECHANISM", "SCRAM-SHA-512")
	t.Setenv("VEIL_SASL_USERNAME", "veil")
	t.Setenv("VEIL_SASL_PASSWORD", pw["veil"])
	t.Setenv("VEIL_STORE_DIR", dir)
	t.Setenv("VEIL_SWEEP_INTERVAL", "3s")

	adminCl, err := kgo.NewClient(append(admin, kgo.RecordPartitioner(changelog.Partitioner()))...)
	if err != nil {
		t.Fatal(err)
	}
	defer adminCl.Close()
	// Topics as deploy/topics.yaml specifies them (deploy/apply-topics.sh's
	// source; TestApplyTopicsDryRun checks that script reads the same).
	createTopics(t, adminCl, 3)

	phases := []struct {
		guarantee, customer string
	}{
		{processor.AtLeastOnce, "cust-s02"},
		{processor.ExactlyOnce, "cust-s05"},
	}
	for i, ph := range phases {
		t.Run(ph.guarantee, func(t *testing.T) {
			t.Setenv("VEIL_GUARANTEE", ph.guarantee)
			// The shipped script, with the ACLs `veil acls` derives for this
			// config (exactly_once adds the transactional id).
			script(t, bin, "../../deploy/acls/apply-acls.sh", "--config", examplePath, "--bootstrap", adminBrokers)

			c, err := loadConfig(examplePath, os.Getenv)
			if err != nil {
				t.Fatal(err)
			}
			c.AuthCheck.Interval = time.Second // the example checks every 30s
			v := startVeil(t, mustFinish(t, c))
			before := map[string]int{}
			for _, vw := range c.Views {
				recs, err := readAll(t, as(vw.Name), vw.Topic)
				if err != nil {
					t.Fatalf("User:%s reading %s: %v", vw.Name, vw.Topic, err)
				}
				before[vw.Name] = len(recs)
			}
			events := sampleEvents(t, c)
			if err := adminCl.ProduceSync(context.Background(), events...).FirstErr(); err != nil {
				t.Fatalf("producing to %s: %v", c.Topics.Raw, err)
			}
			// Events flow to every view.
			waitFor(t, "every event consumed", 120*time.Second, func() bool {
				return v.metrics(t)[`veil_events_in_total{topic="conversations.raw"}`] >= float64(len(events))
			})
			// ... every one rendered to every view, or dropped as a late event
			// of a customer erased before (the first phase's).
			for _, vw := range c.Views {
				waitFor(t, "events out on "+vw.Name, 60*time.Second, func() bool {
					m := v.metrics(t)
					return m[fmt.Sprintf(`veil_events_out_total{view=%q}`, vw.Name)]+m["veil_late_events_dropped_total"] >= float64(len(events))
				})
			}
			m := v.metrics(t)
			var figures []string
			figures = append(figures, fmt.Sprintf("events in %d, late events of erased customers dropped %d",
				int(m[`veil_events_in_total{topic="conversations.raw"}`]), int(m["veil_late_events_dropped_total"])))

			// Each audience reads its view; is refused the others, raw and Veil's state.
			for _, vw := range c.Views {
				recs, err := readAll(t, as(vw.Name), vw.Topic)
				if err != nil || len(recs) <= before[vw.Name] {
					t.Errorf("User:%s reading %s: %d records (had %d), %v", vw.Name, vw.Topic, len(recs), before[vw.Name], err)
				}
				refused := 0
				for _, other := range append([]string{c.Topics.Raw, c.Topics.Keys, c.Topics.Subjects, c.Topics.DLQ}, viewTopics(c, vw.Name)...) {
					if _, err := readAll(t, as(vw.Name), other); errors.Is(err, kerr.TopicAuthorizationFailed) {
						refused++
					} else {
						t.Errorf("User:%s reading %s: %v, want TOPIC_AUTHORIZATION_FAILED", vw.Name, other, err)
					}
				}
				figures = append(figures, fmt.Sprintf("view %s: events out %d, User:%s read %d new records (tombstones included), refused %d/%d other topics",
					vw.Name, int(m[fmt.Sprintf(`veil_events_out_total{view=%q}`, vw.Name)]), vw.Name, len(recs)-before[vw.Name], refused, 4+len(c.Views)-1))
			}
			// The privacy desk may not read conversations, nor write receipts.
			if _, err := readAll(t, as("privacy-desk"), c.Topics.Raw); !errors.Is(err, kerr.TopicAuthorizationFailed) {
				t.Errorf("User:privacy-desk reading raw: %v", err)
			}
			if err := produceAs(as("privacy-desk"), c.Erasure.Topics.Receipts); !errors.Is(err, kerr.TopicAuthorizationFailed) {
				t.Errorf("User:privacy-desk writing receipts: %v, want TOPIC_AUTHORIZATION_FAILED", err)
			}

			// The privacy desk erases a customer and gets the receipt.
			// (its own principal: the VEIL_SASL_* variables would override its file)
			t.Setenv("VEIL_SASL_USERNAME", "privacy-desk")
			t.Setenv("VEIL_SASL_PASSWORD", pw["privacy-desk"])
			var out, errb bytes.Buffer
			reqID := fmt.Sprintf("secured-%d-%d", i, time.Now().UnixNano())
			err = runErase(context.Background(), []string{"--config", deskCfg, "--customer", ph.customer, "--request-id", reqID, "--wait", "--timeout", "120s"}, &out, &errb)
			t.Setenv("VEIL_SASL_USERNAME", "veil")
			t.Setenv("VEIL_SASL_PASSWORD", pw["veil"])
			if err != nil {
				t.Fatalf("veil erase --wait: %v\n%s", err, errb.String())
			}
			var rc schemas.ErasureReceipt
			if err := json.Unmarshal(lastJSON(out.Bytes()), &rc); err != nil || rc.RequestID != reqID || rc.Status != "completed" {
				t.Fatalf("receipt %q: %+v %v", out.String(), rc, err)
			}
			if strings.Contains(out.String(), ph.customer) {
				t.Error("the receipt names the customer")
			}
			figures = append(figures, fmt.Sprintf("erasure receipt %s: events %d, tombstones %v", ph.customer, rc.Events, rc.Tombstones))

			// Retention sweeps run (the example's chat-nl rule keeps 90 days; the samples are older).
			waitFor(t, "a retention sweep with tombstones", 60*time.Second, func() bool {
				m := v.metrics(t)
				var retention float64
				for k, val := range m {
					if strings.HasPrefix(k, "veil_tombstones_total{") && strings.Contains(k, `reason="retention"`) {
						retention += val
					}
				}
				return m["veil_retention_sweeps_total"] >= 1 && retention > 0 && m[`veil_erasure_requests_total{outcome="completed"}`] >= 1
			})
			m = v.metrics(t)
			figures = append(figures, fmt.Sprintf("retention sweeps %d, erasure requests completed %d",
				int(m["veil_retention_sweeps_total"]), int(m[`veil_erasure_requests_total{outcome="completed"}`])))
			receipts, err := readAll(t, as("privacy-desk"), c.Erasure.Topics.Receipts)
			if err != nil {
				t.Fatalf("User:privacy-desk reading receipts: %v", err)
			}
			reasons := map[string]int{}
			codec, _ := schemas.NewCodec(schemas.FormatJSON)
			for _, r := range receipts {
				if rc, err := codec.DecodeErasureReceipt(r.Value); err == nil {
					reasons[rc.Reason]++
				}
			}
			if reasons["request"] == 0 || reasons["retention"] == 0 {
				t.Errorf("receipts by reason %v: want request and retention receipts", reasons)
			}
			figures = append(figures, fmt.Sprintf("receipts readable by User:privacy-desk: %v", reasons))

			// Remove one grant: the erasure service's group. Readiness and
			// veil_component_up show it; with the grant back, ready again.
			if ph.guarantee == processor.AtLeastOnce {
				adm := kadm.NewClient(adminCl)
				grant := kadm.NewACLs().Allow("User:veil").AllowHosts("*").Groups(erasureGroup(c)).
					Operations(kadm.OpRead).ResourcePatternType(kadm.ACLPatternLiteral)
				if res, err := adm.DeleteACLs(context.Background(), grant); err != nil || len(res) == 0 || res[0].Err != nil {
					t.Fatalf("removing the %s grant: %v %+v", erasureGroup(c), err, res)
				}
				waitFor(t, "/readyz to fail without the grant", 60*time.Second, func() bool { return v.get(t, "/readyz") == http.StatusServiceUnavailable })
				m := v.metrics(t)
				if m[`veil_component_up{component="erasure"}`] != 0 || m[`veil_component_up{component="processor"}`] != 1 {
					t.Errorf("veil_component_up erasure %v processor %v, want 0 and 1", m[`veil_component_up{component="erasure"}`], m[`veil_component_up{component="processor"}`])
				}
				l := v.logs.find("not authorized: component down")
				if l == nil || l["resource"] != "group "+erasureGroup(c) || l["principal"] != "User:veil" {
					t.Errorf("refusal log %v", l)
				}
				figures = append(figures, fmt.Sprintf("grant Read on group %s removed: /readyz 503, veil_component_up{component=\"erasure\"} %v, logged once: %v %v %v",
					erasureGroup(c), m[`veil_component_up{component="erasure"}`], l["principal"], l["operation"], l["resource"]))
				if _, err := adm.CreateACLs(context.Background(), grant); err != nil {
					t.Fatal(err)
				}
				waitFor(t, "/readyz with the grant back", 60*time.Second, func() bool { return v.get(t, "/readyz") == http.StatusOK })

				// Remove a grant the periodic check cannot see: Write on the
				// subject index, which Veil still describes (it reads it).
				// The processor hears the refusal when it writes the index
				// entry of a new event.
				write := kadm.NewACLs().Allow("User:veil").AllowHosts("*").Topics(c.Topics.Subjects).
					Operations(kadm.OpWrite).ResourcePatternType(kadm.ACLPatternLiteral)
				if res, err := adm.DeleteACLs(context.Background(), write); err != nil || len(res) == 0 || res[0].Err != nil {
					t.Fatalf("removing Write on %s: %v %+v", c.Topics.Subjects, err, res)
				}
				out := v.metrics(t)[`veil_events_out_total{view="support"}`]
				conv := []byte("conv-runtime-refusal")
				fresh := &kgo.Record{Topic: c.Topics.Raw, Key: conv, Value: bytes.ReplaceAll(events[0].Value, events[0].Key, conv)}
				if err := adminCl.ProduceSync(context.Background(), fresh).FirstErr(); err != nil {
					t.Fatal(err)
				}
				waitFor(t, "/readyz to fail without Write on the index", 90*time.Second, func() bool { return v.get(t, "/readyz") == http.StatusServiceUnavailable })
				m = v.metrics(t)
				if m[`veil_component_up{component="processor"}`] != 0 || m[`veil_component_up{component="erasure"}`] != 1 {
					t.Errorf("veil_component_up processor %v erasure %v, want 0 and 1", m[`veil_component_up{component="processor"}`], m[`veil_component_up{component="erasure"}`])
				}
				l = v.logs.findFunc(func(l map[string]any) bool {
					return l["msg"] == "not authorized: component down" && l["resource"] == "topic "+c.Topics.Subjects
				})
				if l == nil || l["principal"] != "User:veil" || l["operation"] != "Write" || l["component"] != "processor" {
					t.Errorf("refusal log %v", l)
				}
				figures = append(figures, fmt.Sprintf("grant Write on topic %s removed (not visible to the periodic check): /readyz 503, veil_component_up{component=\"processor\"} %v, logged once: %v %v %v",
					c.Topics.Subjects, m[`veil_component_up{component="processor"}`], l["principal"], l["operation"], l["resource"]))
				if _, err := adm.CreateACLs(context.Background(), write); err != nil {
					t.Fatal(err)
				}
				waitFor(t, "/readyz with Write back", 90*time.Second, func() bool { return v.get(t, "/readyz") == http.StatusOK })
				waitFor(t, "the new event out", 90*time.Second, func() bool { return v.metrics(t)[`veil_events_out_total{view="support"}`] > out })
			}
			v.stop(t)
			for _, f := range figures {
				t.Logf("figures (%s): %s", ph.guarantee, f)
			}
		})
	}

	// KEK rotation as User:veil under the shipped ACLs (docs/security.md):
	// a new KEK current, the old one previous, 'veil keys rotate'; then
	// Veil runs with the new KEK alone and reads every data key.
	t.Run("kek_rotation", func(t *testing.T) {
		oldKEK, newKEK := defaultKEKFile(os.Getenv), filepath.Join(dir, "kek-2.hex")
		if err := runKeygen(context.Background(), []string{"--out", newKEK}, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		// The subject ids must outlive the old KEK: first the index key
		// they are derived with, as docs/security.md says.
		indexKey := filepath.Join(dir, "index-key.hex")
		if err := runKeygen(context.Background(), []string{"--index-key", "--from-kek", oldKEK, "--out", indexKey}, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		t.Setenv("VEIL_INDEX_KEY_FILE", indexKey)
		t.Setenv("VEIL_KEK_FILE", newKEK)
		t.Setenv("VEIL_PREVIOUS_KEK_FILES", oldKEK)
		var out, errb bytes.Buffer
		if err := runKeysRotate(context.Background(), []string{"--config", examplePath, "--timeout", "2m"}, &out, &errb); err != nil {
			t.Fatalf("veil keys rotate: %v\n%s%s", err, out.String(), errb.String())
		}
		var rewrapped, current int
		if _, err := fmt.Sscanf(out.String(), "re-wrapped %d data keys under KEK", &rewrapped); err != nil || rewrapped == 0 {
			t.Fatalf("veil keys rotate printed %q: want some keys re-wrapped", out.String())
		}
		if i := strings.Index(out.String(), "; "); i < 0 {
			t.Fatalf("veil keys rotate printed %q", out.String())
		} else if _, err := fmt.Sscanf(out.String()[i+2:], "%d keys", &current); err != nil || current < rewrapped {
			t.Fatalf("veil keys rotate printed %q: want at least the re-wrapped keys under the new KEK", out.String())
		}
		t.Setenv("VEIL_PREVIOUS_KEK_FILES", "")
		c, err := loadConfig(examplePath, os.Getenv)
		if err != nil {
			t.Fatal(err)
		}
		v := startVeil(t, mustFinish(t, c))
		events := sampleEvents(t, c)
		in := v.metrics(t)[`veil_events_in_total{topic="conversations.raw"}`]
		if err := adminCl.ProduceSync(context.Background(), events...).FirstErr(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "events consumed with the new KEK alone", 120*time.Second, func() bool {
			return v.metrics(t)[`veil_events_in_total{topic="conversations.raw"}`] >= in+float64(len(events))
		})
		for _, vw := range c.Views {
			waitFor(t, "events out on "+vw.Name+" with the new KEK alone", 60*time.Second, func() bool {
				m := v.metrics(t)
				return m[fmt.Sprintf(`veil_events_out_total{view=%q}`, vw.Name)]+m["veil_late_events_dropped_total"] >= float64(len(events))
			})
		}
		for _, msg := range []string{"unreadable key record", "unreadable key records"} {
			if l := v.logs.find(msg); l != nil {
				t.Errorf("with the new KEK alone: %v", l)
			}
		}
		m := v.metrics(t)
		v.stop(t)
		t.Logf("figures (kek_rotation): re-wrapped %d data keys as User:veil, %d under the new KEK; with it alone: %d events in, out on support %d, 0 unreadable key records",
			rewrapped, current, int(m[`veil_events_in_total{topic="conversations.raw"}`]-in), int(m[`veil_events_out_total{view="support"}`]))
	})
}

func mustFinish(t *testing.T, c config) config {
	t.Helper()
	if err := c.finish(); err != nil {
		t.Fatal(err)
	}
	return c
}

// script runs a shipped shell script (with VEIL=bin when set).
func script(t *testing.T, bin, path string, args ...string) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{path}, args...)...)
	cmd.Env = append(os.Environ(), "REPLICATION_FACTOR=1", "PARTITIONS=3")
	if bin != "" {
		cmd.Env = append(cmd.Env, "VEIL="+bin)
	}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", path, err, out)
	}
	t.Logf("%s %s: %.1fs", filepath.Base(path), strings.Join(args, " "), time.Since(start).Seconds())
}

func readUsers(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, pw, ok := strings.Cut(strings.TrimSpace(sc.Text()), " "); ok {
			out[name] = strings.TrimSpace(pw)
		}
	}
	return out
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func produceAs(opts []kgo.Opt, topic string) error {
	cl, err := kgo.NewClient(append(opts, kgo.RecordRetries(1))...)
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return cl.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("{}")}).FirstErr()
}

// lastJSON returns the last line of b that starts with '{'.
func lastJSON(b []byte) []byte {
	var last []byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if l = bytes.TrimSpace(l); len(l) > 0 && l[0] == '{' {
			last = l
		}
	}
	return last
}
