package processor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.yaml.in/yaml/v3"
)

const scramJAAS = `org.apache.kafka.common.security.scram.ScramLoginModule required username="veil" password="s3cret";`

// TestKafkaPropertiesOptions: the properties become the client's options.
func TestKafkaPropertiesOptions(t *testing.T) {
	cfg := Default()
	cfg.Keys.KEK = make([]byte, 32)
	cfg.Kafka = KafkaProperties{
		"client.rack":        "eu-west-1a",
		"linger.ms":          "25",
		"compression.type":   "zstd",
		"acks":               "all",
		"request.timeout.ms": "7000",
		"fetch.max.wait.ms":  "300",
		"batch.size":         "65536",
		"fetch.max.bytes":    "1048576",
		"security.protocol":  "PLAINTEXT",
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	cl := clientFor(t, cfg)
	tests := []struct {
		opt  any
		want any
	}{
		{opt: kgo.Rack, want: "eu-west-1a"},
		{opt: kgo.ProducerLinger, want: 25 * time.Millisecond},
		{opt: kgo.ProduceRequestTimeout, want: 7 * time.Second},
		{opt: kgo.FetchMaxWait, want: 300 * time.Millisecond},
		{opt: kgo.ProducerBatchMaxBytes, want: int32(65536)},
		{opt: kgo.FetchMaxBytes, want: int32(1048576)},
	}
	for _, tt := range tests {
		if got := cl.OptValue(tt.opt); got != tt.want {
			t.Errorf("OptValue(%T) = %v, want %v", tt.opt, got, tt.want)
		}
	}
	if got := cl.OptValue(kgo.ProducerBatchCompression).([]kgo.CompressionCodec); len(got) != 1 || got[0] != kgo.ZstdCompression() {
		t.Errorf("compression = %v, want zstd", got)
	}
}

// TestKafkaPropertiesSASL: a Java-style SCRAM login over SASL_PLAINTEXT
// authenticates against a broker that requires it; a wrong password in the
// JAAS line does not.
func TestKafkaPropertiesSASL(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1), kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-256", "veil", "s3cret"))
	defer c.Close()
	for _, tt := range []struct {
		jaas string
		ok   bool
	}{{scramJAAS, true}, {strings.Replace(scramJAAS, "s3cret", "wrong", 1), false}} {
		cfg := Default()
		cfg.Brokers = c.ListenAddrs()
		cfg.Keys.KEK = make([]byte, 32)
		cfg.Kafka = KafkaProperties{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-256", "sasl.jaas.config": tt.jaas}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("Validate: %v", err)
		}
		if got := ping(t, cfg); got != tt.ok {
			t.Errorf("jaas %v: connected = %v, want %v", tt.ok, got, tt.ok)
		}
	}
}

// TestKafkaPropertiesProduce: producing with acks=1, lz4 and a linger works
// end to end.
func TestKafkaPropertiesProduce(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "props"))
	defer c.Close()
	cfg := Default()
	cfg.Brokers = c.ListenAddrs()
	cfg.Kafka = KafkaProperties{"acks": "1", "compression.type": "lz4", "linger.ms": "5"}
	cl := clientFor(t, cfg, kgo.ConsumeTopics("props"))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "props", Value: []byte("v")}).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}
	fetches := cl.PollRecords(ctx, 1)
	if recs := fetches.Records(); len(recs) != 1 || string(recs[0].Value) != "v" {
		t.Fatalf("consumed %v (errors %v)", recs, fetches.Errors())
	}
}

