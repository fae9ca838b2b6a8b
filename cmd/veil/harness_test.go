package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/sasl/scram"
	"go.yaml.in/yaml/v3"

	"github.com/veil-privacy/veil/processor/changelog"
	"github.com/veil-privacy/veil/schemas"
)

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		<-tick.C
	}
}

// logSink collects Veil's JSON log lines.
type logSink struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines []map[string]any
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	for {
		line, err := s.buf.ReadBytes('\n')
		if err != nil {
			s.buf.Write(line)
			break
		}
		var m map[string]any
		if json.Unmarshal(line, &m) == nil {
			s.lines = append(s.lines, m)
		}
	}
	return len(p), nil
}

// find returns the first line with message msg.
func (s *logSink) find(msg string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.lines {
		if l["msg"] == msg {
			return l
		}
	}
	return nil
}

// findFunc returns the first line for which match holds.
func (s *logSink) findFunc(match func(map[string]any) bool) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.lines {
		if match(l) {
			return l
		}
	}
	return nil
}

// countFunc returns how many lines match.
func (s *logSink) countFunc(match func(map[string]any) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, l := range s.lines {
		if match(l) {
			n++
		}
	}
	return n
}

// count returns how many lines contain sub in their message or error.
func (s *logSink) count(sub string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, l := range s.lines {
		if strings.Contains(fmt.Sprint(l["msg"], l["err"]), sub) {
			n++
		}
	}
	return n
}

// veilRun is a running 'veil run': runProcessor, as start-up runs it.
type veilRun struct {
	http   string // host:port of /metrics, /healthz, /readyz
	logs   *logSink
	cancel func()
	done   chan error
}

// startVeil runs c with runProcessor, as start-up does (its HTTP server on a
// free port), and waits until it is ready.
func startVeil(t *testing.T, c config) *veilRun {
	t.Helper()
	c.HTTP.Addr = "127.0.0.1:0"
	return startVeilFunc(t, func(ctx context.Context, logs io.Writer) error {
		h, err := listenHTTP(c.HTTP.Addr)
		if err != nil {
			return err
		}
		return runProcessor(ctx, c, h, newLogger(c, logs))
	})
}

// startVeilFunc runs run (a 'veil run' logging JSON to logs) and waits until
// /readyz answers 200 and the erasure service has started.
func startVeilFunc(t *testing.T, run func(ctx context.Context, logs io.Writer) error) *veilRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	v := &veilRun{logs: &logSink{}, cancel: cancel, done: make(chan error, 1)}
	go func() { v.done <- run(ctx, v.logs) }()
	t.Cleanup(func() { v.stop(t) })
	waitFor(t, "the http server", 30*time.Second, func() bool {
		select {
		case err := <-v.done:
			v.done <- err
			t.Fatalf("veil stopped: %v", err)
		default:
		}
		l := v.logs.find("http listening")
		if l != nil {
			v.http = fmt.Sprint(l["addr"])
		}
		return l != nil
	})
	waitFor(t, "/readyz", 60*time.Second, func() bool { return v.get(t, "/readyz") == http.StatusOK })
	waitFor(t, "the erasure service", 60*time.Second, func() bool { return v.logs.find("erasure service started") != nil })
	return v
}

// get returns the status of GET path.
func (v *veilRun) get(t *testing.T, path string) int {
	resp, err := http.Get("http://" + v.http + path)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// metrics scrapes /metrics: one entry per sample, "name{labels}" -> value.
func (v *veilRun) metrics(t *testing.T) map[string]float64 {
	t.Helper()
	resp, err := http.Get("http://" + v.http + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		var f float64
		if _, err := fmt.Sscan(line[i+1:], &f); err == nil {
			out[line[:i]] = f
		}
	}
	return out
}

// stop cancels Veil and checks that it stopped cleanly.
func (v *veilRun) stop(t *testing.T) {
	if v.cancel == nil {
		return
	}
	v.cancel()
	v.cancel = nil
	select {
	case err := <-v.done:
		if err != nil {
			t.Errorf("veil stopped with %v", err)
		}
	case <-time.After(60 * time.Second):
		// What every goroutine was doing, to find the one that held it.
		var dump bytes.Buffer
		_ = pprof.Lookup("goroutine").WriteTo(&dump, 1)
		t.Errorf("veil did not stop within 60s; goroutines:\n%s", dump.String())
	}
}

// specTopics are the topics of deploy/topics.yaml.
type specTopics struct {
	Topics []struct {
		Name    string            `yaml:"name"`
		Configs map[string]string `yaml:"configs"`
	} `yaml:"topics"`
}

// createTopics creates the topics of deploy/topics.yaml with their configs
// (as an admin would with deploy/apply-topics.sh; replication 1, so
// min.insync.replicas 1) with partitions each.
func createTopics(t *testing.T, admin *kgo.Client, partitions int32) {
	t.Helper()
	b, err := os.ReadFile("../../deploy/topics.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var spec specTopics
	if err := yaml.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	adm := kadm.NewClient(admin)
	for _, tp := range spec.Topics {
		cfg := map[string]*string{}
		for k, v := range tp.Configs {
			cfg[k] = kadm.StringPtr(v)
		}
		cfg["min.insync.replicas"] = kadm.StringPtr("1")
		resp, err := adm.CreateTopic(context.Background(), partitions, 1, cfg, tp.Name)
		if err == nil {
			err = resp.Err
		}
		if err != nil {
			t.Fatalf("creating %s: %v", tp.Name, err)
		}
	}
}

// sampleEvents returns the embedded samples encoded for c's input.
func sampleEvents(t *testing.T, c config) []*kgo.Record {
	t.Helper()
	codec, err := schemas.NewCodec(c.Input.Format, schemas.WithSchemaID(schemas.RecordConversationEvent, 1))
	if err != nil {
		t.Fatal(err)
	}
	var recs []*kgo.Record
	for line := range strings.SplitSeq(strings.TrimSpace(string(samples)), "\n") {
		var ev schemas.ConversationEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatal(err)
		}
		val, err := codec.EncodeEvent(ev)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, &kgo.Record{Topic: c.Topics.Raw, Key: []byte(ev.ConversationID), Value: val})
	}
	return recs
}

