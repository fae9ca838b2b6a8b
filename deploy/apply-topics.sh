#!/usr/bin/env bash
# apply-topics.sh — create Veil's topics from deploy/topics.yaml and reconcile their configs. Idempotent.
#
# Usage: deploy/apply-topics.sh [--bootstrap HOST:PORT] [--file topics.yaml] [--dry-run]
#
# Environment:
#   BOOTSTRAP             bootstrap servers (default 127.0.0.1:19092, the deploy/kafka/kafka.sh broker)
#   KAFKA_BIN             directory with kafka-topics.sh / kafka-configs.sh (e.g. /opt/kafka/bin in apache/kafka);
#                         if unset, the Maven jars of deploy/kafka/kafka.sh are used (java -cp ...)
#   KAFKA_COMMAND_CONFIG  admin client properties file (TLS/SASL) passed as --command-config
#   REPLICATION_FACTOR    override every topic's replication factor (1 for a single local broker; then
#                         min.insync.replicas is capped to it so acks=all still works)
#   PARTITIONS            override every topic's partition count (e.g. 3 for local work); keeps co-partitioning
#
# Partition counts are never increased automatically: adding partitions changes which partition a key maps to,
# which breaks per-conversation order, tombstone placement and the erasure.requests/veil.subjects co-partitioning.
# A mismatch is reported and the script exits non-zero.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FILE="$SCRIPT_DIR/topics.yaml"
BOOTSTRAP="${BOOTSTRAP:-127.0.0.1:19092}"
DRY_RUN=0

while [[ $# -gt 0 ]]; do
  case "$1" in
    --bootstrap) BOOTSTRAP="$2"; shift 2 ;;
    --file) FILE="$2"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "apply-topics.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

log() { printf 'apply-topics.sh: %s\n' "$*" >&2; }

# kafka_tool CLASS SCRIPT ARGS...: run a Kafka CLI from KAFKA_BIN or from the Maven jar cache.
kafka_tool() {
  local class="$1" script="$2"
  shift 2
  local extra=()
  [[ -n "${KAFKA_COMMAND_CONFIG:-}" ]] && extra=(--command-config "$KAFKA_COMMAND_CONFIG")
  if [[ "$DRY_RUN" == 1 ]]; then
    echo "${KAFKA_BIN:+$KAFKA_BIN/}${script} --bootstrap-server $BOOTSTRAP ${extra[*]} $*" >&2
    return 0
  fi
  if [[ -n "${KAFKA_BIN:-}" ]]; then
    "$KAFKA_BIN/$script" --bootstrap-server "$BOOTSTRAP" "${extra[@]}" "$@"
  else
    java -Xmx256m -XX:TieredStopAtLevel=1 -cp "$CLASSPATH_JARS" "$class" \
      --bootstrap-server "$BOOTSTRAP" "${extra[@]}" "$@"
  fi
}

if [[ -z "${KAFKA_BIN:-}" && "$DRY_RUN" == 0 ]]; then
  CLASSPATH_JARS="$("$SCRIPT_DIR/kafka/kafka.sh" classpath)"
fi

# Flatten topics.yaml into one line per topic: NAME PARTITIONS RF k=v,k=v,...
# Only the flat shape documented at the top of topics.yaml is understood (POSIX awk; busybox awk works).
parse() {
  awk '
    function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
    function unq(s) { s = trim(s); if (s ~ /^".*"$/) s = substr(s, 2, length(s) - 2); return s }
    function flush() {
      if (name == "") return
      rf = (trf != "") ? trf : drf
      out = ""
      for (k in dcfg) if (!(k in tcfg)) out = out (out == "" ? "" : ",") k "=" dcfg[k]
      for (k in tcfg) out = out (out == "" ? "" : ",") k "=" tcfg[k]
      print name, parts, rf, out
      name = ""; parts = ""; trf = ""; split("", tcfg)
    }
    {
      line = $0
      sub(/[ \t]+#.*$/, "", line); if (line ~ /^[ \t]*#/) line = ""
      if (trim(line) == "") next
      match(line, /^ */); ind = RLENGTH
      l = trim(line)
      if (ind == 0) { flush(); section = l; sub(/:.*/, "", section); sub_ = ""; next }
      if (section == "defaults") {
        if (l == "configs:") { sub_ = "configs"; next }
        k = l; sub(/:.*/, "", k); v = l; sub(/^[^:]*:/, "", v)
        if (sub_ == "configs" && ind >= 4) dcfg[k] = unq(v)
        else if (k == "replication_factor") drf = unq(v)
        next
      }
      if (section == "topics") {
        if (l ~ /^- /) { flush(); l = trim(substr(l, 3)); sub_ = "" }
        if (l == "configs:") { sub_ = "configs"; next }
        k = l; sub(/:.*/, "", k); v = l; sub(/^[^:]*:/, "", v)
        if (sub_ == "configs" && ind >= 6) { tcfg[k] = unq(v); next }
        sub_ = ""
        if (k == "name") name = unq(v)
        else if (k == "partitions") parts = unq(v)
        else if (k == "replication_factor") trf = unq(v)
      }
    }
    END { flush() }
  ' "$FILE"
}

TOPICS="$(parse)"
[[ -n "$TOPICS" ]] || { log "no topics parsed from $FILE"; exit 1; }

rc=0
while read -r name parts rf cfg; do
  [[ -n "${PARTITIONS:-}" ]] && parts="$PARTITIONS"
  [[ -n "${REPLICATION_FACTOR:-}" ]] && rf="$REPLICATION_FACTOR"
  # Cap min.insync.replicas at the replication factor (a single local broker cannot satisfy 2).
  cfg="$(tr ',' '\n' <<<"$cfg" | awk -F= -v rf="$rf" '$1 == "min.insync.replicas" && $2 + 0 > rf + 0 { $2 = rf } { print $1 "=" $2 }' | sort | tr '\n' ',' | sed 's/,$//')"
  cfg_args=()
  IFS=',' read -r -a kvs <<<"$cfg"
  for kv in "${kvs[@]}"; do cfg_args+=(--config "$kv"); done

  log "topic $name: partitions=$parts replication=$rf"
  kafka_tool org.apache.kafka.tools.TopicCommand kafka-topics.sh --create --if-not-exists --topic "$name" \
    --partitions "$parts" --replication-factor "$rf" "${cfg_args[@]}" >/dev/null
  # Existing topics: reconcile configs (create --if-not-exists leaves them unchanged).
  kafka_tool org.apache.kafka.tools.ConfigCommand kafka-configs.sh --alter --entity-type topics \
    --entity-name "$name" --add-config "$cfg" >/dev/null
  if [[ "$DRY_RUN" == 0 ]]; then
    have="$(kafka_tool org.apache.kafka.tools.TopicCommand kafka-topics.sh --describe --topic "$name" \
      | sed -n 's/.*PartitionCount: *\([0-9]*\).*/\1/p' | head -n1)"
    if [[ "$have" != "$parts" ]]; then
      log "WARNING: $name has $have partitions, spec says $parts; not changing it (see header)"
      rc=1
    fi
  fi
done <<<"$TOPICS"
exit "$rc"
