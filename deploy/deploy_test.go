// Package deploy holds deployment artefacts (scripts, manifests, dashboards); its tests check that they parse
// and agree with each other: ports, topic names, metric names, compaction bounds.
package deploy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// metrics are the metric names Veil exports (plus Prometheus' own `up`).
var metrics = []string{
	"veil_events_in_total",
	"veil_events_out_total",
	"veil_dlq_events_total",
	"veil_findings_total",
	"veil_processing_seconds",
	"veil_commit_lag_records",
	"veil_produce_errors_total",
	"veil_erasure_requests_total",
	"veil_tombstones_total",
	"veil_erasure_seconds",
	"veil_late_events_dropped_total",
	"veil_build_info",
	"veil_component_up",
	"veil_canary_events_total",
	"veil_canary_checks_total",
	"veil_canary_leaks_total",
	"veil_canary_latency_seconds",
}

var viewTopics = []string{"conversations.analytics", "conversations.personalization", "conversations.support"}

// readYAML unmarshals the single YAML document in path.
func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if m == nil {
		t.Fatalf("%s: empty document", path)
	}
	return m
}

// readYAMLDocs returns every document in path.
func readYAMLDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var docs []map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var m map[string]any
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: document %d: %v", path, len(docs)+1, err)
		}
		if m != nil {
			docs = append(docs, m)
		}
	}
	return docs
}

