package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
)

// runStatus is 'veil status': a live view of a running Veil, from its
// /metrics (--http) and, with --brokers, the consumer group lag. On a
// terminal it refreshes in place until interrupted; piped, it prints one
// snapshot, its rates taken over one interval.
func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("veil status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		path     = fs.String("config", "", "YAML config file for brokers, TLS, SASL, group and topics (optional)")
		httpAddr = fs.String("http", "", "HTTP address of Veil's /metrics (default: the config's, 127.0.0.1:9464, unless only --brokers is given)")
		brokers  = fs.String("brokers", "", "seed brokers, comma separated, to read the consumer group lag (optional)")
		group    = fs.String("group", "", "consumer group of the processor (default: the one Veil group on the cluster, else the config's)")
		interval = fs.Duration("interval", 2*time.Second, "refresh interval, and the window of the rates")
		once     = fs.Bool("once", false, "print one snapshot even on a terminal")
	)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 || *interval <= 0 {
		fmt.Fprintln(stderr, "usage: veil status [--http HOST:PORT] [--brokers HOST:PORT,...] [--group G] [--interval 2s] [--once]")
		return errUsage
	}
	c, err := loadConfig(*path, os.Getenv)
	if err != nil {
		return err
	}
	src := &statusSource{group: *group, groupSet: *group != ""}
	if src.group == "" {
		src.group = c.Group
	}
	switch {
	case *httpAddr != "":
		src.metricsURL = "http://" + *httpAddr + "/metrics"
	case *brokers == "" && c.HTTP.Addr != "":
		src.metricsURL = "http://" + c.HTTP.Addr + "/metrics"
	}
	if *brokers != "" {
		c.Brokers = splitList(*brokers)
	}
	if *brokers != "" || *path != "" && len(c.Brokers) > 0 {
		if err := readSASLPassword(&c); err != nil {
			return err
		}
		opts, err := processor.ClientOpts(c.Config)
		if err != nil {
			return err
		}
		cl, err := kgo.NewClient(opts...)
		if err != nil {
			return fmt.Errorf("creating kafka client: %w", err)
		}
		defer cl.Close()
		src.adm = kadm.NewClient(cl)
	}
	src.http = &http.Client{Timeout: 5 * time.Second}

	live := !*once && isTerminal(stdout)
	prev := src.sample(ctx)
	tick := time.NewTicker(*interval)
	defer tick.Stop()
	if live {
		fmt.Fprint(stdout, "\x1b[H\x1b[2J")
		renderStatus(stdout, src, statusSample{}, prev, true)
	}
	for {
		select {
		case <-ctx.Done():
			if live {
				return nil
			}
			return ctx.Err()
		case <-tick.C:
		}
		cur := src.sample(ctx)
		if !live {
			renderStatus(stdout, src, prev, cur, false)
			if cur.failed() {
				return errors.New("status: no figures could be read (see above)")
			}
			return nil
		}
		fmt.Fprint(stdout, "\x1b[H")
		renderStatus(stdout, src, prev, cur, true)
		fmt.Fprint(stdout, "\x1b[J")
		prev = cur
	}
}

// readSASLPassword reads sasl.password_file unless the password is set.
func readSASLPassword(c *config) error {
	if c.SASL.PasswordFile == "" || c.SASL.Password != "" {
		return nil
	}
	b, err := os.ReadFile(c.SASL.PasswordFile)
	if err != nil {
		return fmt.Errorf("sasl.password_file: %w", err)
	}
	c.SASL.Password = strings.TrimSpace(string(b))
	return nil
}

// statusSource is where the figures come from.
type statusSource struct {
	metricsURL string
	http       *http.Client
	adm        *kadm.Client
	group      string // the processor's consumer group
	groupSet   bool   // given with --group: not guessed
}

// statusSample is one reading of the figures.
type statusSample struct {
	at         time.Time
	metrics    map[string]*dto.MetricFamily
	metricsErr error
	lag        kadm.GroupLag // the processor group
	erasureLag kadm.GroupLag // the erasure group
	lagErr     error
}

func (s statusSample) failed() bool {
	return (s.metrics == nil) && (s.lag == nil)
}

