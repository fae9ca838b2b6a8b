package schemas

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/linkedin/goavro/v2"
	"github.com/twmb/franz-go/pkg/sr"
)

// ErrSchema marks input framed with a schema id that the registry does not
// know, whose schema is not Avro, or whose schema cannot be read as Veil's
// (an incompatible change by the producer). Such input goes to the DLQ.
var ErrSchema = errors.New("unusable writer schema")

// ErrRegistryUnavailable marks a schema registry that could not be asked
// (network error, timeout, server error): the input is fine, so it must be
// tried again later rather than rejected.
var ErrRegistryUnavailable = errors.New("schema registry unavailable")

// The subject name strategies: how a topic and a record type name the
// registry subject of their schema.
const (
	// TopicNameStrategy: "<topic>-value" (the Confluent default).
	TopicNameStrategy = "topic_name"
	// RecordNameStrategy: the record's full name, e.g. "veil.RenderedEvent".
	RecordNameStrategy = "record_name"
	// TopicRecordNameStrategy: "<topic>-<record full name>".
	TopicRecordNameStrategy = "topic_record_name"
)

// RegistryConfig configures the Confluent-API schema registry client.
type RegistryConfig struct {
	// URL is the registry's base URL, e.g. http://registry:8081 (for
	// Apicurio, its Confluent-compatible API: .../apis/ccompat/v7). Empty:
	// no registry.
	URL string `yaml:"url"`
	// Username and PasswordFile set HTTP basic auth.
	Username string `yaml:"username"`
	// PasswordFile holds the basic-auth password.
	PasswordFile string `yaml:"password_file"`
	// Password is set from PasswordFile or VEIL_SCHEMA_REGISTRY_PASSWORD; never
	// read from YAML.
	Password string `yaml:"-" json:"-"`
	// BearerTokenFile holds a bearer token, sent instead of basic auth.
	BearerTokenFile string `yaml:"bearer_token_file"`
	// BearerToken is set from BearerTokenFile; never read from YAML.
	BearerToken string `yaml:"-" json:"-"`
	// TLS configures HTTPS to the registry: a CA bundle, a client
	// certificate, the expected server name.
	TLS RegistryTLS `yaml:"tls"`
	// SubjectStrategy is topic_name (default, "<topic>-value"), record_name
	// ("veil.RenderedEvent") or topic_record_name.
	SubjectStrategy string `yaml:"subject_strategy"`
	// ReadOnly looks Veil's output and receipt schemas up instead of
	// registering them: they must have been registered beforehand (e.g. by
	// CI), and Veil needs only read access.
	ReadOnly bool `yaml:"read_only"`
	// Timeout bounds one request to the registry.
	Timeout time.Duration `yaml:"timeout"`
	// CacheSize bounds the writer schemas kept, resolved, per record type;
	// an id seen after the cache is full is fetched again every time.
	CacheSize int `yaml:"cache_size"`
}

// RegistryTLS configures TLS to the registry.
type RegistryTLS struct {
	// CAFile is a PEM bundle of CAs to trust (default: the system roots).
	CAFile string `yaml:"ca_file"`
	// CertFile and KeyFile are a client certificate for mutual TLS.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// ServerName overrides the name checked in the server certificate.
	ServerName string `yaml:"server_name"`
	// InsecureSkipVerify disables certificate checks; for tests only.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// DefaultRegistryConfig returns the defaults: no registry, TopicNameStrategy.
func DefaultRegistryConfig() RegistryConfig {
	return RegistryConfig{SubjectStrategy: TopicNameStrategy, Timeout: 10 * time.Second, CacheSize: 1000}
}

// Enabled reports whether a registry is configured.
func (c *RegistryConfig) Enabled() bool { return c.URL != "" }

// Validate reports every error in c.
func (c *RegistryConfig) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.URL != "" && !strings.HasPrefix(c.URL, "http://") && !strings.HasPrefix(c.URL, "https://") {
		bad("schema_registry.url: %q is not an http:// or https:// URL", c.URL)
	}
	switch c.SubjectStrategy {
	case TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy:
	default:
		bad("schema_registry.subject_strategy: unknown %q (want %s, %s or %s)", c.SubjectStrategy,
			TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy)
	}
	if (c.PasswordFile != "" || c.Password != "") && c.Username == "" {
		bad("schema_registry.username: required with a password")
	}
	if c.Username != "" && (c.BearerToken != "" || c.BearerTokenFile != "") {
		bad("schema_registry: basic auth and a bearer token exclude each other")
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		bad("schema_registry.tls: cert_file and key_file go together")
	}
	if c.Timeout <= 0 {
		bad("schema_registry.timeout: must be positive")
	}
	if c.CacheSize <= 0 {
		bad("schema_registry.cache_size: must be positive")
	}
	return errors.Join(errs...)
}

