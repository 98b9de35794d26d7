"""``meetup doctor``'s SMTP line does the mail sender's own handshake: connect, STARTTLS (or
TLS from the first byte) with the certificate verified against MEETUP_SMTP_CA_FILE, login,
QUIT. Each way that handshake fails gets its own finding with its fix, never the password;
and where the doctor says OK the sender gets through too, where it says FAIL the sender does
not. A real SMTP server on loopback (aiosmtpd with STARTTLS and AUTH, a throwaway CA)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from meetup.services import doctor, mail_transport
from meetup.services.doctor import Status
from meetup.services.mail_transport import MailError, SmtpTransport, parse_smtp_url
from tests.doctor_helpers import ThrowawayCA
from tests.mail_helpers import Handler, server_tls, smtp_server
from tests.servers import MEETUP_BIN, ROOT, free_port, server_env

# aiosmtpd 1.4 warns about AUTH without STARTTLS; with implicit TLS every byte is encrypted.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

USER = "meetup@example.nl"
#: The characters that need encoding in a URL, and one that smtplib cannot log in with.
PASSWORD = "geheim@:/%#? é"
ENCODED = "geheim%40%3A%2F%25%23%3F%20%C3%A9"
ACCOUNTS = {USER: PASSWORD}


@pytest.fixture(scope="module")
def ca(tmp_path_factory: pytest.TempPathFactory) -> ThrowawayCA:
    return ThrowawayCA(Path(tmp_path_factory.mktemp("smtp-ca")))


@pytest.fixture(scope="module")
def certificate(ca: ThrowawayCA) -> tuple[str, str]:
    return ca.issue("smtp")


@pytest.fixture
def starttls_server(certificate) -> Iterator[tuple[Handler, int]]:
    """Port 587's way: STARTTLS required before anything else, then AUTH."""
    with smtp_server(starttls=server_tls(certificate), logins=ACCOUNTS) as server:
        yield server


def smtp_line(url: str, ca_file: str | None) -> doctor.Finding:
    """The doctor's SMTP line for these settings (as ``meetup doctor --only smtp``)."""
    [finding] = doctor.run(doctor.Setup("sqlite://", "s", smtp_url=url, smtp_ca_file=ca_file),
                           ["smtp"])
    return finding


def text(finding: doctor.Finding) -> str:
    return f"{finding.message} | {finding.fix}"


def sender_gets_through(url: str, ca_file: str | None) -> bool:
    """Whether the real sender (the scheduler's transport) could hand over a mail."""
    transport = mail_transport.from_config(url, None, ca_file)
    assert isinstance(transport, SmtpTransport)
    try:
        with transport.connection():
            return True
    except MailError:
        return False


def test_right_credentials_over_starttls_are_ok_and_nothing_is_sent(
        starttls_server, ca: ThrowawayCA) -> None:
    handler, port = starttls_server
    url = f"smtp://meetup%40example.nl:{ENCODED}@127.0.0.1:{port}"
    finding = smtp_line(url, ca.ca_file)
    assert finding.status is Status.OK, text(finding)
    assert str(finding.message) == (
        f"The mail server 127.0.0.1:{port} works as mail is sent: STARTTLS with a verified "
        f"certificate, logged in as {USER} (no mail sent).")
    # The server saw the login, over the encrypted connection, and no mail at all.
    assert handler.logins == [(True, USER)]
    assert handler.take() == []
    assert PASSWORD not in text(finding) and ENCODED not in text(finding)
    assert sender_gets_through(url, ca.ca_file)


def test_smtps_with_login_is_ok_naming_tls(certificate, ca: ThrowawayCA) -> None:
    with smtp_server(implicit_tls=server_tls(certificate), logins=ACCOUNTS) as (handler, port):
        finding = smtp_line(f"smtps://meetup%40example.nl:{ENCODED}@localhost:{port}",
                            ca.ca_file)
        assert finding.status is Status.OK, text(finding)
        assert f"localhost:{port}" in text(finding) and "TLS (smtps)" in text(finding)
        assert handler.logins == [(True, USER)] and handler.take() == []
        # Without MEETUP_SMTP_CA_FILE: the TLS line, not "does not answer".
        untrusted = smtp_line(f"smtps://127.0.0.1:{port}", None)
        assert untrusted.status is Status.FAIL
        assert "(TLS)" in str(untrusted.message) and "MEETUP_SMTP_CA_FILE" in str(untrusted.fix)


