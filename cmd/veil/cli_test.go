package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader in different
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freeAddr returns a loopback address with a port free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// built is the veil binary the tests that run it share, built once.
var built struct {
	once     sync.Once
	dir, bin string
	err      error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildVeil returns the veil binary, built once per test run.
func buildVeil(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "veil-test-bin-"); built.err == nil {
			built.bin, built.err = buildBinary(built.dir)
		}
	})
	if built.err != nil {
		t.Fatalf("building veil: %v", built.err)
	}
	return built.bin
}

// build builds veil into dir with VCS stamping on (whatever GOFLAGS says).
// The go command reads VCS information only where .git is a directory, not
// in a git worktree (a .git file): there the working tree is copied into a
// fresh clone of the same commit first.
func buildBinary(dir string) (string, error) {
	top, err := gitOut("", "rev-parse", "--show-toplevel")
	if err != nil {
		return "", fmt.Errorf("building veil needs its git checkout: %w", err)
	}
	root := strings.TrimSpace(top)
	pkg := filepath.Join(root, "cmd", "veil")
	if fi, err := os.Stat(filepath.Join(root, ".git")); err != nil || !fi.IsDir() {
		src := filepath.Join(dir, "src")
		head, err := gitOut(root, "rev-parse", "HEAD")
		if err == nil {
			_, err = gitOut(root, "clone", "-q", "--no-checkout", root, src)
		}
		if err == nil {
			_, err = gitOut(src, "checkout", "-q", strings.TrimSpace(head))
		}
		files, lerr := gitOut(root, "ls-files", "-co", "--exclude-standard")
		if err = errors.Join(err, lerr); err != nil {
			return "", err
		}
		for _, f := range strings.Split(strings.TrimSpace(files), "\n") {
			data, err := os.ReadFile(filepath.Join(root, f))
			if errors.Is(err, os.ErrNotExist) {
				_ = os.Remove(filepath.Join(src, f)) // deleted in the working tree
				continue
			}
			if err == nil {
				err = os.MkdirAll(filepath.Dir(filepath.Join(src, f)), 0o755)
			}
			if err == nil {
				err = os.WriteFile(filepath.Join(src, f), data, 0o644)
			}
			if err != nil {
				return "", err
			}
		}
		pkg = filepath.Join(src, "cmd", "veil")
	}
	bin := filepath.Join(dir, "veil")
	cmd := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".")
	cmd.Dir = pkg
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
}

func gitOut(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %v: %w", args, err)
	}
	return string(out), nil
}

func TestHelpExitsZero(t *testing.T) {
	tests := [][]string{{"-h"}, {"--help"}, {"-help"}, {"help"}, {"help", "scan"}, {"rules", "lint", "-h"}}
	for _, c := range commands() {
		tests = append(tests, []string{c.name, "-h"}, []string{c.name, "--help"})
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			if err := run(context.Background(), args, strings.NewReader(""), &out, &errb); err != nil {
				t.Fatalf("veil %v = %v, want nil (exit 0); stderr:\n%s", args, err, errb.String())
			}
			if !strings.Contains(strings.ToLower(out.String()), "usage") && !strings.Contains(out.String(), "Commands:") {
				t.Errorf("veil %v printed no usage on stdout:\n%s", args, out.String())
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		give []string
		want string // on stderr
	}{
		{give: nil, want: "Commands:"},
		{give: []string{"nope"}, want: `unknown command "nope"`},
		{give: []string{"dev", "--nope"}, want: "flag provided but not defined: -nope"},
		{give: []string{"scan", "--nope"}, want: "flag provided but not defined: -nope"},
		{give: []string{"rules"}, want: "usage: veil rules lint"},
		{give: []string{"completion"}, want: "usage: veil completion"},
		{give: []string{"completion", "tcsh"}, want: `unknown shell "tcsh"`},
		{give: []string{"status", "stray"}, want: "usage: veil status"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.give, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(context.Background(), tt.give, strings.NewReader(""), &out, &errb)
			if !errors.Is(err, errUsage) {
				t.Errorf("veil %v = %v, want errUsage", tt.give, err)
			}
			if !strings.Contains(errb.String(), tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, errb.String())
			}
		})
	}
}

