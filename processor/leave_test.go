package processor_test

import (
	"testing"
	"time"

	"github.com/veil-privacy/veil/processor/kafkatest"
)

// TestStaticMemberLeaves: a processor with an instance id (a static member,
// KIP-345) that is shut down leaves the group at once, so that its
// replacement does not wait for the session timeout. Before, the group kept
// the member until the session timed out.
func TestStaticMemberLeaves(t *testing.T) {
	e := newEnv(t)
	cfg := e.config(3)
	cfg.InstanceID = "veil-static"
	cfg.SessionTimeout = time.Minute
	stop := e.start(cfg)
	members := func() int {
		gs, err := e.Admin.DescribeGroups(kafkatest.Context(t), cfg.Group)
		if err != nil {
			return -1
		}
		return len(gs[cfg.Group].Members)
	}
	kafkatest.WaitFor(t, 30*time.Second, "the processor to join", func() bool { return members() == 1 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	kafkatest.WaitFor(t, 10*time.Second, "the static member to leave", func() bool { return members() == 0 })
}
