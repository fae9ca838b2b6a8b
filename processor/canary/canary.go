// Package canary is Veil's PII canary: it produces synthetic events carrying
// made-up personal data of every type Veil detects onto the raw topic, reads
// their renderings back from every view topic, and counts each value a view
// shows although its policy does not keep it (veil_canary_leaks_total) and
// how long an event took from the raw topic to each view
// (veil_canary_latency_seconds).
//
// Canary records carry the header veil.canary (Header) on the raw topic and,
// copied by the processor, on every view record; the processor never
// records them in the subject index. After checking a rendering the canary
// writes a tombstone (with the same header) for its key, so compaction
// removes it. Consumers skip every record that has the header.
package canary

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// Header is the record header that marks a canary event, on the raw topic
// and on every view topic. Its value is the id of the Veil instance that
// sent the event.
const Header = "veil.canary"

// CustomerID is the customer id of every canary event.
const CustomerID = "veil-canary"

// Config configures the canary.
type Config struct {
	// Enabled turns the canary on. 'veil dev' turns it on by default.
	Enabled bool `yaml:"enabled"`
	// Interval is the time between two canary events (the rate is one
	// event per interval, per instance); at least 100ms.
	Interval time.Duration `yaml:"interval"`
}

// Default returns the canary off, at one event a minute when turned on.
func Default() Config { return Config{Interval: time.Minute} }

// Validate reports a problem with c.
func (c Config) Validate() error {
	if c.Enabled && c.Interval < 100*time.Millisecond {
		return fmt.Errorf("interval: %v is below 100ms", c.Interval)
	}
	return nil
}

// View is one view the canary checks.
type View struct {
	// Name and Topic are the view's name and topic.
	Name, Topic string
	// Text renders the body and subject; Fields renders the structured
	// fields (by their types: CUSTOMER_ID, PERSON, EMAIL_ADDRESS).
	Text, Fields rules.Policy
}

// Setup is where the canary sends and reads.
type Setup struct {
	// Raw is the topic canary events are produced to, in format Input
	// (json or avro: a confluent-framed event would need a schema id).
	Raw   string
	Input schemas.Format
	// Views are read in format Output.
	Views  []View
	Output schemas.Format
	// ReadCommitted reads views with read_committed (exactly-once).
	ReadCommitted bool
	// Conn are the client's connection options.
	Conn []kgo.Opt
}

// Canary sends and checks canary events. Build it with New, run it with Run.
type Canary struct {
	cfg    Config
	setup  Setup
	log    *slog.Logger
	id     string // this instance's id, the value of Header
	gen    *rules.Canaries
	in     *schemas.Codec
	out    *schemas.Codec
	byView map[string]*View // by topic
	m      *metrics
}

// New builds a canary; reg receives its metrics.
func New(cfg Config, s Setup, log *slog.Logger, reg prometheus.Registerer) (*Canary, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("canary: %w", err)
	}
	if s.Input == schemas.FormatConfluent {
		return nil, errors.New("canary: input.format confluent is not supported (use json or avro input, or turn the canary off)")
	}
	in, err := schemas.NewCodec(s.Input)
	if err != nil {
		return nil, fmt.Errorf("canary input codec: %w", err)
	}
	out, err := schemas.NewCodec(s.Output)
	if err != nil {
		return nil, fmt.Errorf("canary output codec: %w", err)
	}
	mk, err := rules.NewCanaries()
	if err != nil {
		return nil, fmt.Errorf("canary: %w", err)
	}
	var raw [8]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, fmt.Errorf("canary id: %w", err)
	}
	c := &Canary{cfg: cfg, setup: s, log: log, id: hex.EncodeToString(raw[:]), gen: mk, in: in, out: out,
		byView: map[string]*View{}}
	var names []string
	for i := range s.Views {
		c.byView[s.Views[i].Topic] = &s.Views[i]
		names = append(names, s.Views[i].Name)
	}
	var types []rules.Type
	for _, v := range mk.Make(0).Values {
		types = append(types, v.Type)
	}
	c.m = newMetrics(reg, names, append(types, rules.CustomerID))
	return c, nil
}

// Run sends a canary event every interval and checks the renderings it
// reads until ctx is done. It returns nil then, or an error if it cannot
// create its Kafka clients.
func (c *Canary) Run(ctx context.Context) error {
	prod, err := kgo.NewClient(c.setup.Conn...)
	if err != nil {
		return fmt.Errorf("creating canary producer: %w", err)
	}
	defer prod.Close()
	topics := make([]string, 0, len(c.setup.Views))
	for _, v := range c.setup.Views {
		topics = append(topics, v.Topic)
	}
	opts := append(append([]kgo.Opt(nil), c.setup.Conn...),
		kgo.ConsumeTopics(topics...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd()),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
	)
	if c.setup.ReadCommitted {
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	cons, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("creating canary consumer: %w", err)
	}
	defer cons.Close()
	c.log.Info("canary started", "id", c.id, "interval", c.cfg.Interval, "views", len(topics))
	var wg sync.WaitGroup
	wg.Go(func() { c.check(ctx, cons) })
	c.send(ctx, prod)
	wg.Wait()
	return nil
}

// send produces a canary event every interval until ctx is done.
func (c *Canary) send(ctx context.Context, cl *kgo.Client) {
	tick := time.NewTicker(c.cfg.Interval)
	defer tick.Stop()
	var seed [8]byte
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if _, err := rand.Read(seed[:]); err != nil {
			c.log.Warn("canary: no seed", "err", err)
			continue
		}
		s := uint64(0)
		for _, b := range seed {
			s = s<<8 | uint64(b)
		}
		rec, err := c.record(s, time.Now())
		if err != nil {
			c.log.Error("canary: encoding event", "err", err)
			continue
		}
		cl.Produce(ctx, rec, func(_ *kgo.Record, err error) {
			if err != nil {
				if ctx.Err() == nil {
					c.log.Warn("canary: producing event", "topic", rec.Topic, "err", err)
				}
				return
			}
			c.m.sent.Inc()
		})
	}
}