func TestVersionLine(t *testing.T) {
	settings := []debug.BuildSetting{{Key: "vcs.revision", Value: "4eede94a"}, {Key: "vcs.time", Value: "2026-12-01T20:00:00Z"}, {Key: "vcs.modified", Value: "true"}}
	tests := []struct {
		name     string
		give     *debug.BuildInfo
		override string
		want     string
	}{
		{name: "vcs", give: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.3.0"}, Settings: settings},
			want: "veil v0.3.0 revision 4eede94a (2026-12-01T20:00:00Z) modified go1.26.8"},
		{name: "override", give: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, override: "1.2.3",
			want: "veil 1.2.3 revision unknown go1.26.8"},
		{name: "no build info", want: "veil (devel) revision unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionLine(tt.give, tt.override); got != tt.want {
				t.Errorf("versionLine = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestVersionBinary builds veil and checks that both spellings print the
// module version and the commit it was built from.
func TestVersionBinary(t *testing.T) {
	rev, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatalf("git rev-parse HEAD (the version test needs the git checkout): %v", err)
	}
	bin := buildVeil(t)
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatalf("veil %v: %v", args, err)
		}
		got := string(out)
		t.Logf("veil %v: %s", args, got)
		if !strings.HasPrefix(got, "veil v") || !strings.Contains(got, "revision "+strings.TrimSpace(string(rev))) {
			t.Errorf("veil %v = %q, want the module version and revision %s", args, got, rev)
		}
	}
	// The process exit status: 0 for help, 1 for a bad flag.
	for _, tt := range []struct {
		args []string
		code int
	}{{[]string{"scan", "-h"}, 0}, {[]string{"dev", "--help"}, 0}, {[]string{"status", "-h"}, 0}, {[]string{"run", "--nope"}, 1}} {
		err := exec.Command(bin, tt.args...).Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.code {
			t.Errorf("veil %v exited %d, want %d", tt.args, code, tt.code)
		}
	}
}

func TestLogFormat(t *testing.T) {
	tests := []struct {
		format string
		want   string
	}{
		{format: logJSON, want: `"took":"1.5s"`},
		{format: logText, want: "took=1.5s"},
		{format: logAuto, want: `"took":"1.5s"`}, // a buffer is not a terminal
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			var b bytes.Buffer
			slog.New(logHandler(&b, tt.format, slog.LevelInfo)).Info("batch", "took", 1500*time.Millisecond)
			if !strings.Contains(b.String(), tt.want) {
				t.Errorf("log line %q lacks %q", b.String(), tt.want)
			}
		})
	}
	c := defaultConfig()
	c.Log.Format = "xml"
	if err := c.finish(); err == nil || !strings.Contains(err.Error(), `log.format: unknown "xml"`) {
		t.Errorf("finish with log.format xml = %v, want an error naming it", err)
	}
	c, err := loadConfig("", env(map[string]string{"VEIL_LOG_FORMAT": "text"}))
	if err != nil || c.Log.Format != "text" {
		t.Errorf("VEIL_LOG_FORMAT=text: format %q, err %v", c.Log.Format, err)
	}
}

func TestIsTerminal(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, w := range []any{null, f, &bytes.Buffer{}, (*os.File)(nil)} {
		if isTerminal(w) {
			t.Errorf("isTerminal(%T %v) = true", w, w)
		}
	}
}

// lockedLog records writes to stdout and stderr in the order they happen.
type lockedLog struct {
	mu     sync.Mutex
	events []string
}

type taggedWriter struct {
	l   *lockedLog
	tag string
}

func (w taggedWriter) Write(p []byte) (int, error) {
	w.l.mu.Lock()
	defer w.l.mu.Unlock()
	w.l.events = append(w.l.events, w.tag+string(p))
	return len(p), nil
}

func TestScanWritesGoodLinesBeforeBadOne(t *testing.T) {
	in := `{"event_id":"e1","body":"mail anna@example.nl"}
{"event_id":"e2","body":
{"event_id":"e3","body":"nothing"}
[1,2]
`
	var l lockedLog
	err := runScan(context.Background(), nil, strings.NewReader(in), taggedWriter{&l, "out:"}, taggedWriter{&l, "err:"})
	if err == nil || !strings.Contains(err.Error(), "2 bad lines (the first is line 2)") {
		t.Fatalf("runScan = %v, want an error counting 2 bad lines from line 2", err)
	}
	all := strings.Join(l.events, "")
	for _, want := range []string{`"event_id":"e1"`, "line 2: decoding event", `"event_id":"e3"`, "line 4: decoding event"} {
		if !strings.Contains(all, want) {
			t.Errorf("output lacks %q:\n%s", want, all)
		}
	}
	// e1 is written before line 2 is reported, e3 before line 4.
	order := func(a, b string) {
		if i, j := strings.Index(all, a), strings.Index(all, b); i < 0 || j < 0 || i > j {
			t.Errorf("%q does not come before %q:\n%s", a, b, all)
		}
	}
	order(`out:{"event_id":"e1"`, "err:veil scan: line 2")
	order("err:veil scan: line 2", `out:{"event_id":"e3"`)
	order(`out:{"event_id":"e3"`, "err:veil scan: line 4")
	if strings.Contains(all, "anna@example.nl") {
		t.Error("a finding's value was printed")
	}
}

