#!/usr/bin/env bash
# Installs (Debian's postgresql) and starts a local PostgreSQL server for the study tests,
# with a role and database `nasforge`; prints the SQLAlchemy URL for them.
# usage: export NASFORGE_TEST_POSTGRES_URL=$(bash .ci/postgres.sh)
set -euo pipefail
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
cluster=$(pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v {print $2; exit}')
if [ -z "$cluster" ]; then
    pg_createcluster "$version" main >&2
    cluster=main
fi
pg_ctlcluster "$version" "$cluster" start >&2 2>/dev/null || true
port=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c {print $3}')
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
for _ in $(seq 30); do as_postgres pg_isready -q -p "$port" && break; sleep 0.5; done
as_postgres psql -q -p "$port" -v ON_ERROR_STOP=1 >&2 <<SQL
SELECT 'CREATE ROLE nasforge LOGIN PASSWORD ''nasforge'''
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nasforge')\gexec
SELECT 'CREATE DATABASE nasforge OWNER nasforge'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'nasforge')\gexec
SQL
echo "postgresql://nasforge:nasforge@127.0.0.1:${port}/nasforge"
