"""A real SMTP server on loopback (aiosmtpd's Controller) and helpers to read what it got."""

from __future__ import annotations

import re
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller

from tests.servers import free_port


@dataclass
class Received:
    """One mail as the SMTP server received it."""

    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def to(self) -> str:
        return str(self.message["To"])

    def part(self, content_type: str) -> str:
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.is_attachment():
                return str(part.get_content())
        raise AssertionError(f"no {content_type} part")

    @property
    def text(self) -> str:
        return self.part("text/plain")

    @property
    def html(self) -> str:
        return self.part("text/html")

    def attachment(self, content_type: str) -> str | None:
        for part in self.message.iter_attachments():
            if part.get_content_type() == content_type:
                content = part.get_content()
                return content.decode() if isinstance(content, bytes) else str(content)
        return None

    def links(self) -> list[str]:
        return re.findall(r"https?://[^\s<>\"]+", self.text)


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: Per mail received: was the connection encrypted, and who logged in (None: nobody).
    sessions: list[tuple[bool, str | None]] = field(default_factory=list)
    #: Addresses the server refuses for good (550), like a mailbox that does not exist.
    refuse: set[str] = field(default_factory=set)
    #: Every accepted login, mail or not: (was the connection encrypted, user).
    logins: list[tuple[bool, str]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any,  # noqa: N802
                          address: str, rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        login = getattr(session, "meetup_login", None) if session.authenticated else None
        with self.lock:
            self.received.append(Received(list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
            self.sessions.append(
                (server.transport.get_extra_info("ssl_object") is not None, login))
        return "250 OK"

    def take(self) -> list[Received]:
        with self.lock:
            got, self.received[:] = list(self.received), []
        return got


class Logins:
    """aiosmtpd's authenticator: accepts exactly these ``{user: password}`` (AUTH PLAIN/LOGIN)."""

    def __init__(self, accounts: dict[str, str], handler: Handler | None = None) -> None:
        self.accounts = accounts
        self.handler = handler

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str,
                 auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = auth_data.login.decode(), auth_data.password.decode()
        if self.accounts.get(user) != password:
            return AuthResult(success=False, handled=False)
        session.meetup_login = user  # for Handler.sessions
        if self.handler is not None:
            encrypted = server.transport.get_extra_info("ssl_object") is not None
            with self.handler.lock:
                self.handler.logins.append((encrypted, user))
        return AuthResult(success=True, handled=False)


def server_tls(certificate: tuple[str, str]) -> ssl.SSLContext:
    """The SMTP server's side of TLS with ``(certificate pem, key)``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@contextmanager
def smtp_server(*, starttls: ssl.SSLContext | None = None,
                implicit_tls: ssl.SSLContext | None = None,
                logins: dict[str, str] | None = None) -> Iterator[tuple[Handler, int]]:
    """A real SMTP server on 127.0.0.1 for the test's duration: (handler, port).

    ``starttls``: offers STARTTLS with this context and requires it before anything else
    (port 587's way); ``implicit_tls``: TLS from the first byte (``smtps://``, port 465's
    way); ``logins``: requires SMTP AUTH with one of these accounts, over TLS only."""
    handler = Handler()
    port = free_port()
    options: dict[str, Any] = {}
    if starttls is not None:
        options.update(tls_context=starttls, require_starttls=True)
    if logins is not None:
        # aiosmtpd 1.4 counts only STARTTLS as TLS for AUTH; with implicit TLS every byte
        # is encrypted anyway.
        options.update(authenticator=Logins(logins, handler), auth_required=True,
                       auth_require_tls=implicit_tls is None)
    controller = Controller(handler, hostname="127.0.0.1", port=port,
                            ssl_context=implicit_tls, **options)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def unfold_ics(text: str) -> list[str]:
    """The content lines of an iCalendar file (RFC 5545 folding undone)."""
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        if raw.startswith((" ", "\t")) and lines:
            lines[-1] += raw[1:]
        elif raw:
            lines.append(raw)
    return lines


def parse_ics(text: str) -> list[dict[str, str]]:
    """The VEVENTs of an .ics as ``{property name: value}``; asserts the calendar's shape."""
    lines = unfold_ics(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    events: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            events.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name.split(";")[0]] = value
    return events
