package processor

import (
	"strconv"
	"time"

	"github.com/veil-privacy/veil/processor/changelog"
)

// TopicSpecs returns the topics of cfg with their settings, the same as
// deploy/topics.yaml gives them (TestTopicSettingsAgree): the raw and DLQ
// topics delete after a short retention; view topics, the subject index and
// the keys topic are compacted, with max.compaction.lag.ms bounding the time
// from a tombstone to physical deletion of what it supersedes.
func TopicSpecs(cfg Config) []changelog.TopicSpec {
	td := cfg.TopicDefaults
	specs := []changelog.TopicSpec{
		{Name: cfg.Topics.Raw, Configs: deleted(td.RawRetention)},
		{Name: cfg.Topics.DLQ, Configs: deleted(td.DLQRetention)},
	}
	for _, v := range cfg.Views {
		specs = append(specs, changelog.TopicSpec{Name: v.Topic, Configs: compacted(td, td.MinCompactionLag, td.MaxCompactionLag, 24*time.Hour)})
	}
	return append(specs, tableSpecs(cfg)...)
}

// tableSpecs are the compacted topics the erasure service shares: the
// subject index, the identifier index, and the keys topic, whose shreds are the erasure itself and
// so are compacted within a day whatever the views' bound.
func tableSpecs(cfg Config) []changelog.TopicSpec {
	td := cfg.TopicDefaults
	return []changelog.TopicSpec{
		{Name: cfg.Topics.Subjects, Configs: compacted(td, 0, td.MaxCompactionLag, 24*time.Hour)},
		{Name: cfg.Topics.Identifiers, Configs: compacted(td, 0, td.MaxCompactionLag, 24*time.Hour)},
		{Name: cfg.Topics.Keys, Configs: compacted(td, 0, min(td.MaxCompactionLag, 24*time.Hour), time.Hour)},
	}
}

// deleted returns the settings of a topic that deletes records older than
// retention, by time only, in segments of an hour so that they go on time.
func deleted(retention time.Duration) map[string]string {
	return map[string]string{"cleanup.policy": "delete", "retention.ms": ms(retention), "retention.bytes": "-1", "segment.ms": ms(time.Hour)}
}

// compacted returns the settings of a compacted topic holding personal data:
// a record may be compacted minLag after it was written and must be by
// maxLag; segments roll every segment (at most maxLag), as compaction never
// touches the active one.
func compacted(td TopicDefaults, minLag, maxLag, segment time.Duration) map[string]string {
	c := map[string]string{
		"cleanup.policy":        "compact",
		"delete.retention.ms":   ms(td.DeleteRetention),
		"min.compaction.lag.ms": ms(minLag),
	}
	if maxLag > 0 {
		c["max.compaction.lag.ms"] = ms(maxLag)
		c["segment.ms"] = ms(min(segment, maxLag))
	}
	return c
}

func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
