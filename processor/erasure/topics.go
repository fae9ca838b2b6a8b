package erasure

import (
	"strconv"
	"time"

	"github.com/veil-privacy/veil/processor/changelog"
)

// TopicSpecs returns the topics the erasure service uses, with their
// settings: requests and receipts delete after their retention (receipts
// hold no personal data and are kept long); the subject index and the keys
// topic are compacted like the view topics.
func TopicSpecs(cfg Config) []changelog.TopicSpec {
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
	receipts := "-1"
	if cfg.ReceiptRetention > 0 {
		receipts = ms(cfg.ReceiptRetention)
	}
	specs := []changelog.TopicSpec{
		{Name: cfg.Topics.Requests, Configs: map[string]string{"cleanup.policy": "delete", "retention.ms": ms(cfg.RequestRetention),
			"retention.bytes": "-1", "segment.ms": ms(time.Hour), "message.timestamp.type": "LogAppendTime"}},
		{Name: cfg.Topics.Receipts, Configs: map[string]string{"cleanup.policy": "delete", "retention.ms": receipts, "retention.bytes": "-1"}},
	}
	return append(specs, cfg.Pipeline.Tables...)
}