// get walks m along keys (map keys or list indexes as strings).
func get(m any, keys ...string) any {
	for _, k := range keys {
		switch v := m.(type) {
		case map[string]any:
			m = v[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(v) {
				return nil
			}
			m = v[i]
		default:
			return nil
		}
	}
	return m
}

func str(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// addrPort returns the port of an address like ":9464", "0.0.0.0:9464" or "veil:9464".
func addrPort(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("address %q: %v", addr, err)
	}
	return port
}

func TestAllYAMLParses(t *testing.T) {
	var n int
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || (filepath.Ext(path) != ".yaml" && filepath.Ext(path) != ".yml") {
			return nil
		}
		n++
		if docs := readYAMLDocs(t, path); len(docs) == 0 {
			t.Errorf("%s: no YAML documents", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	readYAML(t, "../docker-compose.yml")
	if n < 10 {
		t.Errorf("found only %d YAML files under deploy/", n)
	}
}

func TestCompose(t *testing.T) {
	c := readYAML(t, "../docker-compose.yml")
	services, _ := c["services"].(map[string]any)
	for _, name := range []string{"kafka", "kafka-init", "veil", "prometheus"} {
		if services[name] == nil {
			t.Errorf("docker-compose.yml: service %q missing", name)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	if img := str(get(services, "kafka", "image")); !strings.HasPrefix(img, "apache/kafka:4.") {
		t.Errorf("kafka image = %q, want apache/kafka:4.x", img)
	}
	kenv := get(services, "kafka", "environment")
	if roles := str(get(kenv, "KAFKA_PROCESS_ROLES")); roles != "broker,controller" {
		t.Errorf("kafka: KAFKA_PROCESS_ROLES = %q, want a combined KRaft node", roles)
	}
	if str(get(kenv, "KAFKA_AUTO_CREATE_TOPICS_ENABLE")) != "false" {
		t.Error("kafka: topics must not be auto-created")
	}
	// Veil reaches the broker on a listener advertised with the service name.
	veilEnv := get(services, "veil", "environment")
	brokers := str(get(veilEnv, "VEIL_BROKERS"))
	if !strings.Contains(str(get(kenv, "KAFKA_ADVERTISED_LISTENERS")), "://"+brokers) {
		t.Errorf("veil: VEIL_BROKERS %q is not an advertised listener of kafka (%s)", brokers, str(get(kenv, "KAFKA_ADVERTISED_LISTENERS")))
	}

	deps, ok := get(services, "veil", "depends_on").(map[string]any)
	if !ok || deps["kafka"] == nil {
		t.Errorf("veil must depend on kafka (depends_on map), got %v", get(services, "veil", "depends_on"))
	}
	if cond := str(get(deps, "kafka-init", "condition")); cond != "service_completed_successfully" {
		t.Errorf("veil depends on kafka-init with condition %q, want service_completed_successfully", cond)
	}
	if cond := str(get(services, "kafka-init", "depends_on", "kafka", "condition")); cond != "service_healthy" {
		t.Errorf("kafka-init depends on kafka with condition %q, want service_healthy", cond)
	}
	if get(services, "kafka", "healthcheck", "test") == nil {
		t.Error("kafka: healthcheck missing (kafka-init waits for service_healthy)")
	}
	if df := str(get(services, "veil", "build", "dockerfile")); df != "deploy/docker/Dockerfile" {
		t.Errorf("veil build dockerfile = %q", df)
	} else if _, err := os.Stat(filepath.Join("..", df)); err != nil {
		t.Error(err)
	}

	// The HTTP port Veil listens on is published and is what Prometheus scrapes.
	port := addrPort(t, str(get(veilEnv, "VEIL_HTTP_ADDR")))
	var published bool
	for _, p := range get(services, "veil", "ports").([]any) {
		if strings.HasSuffix(str(p), ":"+port) {
			published = true
		}
	}
	if !published {
		t.Errorf("veil: http port %s not in ports %v", port, get(services, "veil", "ports"))
	}
	prom := readYAML(t, "prometheus/prometheus.yml")
	var target string
	for _, job := range get(prom, "scrape_configs").([]any) {
		if str(get(job, "job_name")) == "veil" {
			target = str(get(job, "static_configs", "0", "targets", "0"))
		}
	}
	if want := "veil:" + port; target != want {
		t.Errorf("prometheus veil target = %q, want %q", target, want)
	}

	// Every bind-mounted host path exists, and the mounts of prometheus match its config.
	for name, svc := range services {
		vols, _ := get(svc, "volumes").([]any)
		for _, v := range vols {
			src, dst, _ := strings.Cut(str(v), ":")
			if !strings.HasPrefix(src, "./") {
				continue
			}
			if _, err := os.Stat(filepath.Join("..", src)); err != nil {
				t.Errorf("%s: volume source %s: %v", name, src, err)
			}
			if name == "prometheus" && strings.HasSuffix(dst, "veil-rules.yml:ro") {
				if rf := str(get(prom, "rule_files", "0")); rf+":ro" != dst {
					t.Errorf("prometheus rule_files %q is not the mounted path %q", rf, dst)
				}
			}
		}
	}
}

// topicSpec is one entry of topics.yaml with the defaults applied.
type topicSpec struct {
	name       string
	partitions int
	rf         int
	configs    map[string]string
}

func loadTopics(t *testing.T) map[string]topicSpec {
	t.Helper()
	m := readYAML(t, "topics.yaml")
	defCfg, _ := get(m, "defaults", "configs").(map[string]any)
	defRF, _ := get(m, "defaults", "replication_factor").(int)
	topics := map[string]topicSpec{}
	for i, raw := range get(m, "topics").([]any) {
		tm, ok := raw.(map[string]any)
		if !ok {
			t.Fatalf("topics[%d] is not a map", i)
		}
		for k := range tm {
			if !slices.Contains([]string{"name", "partitions", "replication_factor", "configs"}, k) {
				t.Errorf("topics[%d]: unknown key %q (apply-topics.sh would ignore it)", i, k)
			}
		}
		s := topicSpec{name: str(tm["name"]), configs: map[string]string{}, rf: defRF}
		s.partitions, _ = tm["partitions"].(int)
		if rf, ok := tm["replication_factor"].(int); ok {
			s.rf = rf
		}
		for k, v := range defCfg {
			s.configs[k] = v.(string)
		}
		cfg, _ := tm["configs"].(map[string]any)
		for k, v := range cfg {
			sv, ok := v.(string)
			if !ok {
				t.Errorf("%s: config %s = %v: quote values so YAML keeps them as strings", s.name, k, v)
			}
			s.configs[k] = sv
		}
		if s.name == "" || s.partitions <= 0 || s.rf <= 0 {
			t.Errorf("topics[%d]: name, partitions and replication factor are required: %+v", i, s)
		}
		if _, dup := topics[s.name]; dup {
			t.Errorf("topic %s listed twice", s.name)
		}
		topics[s.name] = s
	}
	return topics
}

func ms(t *testing.T, topic, key, v string) time.Duration {
	t.Helper()
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatalf("%s: %s = %q: %v", topic, key, v, err)
	}
	return time.Duration(n) * time.Millisecond
}

func TestTopics(t *testing.T) {
	topics := loadTopics(t)
	const day = 24 * time.Hour
	want := map[string]string{
		"conversations.raw": "delete",
		"conversations.dlq": "delete",
		"erasure.requests":  "delete",
		"erasure.receipts":  "delete",
		"veil.subjects":     "compact",
		"veil.identifiers":  "compact",
		"veil.keys":         "compact",
		viewTopics[0]:       "compact",
		viewTopics[1]:       "compact",
		viewTopics[2]:       "compact",
	}
	for name, policy := range want {
		s, ok := topics[name]
		if !ok {
			t.Errorf("topics.yaml: %s missing", name)
			continue
		}
		if got := s.configs["cleanup.policy"]; got != policy {
			t.Errorf("%s: cleanup.policy = %q, want %q", name, got, policy)
		}
	}
	for name, s := range topics {
		if _, ok := want[name]; !ok {
			t.Errorf("topics.yaml: unexpected topic %s (add it to this test and to the ACLs)", name)
		}
		if s.configs["min.insync.replicas"] == "" || s.configs["unclean.leader.election.enable"] != "false" {
			t.Errorf("%s: needs min.insync.replicas and unclean.leader.election.enable=false", name)
		}
		switch s.configs["cleanup.policy"] {
		case "compact":
			// The erasure bound: a cap on compaction lag, a segment roll below it, a bounded tombstone life.
			for _, k := range []string{"min.compaction.lag.ms", "max.compaction.lag.ms", "delete.retention.ms", "segment.ms"} {
				if s.configs[k] == "" {
					t.Errorf("%s: %s must be set (time-to-erasure bound)", name, k)
				}
			}
			if t.Failed() {
				continue
			}
			maxLag := ms(t, name, "max.compaction.lag.ms", s.configs["max.compaction.lag.ms"])
			minLag := ms(t, name, "min.compaction.lag.ms", s.configs["min.compaction.lag.ms"])
			seg := ms(t, name, "segment.ms", s.configs["segment.ms"])
			del := ms(t, name, "delete.retention.ms", s.configs["delete.retention.ms"])
			if maxLag > 7*day {
				t.Errorf("%s: max.compaction.lag.ms %v > 7 d", name, maxLag)
			}
			if minLag > maxLag {
				t.Errorf("%s: min.compaction.lag.ms %v > max.compaction.lag.ms %v", name, minLag, maxLag)
			}
			if seg >= maxLag {
				t.Errorf("%s: segment.ms %v must be below max.compaction.lag.ms %v (the active segment is never compacted)", name, seg, maxLag)
			}
			if maxLag+del > 14*day {
				t.Errorf("%s: max.compaction.lag.ms + delete.retention.ms = %v, want <= 14 d", name, maxLag+del)
			}
		case "delete":
			if s.configs["retention.ms"] == "" {
				t.Errorf("%s: retention.ms must be set", name)
			}
		}
	}
	if raw, ok := topics["conversations.raw"]; ok {
		if r := ms(t, raw.name, "retention.ms", raw.configs["retention.ms"]); r > 3*day {
			t.Errorf("conversations.raw: retention %v > 3 d", r)
		}
	}
	// The instance owning erasure.requests partition p restores veil.subjects partition p.
	if a, b := topics["erasure.requests"], topics["veil.subjects"]; a.partitions != b.partitions {
		t.Errorf("erasure.requests (%d partitions) and veil.subjects (%d) must be co-partitioned", a.partitions, b.partitions)
	}
}

// TestApplyTopicsDryRun checks that the shell/awk reader of apply-topics.sh sees exactly what YAML says.
func TestApplyTopicsDryRun(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not available")
	}
	topics := loadTopics(t)
	cmd := exec.Command("bash", "apply-topics.sh", "--dry-run")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("apply-topics.sh --dry-run: %v\n%s", err, stderr.String())
	}
	seen := map[string]bool{}
	create := regexp.MustCompile(`--create --if-not-exists --topic (\S+) --partitions (\d+) --replication-factor (\d+)(.*)$`)
	for _, line := range strings.Split(stderr.String(), "\n") {
		m := create.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name := m[1]
		seen[name] = true
		s, ok := topics[name]
		if !ok {
			t.Errorf("apply-topics.sh creates %s, which is not in topics.yaml", name)
			continue
		}
		if m[2] != strconv.Itoa(s.partitions) || m[3] != strconv.Itoa(s.rf) {
			t.Errorf("%s: script partitions/rf = %s/%s, yaml %d/%d", name, m[2], m[3], s.partitions, s.rf)
		}
		got := map[string]string{}
		for _, f := range strings.Fields(m[4]) {
			if f == "--config" {
				continue
			}
			k, v, _ := strings.Cut(f, "=")
			got[k] = v
		}
		for k, v := range s.configs {
			if got[k] != v {
				t.Errorf("%s: script sets %s=%q, yaml says %q", name, k, got[k], v)
			}
		}
		if len(got) != len(s.configs) {
			t.Errorf("%s: script sets %d configs, yaml has %d: %v", name, len(got), len(s.configs), got)
		}
	}
	for name := range topics {
		if !seen[name] {
			t.Errorf("apply-topics.sh does not create %s", name)
		}
	}
}

// TestACLsComeFromTheConfig: apply-acls.sh applies what `veil acls` derives from Veil's config and names no
// topic, group or principal itself, so it cannot drift from the config (cmd/veil/acls_test.go tests the ACLs).
func TestACLsComeFromTheConfig(t *testing.T) {
	b, err := os.ReadFile("acls/apply-acls.sh")
	if err != nil {
		t.Fatal(err)
	}
	script := string(b)
	if !strings.Contains(script, "veil acls --config \"$CONFIG\" --format args") {
		t.Error("apply-acls.sh does not take its ACLs from `veil acls --format args`")
	}
	var code []string
	for _, l := range strings.Split(script, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			code = append(code, l)
		}
	}
	for name := range loadTopics(t) {
		if strings.Contains(strings.Join(code, "\n"), name) {
			t.Errorf("apply-acls.sh names topic %s itself", name)
		}
	}
	for _, p := range []string{"User:", "--group", "--topic"} {
		if strings.Contains(strings.Join(code, "\n"), p) {
			t.Errorf("apply-acls.sh writes %q itself", p)
		}
	}
}

func TestK8s(t *testing.T) {
	files, err := filepath.Glob("k8s/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no k8s manifests: %v", err)
	}
	kinds := map[string]map[string]any{}
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		docs := readYAMLDocs(t, f)
		if len(docs) == 0 {
			t.Errorf("%s: no documents", f)
		}
		for i, d := range docs {
			if str(d["apiVersion"]) == "" || str(d["kind"]) == "" {
				t.Errorf("%s: document %d lacks apiVersion/kind", f, i+1)
				continue
			}
			if str(get(d, "metadata", "name")) == "" {
				t.Errorf("%s: document %d (%s) lacks metadata.name", f, i+1, d["kind"])
			}
			kinds[str(d["kind"])+"/"+str(get(d, "metadata", "name"))] = d
		}
	}
	for _, k := range []string{"Deployment/veil", "PodDisruptionBudget/veil", "ScaledObject/veil", "TriggerAuthentication/veil-kafka", "ConfigMap/veil-config", "Service/veil-metrics"} {
		if kinds[k] == nil {
			t.Errorf("k8s: %s missing", k)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// Kustomization lists existing files.
	kz := readYAML(t, "k8s/kustomization.yaml")
	for _, r := range get(kz, "resources").([]any) {
		if _, err := os.Stat(filepath.Join("k8s", str(r))); err != nil {
			t.Errorf("kustomization: %v", err)
		}
	}

	dep := kinds["Deployment/veil"]
	pod := get(dep, "spec", "template", "spec")
	ctr := get(pod, "containers", "0")
	// Probes and the metrics port agree with the configured http.addr.
	var cfg map[string]any
	if err := yaml.Unmarshal([]byte(str(get(kinds["ConfigMap/veil-config"], "data", "veil.yaml"))), &cfg); err != nil {
		t.Fatalf("ConfigMap veil.yaml: %v", err)
	}
	port := addrPort(t, str(get(cfg, "http", "addr")))
	if got := str(get(ctr, "ports", "0", "containerPort")); got != port {
		t.Errorf("containerPort %s != http.addr port %s", got, port)
	}
	for probe, path := range map[string]string{"livenessProbe": "/healthz", "readinessProbe": "/readyz"} {
		if got := str(get(ctr, probe, "httpGet", "path")); got != path {
			t.Errorf("%s path = %q, want %q", probe, got, path)
		}
		if p := str(get(ctr, probe, "httpGet", "port")); p != "http" && p != port {
			t.Errorf("%s port = %q", probe, p)
		}
	}
	// Hardening.
	if get(pod, "securityContext", "runAsNonRoot") != true {
		t.Error("pod must run as non-root")
	}
	if get(ctr, "securityContext", "readOnlyRootFilesystem") != true || get(ctr, "securityContext", "allowPrivilegeEscalation") != false {
		t.Error("container needs readOnlyRootFilesystem and no privilege escalation")
	}
	if get(ctr, "resources", "limits", "memory") == nil || get(ctr, "resources", "requests", "cpu") == nil {
		t.Error("container needs resource requests and limits")
	}
	// Static membership from the pod name.
	var instanceID bool
	for _, e := range get(ctr, "env").([]any) {
		if str(get(e, "name")) == "VEIL_INSTANCE_ID" && str(get(e, "valueFrom", "fieldRef", "fieldPath")) == "metadata.name" {
			instanceID = true
		}
	}
	if !instanceID {
		t.Error("VEIL_INSTANCE_ID must come from metadata.name")
	}
	// The KEK comes from a Secret.
	var kek bool
	for _, v := range get(pod, "volumes").([]any) {
		if str(get(v, "secret", "secretName")) == "veil-kek" {
			kek = true
		}
	}
	if !kek {
		t.Error("no volume from Secret veil-kek")
	}
	// Shutdown fits in the grace period.
	grace, _ := get(pod, "terminationGracePeriodSeconds").(int)
	sg, err := time.ParseDuration(str(get(cfg, "processing", "shutdown_grace")))
	if err != nil || time.Duration(grace)*time.Second <= sg {
		t.Errorf("terminationGracePeriodSeconds %d must exceed processing.shutdown_grace %q", grace, str(get(cfg, "processing", "shutdown_grace")))
	}
	// The ConfigMap views are the compacted view topics.
	var views []string
	for _, v := range get(cfg, "views").([]any) {
		views = append(views, str(get(v, "topic")))
	}
	if !slices.Equal(views, viewTopics) {
		t.Errorf("ConfigMap views %v, want %v", views, viewTopics)
	}
	// Autoscaling: exactly one autoscaler in the kustomization, KEDA on the lag of Veil's group on the raw topic,
	// over the same brokers, SASL and TLS as Veil; the Deployment leaves replicas to it.
	if r := get(dep, "spec", "replicas"); r != nil {
		t.Errorf("Deployment sets replicas: %v next to an autoscaler", r)
	}
	var autoscalers []string
	for _, r := range get(kz, "resources").([]any) {
		for _, d := range readYAMLDocs(t, filepath.Join("k8s", str(r))) {
			if k := str(d["kind"]); k == "ScaledObject" || k == "HorizontalPodAutoscaler" {
				autoscalers = append(autoscalers, k+" in "+str(r))
			}
		}
	}
	if len(autoscalers) != 1 {
		t.Errorf("kustomization has autoscalers %v, want exactly one", autoscalers)
	}
	so := kinds["ScaledObject/veil"]
	if str(get(so, "spec", "scaleTargetRef", "name")) != "veil" || str(get(so, "spec", "scaleTargetRef", "kind")) != "Deployment" {
		t.Error("ScaledObject must scale Deployment veil")
	}
	trig := get(so, "spec", "triggers", "0")
	meta := get(trig, "metadata")
	brokers := []string{}
	for _, b := range get(cfg, "brokers").([]any) {
		brokers = append(brokers, str(b))
	}
	for k, want := range map[string]string{
		"bootstrapServers": strings.Join(brokers, ","),
		"consumerGroup":    str(get(cfg, "group")),
		"topic":            str(get(cfg, "topics", "raw")),
		"sasl":             map[string]string{"PLAIN": "plaintext", "SCRAM-SHA-256": "scram_sha256", "SCRAM-SHA-512": "scram_sha512"}[str(get(cfg, "sasl", "mechanism"))],
		"tls":              map[bool]string{true: "enable", false: "disable"}[get(cfg, "tls", "enabled") == true],
	} {
		if got := str(get(meta, k)); got != want {
			t.Errorf("KEDA trigger %s = %q, the ConfigMap says %q", k, got, want)
		}
	}
	if str(get(trig, "type")) != "kafka" || str(get(meta, "lagThreshold")) == "" || str(get(meta, "allowIdleConsumers")) != "false" {
		t.Errorf("KEDA trigger must be kafka with a lagThreshold and no idle consumers: %v", trig)
	}
	maxR, _ := get(so, "spec", "maxReplicaCount").(int)
	minR, _ := get(so, "spec", "minReplicaCount").(int)
	if raw := loadTopics(t)["conversations.raw"]; maxR > raw.partitions || minR < 2 || minR > maxR {
		t.Errorf("ScaledObject replicas %d-%d: want 2 <= min <= max <= %d raw partitions", minR, maxR, raw.partitions)
	}
	if str(get(trig, "authenticationRef", "name")) != "veil-kafka" {
		t.Error("KEDA trigger must use TriggerAuthentication veil-kafka")
	}
	secretKeys := map[string]bool{}
	for _, d := range readYAMLDocs(t, "k8s/secret.example.yaml") {
		for k := range get(d, "stringData").(map[string]any) {
			secretKeys[str(get(d, "metadata", "name"))+"/"+k] = true
		}
	}
	for _, ref := range get(kinds["TriggerAuthentication/veil-kafka"], "spec", "secretTargetRef").([]any) {
		if k := str(get(ref, "name")) + "/" + str(get(ref, "key")); !secretKeys[k] {
			t.Errorf("TriggerAuthentication reads %s, which secret.example.yaml does not define", k)
		}
	}
	// Every path the config reads or writes is on the volume meant for it.
	mountOf := func(path string) map[string]any {
		var best map[string]any
		for _, m := range get(ctr, "volumeMounts").([]any) {
			mp := str(get(m, "mountPath"))
			if (path == mp || strings.HasPrefix(path, mp+"/")) && (best == nil || len(mp) > len(str(best["mountPath"]))) {
				best = m.(map[string]any)
			}
		}
		return best
	}
	volume := func(name string) map[string]any {
		for _, v := range get(pod, "volumes").([]any) {
			if str(get(v, "name")) == name {
				return v.(map[string]any)
			}
		}
		return nil
	}
	var kekFile string
	for _, e := range get(ctr, "env").([]any) {
		if str(get(e, "name")) == "VEIL_KEK_FILE" {
			kekFile = str(get(e, "value"))
		}
	}
	for _, p := range []struct{ what, path, secret string }{
		{"VEIL_KEK_FILE", kekFile, "veil-kek"},
		{"sasl.password_file", str(get(cfg, "sasl", "password_file")), "veil-kafka-credentials"},
		{"tls.ca_file", str(get(cfg, "tls", "ca_file")), "veil-kafka-ca"},
	} {
		m := mountOf(p.path)
		if m == nil || str(get(volume(str(m["name"])), "secret", "secretName")) != p.secret {
			t.Errorf("%s %q is not on a volume from Secret %s", p.what, p.path, p.secret)
		}
	}
	storeDir := str(get(cfg, "erasure", "store_dir"))
	m := mountOf(storeDir)
	if storeDir == "" || m == nil {
		t.Fatalf("erasure.store_dir %q is not on a mounted volume (it would land in /tmp)", storeDir)
	}
	size := str(get(volume(str(m["name"])), "emptyDir", "sizeLimit"))
	if !strings.HasSuffix(size, "Gi") || size < "1Gi" {
		t.Errorf("erasure.store_dir %s is on volume %s of size %q, want the Gi data volume", storeDir, m["name"], size)
	}

	// PDB selects the Deployment's pods.
	sel := get(kinds["PodDisruptionBudget/veil"], "spec", "selector", "matchLabels").(map[string]any)
	labels := get(dep, "spec", "template", "metadata", "labels").(map[string]any)
	for k, v := range sel {
		if labels[k] != v {
			t.Errorf("PDB selector %s=%v does not match pod labels", k, v)
		}
	}
}

var metricRef = regexp.MustCompile(`\bveil_[a-z_]+`)

// checkMetricNames reports veil_* names in expr that Veil does not export (histograms via _bucket/_sum/_count).
func checkMetricNames(t *testing.T, where, expr string) {
	t.Helper()
	for _, name := range metricRef.FindAllString(expr, -1) {
		base := name
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(name, suf); ok && slices.Contains(metrics, b) {
				base = b
			}
		}
		if !slices.Contains(metrics, base) && name != "veil_consumer_lag_records" {
			t.Errorf("%s: unknown metric %s", where, name)
		}
	}
}