// readAll reads topic from the start up to its end offsets now.
func readAll(t *testing.T, opts []kgo.Opt, topic string) ([]*kgo.Record, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Control records (transaction markers) are kept so that a partition
	// whose last offset is a marker is seen to its end.
	cl, err := kgo.NewClient(append(opts, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()), kgo.KeepControlRecords())...)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err == nil {
		err = ends.Error()
	}
	if err != nil {
		return nil, err
	}
	left := map[int32]int64{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			left[o.Partition] = o.Offset
		}
	})
	var recs []*kgo.Record
	for len(left) > 0 {
		fs := cl.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			return recs, err
		}
		fs.EachRecord(func(r *kgo.Record) {
			if !r.Attrs.IsControl() {
				recs = append(recs, r)
			}
			if r.Offset+1 >= left[r.Partition] {
				delete(left, r.Partition)
			}
		})
	}
	return recs, nil
}

// eraseAndWait sends an erasure request for customer as the client opts
// and waits for its receipt.
func eraseAndWait(t *testing.T, opts []kgo.Opt, c config, customer, requestID string) schemas.ErasureReceipt {
	t.Helper()
	codec, err := schemas.NewCodec(cmpFormat(c))
	if err != nil {
		t.Fatal(err)
	}
	v, err := codec.EncodeErasureRequest(schemas.ErasureRequest{RequestID: requestID, CustomerID: customer, RequestedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append(opts, kgo.RecordPartitioner(changelog.Partitioner()),
		kgo.ConsumeTopics(c.Erasure.Topics.Receipts), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: c.Erasure.Topics.Requests, Key: []byte(customer), Value: v}).FirstErr(); err != nil {
		t.Fatalf("sending erasure request: %v", err)
	}
	for {
		fs := cl.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			t.Fatalf("waiting for the receipt of %s: %v", requestID, err)
		}
		for _, r := range fs.Records() {
			rc, err := codec.DecodeErasureReceipt(r.Value)
			if err == nil && rc.RequestID == requestID {
				return rc
			}
		}
	}
}

func cmpFormat(c config) schemas.Format {
	if c.Erasure.Format != "" {
		return c.Erasure.Format
	}
	return c.Input.Format
}

// testCA is a CA and a server certificate for 127.0.0.1 signed by it.
type testCA struct {
	pem    []byte // the CA certificate
	server tls.Certificate
}

func newTestCA(t *testing.T) testCA {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "veil test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return testCA{
		pem:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		server: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
	}
}

// kfakeACLs turns acls into kfake seed users: one option per principal,
// each with password pw.
func kfakeACLs(t *testing.T, acls []acl, pw string) []kfake.Opt {
	t.Helper()
	res := map[string]kmsg.ACLResourceType{"topic": kmsg.ACLResourceTypeTopic, "group": kmsg.ACLResourceTypeGroup, "transactional-id": kmsg.ACLResourceTypeTransactionalId}
	pat := map[string]kmsg.ACLResourcePatternType{"literal": kmsg.ACLResourcePatternTypeLiteral, "prefixed": kmsg.ACLResourcePatternTypePrefixed}
	ops := map[string]kmsg.ACLOperation{"Read": kmsg.ACLOperationRead, "Write": kmsg.ACLOperationWrite, "Create": kmsg.ACLOperationCreate}
	var order []string
	by := map[string][]kfake.ACL{}
	for _, a := range acls {
		user := strings.TrimPrefix(a.Principal, "User:")
		if _, ok := by[user]; !ok {
			order = append(order, user)
		}
		by[user] = append(by[user], kfake.ACL{Resource: res[a.Resource], Name: a.Name, Pattern: pat[a.Pattern], Operation: ops[a.Operation], Allow: true})
	}
	var opts []kfake.Opt
	for _, u := range order {
		opts = append(opts, kfake.User("SCRAM-SHA-512", u, pw, by[u]...))
	}
	return opts
}

// clientAs returns connection options for user over TLS (trusting ca) with
// SCRAM-SHA-512.
func clientAs(addr string, ca []byte, user, pw string) []kgo.Opt {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	return []kgo.Opt{
		kgo.SeedBrokers(addr),
		kgo.DialTLSConfig(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}),
		kgo.SASL(scram.Auth{User: user, Pass: pw}.AsSha512Mechanism()),
	}
}
