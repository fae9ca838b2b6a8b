package processor

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestClientSASL: every SASL mechanism the config offers authenticates
// against a broker that requires it; a wrong password does not.
func TestClientSASL(t *testing.T) {
	for _, mech := range []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"} {
		t.Run(mech, func(t *testing.T) {
			c := kfake.MustCluster(kfake.NumBrokers(1), kfake.EnableSASL(), kfake.Superuser(mech, "veil", "s3cret"))
			defer c.Close()
			for _, tt := range []struct {
				pass string
				ok   bool
			}{{"s3cret", true}, {"wrong", false}} {
				cfg := Default()
				cfg.Brokers = c.ListenAddrs()
				cfg.SASL = SASL{Mechanism: mech, Username: "veil", Password: tt.pass}
				if got := ping(t, cfg); got != tt.ok {
					t.Errorf("password %q: connected = %v, want %v", tt.pass, got, tt.ok)
				}
			}
		})
	}
}

// TestClientTLS: a broker with a certificate from a private CA is reached
// with tls.ca_file, and not without it.
func TestClientTLS(t *testing.T) {
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "veil-test-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	c := kfake.MustCluster(kfake.NumBrokers(1), kfake.TLS(&tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		MinVersion:   tls.VersionTLS12,
	}))
	defer c.Close()
	for _, tt := range []struct {
		caFile string
		ok     bool
	}{{ca, true}, {"", false}} {
		cfg := Default()
		cfg.Brokers = c.ListenAddrs()
		cfg.TLS = TLS{Enabled: true, CAFile: tt.caFile}
		if got := ping(t, cfg); got != tt.ok {
			t.Errorf("ca_file %q: connected = %v, want %v", tt.caFile, got, tt.ok)
		}
	}
}

// ping reports whether a client built from cfg's connection options reaches
// the brokers within a few seconds.
func ping(t *testing.T, cfg Config) bool {
	t.Helper()
	opts, err := ClientOpts(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return cl.Ping(ctx) == nil
}

// TestSecurityWarnings: weak connection settings are named, from the
// settings and from the kafka: properties alike; safe ones are not.
func TestSecurityWarnings(t *testing.T) {
	tests := []struct {
		name  string
		give  func(c *Config)
		want  int
		about string
	}{
		{"embedded broker", func(c *Config) { c.Brokers = []string{"127.0.0.1:9092"} }, 0, ""},
		{"remote plaintext", func(c *Config) { c.Brokers = []string{"kafka-1.internal:9092"} }, 1, "no TLS"},
		{"plain without TLS", func(c *Config) {
			c.Brokers = []string{"localhost:9092"}
			c.SASL = SASL{Mechanism: "PLAIN", Username: "veil", Password: "x"}
		}, 1, "SASL PLAIN"},
		{"plain without TLS from properties", func(c *Config) {
			c.Brokers = []string{"kafka:9092"}
			c.Kafka = KafkaProperties{"security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN",
				"sasl.jaas.config": `org.apache.kafka.common.security.plain.PlainLoginModule required username="veil" password="x";`}
		}, 1, "SASL PLAIN"},
		{"scram over TLS", func(c *Config) {
			c.Brokers = []string{"kafka:9093"}
			c.TLS.Enabled = true
			c.SASL = SASL{Mechanism: "SCRAM-SHA-512", Username: "veil", Password: "x"}
		}, 0, ""},
		{"skip verify", func(c *Config) {
			c.Brokers = []string{"kafka:9093"}
			c.TLS = TLS{Enabled: true, InsecureSkipVerify: true}
		}, 1, "insecure_skip_verify"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.give(&c)
			got, err := SecurityWarnings(c)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want || tt.want > 0 && !strings.Contains(got[0], tt.about) {
				t.Errorf("SecurityWarnings = %q, want %d about %q", got, tt.want, tt.about)
			}
		})
	}
}
