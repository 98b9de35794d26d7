"""Where mail goes: an SMTP server, a development mailbox on disk, or nowhere (mail is off).

The standard library's ``email`` and ``smtplib`` (no dependency): ``MEETUP_SMTP_URL`` =
``smtp://user:password@host:587`` (STARTTLS; on a loopback host only when the server offers
it) or ``smtps://user:password@host:465`` (TLS from the start). ``MEETUP_MAIL_FROM`` is the
sender. ``meetup demo`` uses :class:`DevMailbox`: every mail is a file in
``instance/mailbox``, shown on the organiser's development mailbox page.

The server's certificate is always verified (host name and chain): against the system's
trusted CAs, or against ``MEETUP_SMTP_CA_FILE`` (a PEM file, e.g. a company's own CA or a
test server's certificate) when that is set. There is no switch to turn verification off.
"""

from __future__ import annotations

import base64
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
    server refused the address or the message); otherwise it is tried again later.

    ``stage``: where the handshake before any mail stopped (``connect``, ``tls``: the TLS
    handshake or the certificate, ``starttls``: not offered by a host that is not loopback,
    ``login``); None while sending a mail. ``meetup doctor`` names the fix by it."""

    def __init__(self, message: str, *, permanent: bool = False,
                 stage: str | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.stage = stage


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


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _classify(error: Exception, stage: str | None = None) -> MailError:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = list(error.recipients.values())
        codes = [code for code, _ in replies]
        # The server's own words ("550 5.1.1 <x@y>: no such user"): shown on the board.
        reason = "; ".join(f"{code} {_text(text)}" for code, text in replies)
        return MailError(reason[:500] or "recipient refused",
                         permanent=bool(codes) and all(500 <= c < 600 for c in codes))
    if isinstance(error, smtplib.SMTPResponseException):
        return MailError(f"{error.smtp_code} {_text(error.smtp_error)}"[:500],
                         permanent=500 <= error.smtp_code < 600, stage=stage)
    return MailError(f"{type(error).__name__}: {error}"[:500], stage=stage)


def _login(client: smtplib.SMTP, user: str, password: str) -> None:
    """SMTP AUTH. smtplib encodes logins as ASCII only; a password with other characters
    (``é``) goes as AUTH PLAIN in UTF-8 (RFC 4616), which mail servers accept."""
    if (user + password).isascii():
        client.login(user, password)
        return
    client.ehlo_or_helo_if_needed()
    if not client.has_extn("auth") or "PLAIN" not in client.esmtp_features["auth"].upper():
        raise smtplib.SMTPException("the server offers no AUTH PLAIN for a non-ASCII login")
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, reply = client.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


class SmtpTransport:
    kind = "smtp"

    def __init__(self, settings: SmtpSettings, timeout: float = 20.0,
                 ca_file: str | None = None) -> None:
        self.settings = settings
        self.timeout = timeout
        #: A PEM file of CA certificates to trust instead of the system's (MEETUP_SMTP_CA_FILE).
        self.ca_file = ca_file

    def tls_context(self) -> ssl.SSLContext:
        """Verifies the server's certificate and host name, always."""
        return ssl.create_default_context(cafile=self.ca_file or None)

    def handshake(self) -> smtplib.SMTP:
        """Connect, secure and log in: what every connection that sends mail does first, and
        all that ``meetup doctor`` does (then QUIT). A failure is a :class:`MailError` whose
        ``stage`` says where it stopped."""
        s = self.settings
        stage = "connect"
        client: smtplib.SMTP | None = None
        try:
            if s.security == "tls":
                stage = "tls"
                context = self.tls_context()
                stage = "connect"  # an SSLError below is the TLS handshake (see except)
                client = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout,
                                          context=context)
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
                client.ehlo()
                offered = client.has_extn("starttls")
                if offered or s.host not in LOOPBACK:
                    stage = "tls" if offered else "starttls"
                    client.starttls(context=self.tls_context())
                    client.ehlo()
            if s.user:
                stage = "login"
                _login(client, s.user, s.password)
        except (smtplib.SMTPException, OSError) as error:
            if client is not None:
                client.close()
            raise _classify(error, "tls" if isinstance(error, ssl.SSLError) else stage
                            ) from error
        return client

    def probe(self) -> bool:
        """The handshake of :meth:`handshake`, then QUIT: proves the settings without sending
        anything. True when the connection was encrypted (TLS or STARTTLS)."""
        client = self.handshake()
        encrypted = isinstance(client.sock, ssl.SSLSocket)
        _quit(client)
        return encrypted

    @contextmanager
    def connection(self) -> Iterator[Send]:
        client = self.handshake()

        def send(message: EmailMessage) -> None:
            try:
                client.send_message(message)
            except (smtplib.SMTPException, OSError) as error:
                raise _classify(error) from error

        try:
            yield send
        finally:
            _quit(client)


def _quit(client: smtplib.SMTP) -> None:
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


def from_config(smtp_url: str | None, dev_mailbox: str | None, ca_file: str | None = None
                ) -> SmtpTransport | DevMailbox | None:
    """The transport the settings ask for; None when mail is off."""
    if smtp_url:
        return SmtpTransport(parse_smtp_url(smtp_url), ca_file=ca_file)
    if dev_mailbox:
        return DevMailbox(dev_mailbox)
    return None
