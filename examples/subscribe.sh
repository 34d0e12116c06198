#!/bin/sh
# Follow a channel with curl (Server-Sent Events); resume with Last-Event-ID.
# HERALD_URL (default http://localhost:8000), HERALD_TOKEN (optional), LAST_EVENT_ID (optional).
set -eu
URL="${HERALD_URL:-http://localhost:8000}"
exec curl -sSN \
  ${HERALD_TOKEN:+-H "authorization: Bearer $HERALD_TOKEN"} \
  ${LAST_EVENT_ID:+-H "last-event-id: $LAST_EVENT_ID"} \
  "$URL/api/channels/${1:-news}/events"
