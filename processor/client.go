package processor

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// ClientOpts returns the connection options of cfg: brokers, client id, TLS
// and SASL, and the kafka: client properties. Every Kafka client Veil makes
// starts from these.
func ClientOpts(cfg Config) ([]kgo.Opt, error) {
	props, err := cfg.Kafka.resolve(&cfg) // the kafka: properties, over the settings above
	if err != nil {
		return nil, err
	}
	opts := []kgo.Opt{kgo.SeedBrokers(cfg.Brokers...), kgo.ClientID(cfg.ClientID)}
	if cfg.TLS.Enabled {
		tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.TLS.ServerName, InsecureSkipVerify: cfg.TLS.InsecureSkipVerify} //nolint:gosec // opt-in, for tests
		if cfg.TLS.CAFile != "" {
			pem, err := os.ReadFile(cfg.TLS.CAFile)
			if err != nil {
				return nil, fmt.Errorf("reading tls.ca_file: %w", err)
			}
			tc.RootCAs = x509.NewCertPool()
			if !tc.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("tls.ca_file %s holds no PEM certificate", cfg.TLS.CAFile)
			}
		}
		if cfg.TLS.CertFile != "" {
			cert, err := tls.LoadX509KeyPair(cfg.TLS.CertFile, cfg.TLS.KeyFile)
			if err != nil {
				return nil, fmt.Errorf("loading tls client certificate: %w", err)
			}
			tc.Certificates = []tls.Certificate{cert}
		}
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	s := cfg.SASL
	switch s.Mechanism {
	case "PLAIN":
		opts = append(opts, kgo.SASL(plain.Auth{User: s.Username, Pass: s.Password}.AsMechanism()))
	case "SCRAM-SHA-256":
		opts = append(opts, kgo.SASL(scram.Auth{User: s.Username, Pass: s.Password}.AsSha256Mechanism()))
	case "SCRAM-SHA-512":
		opts = append(opts, kgo.SASL(scram.Auth{User: s.Username, Pass: s.Password}.AsSha512Mechanism()))
	}
	return append(opts, props...), nil
}

// SecurityWarnings returns what is weak in cfg's connection settings (the
// kafka: properties applied): SASL PLAIN without TLS sends the password in
// clear, any connection to a broker off this host without TLS sends every
// record, raw personal data included, in clear, and insecure_skip_verify
// accepts any broker certificate. Veil logs them at start-up and
// `veil run --check` prints them; they are not errors, since tests and
// private networks may want them.
func SecurityWarnings(cfg Config) ([]string, error) {
	if _, err := cfg.Kafka.resolve(&cfg); err != nil {
		return nil, err
	}
	var w []string
	remote := false
	for _, b := range cfg.Brokers {
		host, _, err := net.SplitHostPort(b)
		if err != nil {
			host = b
		}
		ip := net.ParseIP(host)
		remote = remote || !(host == "localhost" || ip != nil && ip.IsLoopback())
	}
	switch {
	case !cfg.TLS.Enabled && cfg.SASL.Mechanism == "PLAIN":
		w = append(w, "SASL PLAIN without TLS: the password and every record cross the network in clear text")
	case !cfg.TLS.Enabled && remote:
		w = append(w, "no TLS to brokers off this host: every record, raw personal data included, crosses the network in clear text")
	}
	if cfg.TLS.Enabled && cfg.TLS.InsecureSkipVerify {
		w = append(w, "tls.insecure_skip_verify: any broker certificate is accepted, so anyone in the path can read and change the data")
	}
	return w, nil
}
