package processor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TopicSpec is a topic Veil creates when it is missing.
type TopicSpec struct {
	Name    string
	Configs map[string]string
}

// TopicSpecs returns the topics of cfg with their settings: the raw and DLQ
// topics delete after a short retention; view topics are compacted, with
// max.compaction.lag.ms bounding the time from a tombstone to physical
// deletion of what it supersedes.
func TopicSpecs(cfg Config) []TopicSpec {
	td := cfg.TopicDefaults
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
	specs := []TopicSpec{
		{Name: cfg.Topics.Raw, Configs: map[string]string{"cleanup.policy": "delete", "retention.ms": ms(td.RawRetention)}},
		{Name: cfg.Topics.DLQ, Configs: map[string]string{"cleanup.policy": "delete", "retention.ms": ms(td.DLQRetention)}},
	}
	for _, v := range cfg.Views {
		specs = append(specs, TopicSpec{Name: v.Topic, Configs: CompactedConfigs(td)})
	}
	specs = append(specs,
		TopicSpec{Name: cfg.Topics.Subjects, Configs: CompactedConfigs(td)},
		TopicSpec{Name: cfg.Topics.Keys, Configs: CompactedConfigs(td)},
	)
	return specs
}

// CompactedConfigs returns the settings of a compacted topic holding personal
// data (views, keys, the subject index).
func CompactedConfigs(td TopicDefaults) map[string]string {
	ms := func(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
	c := map[string]string{
		"cleanup.policy":        "compact",
		"delete.retention.ms":   ms(td.DeleteRetention),
		"min.compaction.lag.ms": ms(td.MinCompactionLag),
	}
	if td.MaxCompactionLag > 0 {
		c["max.compaction.lag.ms"] = ms(td.MaxCompactionLag)
		// A segment must roll before it can be compacted.
		c["segment.ms"] = ms(td.MaxCompactionLag)
	}
	return c
}

// EnsureTopics creates the topics of specs that do not exist yet. Existing
// topics are left as they are.
func EnsureTopics(ctx context.Context, cl *kgo.Client, partitions int32, replication int16, specs []TopicSpec) error {
	adm := kadm.NewClient(cl)
	var errs []error
	for _, s := range specs {
		cfg := make(map[string]*string, len(s.Configs))
		for k, v := range s.Configs {
			cfg[k] = kadm.StringPtr(v)
		}
		resp, err := adm.CreateTopic(ctx, partitions, replication, cfg, s.Name)
		if err == nil {
			err = resp.Err
		}
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			errs = append(errs, fmt.Errorf("creating topic %s: %w", s.Name, err))
		}
	}
	return errors.Join(errs...)
}
