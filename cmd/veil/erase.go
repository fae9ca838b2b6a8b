package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/processor/subjects"
	"github.com/veil-privacy/veil/schemas"
)

// runErase is 'veil erase': it produces an erasure request for one customer
// and/or identifiers and prints its request id; with --wait it then prints
// the receipt.
func runErase(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("veil erase", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		path      = fs.String("config", "", "YAML config file for brokers, TLS and SASL (optional)")
		brokers   = fs.String("brokers", "", "seed brokers, comma separated (overrides config and VEIL_BROKERS)")
		customer  = fs.String("customer", "", "customer id to erase (this, or --identifier, or both)")
		reason    = fs.String("reason", "", "reason, e.g. a ticket reference; no personal data")
		requestID = fs.String("request-id", "", "request id (default: a random one); the same id twice is handled once")
		topic     = fs.String("topic", "", "erasure request topic (default: erasure.topics.requests of the config)")
		receipts  = fs.String("receipts", "", "erasure receipt topic (default: erasure.topics.receipts of the config)")
		format    = fs.String("format", "", "request and receipt format: json, avro or confluent (default: erasure.format, else input.format of the config)")
		schemaID  = fs.Uint("schema-id", 0, "schema-registry id of the request schema (confluent format)")
		wait      = fs.Bool("wait", false, "wait for the receipt and print it as JSON")
		timeout   = fs.Duration("timeout", 60*time.Second, "how long to wait (producing included)")
	)
	var ids []schemas.Identifier
	var idErr error
	// Parsed here, not refused by the flag package, whose error would quote the value.
	fs.Func("identifier", "TYPE=VALUE to redact in every view record that shows it, e.g. EMAIL_ADDRESS=anna@example.nl (repeatable; "+
		"types: EMAIL_ADDRESS, PHONE_NUMBER (international form), IBAN_CODE, CREDIT_CARD, NL_BSN, US_SSN, BE_NRN)", func(v string) error {
		id, err := parseIdentifier(v)
		if err != nil && idErr == nil {
			idErr = fmt.Errorf("--identifier #%d: %w", len(ids)+1, err)
		}
		ids = append(ids, id)
		return nil
	})
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if idErr != nil {
		return idErr
	}
	if *customer == "" && len(ids) == 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: veil erase (--customer ID | --identifier TYPE=VALUE ...) [--brokers HOST:PORT] [--reason R] [--request-id ID] [--wait] [--timeout 60s]")
		return errUsage
	}
	c, err := loadConfig(*path, os.Getenv)
	if err != nil {
		return err
	}
	// Flags override the config file, whose erasure section names the
	// topics and format the erasure service uses.
	unlessSet := func(flag *string, v string) {
		if *flag == "" {
			*flag = v
		}
	}
	unlessSet(topic, c.Erasure.Topics.Requests)
	unlessSet(receipts, c.Erasure.Topics.Receipts)
	unlessSet(format, string(c.Erasure.Format))
	unlessSet(format, string(c.Input.Format))
	f, err := schemas.ParseFormat(*format)
	if err != nil {
		return err
	}
	var copts []schemas.CodecOption
	if *schemaID != 0 {
		copts = append(copts, schemas.WithSchemaID(schemas.RecordErasureRequest, uint32(*schemaID)))
	}
	codec, err := schemas.NewCodec(f, copts...)
	if err != nil {
		return err
	}
	id := *requestID
	if id == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		id = "erase-" + hex.EncodeToString(b)
	}
	value, err := codec.EncodeErasureRequest(schemas.ErasureRequest{
		RequestID: id, CustomerID: *customer, RequestedAt: time.Now().UTC().Truncate(time.Millisecond), Reason: *reason,
		Identifiers: ids,
	})
	if err != nil {
		return err
	}

	if *brokers != "" {
		c.Brokers = splitList(*brokers)
	}
	if c.SASL.PasswordFile != "" && c.SASL.Password == "" {
		b, err := os.ReadFile(c.SASL.PasswordFile)
		if err != nil {
			return fmt.Errorf("sasl.password_file: %w", err)
		}
		c.SASL.Password = strings.TrimSpace(string(b))
	}
	opts, err := processor.ClientOpts(c.Config)
	if err != nil {
		return err
	}
	cl, err := kgo.NewClient(append(opts, kgo.RecordPartitioner(changelog.Partitioner()))...)
	if err != nil {
		return fmt.Errorf("creating kafka client: %w", err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	// Receipts are read from the end offsets taken before the request is
	// produced, so that the receipt cannot be missed.
	var start map[int32]kgo.Offset
	if *wait {
		ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, *receipts)
		if err == nil {
			err = ends.Error()
		}
		if err != nil {
			return fmt.Errorf("reading end offsets of %s: %w", *receipts, err)
		}
		start = map[int32]kgo.Offset{}
		ends.Each(func(o kadm.ListedOffset) { start[o.Partition] = kgo.NewOffset().At(o.Offset) })
		if len(start) == 0 {
			return fmt.Errorf("topic %s not found", *receipts)
		}
	}
	// Keyed by customer id with Kafka's default partitioner: the request
	// lands in the partition of the customer's subject index. A request by
	// identifiers only is keyed by its request id (never by a value).
	key := *customer
	if key == "" {
		key = id
	}
	rec := &kgo.Record{Topic: *topic, Key: []byte(key), Value: value}
	if err := cl.ProduceSync(ctx, rec).FirstErr(); err != nil {
		return fmt.Errorf("producing erasure request to %s: %w", *topic, err)
	}
	fmt.Fprintln(stdout, id)
	if !*wait {
		return nil
	}
	rc, err := awaitReceipt(ctx, opts, *receipts, start, codec, id)
	if err != nil {
		return err
	}
	out, err := mustJSON().EncodeErasureReceipt(rc)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(out))
	return nil
}

