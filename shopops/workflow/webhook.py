"""POST a JSON body to the merchant's webhook: signed, retried a bounded number of times, and
described without secrets.

The body is signed with HMAC-SHA256 over its exact bytes (``X-Shopops-Signature: sha256=<hex>``)
when a secret is configured. 408/429/5xx answers and connection errors are retried with the shared
backoff (:mod:`shopops.http_retry`, ``Retry-After`` honoured, capped). What is stored and shown
about the target is ``scheme://host/path`` only: a webhook URL often carries a token in its query
or credentials in its netloc, and neither may reach the database, a log or an error message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel

from shopops.http_retry import RETRY_STATUSES, backoff_delay, parse_retry_after

SIGNATURE_HEADER = "X-Shopops-Signature"
TIMEOUT = 10.0
MAX_RETRIES = 3
BACKOFF_BASE = 0.5
BACKOFF_MAX = 10.0


class WebhookResult(BaseModel):
    target: str
    ok: bool
    status_code: int | None = None
    error: str = ""
    attempts: int = 0


def safe_target(url: str) -> str:
    """``scheme://host[:port]/…`` of ``url``: no user, password, path, query or fragment (hook URLs
    often carry their token in the path, e.g. ``/services/T0/B0/<token>``)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(invalid URL)"
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    hidden = "/…" if parts.path.strip("/") else ""
    return f"{parts.scheme}://{host}{port}{hidden}"[:300]


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON, UTF-8, keys sorted."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _scrub(text: str, url: str, secret: str | None) -> str:
    """Remove the raw URL (its path, query and credentials) and the secret from a message."""
    target = safe_target(url)
    text = text.replace(url, target)
    parts = urlsplit(url)
    path = parts.path if parts.path.strip("/") else ""
    for piece in (parts.query, parts.password, parts.username, path, secret):
        if piece:
            text = text.replace(piece, "***")
    return " ".join(text.split())[:500]


def post_json(
    url: str,
    payload: dict[str, Any],
    *,
    secret: str | None = None,
    max_retries: int = MAX_RETRIES,
    timeout: float = TIMEOUT,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> WebhookResult:
    """POST ``payload``; never raises for a network or HTTP failure (the result says what went wrong)."""
    target = safe_target(url)
    scheme = urlsplit(url).scheme if target != "(invalid URL)" else ""
    if scheme not in ("http", "https"):
        return WebhookResult(
            target=target, ok=False, error="the webhook URL must start with http:// or https://"
        )
    body = encode(payload)
    headers = {"Content-Type": "application/json", "User-Agent": "shopops-webhook"}
    if secret:
        headers[SIGNATURE_HEADER] = sign(body, secret)
    attempts = max_retries + 1
    error, status = "", None
    with httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)), transport=transport
    ) as client:
        for attempt in range(1, attempts + 1):
            retry_after: float | None = None
            try:
                response = client.post(url, content=body, headers=headers)
                status = response.status_code
                if 200 <= status < 300:
                    return WebhookResult(target=target, ok=True, status_code=status, attempts=attempt)
                error = f"HTTP {status}: {response.text[:200]}".strip()
                if status not in RETRY_STATUSES:
                    break
                retry_after = parse_retry_after(response.headers.get("retry-after"))
            except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
                status, error = None, f"{type(exc).__name__}: {exc}"
            if attempt < attempts:
                sleep(backoff_delay(attempt, base=BACKOFF_BASE, cap=BACKOFF_MAX, retry_after=retry_after))
    return WebhookResult(
        target=target,
        ok=False,
        status_code=status,
        error=_scrub(f"{error} (after {attempt} attempt(s))", url, secret),
        attempts=attempt,
    )
