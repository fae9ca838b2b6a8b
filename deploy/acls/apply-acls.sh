#!/usr/bin/env bash
# apply-acls.sh — least-privilege Kafka ACLs for Veil and the services that consume its views. Idempotent
# (adding an existing ACL is a no-op). See deploy/acls/README.md for the model.
#
# Usage: deploy/acls/apply-acls.sh [--bootstrap HOST:PORT] [--remove] [--list] [--dry-run]
#
# Environment:
#   BOOTSTRAP             bootstrap servers (default 127.0.0.1:39092, the deploy/kafka/kafka.sh broker)
#   KAFKA_BIN             directory with kafka-acls.sh (e.g. /opt/kafka/bin); if unset, the Maven jars of
#                         deploy/kafka/kafka.sh are used: java -cp "$LIB/*" org.apache.kafka.tools.AclCommand
#   KAFKA_COMMAND_CONFIG  admin client properties (TLS/SASL) of a principal allowed to Alter the cluster ACLs
#   Topic names (defaults match deploy/topics.yaml and deploy/veil.example.yaml):
#     RAW_TOPIC DLQ_TOPIC ANALYTICS_TOPIC PERSONALIZATION_TOPIC SUPPORT_TOPIC
#     ERASURE_REQUESTS_TOPIC ERASURE_RECEIPTS_TOPIC SUBJECTS_TOPIC KEYS_TOPIC
#   Principals and groups:
#     VEIL_PRINCIPAL (User:veil)  VEIL_GROUP (veil)  VEIL_TXN_PREFIX (veil: prefixed transactional ids)
#     ANALYTICS_PRINCIPAL/ANALYTICS_GROUP (User:analytics/analytics), PERSONALIZATION_* (personalization),
#     SUPPORT_* (support), PRIVACY_DESK_PRINCIPAL/PRIVACY_DESK_GROUP (User:privacy-desk/privacy-desk)
#
# The broker must run an authorizer that denies by default, e.g. for KRaft:
#   authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
#   allow.everyone.if.no.acl.found=false
# (deploy/kafka/kafka.sh start --acls does this locally.)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BOOTSTRAP="${BOOTSTRAP:-127.0.0.1:39092}"
MODE=add
DRY_RUN=0

while [[ $# -gt 0 ]]; do
  case "$1" in
    --bootstrap) BOOTSTRAP="$2"; shift 2 ;;
    --remove) MODE=remove; shift ;;
    --list) MODE=list; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "apply-acls.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

RAW_TOPIC="${RAW_TOPIC:-conversations.raw}"
DLQ_TOPIC="${DLQ_TOPIC:-conversations.dlq}"
ANALYTICS_TOPIC="${ANALYTICS_TOPIC:-conversations.analytics}"
PERSONALIZATION_TOPIC="${PERSONALIZATION_TOPIC:-conversations.personalization}"
SUPPORT_TOPIC="${SUPPORT_TOPIC:-conversations.support}"
ERASURE_REQUESTS_TOPIC="${ERASURE_REQUESTS_TOPIC:-erasure.requests}"
ERASURE_RECEIPTS_TOPIC="${ERASURE_RECEIPTS_TOPIC:-erasure.receipts}"
SUBJECTS_TOPIC="${SUBJECTS_TOPIC:-veil.subjects}"
KEYS_TOPIC="${KEYS_TOPIC:-veil.keys}"

VEIL_PRINCIPAL="${VEIL_PRINCIPAL:-User:veil}"
VEIL_GROUP="${VEIL_GROUP:-veil}"
VEIL_TXN_PREFIX="${VEIL_TXN_PREFIX:-veil}"
ANALYTICS_PRINCIPAL="${ANALYTICS_PRINCIPAL:-User:analytics}"
ANALYTICS_GROUP="${ANALYTICS_GROUP:-analytics}"
PERSONALIZATION_PRINCIPAL="${PERSONALIZATION_PRINCIPAL:-User:personalization}"
PERSONALIZATION_GROUP="${PERSONALIZATION_GROUP:-personalization}"
SUPPORT_PRINCIPAL="${SUPPORT_PRINCIPAL:-User:support}"
SUPPORT_GROUP="${SUPPORT_GROUP:-support}"
PRIVACY_DESK_PRINCIPAL="${PRIVACY_DESK_PRINCIPAL:-User:privacy-desk}"
PRIVACY_DESK_GROUP="${PRIVACY_DESK_GROUP:-privacy-desk}"

log() { printf 'apply-acls.sh: %s\n' "$*" >&2; }

if [[ -z "${KAFKA_BIN:-}" && "$DRY_RUN" == 0 ]]; then
  CLASSPATH_JARS="$("$SCRIPT_DIR/../kafka/kafka.sh" classpath)"
