package processor

import (
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor/canary"
	"github.com/veil-privacy/veil/rules"
	"github.com/veil-privacy/veil/schemas"
)

// canaryMark returns the canary header (canary.Header) of r, holding event
// ev, which every view record of a canary event carries too. Only an event
// of the canary's customer is a canary: a header on a real customer's event
// must not keep it out of the subject index (and so out of erasure).
func canaryMark(r *kgo.Record, ev *schemas.ConversationEvent) (kgo.RecordHeader, bool) {
	if ev.CustomerID != canary.CustomerID {
		return kgo.RecordHeader{}, false
	}
	for _, h := range r.Headers {
		if h.Key == canary.Header {
			return h, true
		}
	}
	return kgo.RecordHeader{}, false
}

// CanaryViews returns the views of cfg as the canary checks them: with the
// text and field policies the processor renders them with.
func CanaryViews(cfg Config) []canary.View {
	var out []canary.View
	for _, v := range cfg.Views {
		fields := rules.Policy{Version: v.Policy.Version, Default: rules.Rule{Action: rules.Remove}, Types: map[rules.Type]rules.Rule{}}
		for f, r := range v.Policy.Fields {
			t, _ := rules.StructuredField(f) // Validate refused unknown fields
			fields.Types[t] = r
		}
		out = append(out, canary.View{Name: v.Name, Topic: v.Topic, Text: v.Policy.policy(), Fields: fields})
	}
	return out
}
