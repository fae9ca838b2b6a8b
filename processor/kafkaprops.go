package processor

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/twmb/franz-go/pkg/kgo"
)

// KafkaProperties are Java Kafka client properties (the kafka: map of the
// config), for users who bring a client.properties along: security.protocol,
// sasl.mechanism, sasl.jaas.config, linger.ms, compression.type, acks, ...
// Each known property maps to a franz-go option or to a Veil setting; a
// property Veil sets itself is refused with the Veil key to use, and any
// other key is refused by name.
type KafkaProperties map[string]string

// kafkaProperty applies one property's value to the connection settings c
// and the extra client options.
type kafkaProperty func(v string, c *Config, opts *[]kgo.Opt) error

// msProperty is a property in milliseconds, for option opt.
func msProperty[O kgo.Opt](opt func(time.Duration) O) kafkaProperty {
	return func(v string, _ *Config, opts *[]kgo.Opt) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a number of milliseconds", v)
		}
		*opts = append(*opts, opt(time.Duration(n)*time.Millisecond))
		return nil
	}
}

// bytesProperty is a property in bytes, for option opt.
func bytesProperty[O kgo.Opt](opt func(int32) O) kafkaProperty {
	return func(v string, _ *Config, opts *[]kgo.Opt) error {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n <= 0 {
			return fmt.Errorf("%q is not a positive number of bytes", v)
		}
		*opts = append(*opts, opt(int32(n)))
		return nil
	}
}

// onlyValue is a property Veil accepts with one value only (any case), why
// saying so otherwise.
func onlyValue(want, why string) kafkaProperty {
	return func(v string, _ *Config, _ *[]kgo.Opt) error {
		if !strings.EqualFold(v, want) {
			return fmt.Errorf("%q: %s", v, why)
		}
		return nil
	}
}

