package changelog_test

import (
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/veil-privacy/veil/processor/changelog"
)

// fakeClock is a backoff.Clock that the test moves.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

// TestBackoffPolicies: each policy starts near its initial interval, never
// waits longer than its cap (plus the ±50% randomisation), and gives up
// when its next wait would end past its elapsed-time budget (or never, when
// it has none).
func TestBackoffPolicies(t *testing.T) {
	tests := []struct {
		name                   string
		give                   backoff.BackOff
		initial, cap, maxTotal time.Duration // maxTotal 0: never gives up
	}{
		{"connect", changelog.ConnectBackoff(), 500 * time.Millisecond, 10 * time.Second, 0},
		{"metadata", changelog.MetadataBackoff(), 50 * time.Millisecond, 2 * time.Second, time.Minute},
		{"produce", changelog.ProduceBackoff(30 * time.Second), 100 * time.Millisecond, 5 * time.Second, 30 * time.Second},
		{"produce until cancelled", changelog.ProduceBackoff(0), 100 * time.Millisecond, 5 * time.Second, 0},
		{"settle", changelog.SettleBackoff(20 * time.Second), 50 * time.Millisecond, 2 * time.Second, 20 * time.Second},
		{"abort", changelog.AbortBackoff(), 100 * time.Millisecond, 5 * time.Second, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eb, ok := tt.give.(*backoff.ExponentialBackOff)
			if !ok {
				t.Fatalf("policy is a %T, want an exponential backoff", tt.give)
			}
			clock := &fakeClock{now: time.Unix(0, 0)}
			eb.Clock = clock
			eb.Reset()
			first := eb.NextBackOff()
			if first < tt.initial/2 || first > tt.initial*3/2 {
				t.Errorf("first wait %v, want %v ±50%%", first, tt.initial)
			}
			var longest time.Duration
			for range 200 {
				clock.now = clock.now.Add(time.Second)
				d := eb.NextBackOff()
				if d == backoff.Stop {
					if tt.maxTotal == 0 {
						t.Fatalf("gave up after %v, want never", clock.now.Sub(time.Unix(0, 0)))
					}
					// It gives up when the next wait would end past maxTotal.
					if spent := clock.now.Sub(time.Unix(0, 0)); spent < tt.maxTotal-tt.cap*3/2 {
						t.Fatalf("gave up after %v, want about %v", spent, tt.maxTotal)
					}
					break
				}
				longest = max(longest, d)
				if tt.maxTotal > 0 && clock.now.Sub(time.Unix(0, 0)) > tt.maxTotal+time.Second {
					t.Fatalf("still waiting after %v, want to give up after %v", clock.now.Sub(time.Unix(0, 0)), tt.maxTotal)
				}
			}
			if longest > tt.cap*3/2 || longest < tt.cap/2 {
				t.Errorf("longest wait %v, want the cap %v ±50%%", longest, tt.cap)
			}
		})
	}
}
