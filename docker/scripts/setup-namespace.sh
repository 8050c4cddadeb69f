#!/bin/sh
# One-shot setup run by the `temporal-setup-namespace` service once the server is healthy:
# creates the casebook namespace and registers casebook's custom search attributes in it.
#
# Idempotent: an existing namespace or search attribute is left as it is, so the service can run
# on every `docker compose up`.
set -eu

: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS must be host:port of the Temporal frontend}"
: "${CASEBOOK_SEARCH_ATTRIBUTES:?CASEBOOK_SEARCH_ATTRIBUTES must list Name=Type pairs}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${NAMESPACE_RETENTION:-720h}"
MAX_ATTEMPTS="${SETUP_MAX_ATTEMPTS:-30}"

echo "Waiting for the Temporal frontend at $TEMPORAL_ADDRESS"
attempt=1
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
    echo "Temporal at $TEMPORAL_ADDRESS was not healthy after $attempt tries" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 3
done

if temporal operator namespace describe --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; then
  echo "Namespace '$NAMESPACE' already exists"
else
  echo "Creating namespace '$NAMESPACE' (retention $RETENTION)"
  temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" \
    --address "$TEMPORAL_ADDRESS"
fi

# A new namespace can take a moment to be visible to every frontend role; retry the listing.
attempt=1
until existing="$(temporal operator search-attribute list --namespace "$NAMESPACE" \
  --address "$TEMPORAL_ADDRESS" --output json 2>/dev/null)"; do
  if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
    echo "Could not list search attributes of namespace '$NAMESPACE'" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 2
done

for pair in $CASEBOOK_SEARCH_ATTRIBUTES; do
  name="${pair%%=*}"
  type="${pair#*=}"
  if [ -z "$name" ] || [ "$name" = "$pair" ] || [ -z "$type" ]; then
    echo "Malformed entry '$pair' in CASEBOOK_SEARCH_ATTRIBUTES: expected Name=Type" >&2
    exit 1
  fi
  if printf '%s' "$existing" | grep -q "\"$name\""; then
    echo "Search attribute $name already registered"
    continue
  fi
  echo "Registering search attribute $name ($type)"
  temporal operator search-attribute create --namespace "$NAMESPACE" \
    --name "$name" --type "$type" --address "$TEMPORAL_ADDRESS"
done

echo "Namespace '$NAMESPACE' is ready with the casebook search attributes"
