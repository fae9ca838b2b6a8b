// Package registrytest gives tests a real Confluent-API schema registry: the
// one named by VEIL_TEST_REGISTRY (deploy/test-all.sh starts one for the
// whole run), or else an Apicurio Registry started for the calling test by
// deploy/registry/registry.sh and stopped when the test ends. It is for
// tests only.
package registrytest

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Env is the environment variable naming a running registry's base URL.
const Env = "VEIL_TEST_REGISTRY"

// URL returns the base URL of a running registry for t. Starting one takes
// a while (about 30 s here, plus a one-time download): it is started at
// most once per test that asks, and never skipped.
func URL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(Env); u != "" {
		return u
	}
	script := filepath.Join(repoRoot(t), "deploy", "registry", "registry.sh")
	dir := t.TempDir()
	port := freePair(t)
	cmd := exec.Command("bash", script, "start", "--port", strconv.Itoa(port), "--dir", dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	// Registered after TempDir, so it runs before the directory is removed.
	t.Cleanup(func() {
		stop := exec.Command("bash", script, "stop", "--dir", dir)
		if b, err := stop.CombinedOutput(); err != nil {
			t.Errorf("stopping the registry: %v\n%s", err, b)
		}
	})
	if err != nil {
		t.Fatalf("starting the schema registry: %v\n%s", err, stderr.String())
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), Env+"="); ok {
			t.Logf("schema registry at %s", u)
			return u
		}
	}
	t.Fatalf("registry.sh printed no %s line:\n%s", Env, out)
	return ""
}

// repoRoot is the directory of the module's go.mod, above the test's
// working directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// freePair returns a loopback port p such that p and p+1 (the registry's
// management port) are free now.
func freePair(t testing.TB) int {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.Addr().(*net.TCPAddr).Port
		l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1))
		_ = l.Close()
		if err == nil {
			_ = l2.Close()
			return p
		}
	}
	t.Fatal("no two adjacent free ports")
	return 0
}