func (src *statusSource) sample(ctx context.Context) statusSample {
	s := statusSample{at: time.Now()}
	if src.metricsURL != "" {
		s.metrics, s.metricsErr = src.scrape(ctx)
	}
	if src.adm != nil {
		if !src.groupSet {
			src.pickGroup(ctx)
		}
		lags, err := src.adm.Lag(ctx, src.group, src.group+"-erasure")
		if err == nil {
			err = lags.Error()
		}
		s.lagErr = err
		if err == nil {
			s.lag, s.erasureLag = lags[src.group].Lag, lags[src.group+"-erasure"].Lag
			if s.lag == nil {
				s.lag = kadm.GroupLag{}
			}
		}
	}
	return s
}

// pickGroup finds Veil's processor group: the group G that has a companion
// G-erasure (the erasure service's group). With exactly one such pair on the
// cluster it is used; otherwise the configured group stays.
func (src *statusSource) pickGroup(ctx context.Context) {
	groups, err := src.adm.ListGroups(ctx)
	if err != nil {
		return
	}
	names := groups.Groups()
	var found []string
	for _, g := range names {
		if slices.Contains(names, g+"-erasure") {
			found = append(found, g)
		}
	}
	if len(found) == 1 {
		src.group = found[0]
	}
}

func (src *statusSource) scrape(ctx context.Context) (map[string]*dto.MetricFamily, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.metricsURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := src.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", src.metricsURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("reading %s: %s", src.metricsURL, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", src.metricsURL, err)
	}
	return fams, nil
}

// byLabel sums the counters or gauges of family name by the value of label
// ("" sums them all under "").
func byLabel(fams map[string]*dto.MetricFamily, name, label string) map[string]float64 {
	out := map[string]float64{}
	f := fams[name]
	if f == nil {
		return out
	}
	for _, m := range f.GetMetric() {
		key := ""
		for _, lp := range m.GetLabel() {
			if lp.GetName() == label {
				key = lp.GetValue()
			}
		}
		switch {
		case m.Counter != nil:
			out[key] += m.GetCounter().GetValue()
		case m.Gauge != nil:
			out[key] += m.GetGauge().GetValue()
		case m.Untyped != nil:
			out[key] += m.GetUntyped().GetValue()
		}
	}
	return out
}

// rate is the per-second increase of a counter between two samples, or "-"
// when there is no earlier sample.
func rate(prev, cur map[string]float64, key string, dt time.Duration) string {
	if prev == nil || dt <= 0 {
		return "-"
	}
	d := cur[key] - prev[key]
	if d < 0 { // restarted
		d = cur[key]
	}
	return strconv.FormatFloat(d/dt.Seconds(), 'f', 1, 64)
}

func sortedKeys(m map[string]float64) []string {
	return slices.Sorted(maps.Keys(m))
}

