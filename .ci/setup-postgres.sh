#!/usr/bin/env bash
# Sourced by .ci/run before `dotnet test`: starts a throwaway PostgreSQL cluster for the PostgreSQL provider tests and
# exports SOCIALCARE_POSTGRES. Defines ci_teardown, which stops the server and removes its data directory.
# Safe to run twice on one machine (own temp dir, own free port, own socket directory).
# The cluster runs with fsync=off: it is thrown away after the run and only speeds up the tests.

_socialcare_pg_as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"; else su -s /bin/sh postgres -c "$(printf '%q ' "$@")"; fi
  else
    "$@"
  fi
}

_socialcare_pg_setup() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
      bindir=$(dirname "$(command -v pg_ctl)")
    else
      echo "PostgreSQL not found; installing Debian's postgresql package"
      apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql || return 1
      bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    fi
  fi

  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --shell /usr/sbin/nologin postgres || return 1
  fi

  SOCIALCARE_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/socialcare-pg.XXXXXX") || return 1
  chmod 755 "$SOCIALCARE_PG_DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$SOCIALCARE_PG_DIR"
  SOCIALCARE_PG_BIN=$bindir
  export SOCIALCARE_PG_DIR SOCIALCARE_PG_BIN

  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()') || return 1

  _socialcare_pg_as_postgres "$bindir/initdb" -D "$SOCIALCARE_PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C >"$SOCIALCARE_PG_DIR/initdb.log" 2>&1 \
    || { cat "$SOCIALCARE_PG_DIR/initdb.log"; return 1; }
  _socialcare_pg_as_postgres "$bindir/pg_ctl" -D "$SOCIALCARE_PG_DIR/data" -l "$SOCIALCARE_PG_DIR/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $SOCIALCARE_PG_DIR -c fsync=off -c full_page_writes=off -c max_connections=300" start \
    || { cat "$SOCIALCARE_PG_DIR/server.log"; return 1; }
  _socialcare_pg_as_postgres "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres socialcare_ci || return 1

  export SOCIALCARE_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=socialcare_ci"
  echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $SOCIALCARE_PG_DIR)"
}

ci_teardown() {
  if [ -n "${SOCIALCARE_PG_DIR:-}" ] && [ -d "$SOCIALCARE_PG_DIR" ]; then
    _socialcare_pg_as_postgres "$SOCIALCARE_PG_BIN/pg_ctl" -D "$SOCIALCARE_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$SOCIALCARE_PG_DIR"
  fi
}

_socialcare_pg_setup
