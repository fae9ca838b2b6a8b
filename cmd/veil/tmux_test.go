//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// tmuxSession is a tmux server of the test's own (its own socket), with one
// shell in a 160x60 terminal: what veil sees there is a real terminal.
type tmuxSession struct {
	t    *testing.T
	sock string
}

func newTmux(t *testing.T) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux is required for the terminal tests (apt-get install -y tmux; deploy/test-all.sh installs it): %v", err)
	}
	s := &tmuxSession{t: t, sock: fmt.Sprintf("veil-test-%d-%s", os.Getpid(), regexp.MustCompile(`\W`).ReplaceAllString(t.Name(), ""))}
	s.tmux("-f", os.DevNull, "new-session", "-d", "-s", "main", "-x", "160", "-y", "60", "env PS1='$ ' sh")
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.sock, "kill-server").Run() })
	return s
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.sock}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// send types a command line and presses Enter.
func (s *tmuxSession) send(line string) { s.tmux("send-keys", "-t", "main", line, "Enter") }

func (s *tmuxSession) pane() string { return s.tmux("capture-pane", "-p", "-t", "main") }

// waitPane waits until cond holds for the pane's text and returns it.
func (s *tmuxSession) waitPane(what string, cond func(string) bool) string {
	s.t.Helper()
	var p string
	deadline := time.Now().Add(60 * time.Second)
	for p = s.pane(); !cond(p); p = s.pane() {
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s; pane:\n%s", what, p)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return p
}

var statusHeader = regexp.MustCompile(`veil status  (\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ)`)

// TestStatusLiveInTmux: on a terminal, veil status redraws one view in place
// with live figures, and Ctrl-C ends it with exit status 0.
func TestStatusLiveInTmux(t *testing.T) {
	d := startDev(t, "--canary-every", "0") // exact sample counts: no canary events
	bin := buildVeil(t)
	s := newTmux(t)
	s.send(fmt.Sprintf("%s status --http %s --brokers %s --interval 300ms; echo STATUS-EXIT=$?", bin, d.http, d.broker))
	p := s.waitPane("the sample events in the live view", func(p string) bool {
		n, _ := statusFigure(p, "analytics")
		return n == 16
	})
	first := statusHeader.FindStringSubmatch(p)
	if first == nil {
		t.Fatalf("no header in the pane:\n%s", p)
	}
	p = s.waitPane("a redraw with a later time", func(p string) bool {
		h := statusHeader.FindStringSubmatch(p)
		return h != nil && h[1] != first[1]
	})
	t.Log("\n" + p)
	if n := len(statusHeader.FindAllString(p, -1)); n != 1 {
		t.Errorf("%d views on the screen, want 1 redrawn in place:\n%s", n, p)
	}
	if !strings.Contains(p, "PARTITION") || !strings.Contains(p, "EMAIL_ADDRESS") {
		t.Errorf("live view lacks partitions or findings:\n%s", p)
	}
	s.tmux("send-keys", "-t", "main", "C-c")
	s.waitPane("status to exit", func(p string) bool { return strings.Contains(p, "STATUS-EXIT=0") })
}

// TestScanProgressInTmux: with stderr on a terminal and the output in a
// file, veil scan keeps a progress line, and clears it at the end. The input
// is a FIFO fed until the line shows, so no timing is assumed.
func TestScanProgressInTmux(t *testing.T) {
	bin := buildVeil(t)
	s := newTmux(t)
	dir := t.TempDir()
	fifo, out := filepath.Join(dir, "in.fifo"), filepath.Join(dir, "out.jsonl")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var (
		wg      sync.WaitGroup
		written int
		werr    error
	)
	wg.Go(func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			werr = err
			return
		}
		defer f.Close()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := fmt.Fprintf(f, `{"event_id":"p%d","body":"order %d is on its way"}`+"\n", written, written); err != nil {
				werr = err
				return
			}
			written++
			time.Sleep(2 * time.Millisecond) // pace the feed; nothing waits on it
		}
	})
	stopped := false
	stopFeed := func() {
		if !stopped {
			stopped = true
			close(stop)
			// Unblock the writer's open if scan never opened the FIFO.
			if r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
				defer r.Close()
			}
			wg.Wait()
		}
	}
	defer stopFeed()
	s.send(fmt.Sprintf("%s scan --in %s --out %s; echo SCAN-EXIT=$?", bin, fifo, out))
	p := s.waitPane("the progress line", func(p string) bool {
		return regexp.MustCompile(`veil scan: [\d.]+ (B|kB|MB), [\d,]+ events, [\d,]+ events/s`).MatchString(p)
	})
	t.Log("\n" + p)
	stopFeed()
	if werr != nil {
		t.Fatalf("feeding the FIFO: %v", werr)
	}
	p = s.waitPane("scan to exit", func(p string) bool { return strings.Contains(p, "SCAN-EXIT=0") })
	if strings.Contains(p, "veil scan: ") {
		t.Errorf("the progress line was not cleared:\n%s", p)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n != written {
		t.Errorf("%d findings lines for %d events", n, written)
	}
}

// TestDevLogsTextInTmux: with stderr on a terminal, logs are text lines with
// human durations, not JSON; Ctrl-C stops veil dev cleanly.
func TestDevLogsTextInTmux(t *testing.T) {
	t.Setenv("VEIL_BROKERS", "")
	bin := buildVeil(t)
	s := newTmux(t)
	s.send(fmt.Sprintf("%s dev --listen %s --http %s --data-dir %s; echo DEV-EXIT=$?", bin, freeAddr(t), freeAddr(t), t.TempDir()))
	p := s.waitPane("the processor to start", func(p string) bool { return strings.Contains(p, `msg="processor started"`) })
	t.Log("\n" + p)
	if !regexp.MustCompile(`level=INFO msg="http listening" addr=127\.0\.0\.1:\d+`).MatchString(p) {
		t.Errorf("no text log line for the HTTP listener:\n%s", p)
	}
	if strings.Contains(p, `{"time":`) {
		t.Errorf("JSON logs on a terminal:\n%s", p)
	}
	s.tmux("send-keys", "-t", "main", "C-c")
	p = s.waitPane("veil dev to exit", func(p string) bool { return regexp.MustCompile(`DEV-EXIT=\d`).MatchString(p) })
	if !strings.Contains(p, "DEV-EXIT=0") {
		t.Errorf("veil dev did not exit 0 on Ctrl-C:\n%s", p)
	}
}
