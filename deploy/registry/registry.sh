#!/usr/bin/env bash
# registry.sh — run a real Schema Registry for the tests: Apicurio Registry 3.3.3 (its Confluent-compatible
# API under /apis/ccompat/v7), from the ready-built Quarkus distribution that Maven Central serves as
# io.apicurio:apicurio-registry-app:3.3.3:tar.gz:all. Storage is its default in-memory H2 database: nothing
# outside the JVM, nothing kept after stop.
#
# Usage:
#   deploy/registry/registry.sh fetch                    download and unpack the distribution into the cache
#   deploy/registry/registry.sh start [--port P] [--dir DIR]
#                                                        start in the background, wait until the API answers
#   deploy/registry/registry.sh stop  [--dir DIR]        SIGTERM, wait up to 30 s, then SIGKILL (idempotent)
#
# Environment:
#   VEIL_REGISTRY_CACHE    cache dir (default $HOME/.cache/veil/apicurio-3.3.3)
#   VEIL_REGISTRY_DIR      default for --dir (default ${TMPDIR:-/tmp}/veil-registry)
#   VEIL_REGISTRY_PORT     default for --port (default 19380); the management interface listens on port+1
#   VEIL_REGISTRY_JAVA     java binary (default: the first Java 21+ of $JAVA_HOME, PATH, /usr/lib/jvm/*)
#   VEIL_REGISTRY_TIMEOUT  readiness timeout in seconds (default 180)
#
# On success `start` prints exactly one line on stdout: VEIL_TEST_REGISTRY=http://127.0.0.1:PORT/apis/ccompat/v7
# (progress goes to stderr), so callers can do: eval "$(deploy/registry/registry.sh start)".
set -euo pipefail

VERSION=3.3.3
CACHE="${VEIL_REGISTRY_CACHE:-$HOME/.cache/veil/apicurio-${VERSION}}"
APP="$CACHE/app"
MARKER="$CACHE/.complete"
DIR="${VEIL_REGISTRY_DIR:-${TMPDIR:-/tmp}/veil-registry}"
PORT="${VEIL_REGISTRY_PORT:-19380}"
TIMEOUT="${VEIL_REGISTRY_TIMEOUT:-180}"

log() { printf 'registry.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

parse_opts() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --port) [[ $# -ge 2 ]] || die "--port needs a value"; PORT="$2"; shift 2 ;;
      --dir) [[ $# -ge 2 ]] || die "--dir needs a value"; DIR="$2"; shift 2 ;;
      *) die "unknown option: $1" ;;
    esac
  done
  [[ "$PORT" =~ ^[0-9]+$ ]] && (( PORT > 0 && PORT < 65534 )) || die "bad port: $PORT"
  mkdir -p "$DIR"
  DIR="$(cd "$DIR" && pwd)"
  PIDFILE="$DIR/registry.pid"
}

cmd_fetch() {
  [[ -f "$MARKER" ]] && return 0
  command -v mvn >/dev/null || die "mvn not found (needed once to fetch the registry from Maven Central)"
  rm -rf "$APP"
  mkdir -p "$APP"
  log "fetching io.apicurio:apicurio-registry-app:${VERSION} (Quarkus distribution, ~160 MB) into $APP"
  local work
  work="$(mktemp -d)"
  # From an empty directory, with the plugin's markers kept there: nothing is written into the caller's tree.
  if ! (cd "$work" && mvn -B -q -Dstyle.color=never dependency:unpack \
      -Dartifact="io.apicurio:apicurio-registry-app:${VERSION}:tar.gz:all" -DoutputDirectory="$APP" \
      -DmarkersDirectory="$work/markers") >"$work/mvn.log" 2>&1; then
    tail -n 30 "$work/mvn.log" >&2
    rm -rf "$work"
    die "mvn dependency:unpack failed"
  fi
  rm -rf "$work"
  [[ -f "$APP/quarkus-run.jar" ]] || die "quarkus-run.jar missing from the distribution"
  date -u +%FT%TZ >"$MARKER"
}

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'
}

find_java() {
  if [[ -n "${VEIL_REGISTRY_JAVA:-}" ]]; then echo "$VEIL_REGISTRY_JAVA"; return; fi
  local j v
  for j in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
    [[ -x "$j" ]] || continue
    v="$(java_major "$j")"
    [[ "$v" =~ ^[0-9]+$ ]] && (( v >= 21 )) && { echo "$j"; return; }
  done
  die "no Java 21+ found (Apicurio Registry ${VERSION} needs it); set VEIL_REGISTRY_JAVA"
}

running_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'quarkus-run.jar' || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

url() { echo "http://127.0.0.1:$(cat "$DIR/port")/apis/ccompat/v7"; }

cmd_start() {
  parse_opts "$@"
  cmd_fetch
  local pid
  if pid="$(running_pid)"; then
    log "already running (pid $pid)"
    echo "VEIL_TEST_REGISTRY=$(url)"
    return 0
  fi
  port_open "$PORT" && die "port $PORT already in use"
  port_open $((PORT + 1)) && die "management port $((PORT + 1)) already in use"
  local java
  java="$(find_java)"
  echo "$PORT" >"$DIR/port"
  log "starting Apicurio Registry ${VERSION} on 127.0.0.1:$PORT with $java (log $DIR/registry.log)"
  # Quarkus reads these system properties over the defaults in the distribution's application.properties.
  # setsid: the registry survives the caller's shell; the pid is written by the process that execs java.
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PIDFILE" "$java" -Xms128m -Xmx512m -XX:TieredStopAtLevel=1 \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port=$((PORT + 1)) \
    -Dquarkus.http.access-log.enabled=false -Dquarkus.log.level=WARN \
    -jar "$APP/quarkus-run.jar" >"$DIR/registry.log" 2>&1 </dev/null &
  local i
  for ((i = 0; i < 100; i++)); do [[ -s "$PIDFILE" ]] && break; sleep 0.05; done
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || die "registry process did not start (see $DIR/registry.log)"
  local deadline=$((SECONDS + TIMEOUT))
  until (exec 3<>"/dev/tcp/127.0.0.1/$PORT" && printf 'GET /apis/ccompat/v7/subjects HTTP/1.0\r\n\r\n' >&3 &&
         head -n 1 <&3 | grep -q ' 200 ') 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$DIR/registry.log" >&2
      die "registry exited during startup"
    fi
    if (( SECONDS >= deadline )); then
      tail -n 30 "$DIR/registry.log" >&2
      stop_pid "$pid"
      die "registry not ready after ${TIMEOUT}s"
    fi
    sleep 0.5
  done
  log "ready after ${SECONDS}s (pid $pid)"
  echo "VEIL_TEST_REGISTRY=$(url)"
}

stop_pid() {
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  log "pid $pid still alive after 30s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

cmd_stop() {
  parse_opts "$@"
  local pid
  if pid="$(running_pid)"; then
    stop_pid "$pid"
    log "stopped (pid $pid)"
  fi
  rm -f "$PIDFILE"
}

case "${1:-}" in
  fetch) cmd_fetch ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
