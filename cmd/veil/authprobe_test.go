package main

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/veil-privacy/veil/processor/changelog"
)

// startWithACLs runs Veil (the example config, User:veil over SCRAM) on
// kfake with the ACLs veilACLs derives and the check every 200ms, and
// returns its config, Veil, and an admin client.
func startWithACLs(t *testing.T) (config, *veilRun, *kgo.Client, *kadm.Client) {
	t.Helper()
	const pw = "probe-test-password"
	c, err := loadConfig(examplePath, func(k string) string {
		return map[string]string{"VEIL_SASL_MECHANISM": "SCRAM-SHA-512", "VEIL_SASL_USERNAME": "veil", "VEIL_SASL_PASSWORD": pw,
			"VEIL_STORE_DIR": t.TempDir(), "VEIL_KEK": testKEK}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	acls, err := veilACLs(c, aclPrincipals{})
	if err != nil {
		t.Fatal(err)
	}
	cluster, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.EnableSASL(), kfake.EnableACLs(),
		kfake.Superuser("SCRAM-SHA-512", "admin", "admin-pw")}, kfakeACLs(t, acls, pw)...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	c.Brokers = cluster.ListenAddrs()
	c.AuthCheck.Interval = 200 * time.Millisecond
	t.Setenv("VEIL_KEK", testKEK)
	v := startVeil(t, mustFinish(t, c))
	admin, err := kgo.NewClient(kgo.SeedBrokers(c.Brokers...), kgo.SASL(scram.Auth{User: "admin", Pass: "admin-pw"}.AsSha512Mechanism()),
		kgo.RecordPartitioner(changelog.Partitioner()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(admin.Close)
	return c, v, admin, kadm.NewClient(admin)
}

// TestReadinessFollowsGrants: with every derived ACL Veil is ready; with the
// erasure service's group grant removed /readyz fails,
// veil_component_up{component="erasure"} is 0 (the processor's stays 1) and
// the refusal is logged once with principal, resource and operation; with
// the grant back Veil is ready again.
func TestReadinessFollowsGrants(t *testing.T) {
	_, v, _, adm := startWithACLs(t)
	grant := kadm.NewACLs().Allow("User:veil").AllowHosts("*").Groups("veil-erasure").Operations(kadm.OpRead).ResourcePatternType(kadm.ACLPatternLiteral)
	if _, err := adm.DeleteACLs(context.Background(), grant); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "/readyz to fail", 30*time.Second, func() bool { return v.get(t, "/readyz") == http.StatusServiceUnavailable })
	m := v.metrics(t)
	if m[`veil_component_up{component="erasure"}`] != 0 || m[`veil_component_up{component="processor"}`] != 1 || m[`veil_component_up{component="keyring"}`] != 1 {
		t.Errorf("veil_component_up: erasure %v processor %v keyring %v, want 0 1 1", m[`veil_component_up{component="erasure"}`],
			m[`veil_component_up{component="processor"}`], m[`veil_component_up{component="keyring"}`])
	}
	l := v.logs.find("not authorized: component down")
	if l == nil || l["principal"] != "User:veil" || l["resource"] != "group veil-erasure" || l["component"] != "erasure" || l["operation"] == "" {
		t.Errorf("refusal log %v", l)
	}
	// Once, however many checks see it.
	checks := v.metrics(t)["veil_auth_checks_total"]
	waitFor(t, "three more checks", 30*time.Second, func() bool { return v.metrics(t)["veil_auth_checks_total"] >= checks+3 })
	if n := v.logs.count("not authorized: component down"); n != 1 {
		t.Errorf("refusal logged %d times, want once", n)
	}

	if _, err := adm.CreateACLs(context.Background(), grant); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "/readyz again", 30*time.Second, func() bool { return v.get(t, "/readyz") == http.StatusOK })
	if v.metrics(t)[`veil_component_up{component="erasure"}`] != 1 {
		t.Error("veil_component_up{component=erasure} stayed 0 with the grant back")
	}
}

// TestReadinessFollowsRuntimeRefusals: a refusal the periodic check cannot
// see (Write on veil.subjects, which Veil may still describe: it reads the
// index too) is heard from the processor's own client when it writes an
// index entry: /readyz fails, veil_component_up{component="processor"} is 0
// (the others stay 1), and the refusal is logged once with principal,
// resource and operation however often the processor retries. With the
// grant back the retried write succeeds and Veil is ready again.
func TestReadinessFollowsRuntimeRefusals(t *testing.T) {
	c, v, admin, adm := startWithACLs(t)
	grant := kadm.NewACLs().Allow("User:veil").AllowHosts("*").Topics(c.Topics.Subjects).Operations(kadm.OpWrite).ResourcePatternType(kadm.ACLPatternLiteral)
	if _, err := adm.DeleteACLs(context.Background(), grant); err != nil {
		t.Fatal(err)
	}
	events := sampleEvents(t, c)
	if err := admin.ProduceSync(context.Background(), events...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "/readyz to fail", 60*time.Second, func() bool { return v.get(t, "/readyz") == http.StatusServiceUnavailable })
	m := v.metrics(t)
	for comp, want := range map[string]float64{"processor": 0, "erasure": 1, "keyring": 1, "retention": 1} {
		if got := m[`veil_component_up{component="`+comp+`"}`]; got != want {
			t.Errorf("veil_component_up{component=%q} = %v, want %v", comp, got, want)
		}
	}
	refusal := func(l map[string]any) bool {
		return l["msg"] == "not authorized: component down" && l["resource"] == "topic "+c.Topics.Subjects
	}
	l := v.logs.findFunc(refusal)
	if l == nil || l["principal"] != "User:veil" || l["component"] != "processor" || l["operation"] != "Write" {
		t.Errorf("refusal log %v", l)
	}
	// Once, however often the processor retries.
	waitFor(t, "retries", 30*time.Second, func() bool { return v.metrics(t)["veil_produce_retries_total"] >= 3 })
	if n := v.logs.countFunc(refusal); n != 1 {
		t.Errorf("refusal logged %d times, want once", n)
	}

	if _, err := adm.CreateACLs(context.Background(), grant); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "/readyz again", 60*time.Second, func() bool { return v.get(t, "/readyz") == http.StatusOK })
	m = v.metrics(t)
	if m[`veil_component_up{component="processor"}`] != 1 {
		t.Error("veil_component_up{component=processor} stayed 0 with the grant back")
	}
	waitFor(t, "every event out", 60*time.Second, func() bool {
		return v.metrics(t)[`veil_events_out_total{view="support"}`] >= float64(len(events))
	})
}