// awaitReceipt reads topic from start until the receipt of id arrives.
func awaitReceipt(ctx context.Context, opts []kgo.Opt, topic string, start map[int32]kgo.Offset, codec *schemas.Codec, id string) (schemas.ErasureReceipt, error) {
	cl, err := kgo.NewClient(append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: start}))...)
	if err != nil {
		return schemas.ErasureReceipt{}, fmt.Errorf("creating kafka client: %w", err)
	}
	defer cl.Close()
	for {
		fetches := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return schemas.ErasureReceipt{}, fmt.Errorf("no receipt for request %s yet (timed out)", id)
			}
			return schemas.ErasureReceipt{}, err
		}
		var (
			found bool
			rc    schemas.ErasureReceipt
		)
		fetches.EachRecord(func(r *kgo.Record) {
			if found || string(r.Key) != id {
				return
			}
			if got, err := codec.DecodeErasureReceipt(r.Value); err == nil && got.RequestID == id {
				rc, found = got, true
			}
		})
		if found {
			return rc, nil
		}
	}
}

func mustJSON() *schemas.Codec {
	c, err := schemas.NewCodec(schemas.FormatJSON)
	if err != nil {
		panic(err) // the JSON codec has no options that can fail
	}
	return c
}

// parseIdentifier parses the TYPE=VALUE of --identifier. Its errors never
// quote the value.
func parseIdentifier(v string) (schemas.Identifier, error) {
	typ, value, ok := strings.Cut(v, "=")
	typ, value = strings.TrimSpace(typ), strings.TrimSpace(value)
	switch {
	case !ok || value == "":
		return schemas.Identifier{}, errors.New("want TYPE=VALUE")
	case !subjects.Identifying(typ, false):
		// Not quoted: a swapped VALUE=TYPE would print the value.
		return schemas.Identifier{}, errors.New("the type is not indexed (want EMAIL_ADDRESS, PHONE_NUMBER, IBAN_CODE, CREDIT_CARD, NL_BSN, US_SSN or BE_NRN)")
	case typ == "PHONE_NUMBER" && !strings.HasPrefix(value, "+") && !strings.HasPrefix(value, "00"):
		// The index normalised each number with its event's locale; a
		// request has none, so a national number would match nothing.
		return schemas.Identifier{}, errors.New("a PHONE_NUMBER must be in international form (+31 6 ..., or 0031 6 ...)")
	}
	return schemas.Identifier{Type: typ, Value: value}, nil
}