// renderStatus writes the view of cur, with rates since prev (no rates when
// prev is empty); live, each line also clears the rest of its screen line.
func renderStatus(w io.Writer, src *statusSource, prev, cur statusSample, live bool) {
	var b strings.Builder
	eol := "\n"
	if live {
		eol = "\x1b[K\n"
	}
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+eol, args...) }
	dt := cur.at.Sub(prev.at)
	if prev.at.IsZero() {
		dt = 0
	}
	var from []string
	if src.metricsURL != "" {
		from = append(from, src.metricsURL)
	}
	if src.adm != nil {
		from = append(from, "group "+src.group)
	}
	line("veil status  %s  %s", cur.at.UTC().Format("2006-01-02 15:04:05Z"), strings.Join(from, "  "))
	if cur.metricsErr != nil {
		line("metrics: %v", cur.metricsErr)
	}
	if cur.lagErr != nil {
		line("lag: %v", cur.lagErr)
	}
	pm, cm := prev.metrics, cur.metrics

	if cm != nil {
		in, pin := byLabel(cm, "veil_events_in_total", "topic"), mapOrNil(pm, "veil_events_in_total", "topic")
		for _, t := range sortedKeys(in) {
			line("events in   %-28s %12s  %8s/s", t, count(int64(in[t])), rate(pin, in, t, dt))
		}
	}

	// Per partition: lag and events/s from the group's commits (--brokers),
	// else the lag the processor reports.
	line("")
	line("%-32s %10s %12s %12s %10s", "PARTITION", "LAG", "COMMITTED", "END", "EVENTS/S")
	switch {
	case cur.lag != nil:
		for _, l := range cur.lag.Sorted() {
			r := "-"
			if p, ok := prev.lag.Lookup(l.Topic, l.Partition); ok && dt > 0 && p.Commit.At >= 0 && l.Commit.At >= p.Commit.At {
				r = strconv.FormatFloat(float64(l.Commit.At-p.Commit.At)/dt.Seconds(), 'f', 1, 64)
			}
			lag := count(l.Lag)
			if l.Lag < 0 {
				lag = "?"
			}
			line("%-32s %10s %12s %12s %10s", fmt.Sprintf("%s/%d", l.Topic, l.Partition), lag, commitText(l.Commit.At), count(l.End.Offset), r)
		}
		if len(cur.lag) == 0 {
			line("  (group %s has no commits yet)", src.group)
		}
	case cm != nil && cm["veil_commit_lag_records"] != nil:
		var rows []string
		for _, m := range cm["veil_commit_lag_records"].GetMetric() {
			labels := map[string]string{}
			for _, lp := range m.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			rows = append(rows, fmt.Sprintf("%-32s %10s %12s %12s %10s", labels["topic"]+"/"+labels["partition"],
				count(int64(m.GetGauge().GetValue())), "-", "-", "-"))
		}
		slices.Sort(rows)
		for _, r := range rows {
			line("%s", r)
		}
		line("  (events/s per partition needs --brokers)")
	default:
		line("  (no partition figures yet)")
	}

	if cm != nil {
		out, pout := byLabel(cm, "veil_events_out_total", "view"), mapOrNil(pm, "veil_events_out_total", "view")
		line("")
		line("%-32s %12s %10s", "VIEW", "OUT", "OUT/S")
		for _, v := range sortedKeys(out) {
			line("%-32s %12s %10s", v, count(int64(out[v])), rate(pout, out, v, dt))
		}
		section := func(title, name, label string) {
			vals := byLabel(cm, name, label)
			line("")
			line("%-32s %12s", title, "TOTAL")
			if len(vals) == 0 {
				line("  (none)")
			}
			for _, k := range sortedKeys(vals) {
				line("%-32s %12s", k, count(int64(vals[k])))
			}
		}
		section("FINDINGS BY TYPE", "veil_findings_total", "type")
		section("DLQ BY REASON", "veil_dlq_events_total", "reason")
	}

	line("")
	var er []string
	if cm != nil {
		req := byLabel(cm, "veil_erasure_requests_total", "outcome")
		for _, o := range []string{"completed", "repeated", "replayed", "invalid", "failed"} {
			er = append(er, fmt.Sprintf("%s %s", o, count(int64(req[o]))))
		}
	}
	switch {
	case cur.erasureLag != nil:
		er = append(er, "pending "+count(cur.erasureLag.Total()))
	case src.adm == nil:
		er = append(er, "pending ? (needs --brokers)")
	default:
		er = append(er, "pending 0")
	}
	line("ERASURE  %s", strings.Join(er, "  "))
	line("CANARY   %s", canaryText(cm))
	fmt.Fprint(w, b.String())
}

func mapOrNil(fams map[string]*dto.MetricFamily, name, label string) map[string]float64 {
	if fams == nil {
		return nil
	}
	return byLabel(fams, name, label)
}

func commitText(at int64) string {
	if at < 0 {
		return "-"
	}
	return count(at)
}

// canaryText shows every veil_canary_* metric, or says there is none.
func canaryText(fams map[string]*dto.MetricFamily) string {
	if fams == nil {
		return "?"
	}
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(fams)) {
		if !strings.HasPrefix(name, "veil_canary") {
			continue
		}
		for k, v := range byLabel(fams, name, "state") {
			p := strings.TrimPrefix(name, "veil_canary_")
			if k != "" {
				p += "{" + k + "}"
			}
			parts = append(parts, fmt.Sprintf("%s %g", p, v))
		}
	}
	if len(parts) == 0 {
		return "not exported by this Veil"
	}
	slices.Sort(parts)
	return strings.Join(parts, "  ")
}