func TestScanOneBadLine(t *testing.T) {
	var out, errb bytes.Buffer
	err := runScan(context.Background(), nil, strings.NewReader("{\"event_id\":\"e1\"}\nnot json\n"), &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "line 2 is bad") {
		t.Fatalf("runScan = %v, want line 2 named", err)
	}
	if !strings.Contains(out.String(), `"event_id":"e1"`) {
		t.Errorf("the good line before the bad one is missing: %q", out.String())
	}
}

func TestProgress(t *testing.T) {
	var b bytes.Buffer
	now := time.Unix(1000, 0)
	p := startProgress(&b, "veil scan", func() time.Time { return now })
	p.update(10, 100, 5, byteSize)
	if b.Len() != 0 {
		t.Fatalf("drawn within the first %v: %q", progressEvery, b.String())
	}
	now = now.Add(2 * time.Second)
	p.update(50_000_000, 100_000_000, 20_000, byteSize)
	want := "\r\x1b[Kveil scan: 50.0 MB of 100.0 MB (50%), 20,000 events, 10,000 events/s"
	if b.String() != want {
		t.Fatalf("progress line %q, want %q", b.String(), want)
	}
	p.update(60_000_000, 100_000_000, 20_001, byteSize) // too soon: not drawn
	p.done()
	if got := strings.TrimPrefix(b.String(), want); got != "\r\x1b[K" {
		t.Errorf("after done: %q, want the line cleared once", got)
	}
	var nilp *progress
	nilp.update(1, 2, 3, count)
	nilp.done()
	if newProgress(&b, "x") != nil {
		t.Error("a progress line on a buffer (not a terminal)")
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		give int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {-1234, "-1,234"}}
	for _, tt := range tests {
		if got := count(tt.give); got != tt.want {
			t.Errorf("count(%d) = %q, want %q", tt.give, got, tt.want)
		}
	}
}

// TestDevHTTPPortTaken: with the HTTP port taken, veil dev fails before it
// starts the broker or prints that it is processing.
func TestDevHTTPPortTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	var out, errb bytes.Buffer
	args := []string{"--listen", freeAddr(t), "--http", taken.Addr().String(), "--data-dir", t.TempDir()}
	err = runDev(context.Background(), args, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "listening for http on "+taken.Addr().String()) {
		t.Fatalf("runDev = %v, want the taken HTTP port named", err)
	}
	if out.Len() != 0 {
		t.Errorf("printed before failing:\n%s", out.String())
	}
}

// TestJSONLogsWhenPiped: veil dev logs JSON with human durations to a
// non-terminal stderr.
func TestJSONLogsWhenPiped(t *testing.T) {
	var b bytes.Buffer
	c := defaultConfig()
	newLogger(c, &b).Info("x", "d", time.Second)
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil || m["d"] != "1s" {
		t.Errorf("log line %q: %v, d = %v", b.String(), err, m["d"])
	}
}

// TestConfigKafkaProperties: a kafka: map in the config file reaches the
// processor's config, and a bad key is named when the config is checked.
func TestConfigKafkaProperties(t *testing.T) {
	t.Setenv("VEIL_KEK", strings.Repeat("ab", 32))
	path := filepath.Join(t.TempDir(), "veil.yaml")
	if err := os.WriteFile(path, []byte("kafka:\n  linger.ms: 5\n  compression.type: zstd\n  lingr.ms: 5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(path, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Kafka["linger.ms"] != "5" || c.Kafka["compression.type"] != "zstd" {
		t.Errorf("kafka = %v", c.Kafka)
	}
	err = c.finish()
	if err == nil || !strings.Contains(err.Error(), `kafka: unknown property "lingr.ms"`) || strings.Contains(err.Error(), "linger.ms") {
		t.Errorf("finish = %v, want only the unknown key named", err)
	}
}

// TestRunHTTPPortTaken: veil run fails on a taken HTTP port before it
// builds the processor or touches the brokers.
func TestRunHTTPPortTaken(t *testing.T) {
	t.Setenv("VEIL_KEK", strings.Repeat("ab", 32))
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	var out, errb bytes.Buffer
	err = runRun(context.Background(), []string{"--brokers", freeAddr(t), "--http", taken.Addr().String()}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "listening for http on "+taken.Addr().String()) {
		t.Fatalf("runRun = %v, want the taken HTTP port named", err)
	}
	if errb.Len() != 0 || out.Len() != 0 {
		t.Errorf("printed before failing:\n%s%s", out.String(), errb.String())
	}
}