// TestAuthHooks: a refused record counts against the component whose data
// it is (veil.keys is the keyring's), a refused group against the client's
// component; success on the same resource allows it again.
func TestAuthHooks(t *testing.T) {
	c := defaultConfig()
	c.Brokers = []string{"127.0.0.1:1"}
	p, err := newAuthProbe(c, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	defer p.cl.Close()
	h := authHooks{p: p, component: "processor", group: c.Group, groupTopic: c.Topics.Raw, keys: c.Topics.Keys}
	up := func(comp string) float64 {
		var m dto.Metric
		if err := p.up.WithLabelValues(comp).Write(&m); err != nil {
			t.Fatal(err)
		}
		return m.GetGauge().GetValue()
	}
	steps := []struct {
		name string
		do   func()
		want map[string]float64 // veil_component_up by component
	}{
		{"a key refused", func() { h.OnProduceRecordUnbuffered(&kgo.Record{Topic: c.Topics.Keys}, kerr.TopicAuthorizationFailed) },
			map[string]float64{"keyring": 0, "processor": 1}},
		{"a view refused", func() {
			h.OnProduceRecordUnbuffered(&kgo.Record{Topic: "conversations.support"}, kerr.TopicAuthorizationFailed)
		},
			map[string]float64{"keyring": 0, "processor": 0}},
		{"another error", func() { h.OnProduceRecordUnbuffered(&kgo.Record{Topic: c.Topics.Keys}, kerr.RequestTimedOut) },
			map[string]float64{"keyring": 0, "processor": 0}},
		{"a key taken", func() { h.OnProduceRecordUnbuffered(&kgo.Record{Topic: c.Topics.Keys}, nil) },
			map[string]float64{"keyring": 1, "processor": 0}},
		{"a view taken", func() { h.OnProduceRecordUnbuffered(&kgo.Record{Topic: "conversations.support"}, nil) },
			map[string]float64{"keyring": 1, "processor": 1}},
		{"the group refused", func() { h.OnGroupManageError(kerr.GroupAuthorizationFailed) },
			map[string]float64{"processor": 0}},
		{"a fetch of another topic", func() { h.OnFetchBatchRead(kgo.BrokerMetadata{}, c.Topics.Keys, 0, kgo.FetchBatchMetrics{}) },
			map[string]float64{"processor": 0}},
		{"a fetch in the group", func() { h.OnFetchBatchRead(kgo.BrokerMetadata{}, c.Topics.Raw, 0, kgo.FetchBatchMetrics{}) },
			map[string]float64{"processor": 1}},
	}
	for _, st := range steps {
		st.do()
		for comp, want := range st.want {
			if got := up(comp); got != want {
				t.Errorf("after %s: veil_component_up{component=%q} = %v, want %v", st.name, comp, got, want)
			}
		}
		if ready := p.ok(); ready != (up("keyring") == 1 && up("processor") == 1) {
			t.Errorf("after %s: ok() = %v", st.name, ready)
		}
	}
}
