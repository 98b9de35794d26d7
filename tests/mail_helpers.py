"""A real SMTP server on loopback (aiosmtpd's Controller) and helpers to read what it got."""

from __future__ import annotations

import re
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

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        with self.lock:
            self.received.append(Received(list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"

    def take(self) -> list[Received]:
        with self.lock:
            got, self.received[:] = list(self.received), []
        return got


@contextmanager
def smtp_server() -> Iterator[tuple[Handler, int]]:
    """A real SMTP server on 127.0.0.1 for the test's duration: (handler, port)."""
    handler = Handler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
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