// kafkaProperties lists the properties Veil understands.
func kafkaProperties() map[string]kafkaProperty {
	return map[string]kafkaProperty{
		"client.rack": func(v string, _ *Config, opts *[]kgo.Opt) error {
			*opts = append(*opts, kgo.Rack(v))
			return nil
		},
		"security.protocol": func(v string, c *Config, _ *[]kgo.Opt) error {
			switch v {
			case "PLAINTEXT", "SASL_PLAINTEXT":
				if c.TLS.Enabled {
					return fmt.Errorf("%s, but tls.enabled is true", v)
				}
			case "SSL", "SASL_SSL":
				c.TLS.Enabled = true
			default:
				return fmt.Errorf("unknown %q (want PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)", v)
			}
			return nil
		},
		"sasl.mechanism": func(v string, c *Config, _ *[]kgo.Opt) error {
			switch v {
			case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
				c.SASL.Mechanism = v
				return nil
			case "OAUTHBEARER", "GSSAPI":
				return fmt.Errorf("%s is not supported (use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)", v)
			}
			return fmt.Errorf("unknown %q (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)", v)
		},
		"sasl.jaas.config": func(v string, c *Config, _ *[]kgo.Opt) error {
			module, opts, err := parseJAAS(v)
			if err != nil {
				return err
			}
			switch module {
			case "org.apache.kafka.common.security.plain.PlainLoginModule",
				"org.apache.kafka.common.security.scram.ScramLoginModule":
			default:
				return fmt.Errorf("login module %s is not supported (want PlainLoginModule or ScramLoginModule)", module)
			}
			for k := range opts {
				if k != "username" && k != "password" {
					return fmt.Errorf("unknown login option %q (want username and password)", k)
				}
			}
			if opts["username"] == "" || opts["password"] == "" {
				return errors.New("username and password are required")
			}
			c.SASL.Username, c.SASL.Password = opts["username"], opts["password"]
			return nil
		},
		"ssl.truststore.type": onlyValue("PEM", "not supported: convert the trust store to PEM (ssl.truststore.type=PEM)"),
		"ssl.truststore.location": func(v string, c *Config, _ *[]kgo.Opt) error {
			c.TLS.CAFile = v
			return nil
		},
		"ssl.endpoint.identification.algorithm": onlyValue("https", "Veil always verifies the broker's host name (set tls.server_name for another name)"),
		"acks": func(v string, c *Config, opts *[]kgo.Opt) error {
			switch v {
			case "all", "-1":
				*opts = append(*opts, kgo.RequiredAcks(kgo.AllISRAcks()))
			case "1":
				if c.Processing.Guarantee == ExactlyOnce {
					return errors.New("1 cannot be used with processing.guarantee exactly_once (transactions need acks=all)")
				}
				*opts = append(*opts, kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite())
			case "0":
				return errors.New("0 is refused: unacknowledged writes can be lost without a trace, and Veil commits an input only after its outputs are acknowledged")
			default:
				return fmt.Errorf("unknown %q (want all, -1 or 1)", v)
			}
			return nil
		},
		"enable.idempotence": onlyValue("true", "idempotent writes stay on (acks=1 turns them off)"),
		"compression.type": func(v string, _ *Config, opts *[]kgo.Opt) error {
			codecs := map[string]kgo.CompressionCodec{"none": kgo.NoCompression(), "gzip": kgo.GzipCompression(),
				"snappy": kgo.SnappyCompression(), "lz4": kgo.Lz4Compression(), "zstd": kgo.ZstdCompression()}
			codec, ok := codecs[v]
			if !ok {
				return fmt.Errorf("unknown %q (want none, gzip, snappy, lz4 or zstd)", v)
			}
			*opts = append(*opts, kgo.ProducerBatchCompression(codec))
			return nil
		},
		"linger.ms":                          msProperty(kgo.ProducerLinger),
		"request.timeout.ms":                 msProperty(kgo.ProduceRequestTimeout),
		"retry.backoff.ms":                   msProperty(func(d time.Duration) kgo.Opt { return kgo.RetryBackoffFn(func(int) time.Duration { return d }) }),
		"metadata.max.age.ms":                msProperty(kgo.MetadataMaxAge),
		"connections.max.idle.ms":            msProperty(kgo.ConnIdleTimeout),
		"socket.connection.setup.timeout.ms": msProperty(kgo.DialTimeout),
		"fetch.max.wait.ms":                  msProperty(kgo.FetchMaxWait),
		"batch.size":                         bytesProperty(kgo.ProducerBatchMaxBytes),
		"fetch.min.bytes":                    bytesProperty(kgo.FetchMinBytes),
		"fetch.max.bytes":                    bytesProperty(kgo.FetchMaxBytes),
		"max.partition.fetch.bytes":          bytesProperty(kgo.FetchMaxPartitionBytes),
	}
}

// veilKey is the Veil setting that stands for Java property k, or "".
func veilKey(k string) string {
	switch k {
	case "bootstrap.servers":
		return "brokers (or --brokers, VEIL_BROKERS)"
	case "client.id":
		return "client_id (or VEIL_CLIENT_ID)"
	case "group.id":
		return "group"
	case "group.instance.id":
		return "instance_id"
	case "session.timeout.ms":
		return "session_timeout"
	case "max.poll.interval.ms":
		return "rebalance_timeout"
	case "transactional.id":
		return "processing.transactional_id"
	case "delivery.timeout.ms":
		return "processing.delivery_timeout"
	case "max.poll.records":
		return "processing.max_poll_records"
	case "isolation.level":
		return "processing.guarantee"
	case "enable.auto.commit":
		return "nothing: Veil commits once its outputs are acknowledged"
	case "auto.offset.reset":
		return "nothing: a new Veil group starts at the earliest offset"
	case "key.serializer", "value.serializer":
		return "output.format"
	case "key.deserializer", "value.deserializer":
		return "input.format"
	case "ssl.keystore.location", "ssl.keystore.type", "ssl.key.password", "ssl.keystore.password":
		return "tls.cert_file and tls.key_file (PEM)"
	}
	return ""
}

