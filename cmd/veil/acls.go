package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/veil-privacy/veil/processor"
	"github.com/veil-privacy/veil/processor/changelog"
)

// acl is one ALLOW rule: principal may do operation on a resource.
// Read and Write imply Describe in Kafka's authorizer (KIP-253), so
// Describe is never listed on its own.
type acl struct {
	Principal string
	Operation string // Read, Write, Create
	Resource  string // topic, group, transactional-id
	Pattern   string // literal or prefixed
	Name      string
}

// aclPrincipals names who the ACLs are for, apart from Veil itself.
type aclPrincipals struct {
	// Veil is Veil's own principal; default User:<sasl.username>, else
	// User:veil.
	Veil string
	// PrivacyDesk submits erasure requests and reads receipts, in group
	// PrivacyDeskGroup.
	PrivacyDesk, PrivacyDeskGroup string
	// Consumers maps a view name to the principal and group of the service
	// that reads it; a view not listed is read by User:<view> in group
	// <view>.
	Consumers map[string][2]string
}

// veilACLs returns every ACL that the deployment configured by c needs: what
// the processor, the keyring and the erasure service do, and what each
// audience and the privacy desk do. Nothing else: no Alter, Delete or
// cluster rights; each audience reads only its view; only Veil reads the raw
// topic and Veil's state topics.
func veilACLs(c config, who aclPrincipals) ([]acl, error) {
	if who.Veil == "" {
		who.Veil = "User:" + cmp.Or(c.SASL.Username, "veil")
	}
	who.PrivacyDesk = cmp.Or(who.PrivacyDesk, "User:privacy-desk")
	who.PrivacyDeskGroup = cmp.Or(who.PrivacyDeskGroup, "privacy-desk")
	var out []acl
	add := func(principal, op, resource, pattern string, names ...string) {
		for _, n := range names {
			out = append(out, acl{principal, op, resource, pattern, n})
		}
	}
	topic := func(principal, op string, names ...string) { add(principal, op, "topic", "literal", names...) }
	var views []string
	for _, v := range c.Views {
		views = append(views, v.Topic)
	}
	requests, receipts := c.Erasure.Topics.Requests, c.Erasure.Topics.Receipts
	state := []string{c.Topics.Subjects, c.Topics.Keys, c.Topics.Identifiers}

	// The processor reads raw and writes every view, the DLQ and both
	// indexes; the keyring reads and writes veil.keys; the erasure service
	// reads requests, the indexes and (to re-render the records that hold
	// an erased identifier) the views, and writes tombstones and re-rendered
	// records (views, indexes, keys) and receipts.
	topic(who.Veil, "Read", append(append([]string{c.Topics.Raw, requests}, state...), views...)...)
	topic(who.Veil, "Write", append(append(slices.Clone(views), c.Topics.DLQ, receipts), state...)...)
	if c.Canary.Enabled {
		// The canary writes its events to raw and reads them back (and
		// deletes them) on every view, without a group.
		topic(who.Veil, "Write", c.Topics.Raw)
	}
	if c.TopicDefaults.Create {
		specs := processor.TopicSpecs(c.Config)
		for _, s := range append(specs, changelog.TopicSpec{Name: requests}, changelog.TopicSpec{Name: receipts}) {
			topic(who.Veil, "Create", s.Name)
		}
	}
	add(who.Veil, "Read", "group", "literal", c.Group, erasureGroup(c))
	if c.Processing.Guarantee == processor.ExactlyOnce {
		// The processor's transactional id (the erasure service and the
		// keyring do not use transactions): the configured one, or group +
		// "-" + the instance id, or group + "-" + client_id + "-" + host name.
		switch {
		case c.Processing.TransactionalID != "":
			add(who.Veil, "Write", "transactional-id", "literal", c.Processing.TransactionalID)
		case c.InstanceID != "":
			add(who.Veil, "Write", "transactional-id", "literal", processor.DefaultTransactionalID(c.Config))
		default:
			add(who.Veil, "Write", "transactional-id", "prefixed", c.Group+"-"+c.ClientID+"-")
		}
	}

	for _, v := range c.Views {
		p := [2]string{"User:" + v.Name, v.Name}
		if cp, ok := who.Consumers[v.Name]; ok {
			p = cp
		}
		if p[0] == who.Veil {
			return nil, fmt.Errorf("view %s: its consumer must not be Veil's own principal %s", v.Name, who.Veil)
		}
		topic(p[0], "Read", v.Topic)
		add(p[0], "Read", "group", "literal", p[1])
	}
	topic(who.PrivacyDesk, "Write", requests)
	topic(who.PrivacyDesk, "Read", receipts)
	add(who.PrivacyDesk, "Read", "group", "literal", who.PrivacyDeskGroup)

	for _, a := range out {
		if a.Name == "" || strings.ContainsAny(a.Name+a.Principal, " \t\n") {
			return nil, fmt.Errorf("acl %+v: names must be non-empty and without spaces", a)
		}
	}
	return slices.Compact(out), nil
}

