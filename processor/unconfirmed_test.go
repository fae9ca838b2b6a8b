package processor_test

import (
	"encoding/binary"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/schemas"
)

// TestFaultUnconfirmedCommit: the broker commits a transaction but its answer
// to EndTxn says UNKNOWN_SERVER_ERROR, as when the answer is lost around a
// broker restart. The client cannot know the outcome: it reports an abort and
// rewinds to the offsets it last saw committed. Producing that batch again
// would duplicate it on the view; the processor asks the broker what it
// committed and goes on from there.
func TestFaultUnconfirmedCommit(t *testing.T) {
	rw := &endTxnRewriter{}
	e := newEnv(t, kfake.ListenFn(rw.listen))
	if e.Cluster == nil {
		t.Skip("rewriting broker answers needs the in-process kfake broker")
	}
	cfg := e.config(4)
	cfg.Processing.Guarantee = processor.ExactlyOnce
	cfg.Processing.MaxPollRecords = 200
	evs := genEvents(sized(4000, 2000), 50)
	e.Produce(encodeAll(t, cfg.Topics.Raw, schemas.FormatJSON, evs)...)
	e.start(cfg)
	kafkatest.WaitFor(t, time.Minute, "progress", func() bool { return sum(e.EndOffsets(cfg.Views[0].Topic)) >= 500 })
	rw.armed.Store(1)
	kafkatest.WaitFor(t, time.Minute, "a rewritten EndTxn answer", func() bool { return rw.rewritten.Load() > 0 })
	t.Logf("EndTxn answers rewritten: %d", rw.rewritten.Load())
	// Once every input is committed, a duplicated batch would be on the
	// view, committed: the checker reads to the end.
	e.verify(t, processor.ExactlyOnce, cfg, history(evs), time.Minute)
}

// endTxnRewriter wraps the broker's listener and, while armed, turns the
// next successful EndTxn answer into UNKNOWN_SERVER_ERROR after the broker
// has acted on the request.
type endTxnRewriter struct {
	armed, rewritten atomic.Int32
}

func (r *endTxnRewriter) listen(network, addr string) (net.Listener, error) {
	l, err := net.Listen(network, addr)
	if err != nil {
		return nil, err
	}
	return &rewriteListener{Listener: l, r: r}, nil
}

type rewriteListener struct {
	net.Listener
	r *endTxnRewriter
}

func (l *rewriteListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &rewriteConn{Conn: c, r: l.r, endTxn: map[int32]bool{}}, nil
}

// rewriteConn reads the client's requests to learn which correlation ids are
// EndTxn requests, and rewrites the answers to those. kfake writes each answer
// with one Write.
type rewriteConn struct {
	net.Conn
	r      *endTxnRewriter
	mu     sync.Mutex
	in     []byte         // request bytes not parsed yet
	endTxn map[int32]bool // correlation id -> answer header is flexible
}

func (c *rewriteConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.in = append(c.in, b[:n]...)
	for len(c.in) >= 4 {
		size := int(binary.BigEndian.Uint32(c.in))
		if len(c.in) < 4+size {
			break
		}
		req := c.in[4 : 4+size]
		if len(req) >= 8 && int16(binary.BigEndian.Uint16(req)) == int16(kmsg.EndTxn) {
			version := int16(binary.BigEndian.Uint16(req[2:]))
			c.endTxn[int32(binary.BigEndian.Uint32(req[4:]))] = version >= 3
		}
		c.in = c.in[4+size:]
	}
	return n, err
}

func (c *rewriteConn) Write(b []byte) (int, error) {
	if len(b) >= 8 {
		corr := int32(binary.BigEndian.Uint32(b[4:]))
		c.mu.Lock()
		flexible, ok := c.endTxn[corr]
		delete(c.endTxn, corr)
		c.mu.Unlock()
		at := 8 + 4 // size, correlation id, throttle millis
		if flexible {
			at++ // empty tagged fields of the answer header
		}
		if ok && len(b) >= at+2 && binary.BigEndian.Uint16(b[at:]) == 0 && c.r.armed.Add(-1) >= 0 {
			b = slices.Clone(b)
			binary.BigEndian.PutUint16(b[at:], uint16(kerr.UnknownServerError.Code))
			c.r.rewritten.Add(1)
		}
	}
	return c.Conn.Write(b)
}
