#!/usr/bin/env bash
# One Quiver pipeline end to end on a real Temporal Server with PostgreSQL persistence (the cluster's
# setup, infra/deploy/), not the dev server: a throwaway PostgreSQL cluster (Debian's postgresql
# package) in a temp dir, Temporal's schema applied by its SQL tool, the server started with the
# postgres12 plugin and the deployment's dynamic config, a CPU and a GPU worker as separate
# processes, `quiver run pipelines/iris.yaml --wait`, then everything stopped and removed.
# Not part of `npm test` (it needs the server binaries, minutes of build once). Usage:
#   bash infra/e2e-postgres.sh
# Binaries: $QUIVER_TEMPORAL_SERVER and $QUIVER_TEMPORAL_SQL_TOOL, else ~/.cache/quiver/bin/{server,sql},
# built once with
#   GOFLAGS=-trimpath GOBIN=~/.cache/quiver/bin go install go.temporal.io/server/cmd/server@v1.32.0
#   GOFLAGS=-trimpath GOBIN=~/.cache/quiver/bin go install go.temporal.io/server/cmd/tools/sql@v1.32.0
# Exit status 0 only when the run completed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
server_bin=${QUIVER_TEMPORAL_SERVER:-$HOME/.cache/quiver/bin/server}
sql_bin=${QUIVER_TEMPORAL_SQL_TOOL:-$HOME/.cache/quiver/bin/sql}
temporal_cli=${TEMPORAL_CLI:-/opt/temporal/temporal}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
for need in "$server_bin" "$sql_bin" "$temporal_cli" "$pg_bin/initdb" "$pg_bin/pg_ctl"; do
  [ -x "$need" ] || { echo "e2e-postgres: $need is missing (see the header of $0)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/quiver-e2e-pg.XXXXXX)
chmod 755 "$work"
pids=()
pg_user=$(id -un)
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" -ne 0 ] || pg_user=postgres
cleanup() {
  status=$?
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [ -d "$work/pg" ] && as_pg "$pg_bin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true
  if [ "$status" -ne 0 ]; then
    echo "e2e-postgres: FAILED (exit $status); logs kept in $work/logs" >&2
    cp -r "$work/logs" "/tmp/quiver-e2e-pg-logs.$$" 2>/dev/null && echo "  copied to /tmp/quiver-e2e-pg-logs.$$" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
mkdir -p "$work/logs" "$work/home"
step() { printf '== %s (%ss)\n' "$*" "$SECONDS"; }

# Free loopback ports: PostgreSQL, then Temporal's frontend gRPC/HTTP, history, matching, worker, 4 membership.
# All below 32768: Temporal's SQL schema keeps membership ports in a SMALLINT column.
read -r pg_port fe_grpc fe_http hist_grpc match_grpc worker_grpc fe_mem hist_mem match_mem worker_mem < <(
  python3 - <<'PY'
import random, socket
ports = []
while len(ports) < 10:
    port = random.randrange(20000, 32000)
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
    if port not in ports:
        ports.append(port)
print(*ports)
PY
)

step "PostgreSQL ($("$pg_bin/postgres" --version | awk '{print $3}')) on 127.0.0.1:$pg_port"
mkdir -p "$work/pg" "$work/pgsock"
[ "$(id -u)" -ne 0 ] || chown postgres "$work/pg" "$work/pgsock" "$work/logs"
as_pg "$pg_bin/initdb" -D "$work/pg" -U "$pg_user" --auth=trust -E UTF8 >"$work/logs/initdb.log"
as_pg "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/logs/postgresql.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $work/pgsock -c fsync=off" start >/dev/null
as_pg "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U "$pg_user" -d postgres -q \
  -c "CREATE ROLE temporal LOGIN CREATEDB PASSWORD 'temporal'"

step "Temporal schema ($("$sql_bin" --version 2>/dev/null | tail -1 || echo sql tool))"
sql() { "$sql_bin" --plugin postgres12 --ep 127.0.0.1 -p "$pg_port" -u temporal --pw temporal "$@"; }
for db in temporal temporal_visibility; do
  schema=postgresql/v12/${db/temporal_visibility/visibility}
  sql --db "$db" create-database >>"$work/logs/schema.log" 2>&1
  sql --db "$db" setup-schema -v 0.0 >>"$work/logs/schema.log" 2>&1
  sql --db "$db" update-schema --schema-name "$schema" >>"$work/logs/schema.log" 2>&1
done

step "Temporal Server ($("$server_bin" --version 2>/dev/null | head -1)) on 127.0.0.1:$fe_grpc, postgres12"
datastore() {
  cat <<YAML
      sql:
        pluginName: postgres12
        databaseName: $1
        connectAddr: 127.0.0.1:$pg_port
        connectProtocol: tcp
        user: temporal
        password: temporal
        maxConns: 10
        maxIdleConns: 10
        maxConnLifetime: 1h
YAML
}
service() {
  cat <<YAML
  $1:
    rpc:
      grpcPort: $2
      membershipPort: $3
      bindOnLocalHost: true
YAML
}
cat >"$work/temporal.yaml" <<YAML
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:
$(datastore temporal)
    visibility:
$(datastore temporal_visibility)
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
$(service frontend "$fe_grpc" "$fe_mem")
      httpPort: $fe_http
$(service history "$hist_grpc" "$hist_mem")
$(service matching "$match_grpc" "$match_mem")
$(service worker "$worker_grpc" "$worker_mem")
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:$fe_grpc
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: $repo/infra/deploy/dynamicconfig/quiver.yaml
  pollInterval: 60s
YAML
"$server_bin" --config-file "$work/temporal.yaml" --allow-no-auth start >"$work/logs/temporal-server.log" 2>&1 &
pids+=($!)
address=127.0.0.1:$fe_grpc
until "$temporal_cli" operator cluster health --address "$address" >/dev/null 2>&1; do
  kill -0 "${pids[0]}" 2>/dev/null || { tail -20 "$work/logs/temporal-server.log" >&2; exit 1; }
  sleep 1
done
"$temporal_cli" operator namespace create -n default --retention 1d --address "$address" >/dev/null
until "$temporal_cli" operator namespace describe -n default --address "$address" >/dev/null 2>&1; do sleep 1; done
# Quiver's search attributes (infra/search-attributes.ts), as the compose file's temporal-setup job registers them.
npx --no-install tsx -e "for (const [name, type] of Object.entries(require('./infra/search-attributes').QUIVER_SEARCH_ATTRIBUTES)) console.log(name, type)" |
  while read -r name type; do
    "$temporal_cli" operator search-attribute create -n default --name "$name" --type "$type" --address "$address" >/dev/null
  done
until [ "$("$temporal_cli" operator search-attribute list -n default --address "$address" | grep -c Quiver)" -ge 5 ]; do sleep 1; done

export TEMPORAL_ADDRESS=$address TEMPORAL_NAMESPACE=default QUIVER_HOME=$work/home
export QUIVER_QUEUE_PREFIX=e2e-pg-
unset QUIVER_STORE
step "workers (cpu, gpu) against $address"
declare -A worker_pid
for queue in cpu gpu; do
  node bin/quiver.js worker --queue "$queue" >"$work/logs/worker-$queue.log" 2>&1 &
  worker_pid[$queue]=$!
  pids+=($!)
done
for queue in cpu gpu; do
  until grep -q 'worker on' "$work/logs/worker-$queue.log"; do
    kill -0 "${worker_pid[$queue]}" 2>/dev/null || { cat "$work/logs/worker-$queue.log" >&2; exit 1; }
    sleep 1
  done
done

step "quiver run pipelines/iris.yaml --wait"
node bin/quiver.js run pipelines/iris.yaml --wait 2>&1 | tee "$work/logs/run.log"
run_id=$(grep -m1 -oE 'quiver-iris-[a-z0-9-]+' "$work/logs/run.log" || true)
step "run $run_id: history in PostgreSQL"
executions=$(as_pg "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U "$pg_user" -d temporal -tA -c 'SELECT count(*) FROM executions')
visible=$(as_pg "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U "$pg_user" -d temporal_visibility -tA \
  -c "SELECT count(*) FROM executions_visibility WHERE status = 2 AND workflow_type_name = 'trainingPipeline'")
echo "temporal.executions rows: $executions; completed trainingPipeline runs in temporal_visibility: $visible"
[ "$visible" -ge 1 ] || { echo "e2e-postgres: no completed run recorded in PostgreSQL" >&2; exit 1; }
step "e2e-postgres: PASSED"
