#!/usr/bin/env bash
# test-all.sh: every check Veil has, on a fresh machine. `make test` and
# .ci/run call it.
#   1. go vet
#   2. go test -race ./... on the in-process kfake broker
#   3. the integration suite again against a real Apache Kafka 4.x broker
#      (KRaft, from the Maven Central jars, started and stopped here)
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== go vet"
go vet ./...

echo "== unit and integration tests on kfake (race detector on)"
go test -race -count=1 ./...

echo "== integration tests on Apache Kafka"
kafka_dir="$(mktemp -d)"
trap 'deploy/kafka/kafka.sh stop --dir "$kafka_dir" >/dev/null 2>&1 || true; rm -rf "$kafka_dir"' EXIT
deploy/kafka/kafka.sh fetch
port="${VEIL_KAFKA_PORT:-39092}"
eval "$(deploy/kafka/kafka.sh start --dir "$kafka_dir" --port "$port")"
echo "Apache Kafka at $KAFKA_BROKERS"
set +e
VEIL_TEST_BROKERS="$KAFKA_BROKERS" VEIL_TEST_KAFKA_DIR="$kafka_dir" go test -count=1 -v ./processor/... 2>&1 | grep -v '^{' | tee "$kafka_dir/broker-tests.log"
status=${PIPESTATUS[0]}
set -e
echo "== on Apache Kafka: $(grep -c '^--- PASS' "$kafka_dir/broker-tests.log") passed, $(grep -c '^--- FAIL' "$kafka_dir/broker-tests.log") failed, $(grep -c '^--- SKIP' "$kafka_dir/broker-tests.log") skipped (kfake-only fault injection)"
exit "$status"
