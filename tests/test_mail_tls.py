"""Mail to a real SMTP server over TLS (issue 23, point 2): STARTTLS (``smtp://…:587``),
implicit TLS (``smtps://``), SMTP AUTH with a URL-encoded password, and a certificate that is
always verified: against MEETUP_SMTP_CA_FILE (here a throwaway CA made with openssl), never
switched off. The server is aiosmtpd's Controller with a TLS context."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from meetup.services.mail_transport import MailError, SmtpTransport, from_config, parse_smtp_url
from tests.doctor_helpers import ThrowawayCA
from tests.mail_helpers import server_tls, smtp_server

# aiosmtpd 1.4 warns about AUTH without STARTTLS; with implicit TLS every byte is encrypted.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

#: A password with the characters that break a URL unless encoded: @ : / % # ? and a space.
PASSWORD = "p@ss:w/rd%#? é"
ENCODED = "p%40ss%3Aw%2Frd%25%23%3F%20%C3%A9"
ACCOUNTS = {"meetup@example.nl": PASSWORD}


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> ThrowawayCA:
    return ThrowawayCA(Path(tmp_path_factory.mktemp("smtp-ca")))


@pytest.fixture(scope="module")
def certificate(ca: ThrowawayCA) -> tuple[str, str]:
    """The mail server's certificate for 127.0.0.1 and localhost, signed by the test CA."""
    return ca.issue("smtp")


def mail(to: str = "anna@example.org") -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "meetup@example.nl", to, "Herinnering"
    message.set_content("Uw afspraak van de meetup.")
    return message


def transport(url: str, ca_file: str | None) -> SmtpTransport:
    made = from_config(url, None, ca_file)
    assert isinstance(made, SmtpTransport)
    return made


@pytest.fixture
def starttls_server(certificate) -> Iterator[tuple[object, int]]:
    with smtp_server(starttls=server_tls(certificate), logins=ACCOUNTS) as server:
        yield server


def test_starttls_with_login_and_an_encoded_password_delivers_over_tls(
        starttls_server, ca: ThrowawayCA) -> None:
    handler, port = starttls_server
    url = f"smtp://meetup%40example.nl:{ENCODED}@127.0.0.1:{port}"
    assert parse_smtp_url(url).password == PASSWORD
    with transport(url, ca.ca_file).connection() as send:
        send(mail())
    [got] = handler.take()
    assert got.rcpt_tos == ["anna@example.org"] and got.subject == "Herinnering"
    # Encrypted (STARTTLS happened) and logged in as the URL's user with its decoded password.
    assert handler.sessions == [(True, "meetup@example.nl")]


def test_a_wrong_password_is_refused_and_nothing_is_sent(starttls_server, ca) -> None:
    handler, port = starttls_server
    with pytest.raises(MailError) as refused:
        with transport(f"smtp://meetup%40example.nl:wrong@127.0.0.1:{port}",
                       ca.ca_file).connection() as send:
            send(mail())
    assert "535" in str(refused.value)
    assert handler.take() == []


def test_the_servers_certificate_is_verified_unless_its_ca_is_trusted(
        starttls_server, certificate, tmp_path: Path) -> None:
    """Without MEETUP_SMTP_CA_FILE the test CA is unknown: the mail is not handed over (and
    is tried again later: not a permanent failure). A CA file of another CA fails too."""
    handler, port = starttls_server
    url = f"smtp://meetup%40example.nl:{ENCODED}@127.0.0.1:{port}"
    other = ThrowawayCA(tmp_path / "other")
    for ca_file in (None, other.ca_file):
        with pytest.raises(MailError) as refused:
            with transport(url, ca_file).connection() as send:
                send(mail())
        assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value) and not refused.value.permanent
    assert handler.take() == []


