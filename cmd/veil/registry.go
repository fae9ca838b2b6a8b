package main

import (
	"context"
	"fmt"

	"github.com/veil-privacy/veil/schemas"
)

// registerReceiptSchema gives confluent receipts their schema id from the
// registry (registered under the receipt topic's subject, or looked up when
// read-only) unless erasure.receipt_schema_id sets one.
func registerReceiptSchema(ctx context.Context, c *config) error {
	format := c.Erasure.Format
	if format == "" {
		format = c.Input.Format
	}
	if !c.SchemaRegistry.Enabled() || format != schemas.FormatConfluent || c.Erasure.ReceiptSchemaID != 0 {
		return nil
	}
	reg, err := schemas.NewRegistry(c.SchemaRegistry)
	if err != nil {
		return err
	}
	id, err := reg.SchemaID(ctx, c.Erasure.Topics.Receipts, schemas.RecordErasureReceipt)
	if err != nil {
		return fmt.Errorf("receipt schema: %w", err)
	}
	c.Erasure.ReceiptSchemaID = id
	return nil
}
