package processor

import "github.com/veil-privacy/veil/processor/erasure"

// ErasurePipeline returns what the erasure service of the same deployment
// shares with a processor of c: group, topics, timeouts, formats and topic
// settings (erasure.Config.Pipeline).
func (c Config) ErasurePipeline() erasure.Pipeline {
	pl := erasure.Pipeline{
		Group:             c.Group,
		InstanceID:        c.InstanceID,
		SessionTimeout:    c.SessionTimeout,
		RebalanceTimeout:  c.RebalanceTimeout,
		DeliveryTimeout:   c.Processing.DeliveryTimeout,
		InputFormat:       c.Input.Format,
		Subjects:          c.Topics.Subjects,
		Identifiers:       c.Topics.Identifiers,
		OutputFormat:      c.Output.Format,
		OutputSchemaID:    c.Output.SchemaID,
		Keys:              c.Topics.Keys,
		Reserved:          []string{c.Topics.Raw, c.Topics.DLQ},
		CreateTopics:      c.TopicDefaults.Create,
		Partitions:        c.TopicDefaults.Partitions,
		ReplicationFactor: c.TopicDefaults.ReplicationFactor,
		Tables:            tableSpecs(c),
	}
	for _, v := range c.Views {
		pl.Views = append(pl.Views, v.Topic)
	}
	return pl
}