// Registry resolves schema ids to writer schemas, cached, and registers or
// looks up Veil's own schemas. It is safe for concurrent use.
type Registry struct {
	cl  *sr.Client
	cfg RegistryConfig

	mu      sync.Mutex
	writers map[Record]map[uint32]*writerEntry
}

type writerEntry struct {
	w   *writerType
	err error // permanent: wraps ErrSchema
}

// NewRegistry returns a client for the registry of cfg. It reads the secret
// files of cfg but does not contact the registry.
func NewRegistry(cfg RegistryConfig) (*Registry, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if !cfg.Enabled() {
		return nil, errors.New("schema_registry.url: required")
	}
	read := func(file, key string, dst *string) error {
		if file == "" || *dst != "" {
			return nil
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("schema_registry.%s: %w", key, err)
		}
		*dst = strings.TrimSpace(string(b))
		return nil
	}
	if err := errors.Join(read(cfg.PasswordFile, "password_file", &cfg.Password),
		read(cfg.BearerTokenFile, "bearer_token_file", &cfg.BearerToken)); err != nil {
		return nil, err
	}
	opts := []sr.ClientOpt{sr.URLs(cfg.URL), sr.UserAgent("veil")}
	if strings.HasPrefix(cfg.URL, "https://") {
		tc, err := cfg.TLS.config()
		if err != nil {
			return nil, err
		}
		opts = append(opts, sr.HTTPClient(&http.Client{Transport: &http.Transport{TLSClientConfig: tc}}))
	}
	if cfg.Username != "" {
		opts = append(opts, sr.BasicAuth(cfg.Username, cfg.Password))
	}
	if cfg.BearerToken != "" {
		opts = append(opts, sr.BearerToken(cfg.BearerToken))
	}
	cl, err := sr.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("schema registry client: %w", err)
	}
	return &Registry{cl: cl, cfg: cfg, writers: map[Record]map[uint32]*writerEntry{}}, nil
}