// record builds the canary event of seed sent at now. Its event id is the
// seed, from which the checker rebuilds the values.
func (c *Canary) record(seed uint64, now time.Time) (*kgo.Record, error) {
	m := c.gen.Make(seed)
	ev := schemas.ConversationEvent{
		EventID:        strconv.FormatUint(seed, 10),
		ConversationID: "veil-canary-" + c.id,
		CustomerID:     CustomerID,
		Channel:        "chat",
		Locale:         "en",
		AuthorRole:     "customer",
		AuthorName:     value(m, rules.Person),
		AuthorEmail:    value(m, rules.Email),
		SentAt:         now.UTC().Truncate(time.Millisecond),
		Body:           m.Text,
	}
	val, err := c.in.EncodeEvent(ev)
	if err != nil {
		return nil, err
	}
	return &kgo.Record{Topic: c.setup.Raw, Key: []byte(ev.ConversationID), Value: val,
		Headers: []kgo.RecordHeader{{Key: Header, Value: []byte(c.id)}}}, nil
}

func value(m rules.Canary, t rules.Type) string {
	for _, v := range m.Values {
		if v.Type == t {
			return v.Value
		}
	}
	return ""
}

// check reads the view topics until ctx is done and checks every canary
// rendering this instance sent.
func (c *Canary) check(ctx context.Context, cl *kgo.Client) {
	for {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil || fetches.IsClientClosed() {
			return
		}
		fetches.EachError(func(t string, p int32, err error) {
			c.log.Warn("canary: fetching", "topic", t, "partition", p, "err", err)
		})
		fetches.EachRecord(func(r *kgo.Record) {
			if r.Value == nil || !c.mine(r) {
				return
			}
			c.checkRecord(r)
			// The rendering is checked: delete it, keeping the mark so
			// that consumers skip the tombstone too.
			cl.Produce(ctx, &kgo.Record{Topic: r.Topic, Partition: r.Partition, Key: r.Key,
				Headers: []kgo.RecordHeader{{Key: Header, Value: []byte(c.id)}}}, func(_ *kgo.Record, err error) {
				if err != nil && ctx.Err() == nil {
					c.log.Warn("canary: deleting a checked rendering", "topic", r.Topic, "partition", r.Partition, "err", err)
				}
			})
		})
	}
}

// mine reports whether r is a canary rendering this instance sent.
func (c *Canary) mine(r *kgo.Record) bool {
	for _, h := range r.Headers {
		if h.Key == Header {
			return string(h.Value) == c.id
		}
	}
	return false
}

// checkRecord checks one rendering and records its latency.
func (c *Canary) checkRecord(r *kgo.Record) {
	v := c.byView[r.Topic]
	if v == nil {
		return
	}
	re, err := c.out.DecodeRendered(r.Value)
	if err != nil {
		c.log.Warn("canary: decoding a rendering", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset, "err", err)
		return
	}
	seed, err := strconv.ParseUint(re.EventID, 10, 64)
	if err != nil {
		c.log.Warn("canary: rendering without a seed", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset)
		return
	}
	for _, l := range Leaks(*v, c.gen.Make(seed), re) {
		c.m.leaks.WithLabelValues(v.Name, string(l)).Inc()
		c.log.Error("canary: a view shows a value its policy does not keep", "view", v.Name, "type", l,
			"topic", r.Topic, "partition", r.Partition, "offset", r.Offset)
	}
	c.m.checks.WithLabelValues(v.Name).Inc()
	c.m.latency.WithLabelValues(v.Name).Observe(time.Since(re.SentAt).Seconds())
}

// Leaks returns the types of the values of m that rendering re of view v
// shows although v's policy does not keep them, once per type.
func Leaks(v View, m rules.Canary, re schemas.RenderedEvent) []rules.Type {
	var out []rules.Type
	leak := func(t rules.Type) {
		for _, o := range out {
			if o == t {
				return
			}
		}
		out = append(out, t)
	}
	text := re.Subject + "\n" + re.Body
	for _, cv := range m.Values {
		if v.Text.RuleFor(cv.Type).Action != rules.Keep && readable(text, cv.Type, cv.Value) {
			leak(cv.Type)
		}
	}
	fields := []struct {
		t           rules.Type
		sent, shown string
	}{
		{rules.CustomerID, CustomerID, re.CustomerID},
		{rules.Person, value(m, rules.Person), re.AuthorName},
		{rules.Email, value(m, rules.Email), re.AuthorEmail},
	}
	for _, f := range fields {
		if v.Fields.RuleFor(f.t).Action != rules.Keep && readable(f.shown, f.t, f.sent) {
			leak(f.t)
		}
	}
	return out
}

// readable reports whether value of type t can be read in text: written
// as it was, or in another spelling (the type's normalisation), or for a
// person any part of the name as a word.
func readable(text string, t rules.Type, value string) bool {
	if value == "" {
		return false
	}
	if strings.Contains(text, value) {
		return true
	}
	if nv := t.Normalize(value); len(nv) >= 4 && strings.Contains(t.Normalize(text), nv) {
		return true
	}
	if t == rules.Person {
		words := strings.FieldsFunc(text, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f || r == '\'' || r == '-')
		})
		for _, part := range strings.Fields(value) {
			for _, w := range words {
				if strings.EqualFold(w, part) {
					return true
				}
			}
		}
	}
	return false
}
