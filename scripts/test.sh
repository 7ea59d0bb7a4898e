#!/usr/bin/env bash
# Runs every PocketSync test against real servers: makes Redis and Mosquitto present, then runs
# `mvn -B verify` from the repository root. Extra arguments go to Maven.
#
#   scripts/test.sh                # everything
#   scripts/test.sh -pl store-redis -am
#
# Tools: redis-server, mosquitto, sqlite3, faketime, and chromium with chromium-driver (the web console's browser test)
# are installed with apt-get when missing (as root).
#
# Servers: if PS_REDIS_URI / PS_MQTT_URI are set they are used as they are. Otherwise Redis on
# 127.0.0.1:6379 and Mosquitto on 127.0.0.1:1883 are used when they answer; when they do not, this
# script starts its own (installing redis-server and mosquitto with apt-get when missing and running
# as root) on free ports, exports the URIs to the tests, and stops them on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

log() { printf '[test.sh] %s\n' "$*" >&2; }

answers() { # host port
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
    || echo $(( 20000 + RANDOM % 20000 ))
}

ensure_packages() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v mosquitto >/dev/null && [ -x "$(command -v mosquitto)" ] || missing+=(mosquitto)
  command -v mosquitto_pub >/dev/null || missing+=(mosquitto-clients)
  command -v sqlite3 >/dev/null || missing+=(sqlite3)
  command -v faketime >/dev/null || missing+=(faketime)
  # the admin console's browser test (ConsoleBrowserIT) drives headless Chromium through Debian's chromedriver
  [ -x /usr/bin/chromium ] || [ -n "${PS_CHROMIUM:-}" ] || missing+=(chromium)
  [ -x /usr/bin/chromedriver ] || [ -n "${PS_CHROMEDRIVER:-}" ] || missing+=(chromium-driver)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
      log "installing ${missing[*]}"
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server mosquitto mosquitto-clients sqlite3 faketime \
        "${missing[@]}" >/dev/null
    else
      log "missing ${missing[*]} and cannot install them (need root and apt-get)"
      exit 1
    fi
  fi
  # Debian installs mosquitto under /usr/sbin, which is not always on PATH.
  if ! command -v mosquitto >/dev/null && [ -x /usr/sbin/mosquitto ]; then
    export PATH="$PATH:/usr/sbin"
  fi
}

workdir=$(mktemp -d -t pocketsync-test.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$workdir"
}
trap cleanup EXIT

ensure_packages

if [ -z "${PS_REDIS_URI:-}" ]; then
  if answers 127.0.0.1 6379; then
    export PS_REDIS_URI=redis://127.0.0.1:6379
  else
    port=$(free_port)
    log "starting redis-server on 127.0.0.1:$port"
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$workdir" \
      --logfile "$workdir/redis.log" &
    pids+=($!)
    for _ in $(seq 1 100); do answers 127.0.0.1 "$port" && break; sleep 0.1; done
    export PS_REDIS_URI="redis://127.0.0.1:$port"
  fi
fi

if [ -z "${PS_MQTT_URI:-}" ]; then
  if answers 127.0.0.1 1883; then
    export PS_MQTT_URI=tcp://127.0.0.1:1883
  else
    port=$(free_port)
    log "starting mosquitto on 127.0.0.1:$port"
    # The broker's default of 1000 queued messages per client silently drops bursts: raise it.
    cat > "$workdir/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 100000
max_inflight_messages 1000
CONF
    mosquitto -c "$workdir/mosquitto.conf" >"$workdir/mosquitto.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do answers 127.0.0.1 "$port" && break; sleep 0.1; done
    export PS_MQTT_URI="tcp://127.0.0.1:$port"
  fi
fi

log "PS_REDIS_URI=$PS_REDIS_URI PS_MQTT_URI=$PS_MQTT_URI"
mvn -B verify "$@"
