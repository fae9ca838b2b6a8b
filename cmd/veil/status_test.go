package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/schemas"
)

// devEnv is a 'veil dev' running in this process on free ports.
type devEnv struct {
	broker, http string
	stdout       *syncBuffer
}

// startDev runs veil dev (embedded broker, samples, processor) until the
// test ends.
func startDev(t *testing.T, args ...string) devEnv {
	t.Helper()
	t.Setenv("VEIL_BROKERS", "")
	t.Setenv("VEIL_HTTP_ADDR", "")
	d := devEnv{broker: freeAddr(t), http: freeAddr(t), stdout: &syncBuffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	var (
		wg     sync.WaitGroup
		devErr error
		stderr syncBuffer
	)
	wg.Go(func() {
		devErr = runDev(ctx, append([]string{"--listen", d.broker, "--http", d.http, "--data-dir", t.TempDir(), "--log-format", "json"}, args...), d.stdout, &stderr)
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		if devErr != nil && !errors.Is(devErr, context.Canceled) {
			t.Errorf("veil dev: %v\n%s", devErr, stderr.String())
		}
	})
	waitFor(t, "veil dev to print its banner", 60*time.Second, func() bool {
		return strings.Contains(d.stdout.String(), "live status:")
	})
	return d
}

// statusFigure reads one figure from a status snapshot: the number after
// the row's name (a view, a type, a reason or "events in <topic>").
func statusFigure(snap, row string) (int64, bool) {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(row) + `\s+([\d,]+)`).FindStringSubmatch(snap)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(m[1], ",", ""), 10, 64)
	return n, err == nil
}

// committedTotal adds up the COMMITTED column of the partitions of topic.
func committedTotal(snap, topic string) int64 {
	var total int64
	for _, m := range regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(topic)+`/\d+\s+\S+\s+([\d,]+|-)\s`).FindAllStringSubmatch(snap, -1) {
		n, _ := strconv.ParseInt(strings.ReplaceAll(m[1], ",", ""), 10, 64)
		total += n
	}
	return total
}

func snapshot(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if err := runStatus(context.Background(), args, &out, &errb); err != nil {
		t.Fatalf("veil status %v: %v\n%s%s", args, err, out.String(), errb.String())
	}
	return out.String()
}

