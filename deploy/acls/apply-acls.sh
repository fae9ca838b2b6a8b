#!/usr/bin/env bash
# apply-acls.sh — least-privilege Kafka ACLs for Veil and the services that consume its views. Idempotent
# (adding an existing ACL is a no-op). See deploy/acls/README.md for the model.
#
# The ACLs are derived from Veil's config by `veil acls --config FILE --format args` (cmd/veil/acls.go), so
# they cover exactly what that config makes the binary do (its consumer groups, the erasure service's group,
# every topic, the transactional id in exactly_once mode, Create when topic_defaults.create is on) and cannot
# drift from it. `veil acls --config FILE` prints the same ACLs as a table.
#
# Usage: deploy/acls/apply-acls.sh [--config FILE] [--bootstrap HOST:PORT] [--remove] [--list] [--dry-run]
#                                  [-- VEIL-ACLS-FLAGS...]
#   --config FILE   Veil's config (default deploy/veil.example.yaml); VEIL_* variables apply as for `veil run`
#                   (e.g. VEIL_GUARANTEE=exactly_once, VEIL_GROUP)
#   after --         flags for `veil acls`: --veil-principal User:X, --privacy-desk User:Y, --privacy-desk-group G,
#                    --consumer VIEW=User:Z[,GROUP] (default: view V is read by User:V in group V)
#
# Environment:
#   BOOTSTRAP             bootstrap servers (default 127.0.0.1:19092, the deploy/kafka/kafka.sh broker)
#   KAFKA_BIN             directory with kafka-acls.sh (e.g. /opt/kafka/bin); if unset, the Maven jars of
#                         deploy/kafka/kafka.sh are used: java -cp "$LIB/*" org.apache.kafka.tools.AclCommand
#   KAFKA_COMMAND_CONFIG  admin client properties (TLS/SASL) of a principal allowed to Alter the cluster ACLs
#   VEIL                  the veil command (default: `veil` on PATH, else `go run ./cmd/veil` in this repository)
#
# The broker must run an authorizer that denies by default, e.g. for KRaft:
#   authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
#   allow.everyone.if.no.acl.found=false
# (deploy/kafka/kafka.sh start --acls or --sasl does this locally.)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/../.." && pwd)"
BOOTSTRAP="${BOOTSTRAP:-127.0.0.1:19092}"
CONFIG="$REPO/deploy/veil.example.yaml"
MODE=add
DRY_RUN=0
VEIL_ACLS_FLAGS=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --config) CONFIG="$2"; shift 2 ;;
    --bootstrap) BOOTSTRAP="$2"; shift 2 ;;
    --remove) MODE=remove; shift ;;
    --list) MODE=list; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    --) shift; VEIL_ACLS_FLAGS=("$@"); break ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "apply-acls.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

log() { printf 'apply-acls.sh: %s\n' "$*" >&2; }

if [[ -z "${KAFKA_BIN:-}" && "$DRY_RUN" == 0 ]]; then
  CLASSPATH_JARS="$("$SCRIPT_DIR/../kafka/kafka.sh" classpath)"
fi

# acls ARGS...: one kafka-acls invocation (every --operation applies to every resource given).
acls() {
  local extra=()
  [[ -n "${KAFKA_COMMAND_CONFIG:-}" ]] && extra=(--command-config "$KAFKA_COMMAND_CONFIG")
  if [[ "$DRY_RUN" == 1 ]]; then
    echo "${KAFKA_BIN:+$KAFKA_BIN/}kafka-acls.sh --bootstrap-server $BOOTSTRAP ${extra[*]} $*"
    return 0
  fi
  if [[ -n "${KAFKA_BIN:-}" ]]; then
    "$KAFKA_BIN/kafka-acls.sh" --bootstrap-server "$BOOTSTRAP" "${extra[@]}" "$@"
  else
    java -Xmx256m -XX:TieredStopAtLevel=1 -cp "$CLASSPATH_JARS" org.apache.kafka.tools.AclCommand \
      --bootstrap-server "$BOOTSTRAP" "${extra[@]}" "$@"
  fi
}

if [[ "$MODE" == list ]]; then
  acls --list
  exit 0
fi

veil() {
  if [[ -n "${VEIL:-}" ]]; then
    $VEIL "$@"
  elif type -P veil >/dev/null; then
    command veil "$@"
  else
    (cd "$REPO" && go run ./cmd/veil "$@")
  fi
}

LINES="$(veil acls --config "$CONFIG" --format args "${VEIL_ACLS_FLAGS[@]}")"
[[ -n "$LINES" ]] || { log "veil acls printed no ACLs"; exit 1; }

log "$MODE ACLs for $CONFIG on $BOOTSTRAP"
quiet=/dev/null
[[ "$DRY_RUN" == 1 ]] && quiet=/dev/stdout
while read -r line; do
  read -r -a args <<<"$line"
  case "$MODE" in
    add) acls --add "${args[@]}" >"$quiet" ;;
    remove) acls --remove --force "${args[@]}" >"$quiet" ;;
  esac
done <<<"$LINES"
log "done ($(wc -l <<<"$LINES") kafka-acls runs)"