func TestPrometheusRules(t *testing.T) {
	rules := readYAML(t, "prometheus/veil-rules.yml")
	var alerts []string
	for _, g := range get(rules, "groups").([]any) {
		for _, r := range get(g, "rules").([]any) {
			name := str(get(r, "alert"))
			alerts = append(alerts, name)
			expr := str(get(r, "expr"))
			if name == "" || expr == "" || str(get(r, "labels", "severity")) == "" || str(get(r, "annotations", "summary")) == "" {
				t.Errorf("rule %q: alert, expr, labels.severity and annotations.summary are required", name)
			}
			checkMetricNames(t, "rule "+name, expr)
		}
	}
	for _, a := range []string{"VeilConsumerLagHigh", "VeilDLQEvents", "VeilErasureLatencyHigh", "VeilProduceErrors"} {
		if !slices.Contains(alerts, a) {
			t.Errorf("alert %s missing", a)
		}
	}
}

func TestGrafanaDashboard(t *testing.T) {
	b, err := os.ReadFile("grafana/veil-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Title  string `json:"title"`
		UID    string `json:"uid"`
		Panels []struct {
			ID      int    `json:"id"`
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("veil-dashboard.json: %v", err)
	}
	if d.Title == "" || d.UID == "" || len(d.Panels) == 0 {
		t.Fatalf("dashboard needs title, uid and panels")
	}
	ids := map[int]bool{}
	used := map[string]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d used twice", p.ID)
		}
		ids[p.ID] = true
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no queries", p.Title)
		}
		for _, tg := range p.Targets {
			checkMetricNames(t, "panel "+p.Title, tg.Expr)
			for _, m := range metricRef.FindAllString(tg.Expr, -1) {
				used[strings.TrimSuffix(m, "_bucket")] = true
			}
		}
	}
	for _, m := range metrics {
		if !used[m] && m != "veil_build_info" {
			t.Errorf("dashboard does not show %s", m)
		}
	}
}

