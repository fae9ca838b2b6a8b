package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.yaml.in/yaml/v3"
)

// mounts maps container paths to host paths, longest first.
type mounts [][2]string

func (m mounts) add(container, host string) mounts {
	m = append(m, [2]string{container, host})
	slices.SortFunc(m, func(a, b [2]string) int { return len(b[0]) - len(a[0]) })
	return m
}

// host rewrites every container path in s (in one pass, longest first).
func (m mounts) host(s string) string {
	var pairs []string
	for _, p := range m {
		pairs = append(pairs, p[0], p[1])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

func readYAMLFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// shipped is a config as a deployment file runs it: the command line, the
// environment and the files it reads, mapped onto the host.
type shipped struct {
	args []string          // after "veil"
	env  map[string]string // container environment, paths mapped
}

// composeVeil reads docker-compose.yml's veil service.
func composeVeil(t *testing.T) shipped {
	t.Helper()
	var compose struct {
		Services map[string]struct {
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Volumes     []string          `yaml:"volumes"`
			Tmpfs       []string          `yaml:"tmpfs"`
		} `yaml:"services"`
	}
	readYAMLFile(t, "../../docker-compose.yml", &compose)
	svc := compose.Services["veil"]
	var m mounts
	for _, v := range svc.Volumes {
		parts := strings.Split(v, ":")
		m = m.add(parts[1], filepath.Join("../..", parts[0]))
	}
	for _, dir := range svc.Tmpfs {
		m = m.add(dir, t.TempDir())
	}
	s := shipped{env: map[string]string{}}
	for _, a := range svc.Command {
		s.args = append(s.args, m.host(a))
	}
	for k, v := range svc.Environment {
		s.env[k] = m.host(v)
	}
	return s
}

// k8sVeil reads the Deployment and ConfigMap; the Secrets it mounts are
// filled with secrets[secretName/key].
func k8sVeil(t *testing.T, secrets map[string]string) shipped {
	t.Helper()
	dir := t.TempDir()
	var cm struct {
		Data map[string]string `yaml:"data"`
	}
	readYAMLFile(t, "../../deploy/k8s/configmap.yaml", &cm)
	b, err := os.ReadFile("../../deploy/k8s/deployment.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type volume struct {
		Name      string                 `yaml:"name"`
		ConfigMap *struct{ Name string } `yaml:"configMap"`
		Secret    *struct {
			SecretName string `yaml:"secretName"`
		} `yaml:"secret"`
		EmptyDir *struct {
			SizeLimit string `yaml:"sizeLimit"`
		} `yaml:"emptyDir"`
	}
	var dep struct {
		Kind string `yaml:"kind"`
		Spec struct {
			Template struct {
				Spec struct {
					Containers []struct {
						Args []string `yaml:"args"`
						Env  []struct {
							Name      string `yaml:"name"`
							Value     string `yaml:"value"`
							ValueFrom *struct {
								FieldRef *struct {
									FieldPath string `yaml:"fieldPath"`
								} `yaml:"fieldRef"`
							} `yaml:"valueFrom"`
						} `yaml:"env"`
						VolumeMounts []struct {
							Name      string `yaml:"name"`
							MountPath string `yaml:"mountPath"`
							SubPath   string `yaml:"subPath"`
						} `yaml:"volumeMounts"`
					} `yaml:"containers"`
					Volumes []volume `yaml:"volumes"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for dep.Kind != "Deployment" {
		if err := dec.Decode(&dep); err != nil {
			t.Fatalf("deployment.yaml: no Deployment: %v", err)
		}
	}
	pod := dep.Spec.Template.Spec
	vols := map[string]volume{}
	for _, v := range pod.Volumes {
		vols[v.Name] = v
	}
	ctr := pod.Containers[0]
	var m mounts
	used := map[string]bool{}
	for _, vm := range ctr.VolumeMounts {
		v := vols[vm.Name]
		host := filepath.Join(dir, vm.Name)
		if err := os.MkdirAll(host, 0o700); err != nil {
			t.Fatal(err)
		}
		switch {
		case v.ConfigMap != nil:
			if vm.SubPath == "" || cm.Data[vm.SubPath] == "" {
				t.Fatalf("mount %s: ConfigMap key %q missing", vm.Name, vm.SubPath)
			}
			host = filepath.Join(host, vm.SubPath)
			defer func() { // after every mount is known
				if err := os.WriteFile(host, []byte(m.host(cm.Data[vm.SubPath])), 0o600); err != nil {
					t.Fatal(err)
				}
			}()
		case v.Secret != nil:
			found := false
			for k, val := range secrets {
				name, key, _ := strings.Cut(k, "/")
				if name == v.Secret.SecretName {
					found, used[k] = true, true
					if err := os.WriteFile(filepath.Join(host, key), []byte(val), 0o400); err != nil {
						t.Fatal(err)
					}
				}
			}
			if !found {
				t.Fatalf("the Deployment mounts Secret %s, which the test does not know", v.Secret.SecretName)
			}
		case v.EmptyDir == nil:
			t.Fatalf("volume %s: unknown kind", vm.Name)
		}
		m = m.add(vm.MountPath, host)
	}
	for k := range secrets {
		if !used[k] {
			t.Errorf("Secret %s is not mounted by the Deployment", k)
		}
	}
	s := shipped{env: map[string]string{}}
	for _, a := range ctr.Args {
		s.args = append(s.args, m.host(a))
	}
	for _, e := range ctr.Env {
		switch {
		case e.ValueFrom == nil:
			s.env[e.Name] = m.host(e.Value)
		case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.name":
			s.env[e.Name] = "veil-7d4b9c-x2x9q"
		}
	}
	return s
}

// secretKeys returns secretName/key of every Secret in secret.example.yaml.
func secretKeys(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../deploy/k8s/secret.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var s struct {
			Metadata struct{ Name string } `yaml:"metadata"`
			Data     map[string]string     `yaml:"stringData"`
		}
		if err := dec.Decode(&s); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		for k := range s.Data {
			keys = append(keys, s.Metadata.Name+"/"+k)
		}
	}
	slices.Sort(keys)
	return keys
}

// run starts s against brokers, as the container would: `veil` with its
// args (plus --brokers and a free --http port) and its environment.
func (s shipped) run(t *testing.T, brokers string) *veilRun {
	t.Helper()
	for k, v := range s.env {
		t.Setenv(k, v)
	}
	if s.args[0] != "run" {
		t.Fatalf("command %v is not 'veil run'", s.args)
	}
	args := append(slices.Clone(s.args[1:]), "--brokers", brokers, "--http", "127.0.0.1:0")
	// --check first: it must accept what start-up accepts.
	var out bytes.Buffer
	if err := runRun(context.Background(), append(slices.Clone(args), "--check"), &out, io.Discard); err != nil {
		t.Fatalf("veil run --check: %v", err)
	}
	return startVeilFunc(t, func(ctx context.Context, logs io.Writer) error { return runRun(ctx, args, io.Discard, logs) })
}

// loaded returns the config s runs with.
func (s shipped) loaded(t *testing.T) config {
	t.Helper()
	i := slices.Index(s.args, "--config")
	if i < 0 {
		t.Fatalf("%v: no --config", s.args)
	}
	c, err := loadConfig(s.args[i+1], func(k string) string { return s.env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// flow produces the samples as admin and checks that every view receives
// events and that an erasure request gets its receipt.
func flow(t *testing.T, c config, admin []kgo.Opt) {
	t.Helper()
	cl, err := kgo.NewClient(admin...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	events := sampleEvents(t, c)
	if err := cl.ProduceSync(context.Background(), events...).FirstErr(); err != nil {
		t.Fatalf("producing samples: %v", err)
	}
	// Every sample rendered to every view before the erasure.
	for _, v := range c.Views {
		waitFor(t, "events on "+v.Topic, 60*time.Second, func() bool {
			recs, err := readAll(t, admin, v.Topic)
			return err == nil && len(recs) >= len(events)
		})
	}
	rc := eraseAndWait(t, admin, c, "cust-s02", "shipped-1")
	if rc.Events == 0 || rc.Status != "completed" {
		t.Errorf("receipt %+v: want a completed erasure of cust-s02's events", rc)
	}
}

// TestShippedConfigsStart runs every shipped config (the example, the
// Compose service, the Kubernetes Deployment + ConfigMap) as its deployment
// runs it, against a broker: the k8s one over TLS with SCRAM-SHA-512 and the
// ACLs `veil acls` derives from it enforced.
func TestShippedConfigsStart(t *testing.T) {
	t.Setenv("VEIL_BROKERS", "")
	t.Run("example", func(t *testing.T) {
		t.Setenv("VEIL_STATE_DIR", t.TempDir())
		if err := runKeygen(context.Background(), nil, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		cluster, err := kfake.NewCluster(kfake.NumBrokers(1))
		if err != nil {
			t.Fatal(err)
		}
		defer cluster.Close()
		s := shipped{args: []string{"run", "--config", examplePath}, env: map[string]string{"VEIL_STORE_DIR": t.TempDir()}}
		s.run(t, cluster.ListenAddrs()[0])
		flow(t, s.loaded(t), []kgo.Opt{kgo.SeedBrokers(cluster.ListenAddrs()...)})
	})
	t.Run("compose", func(t *testing.T) {
		cluster, err := kfake.NewCluster(kfake.NumBrokers(1))
		if err != nil {
			t.Fatal(err)
		}
		defer cluster.Close()
		s := composeVeil(t)
		c := s.loaded(t)
		if !c.TopicDefaults.Create {
			// kafka-init (deploy/apply-topics.sh) creates them first.
			cl, _ := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...))
			createTopics(t, cl, 3)
			cl.Close()
		}
		s.run(t, cluster.ListenAddrs()[0])
		flow(t, c, []kgo.Opt{kgo.SeedBrokers(cluster.ListenAddrs()...)})
	})
	t.Run("kubernetes", func(t *testing.T) {
		ca := newTestCA(t)
		const pw = "k8s-test-password"
		var kek bytes.Buffer
		kekFile := filepath.Join(t.TempDir(), "kek")
		if err := runKeygen(context.Background(), []string{"--out", kekFile}, &kek, io.Discard); err != nil {
			t.Fatal(err)
		}
		kekText, _ := os.ReadFile(kekFile)
		indexFile := filepath.Join(t.TempDir(), "index-key")
		if err := runKeygen(context.Background(), []string{"--index-key", "--from-kek", kekFile, "--out", indexFile}, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		indexText, _ := os.ReadFile(indexFile)
		secrets := map[string]string{"veil-kek/kek": string(kekText), "veil-kek/index-key": string(indexText), "veil-kafka-credentials/username": "veil", "veil-kafka-credentials/password": pw, "veil-kafka-ca/ca.crt": string(ca.pem)}
		if got := secretKeys(t); !slices.Equal(got, slices.Sorted(func(yield func(string) bool) {
			for k := range secrets {
				yield(k)
			}
		})) {
			t.Fatalf("secret.example.yaml has %v, the test fills %v", got, secrets)
		}
		s := k8sVeil(t, secrets)
		c := s.loaded(t)
		if c.TopicDefaults.Create {
			t.Error("the ConfigMap lets Veil create topics; with the ACLs it has no Create right")
		}
		if c.SASL.Mechanism != "SCRAM-SHA-512" || !c.TLS.Enabled {
			t.Fatalf("the ConfigMap should use TLS and SCRAM-SHA-512, has %q, tls %v", c.SASL.Mechanism, c.TLS.Enabled)
		}
		acls, err := veilACLs(c, aclPrincipals{})
		if err != nil {
			t.Fatal(err)
		}
		opts := append([]kfake.Opt{
			kfake.NumBrokers(1), kfake.TLS(&tls.Config{Certificates: []tls.Certificate{ca.server}, MinVersion: tls.VersionTLS12}), kfake.EnableSASL(), kfake.EnableACLs(),
			kfake.Superuser("SCRAM-SHA-512", "admin", "admin-pw"),
		}, kfakeACLs(t, acls, pw)...)
		cluster, err := kfake.NewCluster(opts...)
		if err != nil {
			t.Fatal(err)
		}
		defer cluster.Close()
		addr := cluster.ListenAddrs()[0]
		admin := clientAs(addr, ca.pem, "admin", "admin-pw")
		cl, err := kgo.NewClient(admin...)
		if err != nil {
			t.Fatal(err)
		}
		createTopics(t, cl, 3)
		cl.Close()
		s.run(t, addr)
		flow(t, c, admin)

		// Each audience reads its own view and is refused the others and raw.
		for _, v := range c.Views {
			own, err := readAll(t, clientAs(addr, ca.pem, v.Name, pw), v.Topic)
			if err != nil || len(own) == 0 {
				t.Errorf("User:%s reading %s: %d records, %v", v.Name, v.Topic, len(own), err)
			}
			for _, other := range append([]string{c.Topics.Raw, c.Topics.Keys}, viewTopics(c, v.Name)...) {
				if _, err := readAll(t, clientAs(addr, ca.pem, v.Name, pw), other); !errors.Is(err, kerr.TopicAuthorizationFailed) {
					t.Errorf("User:%s reading %s: %v, want TOPIC_AUTHORIZATION_FAILED", v.Name, other, err)
				}
			}
		}
	})
}

// viewTopics returns the topics of the views other than name.
func viewTopics(c config, name string) []string {
	var out []string
	for _, v := range c.Views {
		if v.Name != name {
			out = append(out, v.Topic)
		}
	}
	return out
}