// clientFor is a client with the options of cfg and extra, closed at the
// end of the test.
func clientFor(t *testing.T, cfg Config, extra ...kgo.Opt) *kgo.Client {
	t.Helper()
	opts, err := ClientOpts(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append(opts, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func TestKafkaPropertiesErrors(t *testing.T) {
	tests := []struct {
		name  string
		give  KafkaProperties
		setup func(*Config)
		want  string
	}{
		{name: "unknown", give: KafkaProperties{"lingr.ms": "5"}, want: `kafka: unknown property "lingr.ms"`},
		{name: "owned", give: KafkaProperties{"group.id": "g"}, want: "kafka: group.id is set by Veil; use group"},
		{name: "owned client id", give: KafkaProperties{"client.id": "c"}, want: "use client_id"},
		{name: "owned serializer", give: KafkaProperties{"value.serializer": "x"}, want: "use output.format"},
		{name: "bad ms", give: KafkaProperties{"linger.ms": "5ms"}, want: `kafka: linger.ms: "5ms" is not a number of milliseconds`},
		{name: "bad bytes", give: KafkaProperties{"batch.size": "-1"}, want: "kafka: batch.size:"},
		{name: "compression", give: KafkaProperties{"compression.type": "brotli"}, want: `kafka: compression.type: unknown "brotli"`},
		{name: "acks 0", give: KafkaProperties{"acks": "0"}, want: "kafka: acks: 0 is refused"},
		{name: "acks 1 eos", give: KafkaProperties{"acks": "1"}, setup: func(c *Config) { c.Processing.Guarantee = ExactlyOnce }, want: "exactly_once"},
		{name: "idempotence off", give: KafkaProperties{"enable.idempotence": "false"}, want: "kafka: enable.idempotence:"},
		{name: "protocol", give: KafkaProperties{"security.protocol": "TLS"}, want: `kafka: security.protocol: unknown "TLS"`},
		{name: "sasl without mechanism", give: KafkaProperties{"security.protocol": "SASL_SSL"}, want: "SASL_SSL needs sasl.mechanism"},
		{name: "mechanism without sasl", give: KafkaProperties{"security.protocol": "SSL", "sasl.mechanism": "PLAIN", "sasl.jaas.config": scramJAAS}, want: "security.protocol SSL has no SASL"},
		{name: "plaintext with tls", give: KafkaProperties{"security.protocol": "PLAINTEXT"}, setup: func(c *Config) { c.TLS.Enabled = true }, want: "tls.enabled is true"},
		{name: "mechanism without login", give: KafkaProperties{"sasl.mechanism": "PLAIN"}, want: "sasl.mechanism needs sasl.jaas.config"},
		{name: "oauthbearer", give: KafkaProperties{"sasl.mechanism": "OAUTHBEARER"}, want: "OAUTHBEARER is not supported"},
		{name: "both sasl", give: KafkaProperties{"sasl.mechanism": "PLAIN", "sasl.jaas.config": scramJAAS}, setup: func(c *Config) { c.SASL.Mechanism = "PLAIN" }, want: "SASL is set both in sasl: and in kafka:"},
		{name: "jaas module", give: KafkaProperties{"sasl.jaas.config": `com.sun.security.auth.module.Krb5LoginModule required useKeyTab="true";`}, want: "Krb5LoginModule is not supported"},
		{name: "jaas no semicolon", give: KafkaProperties{"sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p"`}, want: "kafka: sasl.jaas.config: want"},
		{name: "jaas unquoted", give: KafkaProperties{"sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password=p4ss;`}, want: "password: the value must be in double quotes"},
		{name: "jaas missing password", give: KafkaProperties{"sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username="u";`}, want: "username and password are required"},
		{name: "truststore jks", give: KafkaProperties{"ssl.truststore.location": "/x.jks", "ssl.truststore.type": "JKS"}, want: "convert the trust store to PEM"},
		{name: "truststore no type", give: KafkaProperties{"ssl.truststore.location": "/x.pem"}, want: "needs ssl.truststore.type=PEM"},
		{name: "no hostname check", give: KafkaProperties{"ssl.endpoint.identification.algorithm": ""}, want: "always verifies the broker's host name"},
		{name: "bootstrap", give: KafkaProperties{"bootstrap.servers": "b1:9092"}, want: "kafka: bootstrap.servers is set by Veil; use brokers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Default()
			cfg.Keys.KEK = make([]byte, 32)
			if tt.setup != nil {
				tt.setup(&cfg)
			}
			cfg.Kafka = tt.give
			err := cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v, want an error with %q", err, tt.want)
			}
			for _, secret := range []string{"s3cret", "p4ss"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error repeats a password: %v", err)
				}
			}
			if _, err := ClientOpts(cfg); err == nil {
				t.Error("ClientOpts accepted what Validate refused")
			}
		})
	}
}

// TestKafkaPropertiesEveryError: all bad properties are reported at once.
func TestKafkaPropertiesEveryError(t *testing.T) {
	cfg := Default()
	cfg.Kafka = KafkaProperties{"a.b": "1", "linger.ms": "x", "group.id": "g"}
	_, err := cfg.Kafka.resolve(&cfg)
	for _, want := range []string{`"a.b"`, "linger.ms", "group.id"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %s", err, want)
		}
	}
}

// TestKafkaPropertiesYAML: numbers and booleans in YAML arrive as strings.
func TestKafkaPropertiesYAML(t *testing.T) {
	var c Config
	err := yaml.Unmarshal([]byte("kafka:\n  linger.ms: 5\n  enable.idempotence: true\n  compression.type: zstd\n"), &c)
	if err != nil {
		t.Fatal(err)
	}
	if c.Kafka["linger.ms"] != "5" || c.Kafka["enable.idempotence"] != "true" || c.Kafka["compression.type"] != "zstd" {
		t.Errorf("kafka = %v", c.Kafka)
	}
}

func TestParseJAAS(t *testing.T) {
	module, opts, err := parseJAAS(`  org.apache.kafka.common.security.plain.PlainLoginModule required
		username="alice"  password="p\"w d;x" ;`)
	if err != nil {
		t.Fatal(err)
	}
	if module != "org.apache.kafka.common.security.plain.PlainLoginModule" || opts["username"] != "alice" || opts["password"] != `p"w d;x` || len(opts) != 2 {
		t.Errorf("parseJAAS = %q %q", module, opts)
	}
	for _, bad := range []string{"", ";", "M optional a=\"b\";", `M required a="b" a="c";`, `M required a="b;`, `M required ="b";`, `M required a b="c";`} {
		if _, _, err := parseJAAS(bad); err == nil {
			t.Errorf("parseJAAS(%q) = nil error", bad)
		}
	}
}

func FuzzParseJAAS(f *testing.F) {
	f.Add(scramJAAS)
	f.Add(`M required a="\\" b="";`)
	f.Fuzz(func(t *testing.T, s string) {
		module, opts, err := parseJAAS(s)
		if err != nil {
			return
		}
		if module == "" {
			t.Errorf("parseJAAS(%q): no module", s)
		}
		for k := range opts {
			if k == "" || strings.ContainsAny(k, " \t\n=") {
				t.Errorf("parseJAAS(%q): key %q", s, k)
			}
		}
	})
}
