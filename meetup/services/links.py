"""The public addresses of a meetup, as plain strings (no Flask, no request).

The faces decide the base (``PUBLIC_URL`` from the configuration, else the address the
request came in on) and pass it in; everything here only joins strings, so QR codes, the
poster, the briefing and e-mails all point to the same addresses.
"""

from __future__ import annotations

from typing import Protocol


class _HasCodes(Protocol):
    join_token: str
    short_code: str


def base_url(public_url: str | None, request_root: str) -> str:
    """``public_url`` when configured, else the request's root; never with a trailing slash."""
    return (public_url or request_root or "").rstrip("/")


def join_url(base: str, meetup: _HasCodes) -> str:
    """The link in the QR code: opens the join form of this meetup."""
    return f"{base.rstrip('/')}/j/{meetup.join_token}"


def briefing_url(base: str, meetup: _HasCodes) -> str:
    """The public briefing page, shared with participants before the evening."""
    return f"{base.rstrip('/')}/b/{meetup.short_code}"


def code_url(base: str) -> str:
    """Where people type the short code when they cannot scan."""
    return f"{base.rstrip('/')}/join"


def display_address(url: str) -> str:
    """An address as people type it: without ``https://`` or ``http://``."""
    for prefix in ("https://", "http://"):
        if url.startswith(prefix):
            return url[len(prefix):]
    return url