func TestExampleConfig(t *testing.T) {
	c := readYAML(t, "veil.example.yaml")
	for _, k := range []string{"brokers", "client_id", "group", "tls", "sasl", "topics", "input", "output", "processing", "dlq", "http", "log"} {
		if _, ok := c[k]; !ok {
			t.Errorf("veil.example.yaml: key %q missing", k)
		}
	}
	topics := loadTopics(t)
	for _, k := range []string{"raw", "dlq"} {
		if _, ok := topics[str(get(c, "topics", k))]; !ok {
			t.Errorf("veil.example.yaml: topics.%s %q not in topics.yaml", k, str(get(c, "topics", k)))
		}
	}
	if get(c, "dlq", "include_raw") != false {
		t.Error("veil.example.yaml: dlq.include_raw must default to false")
	}
}

// TestPromtool runs promtool over the rules and their unit tests, and checks that every alert has a test that
// expects it to fire. deploy/test-all.sh installs promtool (Debian's prometheus package) and sets
// VEIL_REQUIRE_PROMTOOL=1, so in CI a missing promtool fails instead of skipping.
func TestPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("VEIL_REQUIRE_PROMTOOL") != "" {
			t.Fatal("promtool not found (apt-get install -y prometheus)")
		}
		t.Skip("promtool not installed (apt-get install -y prometheus); deploy/test-all.sh installs it")
	}
	for _, args := range [][]string{{"check", "rules", "veil-rules.yml"}, {"test", "rules", "veil-rules.test.yml"}} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = "prometheus"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	rules := readYAML(t, "prometheus/veil-rules.yml")
	tests := readYAML(t, "prometheus/veil-rules.test.yml")
	fires := map[string]bool{}
	for _, tc := range get(tests, "tests").([]any) {
		cases, _ := get(tc, "alert_rule_test").([]any)
		for _, c := range cases {
			if exp, _ := get(c, "exp_alerts").([]any); len(exp) > 0 {
				fires[str(get(c, "alertname"))] = true
			}
		}
	}
	for _, g := range get(rules, "groups").([]any) {
		for _, r := range get(g, "rules").([]any) {
			if name := str(get(r, "alert")); !fires[name] {
				t.Errorf("alert %s has no promtool test in which it fires", name)
			}
		}
	}
}

