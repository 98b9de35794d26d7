"""The HTTP face: blueprints, error pages, security headers and template helpers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Flask,
    Response,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from meetup.extensions import db
from meetup.services import content, organisers
from meetup.services.errors import DomainError, InvalidInput

#: The largest id a database integer holds (PostgreSQL bigint, SQLite INTEGER).
MAX_ID = 2**63 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` in every route, bounded to a database integer: a 20-digit id is a 404
    instead of an overflow in the database driver (a 500)."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)

#: A strict Content-Security-Policy: no inline scripts, no inline handlers, nothing external.
#: ``connect-src`` is filled in per response (see :func:`connect_sources`).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src {connect}; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def connect_sources() -> str:
    """Where pages may connect: this origin, its Socket.IO websocket, and MEETUP_PUBLIC_URL.

    ``'self'`` alone does not cover ``ws:``/``wss:`` in every browser (Safari), so the
    websocket origin of this host is named; never a bare ``ws:`` that allows any host.
    """
    sources = ["'self'"]
    origins = [f"{request.scheme}://{request.host}"]
    public = current_app.config.get("PUBLIC_URL")
    if public:
        origins.append(public)
    for origin in origins:
        scheme, _sep, host = origin.partition("://")
        host = host.split("/")[0]
        if not host or any(ch in host for ch in " ;,'\"\\"):
            continue
        socket_scheme = "wss" if scheme == "https" else "ws"
        for source in (f"{scheme}://{host}", f"{socket_scheme}://{host}"):
            if source not in sources:
                sources.append(source)
    return " ".join(sources)


def register_web(app: Flask) -> None:
    # Before any blueprint: rules pick their converters when they are added.
    app.url_map.converters["int"] = BoundedIntConverter
    from meetup.web.organiser import bp as organiser_bp
    from meetup.web.participant import bp as participant_bp
    from meetup.web.projector import bp as projector_bp
    from meetup.web.public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(organiser_bp, url_prefix="/organiser")
    app.register_blueprint(participant_bp)
    app.register_blueprint(projector_bp, url_prefix="/projector")

    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DataError, _data_error)
    app.before_request(_refuse_nul_bytes)
    app.after_request(_security_headers)
    app.after_request(_keep_language)
    app.context_processor(_template_globals)
    app.add_template_filter(local_datetime, "local_dt")
    app.add_template_filter(content.role_label, "role_label")
    app.add_url_rule("/lang/<code>", "set_language", _set_language)


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/api/") or best == "application/json"


def _domain_error(error: DomainError) -> Any:
    """Every domain error becomes a response here, and only here."""
    if wants_json():
        return jsonify(error.as_dict()), error.status
    return render_template("errors/error.html", error=error, status=error.status), error.status


def _csrf_error(error: CSRFError) -> Any:
    message = _("Your form expired. Please try again.")
    if wants_json():
        return jsonify({"error": "csrf", "message": message}), 400
    return render_template("errors/error.html", message=message, status=400), 400


NUL_MESSAGE = _l("What you sent contains a character that cannot be stored (a NUL byte).")


def _refuse_nul_bytes() -> None:
    """NUL bytes in the address or a form: SQLite stores them, PostgreSQL refuses them with a
    DataError. Refused here for both, with a message instead of a 500."""
    values = [request.path, *request.args.keys(), *request.form.keys()]
    values += [v for _k, v in request.args.items(multi=True)]
    values += [v for _k, v in request.form.items(multi=True)]
    if any("\x00" in value for value in values):
        raise InvalidInput(NUL_MESSAGE)


def _data_error(error: DataError) -> Any:
    """A value the database refuses (out of range, bad text): a 422, never a 500."""
    db.session.rollback()
    return _domain_error(InvalidInput())


def _http_error(error: HTTPException) -> Any:
    status = error.code or 500
    messages = {
        404: _("We could not find this page. Check the link or the code on the big screen."),
        403: _("You are not allowed to see this page."),
        405: _("This action is not possible here."),
        413: _("What you sent is too large."),
        429: _("Too many attempts. Wait a few minutes and try again."),
    }
    message = messages.get(status, _("Something went wrong. Please try again."))
    if wants_json():
        return jsonify({"error": f"http_{status}", "message": message}), status
    return render_template("errors/error.html", message=message, status=status), status


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP.format(connect=connect_sources()))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _template_globals() -> dict[str, Any]:
    return {
        "current_locale": str(get_locale() or "nl"),
        "organiser": g.get("organiser"),
    }


def local_datetime(value: datetime | None, fmt: str = "%d-%m-%Y %H:%M") -> str:
    """A UTC datetime as Europe/Amsterdam wall-clock time."""
    if value is None:
        return ""
    return value.astimezone(ZoneInfo("Europe/Amsterdam")).strftime(fmt)


#: The languages of the interface, Dutch first.
LANGUAGES = ("nl", "en")
LANG_COOKIE = "lang"
LANG_COOKIE_AGE = 365 * 24 * 3600


def select_locale() -> str:
    """``?lang=``, else the kept choice (cookie), else the browser's language (Accept-Language);
    Dutch when the browser asks for neither Dutch nor English."""
    wanted = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if wanted in LANGUAGES:
        return wanted
    for value, _quality in request.accept_languages:  # best first
        primary = value.replace("_", "-").split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return "nl"


def _keep_language(response: Response) -> Response:
    """A first visit's language (from the browser, or ``?lang=``) is kept in the cookie, so
    the next pages and the live connection speak it too, until the visitor switches."""
    if request.cookies.get(LANG_COOKIE) in LANGUAGES or response.mimetype != "text/html" or any(
            header.startswith(f"{LANG_COOKIE}=") for header in response.headers.getlist("Set-Cookie")):
        return response
    response.set_cookie(LANG_COOKIE, select_locale(), max_age=LANG_COOKIE_AGE, samesite="Lax",
                        httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _set_language(code: str) -> Any:
    target = request.referrer if request.referrer and request.referrer.startswith(
        request.host_url) else "/"
    response = make_response(redirect(target))
    if code in LANGUAGES and g.get("organiser") is not None and \
            organisers.set_language(g.organiser, code):
        db.session.commit()  # a logged-in organiser's choice is theirs: their mail speaks it
    if code in LANGUAGES:
        # Secure like the session cookie: with MEETUP_SECURE_COOKIES=1 no cookie of ours
        # travels over plain HTTP.
        response.set_cookie(LANG_COOKIE, code, max_age=LANG_COOKIE_AGE, samesite="Lax",
                            httponly=True, secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
