package main

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/erasure"
)

// authProbe checks, with Veil's own credentials, that the broker lets Veil
// see every group and topic its components use: Describe on a group or a
// topic is implied by the Read or Write Veil needs, so a refusal means a
// missing grant. A component with a refused resource is down: /readyz
// fails, veil_component_up{component} is 0, and each refusal is logged once
// with the principal, the resource and the operation. Other errors (a broker
// away) leave the last result as it was.
//
// Between checks it also hears what the components' own clients are told
// at runtime (hooks, see hooks): a group the broker refuses to let a
// component join, a record it refuses to take (Write on a topic, or the
// transactional id). The component is down until the same client succeeds
// (a record taken, a fetch from its group) or, for a group, the next check
// sees it allowed. Repeats are logged at most every authRelog.
type authProbe struct {
	cl        *kgo.Client
	log       *slog.Logger
	principal string
	// components maps a component to its groups and topics.
	components map[string]probeResources
	up         *prometheus.GaugeVec
	checks     prometheus.Counter

	mu      sync.Mutex
	refused map[refusal]bool
	logged  map[refusal]time.Time // by component and resource: when last logged
	repeats map[refusal]int       // refusals seen since
	// anyRefused is len(refused) > 0, read without the lock on the hot
	// path of every produced record.
	anyRefused atomic.Bool
}

// refusal is one operation on one resource refused to one component.
type refusal struct{ component, resource, op string }

// authRelog is how often a refusal that persists is logged again.
const authRelog = 5 * time.Minute

type probeResources struct{ groups, topics []string }

// newAuthProbe builds the probe for c; reg receives veil_component_up.
func newAuthProbe(c config, log *slog.Logger, reg prometheus.Registerer) (*authProbe, error) {
	opts, err := processor.ClientOpts(c.Config)
	if err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, err
	}
	views := []string{c.Topics.DLQ}
	for _, v := range c.Views {
		views = append(views, v.Topic)
	}
	p := &authProbe{
		cl: cl, log: log, principal: "User:" + cmp.Or(c.SASL.Username, "ANONYMOUS"),
		components: map[string]probeResources{
			"processor": {groups: []string{c.Group}, topics: append([]string{c.Topics.Raw, c.Topics.Identifiers}, views...)},
			"erasure": {groups: []string{erasureGroup(c)}, topics: append([]string{
				c.Erasure.Topics.Requests, c.Erasure.Topics.Receipts, c.Topics.Subjects, c.Topics.Identifiers}, views...)},
			"keyring":   {topics: []string{c.Topics.Keys}},
			"retention": {topics: append([]string{c.Topics.Subjects, c.Erasure.Topics.Receipts}, views...)},
		},
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "veil_component_up", Help: "1 if the broker refuses the component none of its groups, topics and transactional id (by the periodic check and at runtime), else 0.",
		}, []string{"component"}),
		checks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "veil_auth_checks_total", Help: "Completed checks of Veil's Kafka permissions (see veil_component_up).",
		}),
		refused: map[refusal]bool{}, logged: map[refusal]time.Time{}, repeats: map[refusal]int{},
	}
	for name := range p.components {
		p.up.WithLabelValues(name).Set(1)
	}
	reg.MustRegister(p.up, p.checks)
	return p, nil
}

// ok reports whether no component has a refused resource.
func (p *authProbe) ok() bool {
	return !p.anyRefused.Load()
}