// TestDockerfile: the image the manifests name is what `make image` builds from deploy/docker/Dockerfile: a
// multi-stage build of a static ./cmd/veil on a Go at least go.mod's, run as the non-root user the pod runs as;
// the build context keeps every file the binary embeds.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("docker/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var froms, users []string
	var build, entry string
	for _, l := range strings.Split(strings.ReplaceAll(string(b), "\\\n", " "), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "FROM":
			froms = append(froms, f[1])
		case "USER":
			users = append(users, f[1])
		case "ENTRYPOINT":
			entry = strings.Join(f[1:], " ")
		}
		if strings.Contains(l, "go build") {
			build = l
		}
	}
	if len(froms) < 2 || !strings.HasPrefix(froms[0], "golang:") {
		t.Fatalf("want a multi-stage build from golang:, have FROM %v", froms)
	}
	mod, _ := os.ReadFile("../go.mod")
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(string(mod))
	if img := strings.TrimPrefix(strings.SplitN(froms[0], " ", 2)[0], "golang:"); goVersion == nil || !strings.HasPrefix(img, goVersion[1]) {
		t.Errorf("build stage %s, go.mod wants go %v", froms[0], goVersion)
	}
	if !strings.Contains(string(b), "CGO_ENABLED=0") || !strings.HasSuffix(strings.TrimSpace(build), "./cmd/veil") {
		t.Errorf("the build must be CGO_ENABLED=0 go build ... ./cmd/veil, have %q", build)
	}
	if final := froms[len(froms)-1]; !strings.Contains(final, "distroless/static") && final != "scratch" {
		t.Errorf("final stage %s: want a static base (distroless/static or scratch)", final)
	}
	dep := readYAMLDocs(t, "k8s/deployment.yaml")
	var pod, ctr any
	for _, d := range dep {
		if str(d["kind"]) == "Deployment" {
			pod = get(d, "spec", "template", "spec")
			ctr = get(pod, "containers", "0")
		}
	}
	uid := str(get(pod, "securityContext", "runAsUser"))
	if len(users) == 0 || users[len(users)-1] != uid+":"+str(get(pod, "securityContext", "runAsGroup")) || uid == "0" {
		t.Errorf("Dockerfile USER %v, pod runs as %s: want the same non-root uid:gid", users, uid)
	}
	if !strings.Contains(entry, "/usr/local/bin/veil") || !strings.Contains(string(b), "COPY --from=build /out/veil /usr/local/bin/veil") {
		t.Errorf("ENTRYPOINT %s does not run the built binary", entry)
	}
	// make image builds this Dockerfile under the name the Deployment uses; Compose builds it too.
	mk, _ := os.ReadFile("../Makefile")
	image := regexp.MustCompile(`(?m)^IMAGE \?= (\S+)$`).FindStringSubmatch(string(mk))
	if image == nil || image[1] != str(get(ctr, "image")) {
		t.Errorf("Makefile IMAGE %v, Deployment image %q", image, str(get(ctr, "image")))
	}
	if !regexp.MustCompile(`(?m)^image:\n\tdocker build -f deploy/docker/Dockerfile .*-t \$\(IMAGE\) \.$`).Match(mk) {
		t.Error("Makefile: no `image` target building deploy/docker/Dockerfile as $(IMAGE)")
	}
	// Nothing the binary embeds (//go:embed) is left out of the build context.
	ignore, _ := os.ReadFile("docker/Dockerfile.dockerignore")
	var patterns []string
	for _, l := range strings.Split(string(ignore), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, l)
		}
	}
	ignored := func(path string) bool {
		for _, p := range patterns {
			if seg, ok := strings.CutPrefix(p, "**/"); ok {
				for _, s := range strings.Split(path, "/") {
					if m, _ := filepath.Match(seg, s); m {
						return true
					}
				}
			} else if m, _ := filepath.Match(p, path); m || strings.HasPrefix(path, p+"/") {
				return true
			}
		}
		return false
	}
	embeds := 0
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, _ := os.ReadFile(path)
		for _, m := range regexp.MustCompile(`(?m)^//go:embed (.+)$`).FindAllStringSubmatch(string(src), -1) {
			for _, pat := range strings.Fields(m[1]) {
				files, _ := filepath.Glob(filepath.Join(filepath.Dir(path), pat))
				for _, f := range files {
					rel, _ := filepath.Rel("..", f)
					embeds++
					if ignored(filepath.ToSlash(rel)) {
						t.Errorf("%s embeds %s, which Dockerfile.dockerignore leaves out", path, rel)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, need := range []string{"go.mod", "go.sum", "cmd/veil/main.go"} {
		if ignored(need) {
			t.Errorf("Dockerfile.dockerignore leaves out %s", need)
		}
	}
	if embeds < 4 {
		t.Errorf("found %d embedded files: the walk is broken", embeds)
	}
}