fi

# acls ARGS...: one kafka-acls invocation (every --operation applies to every resource given).
acls() {
  local extra=()
  [[ -n "${KAFKA_COMMAND_CONFIG:-}" ]] && extra=(--command-config "$KAFKA_COMMAND_CONFIG")
  if [[ "$DRY_RUN" == 1 ]]; then
    echo "${KAFKA_BIN:+$KAFKA_BIN/}kafka-acls.sh --bootstrap-server $BOOTSTRAP ${extra[*]} $*" >&2
    return 0
  fi
  if [[ -n "${KAFKA_BIN:-}" ]]; then
    "$KAFKA_BIN/kafka-acls.sh" --bootstrap-server "$BOOTSTRAP" "${extra[@]}" "$@"
  else
    java -Xmx256m -XX:TieredStopAtLevel=1 -cp "$CLASSPATH_JARS" org.apache.kafka.tools.AclCommand \
      --bootstrap-server "$BOOTSTRAP" "${extra[@]}" "$@"
  fi
}

# allow PRINCIPAL "OPS..." RESOURCE-ARGS...: add (or remove) ALLOW ACLs for every op on every resource.
allow() {
  local principal="$1" ops="$2"
  shift 2
  local opargs=() op
  for op in $ops; do opargs+=(--operation "$op"); done
  case "$MODE" in
    add) acls --add --allow-principal "$principal" "${opargs[@]}" "$@" >/dev/null ;;
    remove) acls --remove --force --allow-principal "$principal" "${opargs[@]}" "$@" >/dev/null ;;
  esac
}

if [[ "$MODE" == list ]]; then
  acls --list
  exit 0
fi

log "$MODE ACLs on $BOOTSTRAP"

# Veil: the only reader of raw PII; reads erasure requests and its own state topics (subject index, wrapped keys).
# Read implies Describe in Kafka's authorizer, but Describe is listed for clarity (metadata, offsets).
allow "$VEIL_PRINCIPAL" "Read Describe" \
  --topic "$RAW_TOPIC" --topic "$ERASURE_REQUESTS_TOPIC" --topic "$SUBJECTS_TOPIC" --topic "$KEYS_TOPIC"
# Veil writes every output: the three views (records and erasure tombstones), the DLQ, receipts, and its state
# topics. No Create/Alter/Delete: topics are provisioned by deploy/apply-topics.sh, not by the service.
allow "$VEIL_PRINCIPAL" "Write Describe" \
  --topic "$ANALYTICS_TOPIC" --topic "$PERSONALIZATION_TOPIC" --topic "$SUPPORT_TOPIC" \
  --topic "$DLQ_TOPIC" --topic "$ERASURE_RECEIPTS_TOPIC" --topic "$SUBJECTS_TOPIC" --topic "$KEYS_TOPIC"
# Its consumer group (join/sync/heartbeat, offset commit and fetch; TxnOffsetCommit in exactly-once mode).
allow "$VEIL_PRINCIPAL" "Read" --group "$VEIL_GROUP"
# Exactly-once: one transactional id per instance (e.g. veil-<pod name>), so a prefixed pattern.
# (Idempotent producing needs no cluster-level IdempotentWrite since Kafka 3.0 / KIP-679: topic Write suffices.)
allow "$VEIL_PRINCIPAL" "Write Describe" --transactional-id "$VEIL_TXN_PREFIX" --resource-pattern-type prefixed

# View consumers: each reads only its own view, with its own group. No access to raw, DLQ, other views, state.
allow "$ANALYTICS_PRINCIPAL" "Read Describe" --topic "$ANALYTICS_TOPIC"
allow "$ANALYTICS_PRINCIPAL" "Read" --group "$ANALYTICS_GROUP"
allow "$PERSONALIZATION_PRINCIPAL" "Read Describe" --topic "$PERSONALIZATION_TOPIC"
allow "$PERSONALIZATION_PRINCIPAL" "Read" --group "$PERSONALIZATION_GROUP"
allow "$SUPPORT_PRINCIPAL" "Read Describe" --topic "$SUPPORT_TOPIC"
allow "$SUPPORT_PRINCIPAL" "Read" --group "$SUPPORT_GROUP"

# Privacy desk / CRM: submits erasure requests and reads the receipts (proof); sees no conversation data.
allow "$PRIVACY_DESK_PRINCIPAL" "Write Describe" --topic "$ERASURE_REQUESTS_TOPIC"
allow "$PRIVACY_DESK_PRINCIPAL" "Read Describe" --topic "$ERASURE_RECEIPTS_TOPIC"
allow "$PRIVACY_DESK_PRINCIPAL" "Read" --group "$PRIVACY_DESK_GROUP"

log "done"