def test_the_host_name_is_checked_against_the_certificate(ca: ThrowawayCA) -> None:
    """A certificate of the trusted CA, but for another host: refused as well."""
    elsewhere = ca.issue("elsewhere", dns="mail.elsewhere.test", ip=None)
    with smtp_server(starttls=server_tls(elsewhere)) as (handler, port):
        with pytest.raises(MailError) as refused:
            with transport(f"smtp://127.0.0.1:{port}", ca.ca_file).connection() as send:
                send(mail())
        assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value)
        assert handler.take() == []


def test_smtps_speaks_tls_from_the_first_byte_with_login(certificate, ca) -> None:
    with smtp_server(implicit_tls=server_tls(certificate), logins=ACCOUNTS) as (handler, port):
        url = f"smtps://meetup%40example.nl:{ENCODED}@127.0.0.1:{port}"
        with transport(url, ca.ca_file).connection() as send:
            send(mail("bram@example.org"))
            send(mail("carla@example.org"))
        got = handler.take()
        assert [m.rcpt_tos for m in got] == [["bram@example.org"], ["carla@example.org"]]
        assert handler.sessions == [(True, "meetup@example.nl")] * 2
        # Untrusted without the CA file, as for STARTTLS.
        with pytest.raises(MailError, match="CERTIFICATE_VERIFY_FAILED"):
            with transport(url, None).connection() as send:
                send(mail())
        assert handler.take() == []


def test_the_scheduler_sends_over_starttls_trusting_meetup_smtp_ca_file(
        starttls_server, ca, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings as an operator gives them (environment), one run of the scheduler: a
    queued mail arrives encrypted and logged in."""
    from datetime import UTC, datetime, timedelta

    from meetup import cli_mail
    from meetup.config import build_config
    from meetup.extensions import db
    from meetup.models import MailKind, OutboxMail
    from tests.conftest import make_app

    handler, port = starttls_server
    monkeypatch.setenv("MEETUP_SMTP_URL", f"smtp://meetup%40example.nl:{ENCODED}@127.0.0.1:{port}")
    monkeypatch.setenv("MEETUP_SMTP_CA_FILE", ca.ca_file)
    settings = build_config(str(tmp_path / "instance"))
    app = make_app(tmp_path, SMTP_URL=settings["SMTP_URL"], SMTP_CA_FILE=settings["SMTP_CA_FILE"],
                   PUBLIC_URL="http://meetup.test")
    now = datetime(2027, 1, 4, 9, tzinfo=UTC)
    with app.app_context():
        db.create_all()
        db.session.add(OutboxMail(kind=MailKind.DIGEST, recipient="org@example.nl",
                                  dedup_key="tls-test", due_at=now - timedelta(minutes=1),
                                  data={}, attempts=0, last_error="", cancel_reason=""))
        db.session.commit()
        composed = EmailMessage()
        composed["From"], composed["To"], composed["Subject"] = \
            "meetup@example.nl", "org@example.nl", "Weekoverzicht"
        composed.set_content("Nieuws van de afspraken.")
        monkeypatch.setattr("meetup.services.mail_compose.compose",
                            lambda *args, **kwargs: composed)
        result = cli_mail.send_mail_once(app, now)
        assert result is not None and result.sent == 1  # type: ignore[attr-defined]
        db.session.remove()
        db.engine.dispose()
    [got] = handler.take()
    assert got.rcpt_tos == ["org@example.nl"] and got.subject == "Weekoverzicht"
    assert handler.sessions == [(True, "meetup@example.nl")]


def test_the_doctor_checks_an_smtps_server_against_meetup_smtp_ca_file(certificate, ca) -> None:
    from meetup.services.doctor import Setup, Status
    from meetup.services.doctor.services import check_smtp

    with smtp_server(implicit_tls=server_tls(certificate)) as (_handler, port):
        url = f"smtps://127.0.0.1:{port}"
        trusted = check_smtp(Setup("sqlite://", "s", smtp_url=url, smtp_ca_file=ca.ca_file))
        assert trusted.status is Status.OK
        unknown = check_smtp(Setup("sqlite://", "s", smtp_url=url))
        assert unknown.status is Status.FAIL and "CERTIFICATE_VERIFY_FAILED" in str(
            unknown.message)
