"""The doctor's checks over HTTP: the public URL, its certificate, HTTPS, Secure cookies and
the secret key that every worker must share."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from meetup.services.doctor.findings import Finding, Setup, Status, check

#: What a worker signs to show which secret key it has, without showing the key.
FINGERPRINT_LABEL = b"meetup doctor: which secret key"


def key_fingerprint(secret_key: str | bytes) -> str:
    """A short fingerprint of the secret key: equal keys give equal fingerprints.

    An HMAC of a fixed label: it tells nothing about the key (no more than any signed cookie
    does), and the workers only show it to requests from their own machine (see
    ``web/public/health.py``)."""
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(key, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:16]


@dataclass
class Answer:
    """What one HTTP request got: a status and headers, or why there was none."""

    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    error: str | None = None
    #: Set when the TLS handshake refused the certificate (OpenSSL's verify code and text).
    certificate_error: tuple[int, str] | None = None
    certificate: dict | None = None
    #: This machine's clock when the request left and when the answer arrived.
    sent_at: datetime | None = None
    received_at: datetime | None = None

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


def fetch(setup: Setup, url: str, headers: dict[str, str] | None = None) -> Answer:
    """GET ``url`` (no redirects followed), verifying TLS against the system's or ``ca_file``."""
    parts = urlsplit(url)
    timeout = setup.thresholds.timeout
    try:
        if parts.scheme == "https":
            context = ssl.create_default_context(cafile=setup.ca_file)
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname or "", parts.port or 443, timeout=timeout, context=context)
        else:
            conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 80,
                                              timeout=timeout)
        try:
            conn.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                         headers=headers or {})
            response = conn.getresponse()
            certificate = conn.sock.getpeercert() if parts.scheme == "https" else None
            return Answer(response.status, response.getheaders(), response.read(200_000),
                          certificate=certificate)
        finally:
            conn.close()
    except ssl.SSLCertVerificationError as error:
        return Answer(error=error.verify_message or str(error),
                      certificate_error=(error.verify_code, error.verify_message or ""))
    except (OSError, http.client.HTTPException) as error:
        return Answer(error=getattr(error, "strerror", None) or str(error) or type(error).__name__)


def public_answer(setup: Setup, path: str = "/") -> Answer | None:
    """The public URL's answer for ``path``, fetched once per run."""
    if not setup.public_url:
        return None
    key = f"public:{path}"
    if key not in setup.cache:
        sent_at = setup.now()
        answer = fetch(setup, setup.public_url.rstrip("/") + path)
        answer.sent_at, answer.received_at = sent_at, setup.now()
        setup.cache[key] = answer
    return setup.cache[key]


def _on_local_network(url: str) -> bool:
    """A venue's network (192.168.x.x, a .local name): not loopback, not the internet."""
    host = urlsplit(url).hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host.endswith((".local", ".lan"))
    return address.is_private and not address.is_loopback


@check
def check_public_url(setup: Setup) -> Finding:
    if not setup.public_url:
        return Finding("public_url", Status.WARN, _l("MEETUP_PUBLIC_URL is not set."),
                       _l("Set MEETUP_PUBLIC_URL to the address people open (for example "
                          "https://meetup.example.nl): QR codes and shared links point there."))
    answer = public_answer(setup)
    assert answer is not None
    if answer.certificate_error:
        return Finding("public_url", Status.FAIL,
                       _l("%(url)s cannot be opened safely: the certificate is refused "
                          "(%(reason)s).", url=setup.public_url,
                          reason=answer.certificate_error[1]),
                       _l("See the certificate line below."))
    if answer.status is None:
        return Finding("public_url", Status.FAIL,
                       _l("%(url)s does not answer: %(error)s.", url=setup.public_url,
                          error=answer.error),
                       _l("Check that the name points to this server (DNS), that the proxy "
                          "(Caddy or nginx) runs and that ports 80 and 443 are open."))
    if answer.status >= 400:
        return Finding("public_url", Status.FAIL,
                       _l("%(url)s answers with HTTP %(status)s.", url=setup.public_url,
                          status=answer.status),
                       _l("Check that the workers run (systemctl status 'meetup@*') and that "
                          "the proxy forwards to them."))
    return Finding("public_url", Status.OK,
                   _l("%(url)s answers (HTTP %(status)s).", url=setup.public_url,
                      status=answer.status))


#: OpenSSL's verify codes for the usual certificate faults.
HOSTNAME_MISMATCH, EXPIRED, NOT_YET_VALID = 62, 10, 9


@check
def check_certificate(setup: Setup) -> Finding:
    name = "certificate"
    if not setup.public_url or urlsplit(setup.public_url).scheme != "https":
        return Finding(name, Status.INFO, _l("No certificate to check (no HTTPS address)."))
    answer = public_answer(setup)
    assert answer is not None
    host = urlsplit(setup.public_url).hostname
    if answer.certificate_error:
        code, reason = answer.certificate_error
        if code == HOSTNAME_MISMATCH:
            message = _l("The certificate is not for %(host)s.", host=host)
        elif code in (EXPIRED, NOT_YET_VALID):
            message = _l("The certificate has expired or is not valid yet.")
        else:
            message = _l("The certificate is not trusted: %(reason)s.", reason=reason)
        return Finding(name, Status.FAIL, message,
                       _l("Let the proxy fetch a certificate for exactly this name (Caddy does "
                          "it by itself when the name points to this server and port 80 is "
                          "open), or fix MEETUP_PUBLIC_URL to the name on the certificate."))
    if answer.certificate is None:
        return Finding(name, Status.INFO, _l("The certificate could not be read."))
    expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(answer.certificate["notAfter"]),
                                     UTC)
    days = (expires - setup.now()).days
    if expires <= setup.now():
        return Finding(name, Status.FAIL,
                       _l("The certificate for %(host)s expired on %(date)s.", host=host,
                          date=expires.date().isoformat()),
                       _l("Renew it: restart the proxy (systemctl restart caddy) and read its "
                          "log (journalctl -u caddy)."))
    if days < setup.thresholds.certificate_warn_days:
        return Finding(name, Status.WARN,
                       _l("The certificate for %(host)s expires in %(days)s days.", host=host,
                          days=days),
                       _l("Automatic renewal seems stuck: read the proxy's log "
                          "(journalctl -u caddy) and check that port 80 is open."))
    return Finding(name, Status.OK,
                   _l("The certificate is valid for %(host)s until %(date)s.", host=host,
                      date=expires.date().isoformat()))


