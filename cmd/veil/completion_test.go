package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// completionScript writes 'veil completion shell' to a file and returns its
// path, failing the test if the shell is not installed.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	if _, err := exec.LookPath(shell); err != nil {
		t.Fatalf("%s is required for the completion tests (apt-get install -y %s; deploy/test-all.sh installs it): %v", shell, shell, err)
	}
	var out, errb bytes.Buffer
	if err := runCompletion(context.Background(), []string{shell}, &out, &errb); err != nil {
		t.Fatalf("veil completion %s: %v (%s)", shell, err, errb.String())
	}
	path := filepath.Join(t.TempDir(), "veil."+shell)
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func shellOut(t *testing.T, shell string, script string) string {
	t.Helper()
	out, err := exec.Command(shell, "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("%s -c %q: %v\n%s", shell, script, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestBashCompletion runs the completion function as bash would.
func TestBashCompletion(t *testing.T) {
	path := completionScript(t, "bash")
	tests := []struct {
		give []string // the words; the last is being completed
		want string
	}{
		{give: []string{"veil", "sc"}, want: "scan"},
		{give: []string{"veil", "st"}, want: "status"},
		{give: []string{"veil", "--ver"}, want: "--version"},
		{give: []string{"veil", "scan", "--re"}, want: "--redact"},
		{give: []string{"veil", "status", "--br"}, want: "--brokers"},
		{give: []string{"veil", "dev", "--log-"}, want: "--log-format"},
		{give: []string{"veil", "rules", ""}, want: "lint"},
		{give: []string{"veil", "completion", "f"}, want: "fish"},
		{give: []string{"veil", "help", "er"}, want: "erase"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.give, " "), func(t *testing.T) {
			var words []string
			for _, w := range tt.give {
				words = append(words, "'"+w+"'")
			}
			got := shellOut(t, "bash", "source "+path+"; COMP_WORDS=("+strings.Join(words, " ")+"); COMP_CWORD="+
				strconv.Itoa(len(tt.give)-1)+`; _veil; echo "${COMPREPLY[*]}"`)
			if got != tt.want {
				t.Errorf("completions %q, want %q", got, tt.want)
			}
		})
	}
	if got := shellOut(t, "bash", "source "+path+"; complete -p veil"); !strings.Contains(got, "-F _veil") {
		t.Errorf("veil not registered: %q", got)
	}
}

// TestFishCompletion asks fish itself for completions of command lines.
func TestFishCompletion(t *testing.T) {
	path := completionScript(t, "fish")
	tests := []struct {
		give string
		want string // the first field of one completion
	}{
		{give: "veil sc", want: "scan"},
		{give: "veil scan --re", want: "--redact"},
		{give: "veil status --in", want: "--interval"},
		{give: "veil completion z", want: "zsh"},
	}
	for _, tt := range tests {
		t.Run(tt.give, func(t *testing.T) {
			got := shellOut(t, "fish", "source "+path+"; complete -C '"+tt.give+"'")
			found := false
			for _, l := range strings.Split(got, "\n") {
				found = found || strings.Split(l, "\t")[0] == tt.want
			}
			if !found {
				t.Errorf("completions of %q:\n%s\nwant %q", tt.give, got, tt.want)
			}
		})
	}
}

// TestZshCompletion loads the script after compinit: it parses and
// registers _veil for veil.
func TestZshCompletion(t *testing.T) {
	path := completionScript(t, "zsh")
	got := shellOut(t, "zsh", "autoload -U compinit && compinit -u -D && source "+path+" && print ${_comps[veil]} && whence -w _veil")
	if !strings.Contains(got, "_veil") || !strings.Contains(got, "_veil: function") {
		t.Errorf("zsh: %q, want _veil registered as a function", got)
	}
	data, _ := os.ReadFile(path)
	for _, want := range []string{"'scan:detect personal data", "'--redact[write the events redacted", "'--interval[refresh interval", "'1:word:(bash zsh fish)'"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("zsh script lacks %q", want)
		}
	}
}
