package erasure

import (
	"strconv"
	"time"

	"github.com/veil-privacy/veil/processor"
)

// TopicSpecs returns the topics the erasure service uses, with their
// settings: requests and receipts delete after their retention (receipts
// hold no personal data and are kept long); the subject index and the keys
// topic are compacted like the view topics.
func TopicSpecs(pcfg processor.Config, cfg Config) []processor.TopicSpec {
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
	receipts := "-1"
	if cfg.ReceiptRetention > 0 {
		receipts = ms(cfg.ReceiptRetention)
	}
	specs := []processor.TopicSpec{
		{Name: cfg.Topics.Requests, Configs: map[string]string{"cleanup.policy": "delete", "retention.ms": ms(cfg.RequestRetention)}},
		{Name: cfg.Topics.Receipts, Configs: map[string]string{"cleanup.policy": "delete", "retention.ms": receipts}},
	}
	for _, t := range []string{pcfg.Topics.Subjects, pcfg.Topics.Keys} {
		specs = append(specs, processor.TopicSpec{Name: t, Configs: processor.CompactedConfigs(pcfg.TopicDefaults)})
	}
	return specs
}