// run probes every interval until ctx is done, then closes the client; an
// interval of 0 disables the probe.
func (p *authProbe) run(ctx context.Context, interval time.Duration) {
	defer p.cl.Close()
	if interval <= 0 {
		return
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		p.probe(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// probe checks every resource once.
func (p *authProbe) probe(ctx context.Context) {
	adm := kadm.NewClient(p.cl)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for name, res := range p.components {
		if len(res.groups) > 0 {
			described, err := adm.DescribeGroups(ctx, res.groups...)
			for _, g := range res.groups {
				gerr := err
				if d, ok := described[g]; ok {
					gerr = d.Err
				}
				p.note(refusal{name, "group " + g, "Read (Describe refused)"}, gerr, kerr.GroupAuthorizationFailed)
				if gerr == nil {
					// The group is allowed again: so is joining it.
					p.allow(refusal{name, "group " + g, "Read"})
				}
			}
		}
		ends, err := adm.ListEndOffsets(ctx, res.topics...)
		for _, tp := range res.topics {
			terr := err
			if err == nil {
				for _, o := range ends[tp] {
					terr = cmp.Or(terr, o.Err)
				}
			}
			p.note(refusal{name, "topic " + tp, "Describe"}, terr, kerr.TopicAuthorizationFailed)
		}
	}
	if ctx.Err() == nil {
		p.checks.Inc()
	}
}

// note records the outcome of a check of r: refused if err is authErr,
// allowed if err is nil; other errors (a broker away) keep the last result.
func (p *authProbe) note(r refusal, err error, authErr *kerr.Error) {
	switch {
	case errors.Is(err, authErr):
		p.refuse(r, err)
	case err == nil:
		p.allow(r)
	}
}

// refuse marks r refused: its component is down. A new refusal is logged;
// one that persists, at most every authRelog with the repeats since.
func (p *authProbe) refuse(r refusal, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.refused[r] {
		p.refused[r] = true
		p.anyRefused.Store(true)
		p.setUp(r.component)
	}
	// Logged per resource: the check and a client's error about one
	// group are one refusal.
	key := refusal{component: r.component, resource: r.resource}
	if last, ok := p.logged[key]; ok && time.Since(last) < authRelog {
		p.repeats[key]++
		return
	}
	p.logged[key] = time.Now()
	p.log.Error("not authorized: component down", "component", r.component, "principal", p.principal,
		"resource", r.resource, "operation", r.op, "repeats", p.repeats[key], "err", err)
	p.repeats[key] = 0
}

// allow marks r allowed. The log limit of r stays, so that a refusal that
// comes and goes is not logged at every turn.
func (p *authProbe) allow(r refusal) {
	if !p.anyRefused.Load() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.refused[r] {
		return
	}
	delete(p.refused, r)
	p.anyRefused.Store(len(p.refused) > 0)
	p.setUp(r.component)
	p.log.Info("authorized again", "component", r.component, "principal", p.principal, "resource", r.resource, "operation", r.op)
}

// setUp sets veil_component_up of component from the refusals; p.mu is held.
func (p *authProbe) setUp(component string) {
	up := 1.0
	for r := range p.refused {
		if r.component == component {
			up = 0
		}
	}
	p.up.WithLabelValues(component).Set(up)
}

// hooks returns the client hooks that report to p the authorization errors
// a component's clients see: group is the component's consumer group ("" for
// none) and groupTopic the topic it consumes in it, keys the keyring's topic
// (its records are the keyring's), txnID the transactional id the component
// may use. A nil p has no hooks.
func (p *authProbe) hooks(component, group, groupTopic, keys, txnID string) []kgo.Opt {
	if p == nil {
		return nil
	}
	return []kgo.Opt{kgo.WithHooks(authHooks{p: p, component: component, group: group, groupTopic: groupTopic, keys: keys, txnID: txnID})}
}

// transactionalID is the processor's transactional id under c (as
// processor.New picks it), or "" without exactly-once.
func transactionalID(c config) string {
	if c.Processing.Guarantee != processor.ExactlyOnce {
		return ""
	}
	return cmp.Or(c.Processing.TransactionalID, processor.DefaultTransactionalID(c.Config))
}

// authHooks are the hooks of hooks.
type authHooks struct {
	p                                         *authProbe
	component, group, groupTopic, keys, txnID string
}

var (
	_ kgo.HookGroupManageError        = authHooks{}
	_ kgo.HookProduceRecordUnbuffered = authHooks{}
	_ kgo.HookFetchBatchRead          = authHooks{}
)

// OnGroupManageError hears that joining or staying in the group failed.
func (h authHooks) OnGroupManageError(err error) {
	if errors.Is(err, kerr.GroupAuthorizationFailed) {
		h.p.refuse(refusal{h.component, "group " + h.group, "Read"}, err)
	}
}

// OnFetchBatchRead hears a fetch: a group consumer that fetches its topic
// is in its group.
func (h authHooks) OnFetchBatchRead(_ kgo.BrokerMetadata, topic string, _ int32, _ kgo.FetchBatchMetrics) {
	if h.group != "" && topic == h.groupTopic {
		h.p.allow(refusal{h.component, "group " + h.group, "Read"})
	}
}

// OnProduceRecordUnbuffered hears the outcome of every produced record.
func (h authHooks) OnProduceRecordUnbuffered(r *kgo.Record, err error) {
	if err == nil && !h.p.anyRefused.Load() {
		return // the hot path
	}
	component := h.component
	switch {
	case r.Topic == h.keys:
		component = "keyring"
	case r.Context != nil && erasure.Sweeping(r.Context):
		component = "retention"
	}
	topic := refusal{component, "topic " + r.Topic, "Write"}
	txn := refusal{component, "transactional-id " + h.txnID, "Write"}
	switch {
	case err == nil:
		h.p.allow(topic)
		h.p.allow(txn)
	case errors.Is(err, kerr.TopicAuthorizationFailed):
		h.p.refuse(topic, err)
	case errors.Is(err, kerr.TransactionalIDAuthorizationFailed):
		h.p.refuse(txn, err)
	}
}
