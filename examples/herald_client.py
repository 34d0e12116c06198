#!/usr/bin/env python3
"""Publish to and subscribe from Herald with Python's standard library only.

    python3 examples/herald_client.py publish news '{"title": "hello"}'
    python3 examples/herald_client.py subscribe news [count]

HERALD_URL (default http://localhost:8000) and HERALD_TOKEN (optional) come
from the environment. `publish` sends an Idempotency-Key and retries lost
answers, 503, 409 and 429 with backoff: it publishes once however often it
retries. `subscribe` follows the channel's SSE stream and reconnects from the
last event id it saw.
"""
import json
import os
import random
import sys
import time
import urllib.error
import urllib.request
import uuid

URL = os.environ.get("HERALD_URL", "http://localhost:8000").rstrip("/")
TOKEN = os.environ.get("HERALD_TOKEN")


def _headers(extra=None):
    headers = {"accept": "application/json"}
    if TOKEN:
        headers["authorization"] = "Bearer " + TOKEN
    headers.update(extra or {})
    return headers


def publish(channel, data, event=None, key=None, retries=4):
    """Publishes once; returns {"id", "channel"}."""
    body = {"data": data}
    if event:
        body["event"] = event
    payload = json.dumps(body).encode()
    key = key or str(uuid.uuid4())
    for attempt in range(retries + 1):
        req = urllib.request.Request(
            URL + "/api/channels/" + urllib.request.quote(channel, safe=":") + "/messages",
            data=payload,
            method="POST",
            headers=_headers({"content-type": "application/json", "idempotency-key": key}),
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as res:
                return json.load(res)
        except urllib.error.HTTPError as err:
            if err.code not in (409, 429, 503) or attempt == retries:
                raise RuntimeError(f"{err.code} {err.read().decode()}") from None
            wait = float(err.headers.get("retry-after") or 0)
        except OSError:  # the connection: the answer may be lost, so retry with the same key
            if attempt == retries:
                raise
            wait = 0
        time.sleep(max(wait, 0.2 * 2 ** attempt * (0.5 + random.random() / 2)))


def subscribe(channel, count=None):
    """Yields (id, event, data) from the channel's stream, reconnecting from the last id."""
    last_id, seen, delay = None, 0, 0.5
    while count is None or seen < count:
        extra = {"accept": "text/event-stream"}
        if last_id:
            extra["last-event-id"] = last_id
        req = urllib.request.Request(
            URL + "/api/channels/" + urllib.request.quote(channel, safe=":") + "/events",
            headers=_headers(extra),
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                delay = 0.5
                fields = {}
                for raw in res:
                    line = raw.decode("utf-8").rstrip("\r\n")
                    if line == "":
                        if "data" in fields:
                            last_id = fields.get("id", last_id)
                            yield last_id, fields.get("event", "message"), json.loads(fields["data"])
                            seen += 1
                            if count is not None and seen >= count:
                                return
                        fields = {}
                    elif line.startswith(":"):
                        continue
                    else:
                        name, _, value = line.partition(":")
                        value = value[1:] if value.startswith(" ") else value
                        if name == "data" and "data" in fields:
                            fields["data"] += "\n" + value
                        else:
                            fields[name] = value
        except (OSError, urllib.error.HTTPError) as err:
            if isinstance(err, urllib.error.HTTPError) and 400 <= err.code < 500:
                raise RuntimeError(f"{err.code} {err.read().decode()}") from None
        time.sleep(delay * (0.5 + random.random() / 2))
        delay = min(delay * 2, 10)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "publish":
        print(json.dumps(publish(sys.argv[2], json.loads(sys.argv[3]))))
    elif len(sys.argv) >= 3 and sys.argv[1] == "subscribe":
        limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
        for event_id, event, data in subscribe(sys.argv[2], limit):
            print(json.dumps({"id": event_id, "event": event, "data": data}), flush=True)
    else:
        sys.exit(__doc__)
