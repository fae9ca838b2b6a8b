package main

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/erasure"
)

// TestTopicSettingsAgree: deploy/topics.yaml is the one source of topic
// settings; every shipped config creates (when it may) topics that agree
// with it.
func TestTopicSettingsAgree(t *testing.T) {
	var spec specTopics
	readYAMLFile(t, "../../deploy/topics.yaml", &spec)
	want := map[string]map[string]string{}
	for _, tp := range spec.Topics {
		want[tp.Name] = tp.Configs
	}
	var cm struct {
		Data map[string]string `yaml:"data"`
	}
	readYAMLFile(t, "../../deploy/k8s/configmap.yaml", &cm)
	k8s := filepath.Join(t.TempDir(), "veil.yaml")
	if err := os.WriteFile(k8s, []byte(cm.Data["veil.yaml"]), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{"example and compose": examplePath, "k8s ConfigMap": k8s} {
		t.Run(name, func(t *testing.T) {
			c, err := loadConfig(path, func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			c.Erasure.Pipeline = c.Config.ErasurePipeline()
			specs := append(processor.TopicSpecs(c.Config), erasure.TopicSpecs(c.Erasure)...)
			seen := map[string]bool{}
			for _, s := range specs {
				if seen[s.Name] {
					continue
				}
				seen[s.Name] = true
				w, ok := want[s.Name]
				if !ok {
					t.Errorf("Veil creates %s, which deploy/topics.yaml does not specify", s.Name)
					continue
				}
				for _, k := range slices.Sorted(maps.Keys(s.Configs)) {
					if s.Configs[k] != w[k] {
						t.Errorf("%s: Veil would create it with %s=%s, deploy/topics.yaml says %q", s.Name, k, s.Configs[k], w[k])
					}
				}
			}
			if len(seen) != len(want) {
				t.Errorf("Veil creates %d topics, deploy/topics.yaml has %d", len(seen), len(want))
			}
		})
	}
}
