package erasure_test

import (
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/erasure"
	"github.com/veil-privacy/veil/processor/kafkatest"
	"github.com/veil-privacy/veil/schemas"
)

// marks records, per topic, whether each produced record was marked by
// erasure.Sweeping (client hooks tell the sweeper's records apart by it).
type marks struct {
	mu     sync.Mutex
	swept  map[string]int
	erased map[string]int
}

func (m *marks) OnProduceRecordUnbuffered(r *kgo.Record, err error) {
	if err != nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if r.Context != nil && erasure.Sweeping(r.Context) {
		m.swept[r.Topic]++
	} else {
		m.erased[r.Topic]++
	}
}

func (m *marks) get() (swept, erased map[string]int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.swept), maps.Clone(m.erased)
}

// TestSweepingMarksRecords: every record a retention sweep produces (view
// tombstones, index updates, the receipt) is marked Sweeping; the records of
// an erasure request are not.
func TestSweepingMarksRecords(t *testing.T) {
	e := newEnv(t)
	pcfg, ecfg := e.configs(1)
	kr := e.startKeyring(pcfg)
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var evs []schemas.ConversationEvent
	for i := range 6 {
		evs = append(evs, schemas.ConversationEvent{EventID: fmt.Sprintf("ev-%d", i), ConversationID: fmt.Sprintf("conv-%d", i),
			CustomerID: fmt.Sprintf("cust-%d", i%2), Channel: "chat", Locale: []string{"nl-NL", "en-GB"}[i%2], SentAt: t0})
	}
	seed(t, e, pcfg, kr, evs)
	ecfg.SweepInterval = 100 * time.Millisecond
	ecfg.Retention = erasure.Retention{Rules: []erasure.Rule{{Name: "dutch", Locale: "nl", Keep: time.Hour}}}
	m := &marks{swept: map[string]int{}, erased: map[string]int{}}
	conn, err := processor.ClientOpts(pcfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := erasure.New(ecfg, kr, append(conn, kgo.WithHooks(m)), logger(), prometheus.NewRegistry(), func() time.Time { return t0.Add(48 * time.Hour) })
	if err != nil {
		t.Fatal(err)
	}
	e.Run(s.Run)
	kafkatest.WaitFor(t, 30*time.Second, "a sweep's receipt", func() bool {
		swept, _ := m.get()
		return swept[ecfg.Topics.Receipts] > 0
	})
	e.request(ecfg, "req-1", "cust-1") // the English customer: nothing of it expired
	kafkatest.WaitFor(t, 30*time.Second, "the request's receipt", func() bool {
		_, erased := m.get()
		return erased[ecfg.Topics.Receipts] > 0
	})
	swept, erased := m.get()
	t.Logf("records by topic: swept %v, erased %v", swept, erased)
	for _, v := range pcfg.Views {
		if swept[v.Topic] != 3 {
			t.Errorf("sweep: %d marked tombstones on %s, want 3 (the Dutch events)", swept[v.Topic], v.Topic)
		}
		if erased[v.Topic] < 3 {
			t.Errorf("request: %d unmarked records on %s, want cust-1's 3 tombstones (and its roll marker)", erased[v.Topic], v.Topic)
		}
	}
	if swept[pcfg.Topics.Subjects] != 3 {
		t.Errorf("sweep: %d marked index updates, want 3", swept[pcfg.Topics.Subjects])
	}
}
