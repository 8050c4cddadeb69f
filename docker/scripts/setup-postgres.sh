#!/bin/sh
# One-shot schema setup for Temporal on PostgreSQL, run by the `temporal-admin-tools` service.
#
# Safe to run on every `docker compose up`: `create` ignores a database that already exists,
# `setup-schema -v 0.0` leaves a schema whose version is above 0.0 alone, and `update-schema`
# only applies the versioned steps newer than the recorded version.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS must name the PostgreSQL host}"
: "${POSTGRES_USER:?POSTGRES_USER must be set}"
: "${POSTGRES_PWD:?POSTGRES_PWD must be set}"
DB_PORT="${DB_PORT:-5432}"
DBNAME="${DBNAME:-temporal}"
VISIBILITY_DBNAME="${VISIBILITY_DBNAME:-temporal_visibility}"
SCHEMA_ROOT="${SCHEMA_ROOT:-/etc/temporal/schema/postgresql/v12}"

# temporal-sql-tool reads the password from SQL_PASSWORD, which keeps it off the command line.
SQL_PASSWORD="$POSTGRES_PWD"
export SQL_PASSWORD

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

attempt=1
until nc -z "$POSTGRES_SEEDS" "$DB_PORT"; do
  if [ "$attempt" -ge 30 ]; then
    echo "PostgreSQL at $POSTGRES_SEEDS:$DB_PORT did not accept connections after $attempt tries" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 2
done

setup_database() {
  db="$1"
  schema_dir="$2"
  echo "Setting up database '$db' from $schema_dir"
  sql_tool --db "$db" create
  sql_tool --db "$db" setup-schema -v 0.0
  sql_tool --db "$db" update-schema -d "$schema_dir"
}

setup_database "$DBNAME" "$SCHEMA_ROOT/temporal/versioned"
setup_database "$VISIBILITY_DBNAME" "$SCHEMA_ROOT/visibility/versioned"

echo "Temporal schema is up to date in '$DBNAME' and '$VISIBILITY_DBNAME'"
