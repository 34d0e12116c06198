#!/bin/sh
# Publish to Herald with curl: one message, a retry-safe one, a batch, history.
# HERALD_URL (default http://localhost:8000) and HERALD_TOKEN (optional) from the environment.
set -eu
URL="${HERALD_URL:-http://localhost:8000}"
AUTH=""
[ -n "${HERALD_TOKEN:-}" ] && AUTH="authorization: Bearer $HERALD_TOKEN"

# One message: 201 {"id":…,"channel":"news"}
curl -sS -H 'content-type: application/json' ${AUTH:+-H "$AUTH"} \
  -d '{"event":"headline","data":{"title":"hello"}}' "$URL/api/channels/news/messages"
echo

# Retry-safe: the same Idempotency-Key publishes once, however often it is sent.
KEY="order-42-shipped"
for attempt in 1 2; do
  curl -sS -H 'content-type: application/json' -H "idempotency-key: $KEY" ${AUTH:+-H "$AUTH"} \
    -d '{"data":{"order":42,"status":"shipped"}}' "$URL/api/channels/news/messages"
  echo
done

# A batch: one result per item, in order.
curl -sS -H 'content-type: application/json' ${AUTH:+-H "$AUTH"} \
  -d '[{"channel":"news","data":1},{"channel":"news","data":2}]' "$URL/api/messages"
echo

# History: the newest 2, then the page before them (follow "next").
curl -sS ${AUTH:+-H "$AUTH"} "$URL/api/channels/news/messages?limit=2"
echo
