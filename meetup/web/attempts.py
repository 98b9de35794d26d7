"""Counted attempts (logins, joins, code guesses) on Flask-Limiter's storage.

Flask-Limiter keeps the counters: in this process (``memory://``) or in Redis when several
workers share ``MEETUP_MESSAGE_QUEUE``, so that a limit holds across workers. The views ask
:func:`exhausted` *before* doing the costly or guessable thing, and :func:`count` what should
count (a failed login, a wrong code, a join), so the expensive path is never reached once the
allowance is spent.
"""

from __future__ import annotations

from flask import current_app, request
from limits import parse_many

from meetup.extensions import limiter


def client_address() -> str:
    """The visitor's address (behind a proxy, ProxyFix has put the real one here)."""
    return request.remote_addr or "unknown"


def _limits(config_key: str) -> list:  # type: ignore[type-arg]
    """The limits named by ``config_key``; none when it is not set (no limit)."""
    value = current_app.config.get(config_key)
    return parse_many(value) if value else []


def exhausted(config_key: str, *key: object) -> bool:
    """True when ``key`` has no attempt left under the limits named by ``config_key``."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return False
    strategy = limiter.limiter
    parts = [config_key, *map(str, key)]
    return any(not strategy.test(item, *parts) for item in _limits(config_key))


def count(config_key: str, *key: object) -> None:
    """Count one attempt of ``key`` against the limits named by ``config_key``."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    strategy = limiter.limiter
    parts = [config_key, *map(str, key)]
    for item in _limits(config_key):
        strategy.hit(item, *parts)