// resolve applies the properties to c (brokers, client id, TLS, SASL) and
// returns the client options they add, or every bad property, by name.
func (p KafkaProperties) resolve(c *Config) ([]kgo.Opt, error) {
	if len(p) == 0 {
		return nil, nil
	}
	known := kafkaProperties()
	var (
		opts []kgo.Opt
		errs []error
	)
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range p {
			if !yield(k) {
				return
			}
		}
	})
	if c.SASL.Mechanism != "" && (p["sasl.mechanism"] != "" || p["sasl.jaas.config"] != "") {
		errs = append(errs, errors.New("kafka: SASL is set both in sasl: and in kafka:; keep one"))
	}
	// security.protocol goes first: sasl.* below check against it.
	keys = slices.DeleteFunc(keys, func(k string) bool { return k == "security.protocol" })
	if _, ok := p["security.protocol"]; ok {
		keys = append([]string{"security.protocol"}, keys...)
	}
	for _, k := range keys {
		v := strings.TrimSpace(p[k])
		apply, ok := known[k]
		switch {
		case ok:
			if err := apply(v, c, &opts); err != nil {
				errs = append(errs, fmt.Errorf("kafka: %s: %w", k, err))
			}
		case veilKey(k) != "":
			errs = append(errs, fmt.Errorf("kafka: %s is set by Veil; use %s", k, veilKey(k)))
		default:
			errs = append(errs, fmt.Errorf("kafka: unknown property %q", k))
		}
	}
	if proto, ok := p["security.protocol"]; ok {
		sasl := strings.HasPrefix(proto, "SASL_")
		switch {
		case sasl && c.SASL.Mechanism == "":
			errs = append(errs, fmt.Errorf("kafka: security.protocol %s needs sasl.mechanism", proto))
		case !sasl && p["sasl.mechanism"] != "":
			errs = append(errs, fmt.Errorf("kafka: sasl.mechanism given, but security.protocol %s has no SASL", proto))
		}
	}
	if _, ok := p["sasl.mechanism"]; ok && c.SASL.Mechanism != "" && (c.SASL.Username == "" || c.SASL.Password == "") {
		errs = append(errs, errors.New("kafka: sasl.mechanism needs sasl.jaas.config with username and password (or sasl.username and a password)"))
	}
	if p["ssl.truststore.location"] != "" && !strings.EqualFold(p["ssl.truststore.type"], "PEM") {
		errs = append(errs, errors.New("kafka: ssl.truststore.location needs ssl.truststore.type=PEM (Veil reads PEM only)"))
	}
	return opts, errors.Join(errs...)
}

// check reports every bad property of c.Kafka, without touching c.
func (p KafkaProperties) check(c Config) error {
	_, err := p.resolve(&c)
	return err
}

// parseJAAS reads a JAAS login line: `module.Class required key="value" ...;`.
func parseJAAS(s string) (string, map[string]string, error) {
	s = strings.TrimSpace(s)
	if !strings.HasSuffix(s, ";") {
		return "", nil, errors.New(`want "<LoginModule> required key=\"value\" ...;"`)
	}
	s = strings.TrimSuffix(s, ";")
	fields := strings.Fields(s)
	if len(fields) < 2 || fields[1] != "required" {
		return "", nil, errors.New(`want "<LoginModule> required key=\"value\" ...;"`)
	}
	module := fields[0]
	rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(s, module)), "required"))
	opts := map[string]string{}
	for rest != "" {
		eq := strings.IndexByte(rest, '=')
		key := ""
		if eq > 0 {
			key = strings.TrimSpace(rest[:eq])
		}
		if key == "" || strings.IndexFunc(key, unicode.IsSpace) >= 0 {
			return "", nil, errors.New(`a login option without a value (want key="value")`)
		}
		rest = strings.TrimSpace(rest[eq+1:])
		if !strings.HasPrefix(rest, `"`) {
			return "", nil, fmt.Errorf("login option %s: the value must be in double quotes", key)
		}
		var val strings.Builder
		i, closed := 1, false
		for ; i < len(rest); i++ {
			switch ch := rest[i]; {
			case ch == '\\' && i+1 < len(rest):
				i++
				val.WriteByte(rest[i])
			case ch == '"':
				closed = true
			default:
				val.WriteByte(ch)
			}
			if closed {
				break
			}
		}
		if !closed {
			return "", nil, fmt.Errorf("login option %s: unterminated quote", key)
		}
		if _, dup := opts[key]; dup {
			return "", nil, fmt.Errorf("login option %s given twice", key)
		}
		opts[key] = val.String()
		rest = strings.TrimSpace(rest[i+1:])
	}
	return module, opts, nil
}
