#!/usr/bin/env bash
# test-all.sh: every check Veil has, on a fresh machine. `make test` and
# .ci/run call it.
#   1. go vet and staticcheck (pinned, installed from the Go module proxy)
#   2. go test -race -short ./... on the in-process kfake broker (-short: the
#      fault tests use their smaller sizes under the race detector)
#   3. the shipped deployment on a secured Apache Kafka 4.x broker: SASL/SCRAM-SHA-512,
#      StandardAuthorizer, ACLs applied by deploy/acls/apply-acls.sh, Veil as User:veil
#      with deploy/veil.example.yaml in both guarantees (cmd/veil TestSecuredKafka)
#   4. the integration suite again, full sizes, against a real Apache Kafka
#      4.x broker (KRaft, from the Maven Central jars, started and stopped here)
# A real schema registry (Apicurio, from Maven Central) runs for 2 and 4.
set -euo pipefail
cd "$(dirname "$0")/.."

STATICCHECK_VERSION=v0.8.2 # staticcheck 2026.2.2, the first release for Go 1.26

echo "== tools the cmd/veil terminal and completion tests run (tmux, zsh, fish)"
missing=""
for tool in tmux zsh fish; do command -v "$tool" >/dev/null || missing="$missing $tool"; done
if [ -n "$missing" ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq || true
  $sudo apt-get install -y $missing || { echo "cannot install$missing: the cmd/veil tests need them" >&2; exit 1; }
fi

# The schema registry tests use one real registry (Apicurio, see
# deploy/registry/registry.sh) for the whole run; it starts while vet runs.
registry_dir="$(mktemp -d)"
kafka_dir=""
sasl_dir=""
cleanup() {
  if [[ -n "$sasl_dir" ]]; then
    deploy/kafka/kafka.sh stop --dir "$sasl_dir/kafka" >/dev/null 2>&1 || true
    rm -rf "$sasl_dir"
  fi
  deploy/registry/registry.sh stop --dir "$registry_dir" >/dev/null 2>&1 || true
  rm -rf "$registry_dir"
  if [[ -n "$kafka_dir" ]]; then
    deploy/kafka/kafka.sh stop --dir "$kafka_dir" >/dev/null 2>&1 || true
    rm -rf "$kafka_dir"
  fi
}
trap cleanup EXIT
deploy/registry/registry.sh start --dir "$registry_dir" --port "${VEIL_REGISTRY_PORT:-19380}" >"$registry_dir/env" &
registry_start=$!

# promtool (Debian's prometheus package) for the alert rule tests in ./deploy; with VEIL_REQUIRE_PROMTOOL
# set, a missing promtool fails those tests instead of skipping them.
if ! command -v promtool >/dev/null; then
  echo "== installing promtool (apt-get install prometheus)"
  sudo=""; [[ "$(id -u)" == 0 ]] || sudo="sudo"
  $sudo apt-get install -y -q prometheus >/dev/null || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q prometheus >/dev/null; }
fi
export VEIL_REQUIRE_PROMTOOL=1

echo "== go vet"
go vet ./...

wait "$registry_start" || { echo "schema registry did not start" >&2; exit 1; }
eval "$(cat "$registry_dir/env")"
export VEIL_TEST_REGISTRY
echo "schema registry at $VEIL_TEST_REGISTRY"

echo "== staticcheck $STATICCHECK_VERSION"
gobin="$(go env GOPATH)/bin"
if ! "$gobin/staticcheck" -version 2>/dev/null | grep -q "($STATICCHECK_VERSION)\|(${STATICCHECK_VERSION#v})"; then
  GOBIN="$gobin" go install "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION"
fi
"$gobin/staticcheck" ./...

echo "== unit and integration tests on kfake (race detector on, -short sizes)"
go test -race -short -count=1 -timeout 20m ./...

deploy/kafka/kafka.sh fetch

echo "== the shipped deployment on secured Apache Kafka (SASL/SCRAM, ACLs from deploy/acls/apply-acls.sh)"
sasl_dir="$(mktemp -d)"
for u in admin veil analytics personalization support privacy-desk; do
  echo "$u $(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
done >"$sasl_dir/users"
started="$(deploy/kafka/kafka.sh start --sasl --dir "$sasl_dir/kafka" --port "${VEIL_SASL_KAFKA_PORT:-19192}" --scram-users "$sasl_dir/users")"
eval "$started"
set +e
VEIL_TEST_SASL_BROKERS="$KAFKA_SASL_BROKERS" VEIL_TEST_ADMIN_BROKERS="$KAFKA_BROKERS" VEIL_TEST_SCRAM_USERS="$sasl_dir/users" \
  go test -count=1 -v -run '^TestSecuredKafka$' ./cmd/veil 2>&1 | grep -v '^{' | tee "$sasl_dir/secured.log"
sasl_status=${PIPESTATUS[0]}
set -e
grep -q -- '--- PASS: TestSecuredKafka ' "$sasl_dir/secured.log" || sasl_status=1
echo "== secured Apache Kafka figures:"
grep 'figures' "$sasl_dir/secured.log" | sed 's/^ *secured_test.go:[0-9]*: //' || true
deploy/kafka/kafka.sh stop --dir "$sasl_dir/kafka" >/dev/null 2>&1 || true
rm -rf "$sasl_dir"; sasl_dir=""
[[ "$sasl_status" == 0 ]] || echo "== secured Apache Kafka test FAILED"

echo "== integration tests on Apache Kafka (full sizes)"
kafka_dir="$(mktemp -d)"
port="${VEIL_KAFKA_PORT:-19092}"
eval "$(deploy/kafka/kafka.sh start --dir "$kafka_dir" --port "$port")"
echo "Apache Kafka at $KAFKA_BROKERS"
set +e
VEIL_TEST_BROKERS="$KAFKA_BROKERS" VEIL_TEST_KAFKA_DIR="$kafka_dir" go test -count=1 -v -timeout 30m ./processor/... 2>&1 | grep -v '^{' | tee "$kafka_dir/broker-tests.log"
status=${PIPESTATUS[0]}
set -e
echo "== on Apache Kafka: $(grep -c '^--- PASS' "$kafka_dir/broker-tests.log") passed, $(grep -c '^--- FAIL' "$kafka_dir/broker-tests.log") failed, $(grep -c '^--- SKIP' "$kafka_dir/broker-tests.log") skipped (kfake-only fault injection)"
grep 'checker ' "$kafka_dir/broker-tests.log" | sed 's/^ *//' || true
[[ "$sasl_status" == 0 ]] || status=1
exit "$status"
