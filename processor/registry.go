package processor

import (
	"context"
	"errors"
	"fmt"

	"github.com/veil-privacy/veil/schemas"
)

// validateRegistry checks the schema registry settings and the schema ids
// the confluent formats need.
func (c *Config) validateRegistry() []error {
	var errs []error
	if err := c.SchemaRegistry.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Output.Format == schemas.FormatConfluent && c.Output.SchemaID == 0 && !c.SchemaRegistry.Enabled() {
		errs = append(errs, errors.New("output.format confluent: set output.schema_id or schema_registry.url"))
	}
	return errs
}

// newCodecs builds the input codec (resolving schema ids in the registry, if
// one is configured) and the output codec. With registry-managed output ids
// the output codec is replaced by registerOutput.
func (p *Processor) newCodecs() error {
	var inOpts, outOpts []schemas.CodecOption
	if p.cfg.SchemaRegistry.Enabled() {
		reg, err := schemas.NewRegistry(p.cfg.SchemaRegistry)
		if err != nil {
			return err
		}
		p.reg = reg
		inOpts = append(inOpts, schemas.WithRegistry(reg))
	}
	if id := p.cfg.Output.SchemaID; id != 0 {
		outOpts = append(outOpts, schemas.WithSchemaID(schemas.RecordRenderedEvent, id))
	}
	var err error
	if p.in, err = schemas.NewCodec(p.cfg.Input.Format, inOpts...); err != nil {
		return fmt.Errorf("input codec: %w", err)
	}
	if p.out, err = schemas.NewCodec(p.cfg.Output.Format, outOpts...); err != nil {
		return fmt.Errorf("output codec: %w", err)
	}
	return nil
}

// registerOutput registers the rendered-event schema under the subject of
// every view topic (or looks it up, read-only) and makes the output codec
// write its id. It does nothing unless confluent output takes its id from
// the registry.
func (p *Processor) registerOutput(ctx context.Context) error {
	if p.reg == nil || p.cfg.Output.Format != schemas.FormatConfluent || p.cfg.Output.SchemaID != 0 {
		return nil
	}
	var id uint32
	for _, v := range p.views {
		got, err := p.reg.SchemaID(ctx, v.topic, schemas.RecordRenderedEvent)
		if err != nil {
			return fmt.Errorf("output schema of view %s: %w", v.name, err)
		}
		if id != 0 && got != id {
			return fmt.Errorf("output schema of view %s: the registry gives id %d, other views %d; one schema needs one id", v.name, got, id)
		}
		id = got
	}
	out, err := schemas.NewCodec(schemas.FormatConfluent, schemas.WithSchemaID(schemas.RecordRenderedEvent, id))
	if err != nil {
		return fmt.Errorf("output codec: %w", err)
	}
	p.out = out
	p.log.Info("output schema registered", "record", schemas.RecordRenderedEvent, "schema_id", id, "read_only", p.cfg.SchemaRegistry.ReadOnly)
	return nil
}
