"""Where mail goes: an SMTP server, a development mailbox on disk, or nowhere (mail is off).

The standard library's ``email`` and ``smtplib`` (no dependency): ``MEETUP_SMTP_URL`` =
``smtp://user:password@host:587`` (STARTTLS; on a loopback host only when the server offers
it) or ``smtps://user:password@host:465`` (TLS from the start). ``MEETUP_MAIL_FROM`` is the
sender. ``meetup demo`` uses :class:`DevMailbox`: every mail is a file in
``instance/mailbox``, shown on the organiser's development mailbox page.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

Send = Callable[[EmailMessage], None]
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class MailError(Exception):
    """A mail that could not be handed over. ``permanent``: trying again will not help (the
    server refused the address or the message); otherwise it is tried again later."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    """Opens a connection that sends mails (``with transport.connection() as send``)."""

    #: What the organiser's page says about it: ``smtp`` or ``development``.
    kind: str

    def connection(self) -> AbstractContextManager[Send]: ...


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    password: str
    #: ``starttls`` or ``tls``.
    security: str


def parse_smtp_url(url: str) -> SmtpSettings:
    """``smtp://user:pw@host:587`` or ``smtps://user:pw@host:465``; ValueError when neither."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("MEETUP_SMTP_URL must look like smtp://user:password@host:587 "
                         "or smtps://user:password@host:465")
    security = "tls" if parts.scheme == "smtps" else "starttls"
    port = parts.port or (465 if security == "tls" else 587)
    return SmtpSettings(host=parts.hostname, port=port, user=unquote(parts.username or ""),
                        password=unquote(parts.password or ""), security=security)


def _classify(error: Exception) -> MailError:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return MailError(f"recipient refused: {codes}",
                         permanent=bool(codes) and all(500 <= c < 600 for c in codes))
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if isinstance(
            error.smtp_error, bytes) else str(error.smtp_error)
        return MailError(f"{error.smtp_code} {text}"[:500],
                         permanent=500 <= error.smtp_code < 600)
    return MailError(f"{type(error).__name__}: {error}"[:500])


class SmtpTransport:
    kind = "smtp"

    def __init__(self, settings: SmtpSettings, timeout: float = 20.0) -> None:
        self.settings = settings
        self.timeout = timeout

    @contextmanager
    def connection(self) -> Iterator[Send]:
        s = self.settings
        try:
            if s.security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=self.timeout,
                    context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
                client.ehlo()
                if client.has_extn("starttls") or s.host not in LOOPBACK:
                    client.starttls(context=ssl.create_default_context())
                    client.ehlo()
            if s.user:
                client.login(s.user, s.password)
        except (smtplib.SMTPException, OSError) as error:
            raise _classify(error) from error

        def send(message: EmailMessage) -> None:
            try:
                client.send_message(message)
            except (smtplib.SMTPException, OSError) as error:
                raise _classify(error) from error

        try:
            yield send
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()


class DevMailbox:
    """A development sink: each mail becomes ``<folder>/<n>.eml``. Never for real use."""

    kind = "development"

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    @contextmanager
    def connection(self) -> Iterator[Send]:
        self.folder.mkdir(parents=True, exist_ok=True)

        def send(message: EmailMessage) -> None:
            number = len(list(self.folder.glob("*.eml"))) + 1
            while True:
                path = self.folder / f"{number:06d}.eml"
                try:
                    with path.open("xb") as fh:
                        fh.write(message.as_bytes(policy=policy.SMTP))
                    return
                except FileExistsError:
                    number += 1

        yield send

    def names(self) -> list[str]:
        """The stored mails, newest first."""
        if not self.folder.is_dir():
            return []
        return sorted((p.stem for p in self.folder.glob("*.eml")), reverse=True)

    def read(self, name: str) -> EmailMessage | None:
        if not name.isdigit():
            return None
        path = self.folder / f"{name}.eml"
        if not path.is_file():
            return None
        with path.open("rb") as fh:
            return BytesParser(policy=policy.default).parse(fh)  # type: ignore[return-value]


def from_config(smtp_url: str | None, dev_mailbox: str | None
                ) -> SmtpTransport | DevMailbox | None:
    """The transport the settings ask for; None when mail is off."""
    if smtp_url:
        return SmtpTransport(parse_smtp_url(smtp_url))
    if dev_mailbox:
        return DevMailbox(dev_mailbox)
    return None
