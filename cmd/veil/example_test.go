package main

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/rules"
)

const examplePath = "../../deploy/veil.example.yaml"

// configKeys returns every key path of the config file format of t, such as
// "erasure.retention.rules[].keep". Maps and rules.Rule values are leaves:
// their keys are data (finding types, field names) or documented with the
// key that holds them.
func configKeys(t reflect.Type, prefix string, out map[string]bool) {
	for f := range t.Fields() {
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "-" || !f.IsExported() {
			continue
		}
		ft := f.Type
		if strings.Contains(f.Tag.Get("yaml"), "inline") {
			configKeys(ft, prefix, out)
			continue
		}
		path := prefix + tag
		out[path] = true
		for ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct {
			ft = ft.Elem()
			path += "[]"
		}
		if ft.Kind() == reflect.Struct && ft != reflect.TypeFor[rules.Rule]() && ft != reflect.TypeFor[time.Time]() {
			configKeys(ft, path+".", out)
		}
	}
}

// fileKeys walks a YAML mapping node and records every key path, and the
// paths whose first occurrence has no comment.
func fileKeys(n *yaml.Node, prefix string, leaves map[string]bool, seen, undocumented map[string]bool) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := prefix + k.Value
		if !seen[path] {
			seen[path] = true
			doc := k.HeadComment + k.LineComment + v.LineComment
			if i == 0 {
				doc += n.HeadComment // "# ...\n- name: x": the comment is the list item's
			}
			if strings.TrimSpace(doc) == "" {
				undocumented[path] = true
			}
		}
		if leaves[path] {
			continue
		}
		switch v.Kind {
		case yaml.MappingNode:
			fileKeys(v, path+".", leaves, seen, undocumented)
		case yaml.SequenceNode:
			for _, e := range v.Content {
				fileKeys(e, path+"[].", leaves, seen, undocumented)
			}
		}
	}
}

// TestExampleConfigDocumentsEveryKey: deploy/veil.example.yaml names every
// key of the config structs, each with a comment, and nothing else.
func TestExampleConfigDocumentsEveryKey(t *testing.T) {
	want := map[string]bool{}
	configKeys(reflect.TypeFor[config](), "", want)
	// Keys whose values are data (maps) or rules.Rule are leaves.
	leaves := map[string]bool{}
	for k := range want {
		if strings.HasSuffix(k, ".types") || strings.HasSuffix(k, ".fields") || strings.HasSuffix(k, ".default") {
			leaves[k] = true
		}
	}
	b, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("PLACEHOLDER")) {
		t.Error("the example still says PLACEHOLDER")
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	seen, undocumented := map[string]bool{}, map[string]bool{}
	fileKeys(doc.Content[0], "", leaves, seen, undocumented)
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if !seen[k] {
			t.Errorf("deploy/veil.example.yaml lacks key %s", k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(seen)) {
		if !want[k] {
			t.Errorf("deploy/veil.example.yaml has key %s, which is not in the config structs", k)
		}
		if undocumented[k] {
			t.Errorf("deploy/veil.example.yaml: key %s has no comment", k)
		}
	}
	if len(want) < 80 {
		t.Errorf("found only %d config keys: the walk is broken", len(want))
	}
}

// sameViews compares views, an empty map being equal to a missing one.
func sameViews(a, b []processor.View) bool {
	norm := func(vs []processor.View) []processor.View {
		vs = slices.Clone(vs)
		for i := range vs {
			if len(vs[i].Policy.Types) == 0 {
				vs[i].Policy.Types = nil
			}
			if len(vs[i].Policy.Fields) == 0 {
				vs[i].Policy.Fields = nil
			}
		}
		return vs
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// TestExampleConfig: the example loads, validates and builds every
// component (what `veil run --check` and start-up do), as a normal user with
// only the key `veil keygen` writes to the state directory; its views are
// the ones `veil dev` runs with.
func TestExampleConfig(t *testing.T) {
	state := t.TempDir()
	t.Setenv("VEIL_STATE_DIR", state)
	t.Setenv("VEIL_KEK", "")
	var out, errb bytes.Buffer
	if err := runKeygen(context.Background(), nil, &out, &errb); err != nil {
		t.Fatalf("keygen: %v %s", err, errb.String())
	}
	if err := runRun(context.Background(), []string{"--config", examplePath, "--check"}, &out, &errb); err != nil {
		t.Fatalf("veil run --check %s: %v", examplePath, err)
	}
	c, err := loadConfig(examplePath, os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.finish(); err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(state, "kek.hex"); c.Keys.KEKFile != want {
		t.Errorf("key file %q, want the state directory's %q", c.Keys.KEKFile, want)
	}
	if !sameViews(c.Views, processor.DefaultViews()) {
		t.Errorf("example views differ from veil dev's (processor.DefaultViews):\n got %+v\nwant %+v", c.Views, processor.DefaultViews())
	}
}

// TestCheckIsStartupValidation: `veil run --check` rejects what start-up
// rejects. The erasure service needs a receipt schema id with the confluent
// format, which config validation alone did not check.
func TestCheckIsStartupValidation(t *testing.T) {
	t.Setenv("VEIL_KEK", testKEK)
	path := filepath.Join(t.TempDir(), "veil.yaml")
	if err := os.WriteFile(path, []byte("brokers: [127.0.0.1:1]\ninput: {format: confluent}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	err := runRun(context.Background(), []string{"--config", path, "--check"}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "receipt_schema_id") {
		t.Fatalf("--check = %v, want the start-up error about erasure.receipt_schema_id", err)
	}
	if strings.Contains(out.String(), "valid") {
		t.Errorf("--check printed %q", out.String())
	}
}

// TestExampleConfigNamesEveryVariable: every VEIL_* variable the command
// reads is listed in the example's header.
func TestExampleConfigNamesEveryVariable(t *testing.T) {
	example, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`"(VEIL_[A-Z_]+)"`).FindAllStringSubmatch(string(src), -1) {
			seen++
			if !regexp.MustCompile(`\b` + m[1] + `\b`).Match(example) {
				t.Errorf("%s reads %s, which deploy/veil.example.yaml does not mention", f, m[1])
			}
		}
	}
	if seen < 15 {
		t.Errorf("found only %d variables", seen)
	}
}

// TestCheckWarnsWeakSecurity: `veil run --check` names weak connection
// settings (here: brokers off this host without TLS) and still passes.
func TestCheckWarnsWeakSecurity(t *testing.T) {
	t.Setenv("VEIL_STATE_DIR", t.TempDir())
	t.Setenv("VEIL_KEK", "")
	var out, errb bytes.Buffer
	if err := runKeygen(context.Background(), nil, &out, &errb); err != nil {
		t.Fatalf("keygen: %v %s", err, errb.String())
	}
	tests := []struct {
		brokers string
		want    bool
	}{{"127.0.0.1:9092", false}, {"kafka-1.internal:9092", true}}
	for _, tt := range tests {
		out.Reset()
		if err := runRun(context.Background(), []string{"--config", examplePath, "--check", "--brokers", tt.brokers}, &out, &errb); err != nil {
			t.Fatalf("veil run --check --brokers %s: %v", tt.brokers, err)
		}
		if got := strings.Contains(out.String(), "warning: no TLS"); got != tt.want {
			t.Errorf("--brokers %s: output %q, want a TLS warning %v", tt.brokers, out.String(), tt.want)
		}
	}
}
