#!/usr/bin/env bash
# Serve Autoencoder Lab to a room: N app processes (replicas) behind Debian's nginx on one port.
#   bash scripts/serve.sh                         one process, plain `streamlit run app.py` on port 8501
#   bash scripts/serve.sh --replicas 2 --port 8080
#       two replicas on loopback ports 8081, 8082 and nginx on 8080 in front (sticky sessions by a cookie,
#       websockets, static files from nginx); bash scripts/setup.sh --serve installs nginx
# Options:
#   --replicas N        app processes on this machine (default 1)
#   --port P            the port people open (default 8501); the replicas take the ports after it
#   --first-port Q      the replicas' first port (default P+1)
#   --upstreams LIST    more replicas, host:port,... (other machines running serve.sh --no-proxy); also
#                       $AE_LAB_UPSTREAMS
#   --no-proxy          only the replicas, listening on --address (for a machine behind another's nginx)
#   --address A         where the replicas listen (default 127.0.0.1; 0.0.0.0 with --no-proxy)
#   --proxy             nginx in front even of a single replica
#   --run-dir DIR       logs, pids and nginx's files (default: a new folder under ${TMPDIR:-/tmp})
#   --restart-delay S   restart a replica that died after S seconds (default 2); --no-restart: leave it dead
# Every replica gets the same server.cookieSecret ($AE_LAB_COOKIE_SECRET, else one made for this deployment;
# several machines need the same one) and the same user data folder ($AE_LAB_HOME).
# Ctrl-C or SIGTERM stops the processes this script started (by their pids), and nothing else. A training
# in progress runs in its own worker process and keeps running, as when one app process restarts.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

REPLICAS=1 PORT=8501 FIRST_PORT="" UPSTREAMS="${AE_LAB_UPSTREAMS:-}" PROXY=auto ADDRESS="" RUN_DIR=""
RESTART=1 RESTART_DELAY=2
die() { echo "serve.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) REPLICAS=${2:?}; shift ;;
    --port) PORT=${2:?}; shift ;;
    --first-port) FIRST_PORT=${2:?}; shift ;;
    --upstreams) UPSTREAMS=${2:?}; shift ;;
    --no-proxy) PROXY=no ;;
    --proxy) PROXY=yes ;;
    --address) ADDRESS=${2:?}; shift ;;
    --run-dir) RUN_DIR=${2:?}; shift ;;
    --restart-delay) RESTART_DELAY=${2:?}; shift ;;
    --no-restart) RESTART=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done
