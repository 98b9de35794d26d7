"""``/healthz``: a worker says it is alive; to its own machine it also shows a fingerprint of
its secret key, so that ``meetup doctor`` can tell whether every worker has the same key.

The fingerprint (an HMAC of a fixed label, :func:`meetup.services.doctor.key_fingerprint`)
reveals nothing of the key, and is still kept from the internet: it is only shown when the
connection comes from this machine directly, not through the proxy (which adds
X-Forwarded-For).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from flask import current_app, jsonify, request

from meetup.extensions import limiter
from meetup.services.doctor import key_fingerprint
from meetup.web.public import bp


def _straight_from_this_machine() -> bool:
    original = request.environ.get("werkzeug.proxy_fix.orig") or {}
    peer = original.get("REMOTE_ADDR") or request.environ.get("REMOTE_ADDR") or ""
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        return False
    try:
        return ipaddress.ip_address(peer).is_loopback
    except ValueError:
        return False


@bp.route("/healthz")
@limiter.exempt
def healthz() -> Any:
    body: dict[str, Any] = {"ok": True}
    if _straight_from_this_machine():
        body["key"] = key_fingerprint(current_app.secret_key or "")
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response
