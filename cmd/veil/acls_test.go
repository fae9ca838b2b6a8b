package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/veil-privacy/veil/processor"
)

func loadExample(t *testing.T, env map[string]string) config {
	t.Helper()
	c, err := loadConfig(examplePath, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func has(acls []acl, principal, op, resource, name string) bool {
	return slices.ContainsFunc(acls, func(a acl) bool {
		return a.Principal == principal && a.Operation == op && a.Resource == resource && a.Name == name
	})
}

// TestACLsCoverWhatVeilDoes: the ACLs derived from the example config grant
// Veil every group (the erasure service's veil-erasure included), topic and
// transactional id it uses, and each other principal exactly its part.
func TestACLsCoverWhatVeilDoes(t *testing.T) {
	c := loadExample(t, nil)
	acls, err := veilACLs(c, aclPrincipals{})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct{ op, res, name string }{
		{"Read", "group", "veil"},
		{"Read", "group", "veil-erasure"},
		{"Read", "topic", "conversations.raw"},
		{"Read", "topic", "erasure.requests"},
		{"Read", "topic", "veil.subjects"},
		{"Read", "topic", "veil.keys"},
		{"Read", "topic", "veil.identifiers"},
		{"Read", "topic", "conversations.support"}, // erasure by identifier re-renders view records
		{"Write", "topic", "conversations.analytics"},
		{"Write", "topic", "conversations.personalization"},
		{"Write", "topic", "conversations.support"},
		{"Write", "topic", "conversations.dlq"},
		{"Write", "topic", "erasure.receipts"},
		{"Write", "topic", "veil.subjects"},
		{"Write", "topic", "veil.keys"},
		{"Write", "topic", "veil.identifiers"},
	} {
		if !has(acls, "User:veil", w.op, w.res, w.name) {
			t.Errorf("User:veil lacks %s on %s %s", w.op, w.res, w.name)
		}
	}
	// Nobody else reads raw, the state topics or the DLQ; each audience reads
	// only its view, in its group; the privacy desk only writes requests and
	// reads receipts; only Veil writes anything else.
	allowed := map[string][]string{
		"User:analytics":       {"Read topic conversations.analytics", "Read group analytics"},
		"User:personalization": {"Read topic conversations.personalization", "Read group personalization"},
		"User:support":         {"Read topic conversations.support", "Read group support"},
		"User:privacy-desk":    {"Write topic erasure.requests", "Read topic erasure.receipts", "Read group privacy-desk"},
	}
	got := map[string][]string{}
	for _, a := range acls {
		if a.Pattern != "literal" && a.Resource != "transactional-id" {
			t.Errorf("%+v: only literal names", a)
		}
		if !slices.Contains([]string{"Read", "Write", "Create"}, a.Operation) {
			t.Errorf("%+v: operation beyond Read/Write/Create", a)
		}
		if a.Principal != "User:veil" {
			got[a.Principal] = append(got[a.Principal], a.Operation+" "+a.Resource+" "+a.Name)
		}
	}
	for p, want := range allowed {
		if !slices.Equal(got[p], want) {
			t.Errorf("%s may %v, want exactly %v", p, got[p], want)
		}
	}
	if len(got) != len(allowed) {
		t.Errorf("principals %v, want %v", got, allowed)
	}
	// at_least_once: no transactional id; topic_defaults.create: Create.
	if slices.ContainsFunc(acls, func(a acl) bool { return a.Resource == "transactional-id" }) {
		t.Error("a transactional id is granted for at_least_once")
	}
	if !has(acls, "User:veil", "Create", "topic", "conversations.support") {
		t.Error("topic_defaults.create is on but Create is not granted")
	}
}

func TestACLsFollowTheConfig(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		edit func(*config)
		want []string // principal op resource pattern name
		not  []string
	}{
		{"exactly once, default id", map[string]string{"VEIL_GUARANTEE": "exactly_once"}, nil,
			[]string{"User:veil Write transactional-id prefixed veil-veil-"}, nil},
		{"exactly once, static member", map[string]string{"VEIL_GUARANTEE": "exactly_once", "VEIL_INSTANCE_ID": "veil-3"}, nil,
			[]string{"User:veil Write transactional-id literal veil-veil-3"}, []string{"User:veil Write transactional-id prefixed veil-veil-"}},
		{"exactly once, explicit id", map[string]string{"VEIL_GUARANTEE": "exactly_once"}, func(c *config) { c.Processing.TransactionalID = "tx-a" },
			[]string{"User:veil Write transactional-id literal tx-a"}, nil},
		{"own groups and principal", map[string]string{"VEIL_GROUP": "redactor", "VEIL_SASL_USERNAME": "svc-veil"}, func(c *config) { c.Erasure.Group = "eraser" },
			[]string{"User:svc-veil Read group redactor", "User:svc-veil Read group eraser"}, []string{"User:svc-veil Read group redactor-erasure"}},
		{"no create", nil, func(c *config) { c.TopicDefaults.Create = false }, nil,
			[]string{"User:veil Create topic literal conversations.raw"}},
		{"canary off: Veil still reads the views, to re-render them for erasure by identifier", nil, nil,
			[]string{"User:veil Read topic literal conversations.support"},
			[]string{"User:veil Write topic literal conversations.raw"}},
		{"canary on", nil, func(c *config) { c.Canary.Enabled = true },
			[]string{"User:veil Write topic literal conversations.raw", "User:veil Read topic literal conversations.support",
				"User:veil Read topic literal conversations.analytics", "User:veil Read topic literal conversations.personalization"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := loadExample(t, tt.env)
			if tt.edit != nil {
				tt.edit(&c)
			}
			acls, err := veilACLs(c, aclPrincipals{})
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, a := range acls {
				lines = append(lines, strings.Join([]string{a.Principal, a.Operation, a.Resource, a.Pattern, a.Name}, " "))
			}
			for _, w := range tt.want {
				if !slices.Contains(lines, w) && !slices.ContainsFunc(lines, func(l string) bool { return strings.Replace(l, " literal ", " ", 1) == w }) {
					t.Errorf("missing %q in\n%s", w, strings.Join(lines, "\n"))
				}
			}
			for _, n := range tt.not {
				if slices.ContainsFunc(lines, func(l string) bool { return strings.Replace(l, " literal ", " ", 1) == n || l == n }) {
					t.Errorf("unexpected %q", n)
				}
			}
		})
	}
}

// TestACLArgs: the kafka-acls argument lines hold every ACL, once.
func TestACLArgs(t *testing.T) {
	t.Setenv("VEIL_GUARANTEE", processor.ExactlyOnce)
	c := loadExample(t, map[string]string{"VEIL_GUARANTEE": processor.ExactlyOnce})
	acls, err := veilACLs(c, aclPrincipals{Consumers: map[string][2]string{"support": {"User:helpdesk", "hd"}}})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runACLs(context.Background(), []string{"--config", examplePath, "--format", "args", "--consumer", "support=User:helpdesk,hd"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	// Expand the lines back into single ACLs.
	flags := map[string]string{"--topic": "topic", "--group": "group", "--transactional-id": "transactional-id"}
	var got []acl
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		f := strings.Fields(line)
		if f[0] != "--allow-principal" || f[2] != "--operation" || f[4] != "--resource-pattern-type" {
			t.Fatalf("line %q", line)
		}
		for i := 6; i+1 < len(f); i += 2 {
			got = append(got, acl{Principal: f[1], Operation: f[3], Pattern: f[5], Resource: flags[f[i]], Name: f[i+1]})
		}
	}
	key := func(a acl) string { return a.Principal + a.Operation + a.Resource + a.Pattern + a.Name }
	sortACLs := func(as []acl) []string {
		var ks []string
		for _, a := range as {
			ks = append(ks, key(a))
		}
		slices.Sort(ks)
		return ks
	}
	want := sortACLs(acls)
	if g := sortACLs(got); !slices.Equal(g, want) {
		t.Errorf("args lines hold\n%v\nwant\n%v", g, want)
	}
	if !has(got, "User:helpdesk", "Read", "topic", "conversations.support") || !has(got, "User:helpdesk", "Read", "group", "hd") {
		t.Error("--consumer support=User:helpdesk,hd not applied")
	}
}

// TestACLsCoverEveryTopic: every topic of deploy/topics.yaml is in the ACLs
// of the example config, and Veil's ACLs name no other topic.
func TestACLsCoverEveryTopic(t *testing.T) {
	var spec specTopics
	readYAMLFile(t, "../../deploy/topics.yaml", &spec)
	acls, err := veilACLs(loadExample(t, nil), aclPrincipals{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tp := range spec.Topics {
		names = append(names, tp.Name)
		if !slices.ContainsFunc(acls, func(a acl) bool { return a.Resource == "topic" && a.Name == tp.Name && a.Operation != "Create" }) {
			t.Errorf("no ACL for topic %s", tp.Name)
		}
	}
	for _, a := range acls {
		if a.Resource == "topic" && !slices.Contains(names, a.Name) {
			t.Errorf("%+v: topic not in deploy/topics.yaml", a)
		}
	}
}