[[ "$REPLICAS" =~ ^[0-9]+$ ]] || die "--replicas takes a number, not $REPLICAS"
[[ "$PORT" =~ ^[0-9]+$ ]] || die "--port takes a number, not $PORT"
[[ "$RESTART_DELAY" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--restart-delay takes seconds, not $RESTART_DELAY"
STREAMLIT="$REPO/.venv/bin/streamlit"
[ -x "$STREAMLIT" ] || die "no .venv: run bash scripts/setup.sh --serve first"

# One process and no proxy asked for: exactly the usual `streamlit run app.py`.
if [ "$PROXY" = auto ] && [ "$REPLICAS" = 1 ] && [ -z "$UPSTREAMS" ]; then
  exec "$STREAMLIT" run app.py --server.port "$PORT" ${ADDRESS:+--server.address "$ADDRESS"}
fi
if [ "$PROXY" = no ] && [ "$REPLICAS" -lt 1 ]; then die "--no-proxy needs --replicas 1 or more"; fi
if [ "$PROXY" != no ]; then
  NGINX=$(command -v nginx || true)
  [ -n "$NGINX" ] || NGINX=/usr/sbin/nginx
  [ -x "$NGINX" ] || die "nginx is not installed: bash scripts/setup.sh --serve installs Debian's"
fi
if [ -z "$ADDRESS" ]; then ADDRESS=127.0.0.1; [ "$PROXY" = no ] && ADDRESS=0.0.0.0; fi
if [ -z "$FIRST_PORT" ]; then FIRST_PORT=$((PORT + 1)); [ "$PROXY" = no ] && FIRST_PORT=$PORT; fi
[ -n "$RUN_DIR" ] || RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ae-lab-serve.XXXXXX")
mkdir -p "$RUN_DIR"
RUN_DIR=$(cd "$RUN_DIR" && pwd)

if [ -z "${AE_LAB_COOKIE_SECRET:-}" ]; then
  [ -n "$UPSTREAMS" ] && echo "serve.sh: note: with --upstreams, set the same AE_LAB_COOKIE_SECRET on every machine" >&2
  AE_LAB_COOKIE_SECRET=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
fi
export STREAMLIT_SERVER_COOKIE_SECRET="$AE_LAB_COOKIE_SECRET"

declare -a RPID RPORT BACK STARTED DELAY  # BACK[i]: 1 while a restarted replica has not answered its health check yet
NGINX_PID=""
STOPPING=0

start_replica() {  # start replica $1 (1-based) on its port; its pid into RPID and $RUN_DIR/replica-$1.pid
  local i=$1
  "$STREAMLIT" run "$REPO/app.py" --server.port "${RPORT[$i]}" --server.address "$ADDRESS" \
    --server.headless true >>"$RUN_DIR/replica-$i.log" 2>&1 &
  RPID[$i]=$!
  BACK[$i]=0
  STARTED[$i]=$SECONDS
  echo "${RPID[$i]}" >"$RUN_DIR/replica-$i.pid"
}

healthy() {  # whether the app on port $1 answers its health check
  "$REPO/.venv/bin/python" - "$ADDRESS" "$1" <<'EOF' 2>/dev/null
import sys, urllib.request
host = "127.0.0.1" if sys.argv[1] in ("0.0.0.0", "::") else sys.argv[1]
sys.exit(urllib.request.urlopen(f"http://{host}:{sys.argv[2]}/_stcore/health", timeout=2).read() != b"ok")
EOF
}

stop_all() {  # stop exactly what this script started: nginx, then each replica, by pid
  STOPPING=1
  trap '' INT TERM
  if [ -n "$NGINX_PID" ]; then kill -TERM "$NGINX_PID" 2>/dev/null || true; fi
  for pid in "${RPID[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  local deadline=$((SECONDS + 15))
  for pid in $NGINX_PID "${RPID[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  echo "serve.sh: stopped (logs in $RUN_DIR)"
}
trap 'stop_all; exit 0' INT TERM
trap 'if [ $STOPPING = 0 ]; then stop_all; fi' EXIT

LOCAL=()
for ((i = 1; i <= REPLICAS; i++)); do
  RPORT[$i]=$((FIRST_PORT + i - 1))
  LOCAL+=("127.0.0.1:${RPORT[$i]}")
  start_replica "$i"
done
echo "serve.sh: $REPLICAS replica(s) starting on $ADDRESS ports ${RPORT[*]} (logs in $RUN_DIR)"
for ((i = 1; i <= REPLICAS; i++)); do
  deadline=$((SECONDS + 120))
  until healthy "${RPORT[$i]}"; do
    kill -0 "${RPID[$i]}" 2>/dev/null || die "replica $i exited at start; see $RUN_DIR/replica-$i.log"
    [ $SECONDS -lt $deadline ] || die "replica $i not healthy after 120 s; see $RUN_DIR/replica-$i.log"
    sleep 0.3
  done
done

if [ "$PROXY" != no ]; then
  ALL=$(IFS=,; echo "${LOCAL[*]}")
  ALL="${ALL}${ALL:+${UPSTREAMS:+,}}${UPSTREAMS}"
  [ -n "$ALL" ] || die "no replica to serve: --replicas 1 or more, or --upstreams"
  "$REPO/.venv/bin/python" "$REPO/deploy/nginx_conf.py" --upstreams "$ALL" --listen "$PORT" \
    --run-dir "$RUN_DIR" --access-log "$RUN_DIR/nginx-access.log" >"$RUN_DIR/nginx.conf"
  "$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e "$RUN_DIR/nginx-error.log" -g 'daemon off;' \
    >>"$RUN_DIR/nginx-error.log" 2>&1 &
  NGINX_PID=$!
  deadline=$((SECONDS + 20))
  until "$REPO/.venv/bin/python" -c "import sys, urllib.request
sys.exit(urllib.request.urlopen('http://127.0.0.1:$PORT/_stcore/health', timeout=2).read() != b'ok')" 2>/dev/null; do
    kill -0 "$NGINX_PID" 2>/dev/null || die "nginx did not start: $(tail -3 "$RUN_DIR/nginx-error.log")"
    [ $SECONDS -lt $deadline ] || die "nginx on port $PORT does not answer /_stcore/health"
    sleep 0.2
  done
  echo "serve.sh: ready on http://$(hostname -f 2>/dev/null || hostname):$PORT/ ($REPLICAS local replica(s)${UPSTREAMS:+ + $UPSTREAMS}, nginx pid $NGINX_PID)"
else
  echo "serve.sh: ready: replicas on $ADDRESS ports ${RPORT[*]} (no proxy here)"
fi

# Supervise: a replica that dies is started again after the delay (nginx sends its browsers to the others
# meanwhile); nginx dying ends the deployment.
while :; do
  sleep 1 & wait $! || true
  if [ -n "$NGINX_PID" ] && ! kill -0 "$NGINX_PID" 2>/dev/null; then
    echo "serve.sh: nginx exited; stopping" >&2
    exit 1
  fi
  for ((i = 1; i <= REPLICAS; i++)); do
    [ -n "${RPID[$i]:-}" ] || continue  # left dead (--no-restart)
    if kill -0 "${RPID[$i]}" 2>/dev/null; then
      if [ "${BACK[$i]}" = 1 ] && healthy "${RPORT[$i]}"; then
        BACK[$i]=0
        echo "serve.sh: replica $i (port ${RPORT[$i]}) is back" >&2
      fi
      continue
    fi
    wait "${RPID[$i]}" 2>/dev/null && rc=0 || rc=$?
    if [ "$RESTART" = 0 ]; then
      echo "serve.sh: replica $i (port ${RPORT[$i]}) exited ($rc); not restarting it (--no-restart)" >&2
      unset "RPID[$i]"
      rm -f "$RUN_DIR/replica-$i.pid"
      continue
    fi
    # One that keeps dying soon after its start (a broken install, a full disk) is retried ever more slowly.
    if [ -n "${DELAY[$i]:-}" ] && [ $((SECONDS - STARTED[$i])) -lt 30 ]; then
      DELAY[$i]=$(awk -v d="${DELAY[$i]}" 'BEGIN { d = (d < 1 ? 1 : d * 2); print (d > 60 ? 60 : d) }')
    else
      DELAY[$i]=$RESTART_DELAY
    fi
    echo "serve.sh: replica $i (port ${RPORT[$i]}) exited ($rc); starting it again in ${DELAY[$i]} s" >&2
    sleep "${DELAY[$i]}" & wait $! || true
    start_replica "$i"
    BACK[$i]=1
  done
done