// TestStatusSeesEvents runs veil dev and reads status snapshots (piped: one
// snapshot, no escape codes): the sample events are counted in, out per
// view, per partition and by finding type; more events and an erasure move
// the figures.
func TestStatusSeesEvents(t *testing.T) {
	d := startDev(t, "--canary-every", "0") // exact sample counts: no canary events
	args := []string{"--http", d.http, "--brokers", d.broker, "--interval", "200ms"}
	const samplesN = 16
	var snap string
	waitFor(t, "status to count the sample events", 60*time.Second, func() bool {
		snap = snapshot(t, args...)
		n, _ := statusFigure(snap, "analytics")
		return n == samplesN && committedTotal(snap, "conversations.raw") == samplesN
	})
	t.Log("\n" + snap)
	if strings.Contains(snap, "\x1b") {
		t.Errorf("piped snapshot holds escape codes:\n%q", snap)
	}
	for _, row := range []string{"events in   conversations.raw", "support", "personalization", "EMAIL_ADDRESS", "IBAN_CODE"} {
		if n, ok := statusFigure(snap, row); !ok || n == 0 {
			t.Errorf("snapshot row %q = %d, %v; want a count", row, n, ok)
		}
	}
	for _, want := range []string{"group veil-dev", "PARTITION", "DLQ BY REASON", "ERASURE  completed 0", "pending 0", "CANARY"} {
		if !strings.Contains(snap, want) {
			t.Errorf("snapshot lacks %q", want)
		}
	}

	// Five more events and one erasure: the figures move.
	cl, err := kgo.NewClient(kgo.SeedBrokers(d.broker))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	codec, _ := schemas.NewCodec(schemas.FormatJSON)
	for i := range 5 {
		v, err := codec.EncodeEvent(schemas.ConversationEvent{EventID: fmt.Sprintf("st-%d", i), ConversationID: "chat-st", CustomerID: "cust-st",
			Channel: "chat", Locale: "en-GB", AuthorRole: "customer", SentAt: time.Now().UTC().Truncate(time.Millisecond), Body: "write to me at someone@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		if err := cl.ProduceSync(context.Background(), &kgo.Record{Topic: "conversations.raw", Key: []byte("chat-st"), Value: v}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	var eout, eerr bytes.Buffer
	if err := runErase(context.Background(), []string{"--brokers", d.broker, "--customer", "cust-s01", "--wait", "--timeout", "60s"}, &eout, &eerr); err != nil {
		t.Fatalf("veil erase: %v\n%s", err, eerr.String())
	}
	waitFor(t, "status to count the new events and the erasure", 60*time.Second, func() bool {
		snap = snapshot(t, args...)
		n, _ := statusFigure(snap, "events in   conversations.raw")
		return n == samplesN+5 && strings.Contains(snap, "ERASURE  completed 1")
	})
	t.Log("\n" + snap)
}

// TestStatusRates checks the rates and sections on canned metrics, with
// an earlier sample two seconds before.
func TestStatusRates(t *testing.T) {
	parse := func(text string) statusSample {
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := p.TextToMetricFamilies(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		return statusSample{metrics: fams}
	}
	const tmpl = `# TYPE veil_events_in_total counter
veil_events_in_total{topic="conversations.raw"} %d
# TYPE veil_events_out_total counter
veil_events_out_total{view="analytics"} %d
# TYPE veil_dlq_events_total counter
veil_dlq_events_total{reason="malformed"} 3
# TYPE veil_findings_total counter
veil_findings_total{type="EMAIL_ADDRESS"} 7
# TYPE veil_commit_lag_records gauge
veil_commit_lag_records{topic="conversations.raw",partition="0"} 12
# TYPE veil_erasure_requests_total counter
veil_erasure_requests_total{outcome="completed"} 2
`
	prev, cur := parse(fmt.Sprintf(tmpl, 100, 90)), parse(fmt.Sprintf(tmpl, 140, 110))
	prev.at = time.Unix(1000, 0)
	cur.at = prev.at.Add(2 * time.Second)
	var b bytes.Buffer
	renderStatus(&b, &statusSource{metricsURL: "http://x/metrics"}, prev, cur, false)
	got := b.String()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`events in   conversations.raw\s+140\s+20.0/s`),
		regexp.MustCompile(`(?m)^analytics\s+110\s+10.0$`),
		regexp.MustCompile(`(?m)^conversations.raw/0\s+12\s`),
		regexp.MustCompile(`(?m)^malformed\s+3$`),
		regexp.MustCompile(`(?m)^EMAIL_ADDRESS\s+7$`),
		regexp.MustCompile(`ERASURE  completed 2 .* pending \? \(needs --brokers\)`),
		regexp.MustCompile(`CANARY   not exported by this Veil`),
	} {
		if !want.MatchString(got) {
			t.Errorf("status lacks %v:\n%s", want, got)
		}
	}
	// Live, every line also clears the rest of its screen line.
	b.Reset()
	renderStatus(&b, &statusSource{metricsURL: "http://x/metrics"}, prev, cur, true)
	if !strings.Contains(b.String(), "\x1b[K\n") {
		t.Error("live view does not clear line ends")
	}
}

// TestStatusUnreachable: with nothing to read, status says why and fails.
func TestStatusUnreachable(t *testing.T) {
	addr := freeAddr(t)
	var out, errb bytes.Buffer
	err := runStatus(context.Background(), []string{"--http", addr, "--interval", "10ms"}, &out, &errb)
	if err == nil {
		t.Fatalf("status on a closed port = nil\n%s", out.String())
	}
	if !strings.Contains(out.String(), "metrics: reading http://"+addr+"/metrics") {
		t.Errorf("status does not say what failed:\n%s", out.String())
	}
}

// TestStatusPartitionRates: events/s per partition come from the group's
// commits between two samples; lag and offsets are shown as read.
func TestStatusPartitionRates(t *testing.T) {
	lag := func(commit, end int64) kadm.GroupLag {
		return kadm.GroupLag{"conversations.raw": {
			0: {Topic: "conversations.raw", Partition: 0, Commit: kadm.Offset{At: commit}, End: kadm.ListedOffset{Offset: end}, Lag: end - commit},
			1: {Topic: "conversations.raw", Partition: 1, Commit: kadm.Offset{At: -1}, End: kadm.ListedOffset{Offset: 0}, Lag: 0},
		}}
	}
	prev := statusSample{at: time.Unix(1000, 0), lag: lag(1000, 1500)}
	cur := statusSample{at: time.Unix(1002, 0), lag: lag(1030, 4000)}
	var b bytes.Buffer
	renderStatus(&b, &statusSource{group: "veil"}, prev, cur, false)
	got := b.String()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^conversations.raw/0\s+2,970\s+1,030\s+4,000\s+15.0$`),
		regexp.MustCompile(`(?m)^conversations.raw/1\s+0\s+-\s+0\s+-$`),
	} {
		if !want.MatchString(got) {
			t.Errorf("status lacks %v:\n%s", want, got)
		}
	}
}

// TestStatusCanary: a veil_canary_* metric is shown when Veil exports one.
func TestStatusCanary(t *testing.T) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader("# TYPE veil_canary_leaks_total counter\nveil_canary_leaks_total 0\n# TYPE veil_canary_state gauge\nveil_canary_state{state=\"ok\"} 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := canaryText(fams); got != "leaks_total 0  state{ok} 1" {
		t.Errorf("canaryText = %q", got)
	}
}