func (t RegistryTLS) config() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify} //nolint:gosec // opt-in, for tests
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("schema_registry.tls.ca_file: %w", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, errors.New("schema_registry.tls.ca_file: no certificate found")
		}
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("schema_registry.tls: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// Subject returns the subject of the value schema of record type r on topic
// under the configured strategy.
func (g *Registry) Subject(topic string, r Record) string {
	switch g.cfg.SubjectStrategy {
	case RecordNameStrategy:
		return string(r)
	case TopicRecordNameStrategy:
		return topic + "-" + string(r)
	}
	return topic + "-value"
}

// SchemaID returns the registry id of Veil's schema of r for values on
// topic: registered under the topic's subject, or, in read-only mode, looked
// up there.
func (g *Registry) SchemaID(ctx context.Context, topic string, r Record) (uint32, error) {
	text, err := Schema(r)
	if err != nil {
		return 0, err
	}
	subject := g.Subject(topic, r)
	ctx, cancel := context.WithTimeout(ctx, g.cfg.Timeout)
	defer cancel()
	s := sr.Schema{Schema: text, Type: sr.TypeAvro}
	var id int
	if g.cfg.ReadOnly {
		ss, err := g.cl.LookupSchema(ctx, subject, s)
		if err != nil {
			return 0, fmt.Errorf("looking up the schema of %s under subject %s: %w", r, subject, err)
		}
		id = ss.ID
	} else if id, err = g.cl.RegisterSchema(ctx, subject, s, -1, -1); err != nil {
		return 0, fmt.Errorf("registering the schema of %s under subject %s: %w", r, subject, err)
	}
	if id <= 0 || int64(id) > 1<<32-1 {
		return 0, fmt.Errorf("registry returned schema id %d for subject %s", id, subject)
	}
	return uint32(id), nil
}

// writer returns the writer schema with registry id id, resolved against
// Veil's schema of r (reader t). Permanent failures wrap ErrSchema and are
// cached; failures to reach the registry wrap ErrRegistryUnavailable and
// are not.
func (g *Registry) writer(ctx context.Context, r Record, t *avroType, id uint32) (*writerType, error) {
	g.mu.Lock()
	e := g.writers[r][id]
	g.mu.Unlock()
	if e != nil {
		return e.w, e.err
	}
	ctx, cancel := context.WithTimeout(ctx, g.cfg.Timeout)
	defer cancel()
	s, err := g.cl.SchemaByID(ctx, int(id))
	var re *sr.ResponseError
	switch {
	case errors.As(err, &re) && re.StatusCode == http.StatusNotFound:
		e = &writerEntry{err: fmt.Errorf("%w: schema id %d is unknown to the registry", ErrSchema, id)}
	case err != nil:
		// Not cached: the next record asks again.
		return nil, fmt.Errorf("%w: fetching schema id %d: %w", ErrRegistryUnavailable, id, err)
	case s.Type != sr.TypeAvro:
		e = &writerEntry{err: fmt.Errorf("%w: schema id %d is %s, not Avro", ErrSchema, id, s.Type)}
	case len(s.References) > 0:
		e = &writerEntry{err: fmt.Errorf("%w: schema id %d has references, which Veil does not follow", ErrSchema, id)}
	default:
		w, err := newWriterType(t, s.Schema)
		if err != nil {
			err = fmt.Errorf("%w: schema id %d cannot be read as %s: %w", ErrSchema, id, r, err)
		}
		e = &writerEntry{w: w, err: err}
	}
	g.mu.Lock()
	if g.writers[r] == nil {
		g.writers[r] = map[uint32]*writerEntry{}
	}
	if len(g.writers[r]) < g.cfg.CacheSize {
		g.writers[r][id] = e
	}
	g.mu.Unlock()
	return e.w, e.err
}

// writerType decodes Avro binary written with a writer's schema and
// projects it onto Veil's (the reader's) schema of the same record type.
type writerType struct {
	reader  *avroType
	codec   *goavro.Codec // nil when the writer's schema is the reader's
	scanner *scanner
	project projection
}

func newWriterType(reader *avroType, schema string) (*writerType, error) {
	node, err := parseSchema([]byte(schema))
	if err != nil {
		return nil, err
	}
	if identical(node, reader.scanner.root) {
		return &writerType{reader: reader}, nil
	}
	project, err := resolve(node, reader.scanner.root)
	if err != nil {
		return nil, err
	}
	codec, err := goavro.NewCodec(schema)
	if err != nil {
		return nil, errors.New("the Avro library rejects the writer schema")
	}
	return &writerType{reader: reader, codec: codec, scanner: &scanner{root: node}, project: project}, nil
}

// decode decodes buf, written with the writer's schema, into a reader of
// Veil's record. Like avroType.decode, its errors never quote the input.
func (w *writerType) decode(buf []byte, base int) (*avroReader, error) {
	if w.codec == nil {
		return w.reader.decode(buf, base)
	}
	if err := w.scanner.check(buf, base); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	native, _, err := w.codec.NativeFromBinary(buf)
	if err != nil {
		return nil, fmt.Errorf("%w: avro binary rejected by the decoder of the writer schema", ErrMalformed)
	}
	v, err := w.project(native)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSchema, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: avro binary did not decode to a record", ErrMalformed)
	}
	return &avroReader{m: m}, nil
}
