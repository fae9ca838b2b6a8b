package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.yaml.in/yaml/v3"
)

// series is one scraped sample's metric name and labels.
type series struct {
	name   string
	labels map[string]string
}

var labelPair = regexp.MustCompile(`(\w+)="((?:[^"\\]|\\.)*)"`)

func parseSeries(key string) series {
	name, rest, _ := strings.Cut(key, "{")
	s := series{name: name, labels: map[string]string{}}
	for _, m := range labelPair.FindAllStringSubmatch(rest, -1) {
		s.labels[m[1]] = m[2]
	}
	return s
}

var (
	selectorRe = regexp.MustCompile(`\b(veil_[a-z_]+|up)\b(\{[^}]*\})?`)
	matcherRe  = regexp.MustCompile(`(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"`)
	groupingRe = regexp.MustCompile(`\b(?:by|without|on|ignoring)\s*\(([^)]*)\)`)
)

// failureOnly are label values the binary emits only when something fails,
// so a healthy run cannot scrape them: each is checked against the
// constant in the source that defines it instead.
var failureOnly = map[string]struct{ value, file, decl string }{
	"veil_erasure_requests_total/outcome": {"failed", "../../processor/erasure/metrics.go", `outcomeFailed    = "failed"`},
}

func checkFailureOnly(t *testing.T, where, name, label string, fv struct{ value, file, decl string }) {
	t.Helper()
	b, err := os.ReadFile(fv.file)
	if err != nil || !strings.Contains(string(b), fv.decl) {
		t.Errorf("%s: %s{%s=%q} is emitted only on failure, but %s no longer declares %s (%v)", where, name, label, fv.value, fv.file, fv.decl, err)
	}
}

// checkExpr reports metrics, labels and label values in expr that the
// scraped series do not have. Target labels (job, instance), Prometheus'
// own `up`, and values holding Grafana variables ($...) are not checked.
func checkExpr(t *testing.T, where, expr string, scraped []series) {
	t.Helper()
	labelsOf := func(name string) map[string][]string {
		out := map[string][]string{}
		for _, s := range scraped {
			if s.name == name {
				for k, v := range s.labels {
					out[k] = append(out[k], v)
				}
			}
		}
		return out
	}
	known := map[string]bool{"job": true, "instance": true, "le": true}
	for _, m := range selectorRe.FindAllStringSubmatch(expr, -1) {
		name := m[1]
		if name == "up" {
			continue
		}
		labels := labelsOf(name)
		if len(labels) == 0 && !slices.ContainsFunc(scraped, func(s series) bool { return s.name == name }) {
			t.Errorf("%s: metric %s is not exported by veil", where, name)
			continue
		}
		for l := range labels {
			known[l] = true
		}
		for _, mm := range matcherRe.FindAllStringSubmatch(m[2], -1) {
			label, op, value := mm[1], mm[2], mm[3]
			if label == "job" || label == "instance" || strings.Contains(value, "$") {
				continue
			}
			values, ok := labels[label]
			if fv, ok := failureOnly[name+"/"+label]; ok && op == "=" && value == fv.value {
				checkFailureOnly(t, where, name, label, fv)
				continue
			}
			switch {
			case !ok:
				t.Errorf("%s: %s has no label %s", where, name, label)
			case op == "=" && !slices.Contains(values, value):
				t.Errorf("%s: %s{%s=%q}: veil emits %s values %v", where, name, label, value, label, values)
			case op == "=~" && !slices.ContainsFunc(values, regexp.MustCompile("^(?:"+value+")$").MatchString):
				t.Errorf("%s: %s{%s=~%q} matches none of %v", where, name, label, value, values)
			}
		}
	}
	for _, g := range groupingRe.FindAllStringSubmatch(expr, -1) {
		for l := range strings.SplitSeq(g[1], ",") {
			if l = strings.TrimSpace(l); l != "" && !known[l] {
				t.Errorf("%s: groups by label %s, which no metric of the expression has", where, l)
			}
		}
	}
}

// TestRulesAndDashboardMatchExportedMetrics runs Veil (the example config)
// on kfake through events, a rejected record, an erasure and retention
// sweeps, scrapes /metrics, and checks every metric, label and label value
// that the alert rules and the Grafana dashboard use.
func TestRulesAndDashboardMatchExportedMetrics(t *testing.T) {
	state := t.TempDir()
	t.Setenv("VEIL_STATE_DIR", state)
	if err := runKeygen(context.Background(), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	c, err := loadConfig(examplePath, func(k string) string {
		return map[string]string{"VEIL_BROKERS": cluster.ListenAddrs()[0], "VEIL_STATE_DIR": state, "VEIL_STORE_DIR": t.TempDir(), "VEIL_SWEEP_INTERVAL": "1s"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	// The canary is optional; on here, so that its metrics are checked too.
	c.Canary.Enabled, c.Canary.Interval = true, 200*time.Millisecond
	v := startVeil(t, mustFinish(t, c))
	admin := []kgo.Opt{kgo.SeedBrokers(cluster.ListenAddrs()...)}
	cl, err := kgo.NewClient(admin...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	recs := append(sampleEvents(t, c), &kgo.Record{Topic: c.Topics.Raw, Key: []byte("bad"), Value: []byte("not an event")})
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	eraseAndWait(t, admin, c, "cust-s03", "metrics-1")
	waitFor(t, "retention tombstones, a DLQ event and checked canaries", 60*time.Second, func() bool {
		m := v.metrics(t)
		var retention, dlq, canaries float64
		for k, val := range m {
			s := parseSeries(k)
			if s.name == "veil_tombstones_total" && s.labels["reason"] == "retention" {
				retention += val
			}
			if s.name == "veil_dlq_events_total" {
				dlq += val
			}
			if s.name == "veil_canary_checks_total" {
				canaries += val
			}
		}
		return retention > 0 && dlq > 0 && canaries > 0
	})
	var scraped []series
	for k := range v.metrics(t) {
		scraped = append(scraped, parseSeries(k))
	}

	b, err := os.ReadFile("../../deploy/prometheus/veil-rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			checkExpr(t, "alert "+r.Alert, r.Expr, scraped)
			n++
		}
	}
	b, err = os.ReadFile("../../deploy/grafana/veil-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Definition string `json:"definition"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatal(err)
	}
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			checkExpr(t, "panel "+p.Title, tg.Expr, scraped)
			n++
		}
	}
	for _, tv := range dash.Templating.List {
		checkExpr(t, "dashboard variable", tv.Definition, scraped)
	}
	if n < 20 {
		t.Errorf("checked only %d expressions", n)
	}
}
