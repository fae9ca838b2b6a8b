#!/usr/bin/env bash
# kafka.sh — run a real single-node Apache Kafka 4.4.0 (KRaft, broker+controller) from Maven Central jars,
# without Docker. Used by the broker integration tests and for local work.
#
# Usage:
#   deploy/kafka/kafka.sh fetch                          resolve kafka_2.13:4.4.0 + runtime deps into the cache
#   deploy/kafka/kafka.sh start [--port P] [--dir DIR] [--acls]
#                                                        format (idempotent) + start in background, wait until ready;
#                                                        --acls enables the KRaft StandardAuthorizer (deny by default,
#                                                        User:ANONYMOUS = the PLAINTEXT admin is a super user) so
#                                                        deploy/acls/apply-acls.sh can be exercised locally;
#                                                        --config FILE appends FILE to the generated
#                                                        server.properties (later keys win: extra listeners, SASL)
#   deploy/kafka/kafka.sh start --sasl [--scram-users FILE] ...
#                                                        also a SASL_PLAINTEXT listener with SCRAM-SHA-512 on port+2,
#                                                        the StandardAuthorizer (deny by default) with super users
#                                                        User:ANONYMOUS (the PLAINTEXT admin listener) and User:admin;
#                                                        FILE holds "name password" lines: SCRAM users created when
#                                                        the store is formatted (kafka-storage format --add-scram);
#                                                        prints KAFKA_SASL_BROKERS=127.0.0.1:PORT+2 as well
#   deploy/kafka/kafka.sh scram-user NAME PASSWORD [--dir DIR]
#                                                        create or update a SCRAM-SHA-512 user on a running broker
#                                                        (kafka-configs --alter --add-config)
#   deploy/kafka/kafka.sh stop  [--dir DIR]              SIGTERM, wait up to 30 s, then SIGKILL (idempotent)
#   deploy/kafka/kafka.sh status [--dir DIR]             print running/stopped (exit 0 if running, 3 if not)
#   deploy/kafka/kafka.sh classpath                      print the java classpath (for kafka.tools / admin classes)
#
# Environment:
#   VEIL_KAFKA_CACHE   jar cache dir (default $HOME/.cache/veil/kafka-4.4.0); jars go to $VEIL_KAFKA_CACHE/lib
#   VEIL_KAFKA_DIR     default for --dir (default ${TMPDIR:-/tmp}/veil-kafka)
#   VEIL_KAFKA_PORT    default for --port (default 19092); the controller listens on port+1
#                      (keep ports below Linux's ephemeral range, 32768-60999: a port there can be
#                      the local end of a client connection, and the broker then fails to bind it)
#   VEIL_KAFKA_HEAP    JVM heap options (default "-Xms512m -Xmx768m")
#   VEIL_KAFKA_TIMEOUT readiness timeout in seconds (default 90)
#
# On success `start` prints exactly one line on stdout: KAFKA_BROKERS=127.0.0.1:PORT (progress goes to stderr),
# so callers can do: eval "$(deploy/kafka/kafka.sh start)".
set -euo pipefail

KAFKA_VERSION=4.4.0
SCALA_VERSION=2.13
LOG4J_VERSION=2.24.3
SLF4J_VERSION=2.0.16
# Bump when the dependency recipe below changes, so existing caches are refreshed.
FETCH_REV=2

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${VEIL_KAFKA_CACHE:-$HOME/.cache/veil/kafka-${KAFKA_VERSION}}"
LIB="$CACHE/lib"
MARKER="$LIB/.complete-${KAFKA_VERSION}-r${FETCH_REV}"
DIR="${VEIL_KAFKA_DIR:-${TMPDIR:-/tmp}/veil-kafka}"
PORT="${VEIL_KAFKA_PORT:-19092}"
HEAP="${VEIL_KAFKA_HEAP:--Xms512m -Xmx768m}"
TIMEOUT="${VEIL_KAFKA_TIMEOUT:-90}"
ACLS=0
SASL=0
SCRAM_USERS=""
EXTRA_CONFIG=""

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
}

parse_opts() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --port) [[ $# -ge 2 ]] || die "--port needs a value"; PORT="$2"; shift 2 ;;
      --port=*) PORT="${1#*=}"; shift ;;
      --dir) [[ $# -ge 2 ]] || die "--dir needs a value"; DIR="$2"; shift 2 ;;
      --dir=*) DIR="${1#*=}"; shift ;;
      --acls) ACLS=1; shift ;;
      --sasl) SASL=1; ACLS=1; shift ;;
      --scram-users) [[ $# -ge 2 ]] || die "--scram-users needs a file"; SCRAM_USERS="$2"; shift 2 ;;
      --config) [[ $# -ge 2 ]] || die "--config needs a file"; EXTRA_CONFIG="$2"; shift 2 ;;
      -h|--help) usage; exit 0 ;;
      *) die "unknown option: $1" ;;
    esac
  done
  [[ "$PORT" =~ ^[0-9]+$ ]] && (( PORT > 0 && PORT < 65535 )) || die "bad port: $PORT"
  mkdir -p "$DIR"
  DIR="$(cd "$DIR" && pwd)"
  PIDFILE="$DIR/kafka.pid"
}