// erasureGroup is the erasure service's consumer group (erasure.New's rule).
func erasureGroup(c config) string {
	return cmp.Or(c.Erasure.Group, c.Group+"-erasure")
}

// aclArgs groups acls into kafka-acls argument lists, one per principal,
// pattern type and operation, so that a script needs few tool runs.
func aclArgs(acls []acl) []string {
	type key struct{ principal, pattern, op string }
	var order []key
	res := map[key][]string{}
	flags := map[string]string{"topic": "--topic", "group": "--group", "transactional-id": "--transactional-id"}
	for _, a := range acls {
		k := key{a.Principal, a.Pattern, a.Operation}
		if _, ok := res[k]; !ok {
			order = append(order, k)
		}
		res[k] = append(res[k], flags[a.Resource], a.Name)
	}
	var lines []string
	for _, k := range order {
		l := fmt.Sprintf("--allow-principal %s --operation %s --resource-pattern-type %s %s", k.principal, k.op, k.pattern, strings.Join(res[k], " "))
		lines = append(lines, l)
	}
	return lines
}

// consumerFlags parses repeated --consumer VIEW=PRINCIPAL[,GROUP].
type consumerFlags map[string][2]string

func (f consumerFlags) String() string { return "" }

func (f consumerFlags) Set(s string) error {
	view, rest, ok := strings.Cut(s, "=")
	principal, group, _ := strings.Cut(rest, ",")
	if !ok || view == "" || !strings.Contains(principal, ":") {
		return errors.New("want VIEW=User:NAME[,GROUP]")
	}
	f[view] = [2]string{principal, cmp.Or(group, view)}
	return nil
}

// runACLs is 'veil acls': the Kafka ACLs of a config, as a table or as
// kafka-acls arguments (what deploy/acls/apply-acls.sh applies).
func runACLs(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("veil acls", flag.ContinueOnError)
	fs.SetOutput(stderr)
	consumers := consumerFlags{}
	var who aclPrincipals
	path := fs.String("config", "", "YAML config file (the one Veil runs with)")
	format := fs.String("format", "table", "table, or args: one kafka-acls argument list per line")
	fs.StringVar(&who.Veil, "veil-principal", "", "Veil's principal (default User:<sasl.username>, else User:veil)")
	fs.StringVar(&who.PrivacyDesk, "privacy-desk", "User:privacy-desk", "principal that sends erasure requests and reads receipts")
	fs.StringVar(&who.PrivacyDeskGroup, "privacy-desk-group", "privacy-desk", "consumer group of the privacy desk")
	fs.Var(consumers, "consumer", "VIEW=PRINCIPAL[,GROUP]: who reads a view (default User:VIEW in group VIEW); repeatable")
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: veil acls [--config FILE] [--format table|args]")
		return errUsage
	}
	who.Consumers = consumers
	c, err := loadConfig(*path, os.Getenv)
	if err != nil {
		return err
	}
	acls, err := veilACLs(c, who)
	if err != nil {
		return err
	}
	switch *format {
	case "args":
		for _, l := range aclArgs(acls) {
			fmt.Fprintln(stdout, l)
		}
	case "table":
		for _, a := range acls {
			fmt.Fprintf(stdout, "%-24s %-7s %-17s %-9s %s\n", a.Principal, a.Operation, a.Resource, a.Pattern, a.Name)
		}
	default:
		return fmt.Errorf("--format: unknown %q (want table or args)", *format)
	}
	return nil
}