@check
def check_https(setup: Setup) -> Finding:
    if not setup.public_url:
        return Finding("https", Status.INFO, _l("No public address to check for HTTPS."))
    if urlsplit(setup.public_url).scheme == "https":
        return Finding("https", Status.OK, _l("People connect over HTTPS."))
    if _on_local_network(setup.public_url):
        return Finding("https", Status.INFO,
                       _l("Plain HTTP on a local network (a laptop at a venue): fine there, "
                          "never on the internet."))
    return Finding("https", Status.FAIL,
                   _l("%(url)s is plain HTTP: names and notes travel unencrypted.",
                      url=setup.public_url),
                   _l("Put the server behind HTTPS (scripts/install-server.sh sets up Caddy) "
                      "and set MEETUP_PUBLIC_URL to the https:// address."))


@check
def check_cookies(setup: Setup) -> Finding:
    name = "cookies"
    https = bool(setup.public_url) and urlsplit(setup.public_url or "").scheme == "https"
    if not https:
        return Finding(name, Status.INFO, _l("Secure cookies are needed only with HTTPS."))
    answer = public_answer(setup, "/organiser/login")
    assert answer is not None
    insecure, seen = [], 0
    for header in answer.all("Set-Cookie"):
        try:
            cookie = SimpleCookie(header)
        except CookieError:
            continue
        for morsel in cookie.values():
            seen += 1
            if not morsel["secure"]:
                insecure.append(morsel.key)
    if insecure:
        return Finding(name, Status.FAIL,
                       _l("The cookie %(names)s is sent without Secure: it can leak over plain "
                          "HTTP.", names=", ".join(insecure)),
                       _l("Set MEETUP_SECURE_COOKIES=1 for every worker and restart them."))
    if not seen:
        return Finding(name, Status.WARN, _l("The login page set no cookie to check."),
                       _l("Open the login page yourself and check that it works."))
    if not setup.secure_cookies:
        return Finding(name, Status.WARN,
                       _l("The site sends Secure cookies, but this environment lacks "
                          "MEETUP_SECURE_COOKIES=1."),
                       _l("Run the doctor with the workers' environment file."))
    return Finding(name, Status.OK, _l("Cookies are sent over HTTPS only (Secure)."))


@check
def check_secret_key(setup: Setup) -> Finding:
    """Every worker signs cookies with the same key, or a phone that moves to another worker
    is a stranger there. Each worker shows a fingerprint of its key on /healthz (only to
    requests from its own machine); the doctor compares them with its own."""
    name = "secret_key"
    if not setup.worker_urls:
        return Finding(name, Status.INFO, _l("No worker addresses given to compare keys."),
                       _l("Give them with --worker http://127.0.0.1:PORT (or "
                          "MEETUP_DOCTOR_WORKERS)."))
    mine = key_fingerprint(setup.secret_key)
    unreachable, different = [], []
    for url in setup.worker_urls:
        answer = fetch(setup, url.rstrip("/") + "/healthz")
        try:
            theirs = json.loads(answer.body or b"{}").get("key") if answer.status == 200 else None
        except ValueError:
            theirs = None
        if theirs is None:
            unreachable.append(url)
        elif theirs != mine:
            different.append(url)
    if different:
        return Finding(name, Status.FAIL,
                       _l("These workers use another secret key: %(workers)s. Phones that move "
                          "between workers lose who they are.", workers=", ".join(different)),
                       _l("Give every worker the same MEETUP_SECRET_KEY (one environment file) "
                          "and restart them."))
    if unreachable:
        return Finding(name, Status.FAIL,
                       _l("These workers do not answer: %(workers)s.",
                          workers=", ".join(unreachable)),
                       _l("Start them (systemctl start 'meetup@*') and read their log "
                          "(journalctl -u 'meetup@*')."))
    return Finding(name, Status.OK,
                   _l("All %(n)s workers share the secret key.", n=len(setup.worker_urls)))


def date_of_public_url(setup: Setup) -> tuple[datetime, datetime] | None:
    """The public URL's own clock (its Date header) and this machine's clock at that moment."""
    answer = public_answer(setup)
    value = answer.header("Date") if answer else None
    try:
        theirs = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    if answer is None or theirs is None or answer.sent_at is None or answer.received_at is None:
        return None
    # The Date header counts whole seconds: it was stamped between sending and receiving.
    return theirs, closest(theirs, answer.sent_at - timedelta(seconds=1), answer.received_at)


def closest(when: datetime, start: datetime, end: datetime) -> datetime:
    """The moment between ``start`` and ``end`` closest to ``when``."""
    return min(max(when, start), end)