# ---------------------------------------------------------------------------------------------- fetch
cmd_fetch() {
  if [[ -f "$MARKER" ]]; then
    log "jars already cached in $LIB"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (needed once to fetch jars from Maven Central)"
  mkdir -p "$LIB"
  # An incomplete earlier fetch may have left jars of other versions behind: start from an empty lib dir.
  find "$LIB" -maxdepth 1 \( -name '*.jar' -o -name '.complete-*' \) -delete
  local work
  work="$(mktemp -d)"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" RETURN
  # Logging: the kafka_2.13 POM has only slf4j-api 1.7.36 at runtime and no backend (the binary distribution
  # adds its own), so without more jars SLF4J falls back to NOP and the broker logs nothing. We add log4j-core +
  # log4j-slf4j2-impl and pin slf4j-api to 2.x, which that binding needs (2.x still serves 1.7-style callers).
  # kafka-tools holds the admin CLIs (AclCommand, TopicCommand, ConfigCommand, Console{Producer,Consumer}).
  cat >"$work/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.veil.local</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_${SCALA_VERSION}</artifactId>
      <version>${KAFKA_VERSION}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka-tools</artifactId>
      <version>${KAFKA_VERSION}</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-api</artifactId>
      <version>${SLF4J_VERSION}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>${LOG4J_VERSION}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j2-impl</artifactId>
      <version>${LOG4J_VERSION}</version>
    </dependency>
  </dependencies>
</project>
POM
  log "resolving org.apache.kafka:kafka_${SCALA_VERSION}:${KAFKA_VERSION} (+ runtime deps) from Maven Central into $LIB"
  if ! (cd "$work" && mvn -B -q -Dstyle.color=never dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$LIB" -DoverWriteIfNewer=true) >"$work/mvn.log" 2>&1; then
    tail -n 40 "$work/mvn.log" >&2
    die "mvn dependency:copy-dependencies failed"
  fi
  local j
  for j in "kafka_${SCALA_VERSION}-${KAFKA_VERSION}.jar" "kafka-clients-${KAFKA_VERSION}.jar" \
           "kafka-tools-${KAFKA_VERSION}.jar" "log4j-core-" "log4j-slf4j2-impl-" "slf4j-api-2." "scala-library-"; do
    compgen -G "$LIB/${j}*" >/dev/null || die "expected jar ${j}* missing from $LIB"
  done
  date -u +%FT%TZ >"$MARKER"
  log "cached $(find "$LIB" -name '*.jar' | wc -l) jars in $LIB"
}

# ---------------------------------------------------------------------------------------------- helpers
require_jars() {
  [[ -f "$MARKER" ]] || cmd_fetch
}

running_pid() {
  # Prints the pid and returns 0 if the broker recorded in $PIDFILE is alive and is our java process.
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'kafka\.Kafka'; then
    return 1
  fi
  echo "$pid"
}

new_cluster_id() {
  # Same shape as `kafka-storage.sh random-uuid` (16 random bytes, URL-safe base64, no padding) without
  # paying for a JVM start. Kafka's own generator avoids ids starting with '-', so do we.
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* && ${#id} -eq 22 ]] && { echo "$id"; return; }
  done
}

port_open() {
  # bash /dev/tcp: no nc dependency.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

write_config() {
  local cport=$((PORT + 1)) sport=$((PORT + 2))
  local listeners="PLAINTEXT://127.0.0.1:${PORT},CONTROLLER://127.0.0.1:${cport}"
  local protocols="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
  if [[ "$SASL" == 1 ]]; then
    listeners="${listeners},SASL_PLAINTEXT://127.0.0.1:${sport}"
    protocols="${protocols},SASL_PLAINTEXT:SASL_PLAINTEXT"
  fi
  mkdir -p "$DIR/data" "$DIR/logs"
  cat >"$DIR/server.properties" <<PROPS
# Generated by deploy/kafka/kafka.sh — single-node KRaft (combined broker+controller) for tests.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:${cport}
listeners=${listeners}
advertised.listeners=${listeners}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=${protocols}
log.dirs=${DIR}/data
num.partitions=1
default.replication.factor=1
# Internal topics: replication 1, few partitions (defaults are 50 each; slow to create on 2 cores).
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.num.partitions=3
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Test speed: no 3 s wait before the first rebalance, no 30 s delay before log tasks, cleaner re-checks every 1 s.
group.initial.rebalance.delay.ms=0
log.initial.task.delay.ms=0
log.cleaner.backoff.ms=1000
# Tests create their topics explicitly (as production should).
auto.create.topics.enable=false
PROPS
  if [[ "$ACLS" == 1 ]]; then
    local supers="User:ANONYMOUS"
    [[ "$SASL" == 1 ]] && supers="User:ANONYMOUS;User:admin"
    cat >>"$DIR/server.properties" <<PROPS
# --acls: enforce ACLs. Everything on PLAINTEXT is User:ANONYMOUS, made super user so admin tools and the
# controller<->broker traffic keep working; ACLs for service principals can be created and listed.
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=${supers}
PROPS
  fi
  if [[ "$SASL" == 1 ]]; then
    cat >>"$DIR/server.properties" <<PROPS
# --sasl: service principals authenticate with SCRAM-SHA-512 on 127.0.0.1:${sport} (User:<name>).
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
PROPS
  fi
  if [[ -n "$EXTRA_CONFIG" ]]; then
    [[ -r "$EXTRA_CONFIG" ]] || die "cannot read --config $EXTRA_CONFIG"
    { echo "# --config $EXTRA_CONFIG (overrides the lines above)"; cat "$EXTRA_CONFIG"; } >>"$DIR/server.properties"
  fi
  cp "$SCRIPT_DIR/log4j2.properties" "$DIR/log4j2.properties"
}

java_opts() {
  # shellcheck disable=SC2206
  local heap=($HEAP)
  printf '%s\n' "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExplicitGCInvokesConcurrent \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$DIR/log4j2.properties" -Dkafka.logs.dir="$DIR/logs"
}

# ---------------------------------------------------------------------------------------------- start
cmd_start() {
  parse_opts "$@"
  require_jars
  command -v java >/dev/null || die "java not found (Java 17+ required)"
  local pid
  if pid="$(running_pid)"; then
    log "already running (pid $pid) in $DIR"
    echo "KAFKA_BROKERS=127.0.0.1:$(sed -n 's/^listeners=PLAINTEXT:\/\/127.0.0.1:\([0-9]*\),.*/\1/p' "$DIR/server.properties")"
    sed -n 's/^listeners=.*SASL_PLAINTEXT:\/\/\(127.0.0.1:[0-9]*\).*/KAFKA_SASL_BROKERS=\1/p' "$DIR/server.properties"
    return 0
  fi
  rm -f "$PIDFILE"
  if port_open "$PORT"; then die "port $PORT already in use"; fi
  if port_open $((PORT + 1)); then die "controller port $((PORT + 1)) already in use"; fi
  if [[ "$SASL" == 1 ]] && port_open $((PORT + 2)); then die "SASL port $((PORT + 2)) already in use"; fi
  write_config
  local opts=()
  mapfile -t opts < <(java_opts)

  local cid
  if [[ -f "$DIR/cluster.id" ]]; then
    cid="$(cat "$DIR/cluster.id")"
  else
    cid="$(new_cluster_id)"
    echo "$cid" >"$DIR/cluster.id"
  fi
  if [[ -f "$DIR/data/meta.properties" ]]; then
    log "reusing formatted store $DIR/data (cluster id $cid)"  # saves a JVM start (~1.5 s)
  else
    log "formatting $DIR/data (cluster id $cid)"
    local scram=() name pw
    if [[ -n "$SCRAM_USERS" ]]; then
      [[ -r "$SCRAM_USERS" ]] || die "cannot read --scram-users $SCRAM_USERS"
      while read -r name pw; do
        [[ -z "$name" || "$name" == \#* ]] && continue
        [[ "$name$pw" =~ ^[A-Za-z0-9._-]+$ ]] || die "scram user $name: names and passwords are [A-Za-z0-9._-]"
        scram+=(--add-scram "SCRAM-SHA-512=[name=${name},password=${pw}]")
      done <"$SCRAM_USERS"
      log "formatting with $((${#scram[@]} / 2)) SCRAM-SHA-512 users from $SCRAM_USERS"
    fi
    java -cp "$LIB/*" "${opts[@]}" kafka.tools.StorageTool format --standalone -t "$cid" \
        -c "$DIR/server.properties" --ignore-formatted "${scram[@]}" >>"$DIR/logs/format.log" 2>&1 \
      || { tail -n 30 "$DIR/logs/format.log" >&2; die "storage format failed"; }
  fi

  local out="$DIR/logs/kafka.out" logf="$DIR/logs/server.log" logoff=0
  : >"$out"
  # server.log is appended across restarts: only look at what this start writes.
  [[ -f "$logf" ]] && logoff="$(wc -c <"$logf")"
  log "starting broker+controller on 127.0.0.1:$PORT (controller $((PORT + 1))), logs in $DIR/logs"
  # setsid: own session, so the broker survives the caller's shell and a Ctrl-C in it. setsid may fork (when
  # called as a process-group leader), so the pid is written by the process that then execs java.
  rm -f "$PIDFILE"
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PIDFILE" \
    java "${opts[@]}" -cp "$LIB/*" kafka.Kafka "$DIR/server.properties" >>"$out" 2>&1 </dev/null &
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -s "$PIDFILE" ]] && break
    sleep 0.05
  done
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || die "broker process did not start (see $out)"

  local deadline=$((SECONDS + TIMEOUT))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "broker exited during startup; its first error, then the last log lines:"
      grep -m1 -E 'Exception: ' "$logf" "$out" >&2 2>/dev/null || true
      tail -n 40 "$logf" >&2 2>/dev/null || true
      tail -n 40 "$out" >&2 || true
      rm -f "$PIDFILE"
      die "start failed"
    fi
    # (process substitution, not a pipe: with pipefail, grep -q closing early would fail the pipeline)
    if port_open "$PORT" && grep -qE 'Kafka Server started|started \(kafka\.server\.KafkaRaftServer\)' \
        < <(tail -c +$((logoff + 1)) "$logf" 2>/dev/null; cat "$out"); then
      break
    fi
    if (( SECONDS >= deadline )); then
      log "broker not ready after ${TIMEOUT}s; last log lines:"
      tail -n 40 "$logf" >&2 2>/dev/null || true
      tail -n 40 "$out" >&2 || true
      cmd_stop_pid "$pid"
      die "start timed out"
    fi
    sleep 0.5
  done
  log "ready (pid $pid)"
  echo "KAFKA_BROKERS=127.0.0.1:$PORT"
  if [[ "$SASL" == 1 ]]; then echo "KAFKA_SASL_BROKERS=127.0.0.1:$((PORT + 2))"; fi
}

# ---------------------------------------------------------------------------------------------- scram-user
cmd_scram_user() {
  local name="${1:-}" pw="${2:-}"
  [[ -n "$name" && -n "$pw" ]] || die "usage: kafka.sh scram-user NAME PASSWORD [--dir DIR]"
  shift 2
  parse_opts "$@"
  [[ "$name$pw" =~ ^[A-Za-z0-9._-]+$ ]] || die "names and passwords are [A-Za-z0-9._-]"
  running_pid >/dev/null || die "no broker running in $DIR"
  local port
  port="$(sed -n 's/^listeners=PLAINTEXT:\/\/127.0.0.1:\([0-9]*\),.*/\1/p' "$DIR/server.properties")"
  java -Xmx256m -XX:TieredStopAtLevel=1 -cp "$LIB/*" org.apache.kafka.tools.ConfigCommand \
    --bootstrap-server "127.0.0.1:$port" --alter --entity-type users --entity-name "$name" \
    --add-config "SCRAM-SHA-512=[password=${pw}]" >&2
}

# ---------------------------------------------------------------------------------------------- stop
cmd_stop_pid() {
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  log "pid $pid still alive after 30s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 20; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
}

cmd_stop() {
  parse_opts "$@"
  local pid
  if pid="$(running_pid)"; then
    log "stopping broker (pid $pid)"
    cmd_stop_pid "$pid"
    log "stopped"
  else
    log "not running"
  fi
  rm -f "$PIDFILE"
}

# ---------------------------------------------------------------------------------------------- status
cmd_status() {
  parse_opts "$@"
  local pid port
  if pid="$(running_pid)"; then
    port="$(sed -n 's/^listeners=PLAINTEXT:\/\/127.0.0.1:\([0-9]*\),.*/\1/p' "$DIR/server.properties")"
    if port_open "$port"; then
      echo "running pid=$pid brokers=127.0.0.1:$port dir=$DIR"
    else
      echo "starting pid=$pid brokers=127.0.0.1:$port dir=$DIR"
    fi
    return 0
  fi
  echo "stopped dir=$DIR"
  return 3
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    fetch) cmd_fetch ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    scram-user) require_jars; cmd_scram_user "$@" ;;
    status) cmd_status "$@" ;;
    classpath) require_jars; echo "$LIB/*" ;;
    -h|--help|help) usage ;;
    *) usage; exit 2 ;;
  esac
}

main "$@"