def test_a_wrong_password_is_the_login_finding_without_the_password(
        starttls_server, ca: ThrowawayCA) -> None:
    handler, port = starttls_server
    url = f"smtp://meetup%40example.nl:not-{ENCODED}@127.0.0.1:{port}"
    finding = smtp_line(url, ca.ca_file)
    assert finding.status is Status.FAIL
    assert str(finding.message).startswith(
        f"The mail server 127.0.0.1:{port} refuses the login of {USER}: 535")
    assert "user name and password in MEETUP_SMTP_URL" in str(finding.fix)
    assert "geheim" not in text(finding) and "not-" not in text(finding)
    assert handler.logins == [] and handler.take() == []
    assert not sender_gets_through(url, ca.ca_file)


def test_a_certificate_this_machine_does_not_trust_is_the_tls_finding(
        starttls_server, certificate, ca: ThrowawayCA, tmp_path: Path) -> None:
    """No MEETUP_SMTP_CA_FILE (the test CA is unknown to the system), another CA's file, or
    the right CA but a certificate for another host name: each is the TLS line, naming
    MEETUP_SMTP_CA_FILE, and each stops the sender as well."""
    handler, port = starttls_server
    url = f"smtp://meetup%40example.nl:{ENCODED}@127.0.0.1:{port}"
    for ca_file in (None, ThrowawayCA(tmp_path / "other").ca_file):
        finding = smtp_line(url, ca_file)
        assert finding.status is Status.FAIL
        assert str(finding.message).startswith(
            f"The secure connection (TLS) to the mail server 127.0.0.1:{port} fails: ")
        assert "CERTIFICATE_VERIFY_FAILED" in str(finding.message)
        assert "MEETUP_SMTP_CA_FILE" in str(finding.fix)
        assert not sender_gets_through(url, ca_file)
    assert handler.logins == [] and handler.take() == []
    elsewhere = ca.issue("elsewhere", dns="mail.elsewhere.test", ip=None)
    with smtp_server(starttls=server_tls(elsewhere)) as (_other, other_port):
        finding = smtp_line(f"smtp://127.0.0.1:{other_port}", ca.ca_file)
        assert finding.status is Status.FAIL and "(TLS)" in str(finding.message), text(finding)


def test_no_starttls_on_another_host_is_its_own_finding_and_on_loopback_is_ok(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The sender speaks unencrypted only to a server on this machine that offers no
    STARTTLS. The server here is on 127.0.0.1; another host is played by emptying the
    transport's list of loopback names (the only way to reach a second host offline)."""
    with smtp_server() as (handler, port):
        url = f"smtp://127.0.0.1:{port}"
        local = smtp_line(url, None)
        assert local.status is Status.OK, text(local)
        assert "unencrypted (a loopback server without STARTTLS)" in str(local.message)
        assert "without login" in str(local.message)
        monkeypatch.setattr(mail_transport, "LOOPBACK", ())
        remote = smtp_line(url, None)
        assert remote.status is Status.FAIL
        assert str(remote.message).startswith(
            f"The mail server 127.0.0.1:{port} does not offer STARTTLS")
        assert "MEETUP_SMTP_URL" in str(remote.fix)
        assert not sender_gets_through(url, None)
        assert handler.take() == []


def test_a_server_that_does_not_answer_and_an_address_that_is_no_smtp_url() -> None:
    port = free_port()  # bound and released: nothing listens there
    finding = smtp_line(f"smtp://meetup:{ENCODED}@127.0.0.1:{port}", None)
    assert finding.status is Status.FAIL
    assert str(finding.message) == (
        f"The mail server 127.0.0.1:{port} does not answer: Connection refused")
    assert "host and port" in str(finding.fix) and "geheim" not in text(finding)
    wrong = smtp_line(f"https://meetup:{ENCODED}@mail.example.nl", None)
    assert wrong.status is Status.FAIL and "smtp://user:password@host:587" in str(wrong.fix)
    assert "geheim" not in text(wrong)
    with pytest.raises(ValueError):
        parse_smtp_url(f"https://meetup:{ENCODED}@mail.example.nl")  # the sender refuses too


def test_the_command_says_a_refused_login_in_dutch_and_fails(
        starttls_server, ca: ThrowawayCA, tmp_path: Path) -> None:
    """What an organiser sees: ``meetup doctor --only smtp`` in Dutch, exit code 1, the fix on
    the next line, and the password nowhere in what it prints."""
    _handler, port = starttls_server
    url = f"smtp://meetup%40example.nl:wrong{ENCODED}@127.0.0.1:{port}"
    env = server_env(tmp_path, free_port(), MEETUP_SMTP_URL=url, MEETUP_SMTP_CA_FILE=ca.ca_file)
    done = subprocess.run([str(MEETUP_BIN), "doctor", "--lang", "nl", "--only", "smtp"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(
        f"FAIL  De mailserver 127.0.0.1:{port} weigert de inlog van {USER}: 535"), lines
    assert lines[1].startswith("      -> Controleer de gebruikersnaam en het wachtwoord in "
                               "MEETUP_SMTP_URL")
    assert "geheim" not in done.stdout + done.stderr
