package changelog

import (
	"time"

	"github.com/cenkalti/backoff/v4"
)

// The backoff policies, one per kind of wait. Each returns a fresh,
// exponential backoff (randomised by ±50%, cenkalti/backoff's default).

// ConnectBackoff waits for brokers that are not reachable yet (a restart, a
// fresh cluster): 0.5 s growing to 10 s apart, for as long as the caller's
// context lasts.
func ConnectBackoff() backoff.BackOff {
	return exponential(500*time.Millisecond, 10*time.Second, 0)
}

// MetadataBackoff waits for metadata that lags a moment behind a change (a
// topic created a moment ago, offsets of a partition whose leader moved):
// 50 ms growing to 2 s apart, for at most a minute.
func MetadataBackoff() backoff.BackOff {
	return exponential(50*time.Millisecond, 2*time.Second, time.Minute)
}

// ProduceBackoff waits between rounds of producing records that were not
// acknowledged: 100 ms growing to 5 s apart, for at most maxElapsed (0: for
// as long as the caller's context lasts).
func ProduceBackoff(maxElapsed time.Duration) backoff.BackOff {
	return exponential(100*time.Millisecond, 5*time.Second, maxElapsed)
}

// SettleBackoff waits for the broker to settle state that another party
// holds (offsets of a pending transaction): 50 ms growing to 2 s apart, for
// at most maxElapsed.
func SettleBackoff(maxElapsed time.Duration) backoff.BackOff {
	return exponential(50*time.Millisecond, 2*time.Second, maxElapsed)
}

// AbortBackoff waits after an aborted transaction before its batch is
// consumed again: 100 ms growing to 5 s apart, never giving up (the caller
// bounds the time transactions may keep failing).
func AbortBackoff() backoff.BackOff {
	return exponential(100*time.Millisecond, 5*time.Second, 0)
}

func exponential(initial, maxInterval, maxElapsed time.Duration) *backoff.ExponentialBackOff {
	return backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(initial),
		backoff.WithMaxInterval(maxInterval),
		backoff.WithMaxElapsedTime(maxElapsed),
	)
}
