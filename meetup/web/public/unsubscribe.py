"""Unsubscribing from follow-up mail, without logging in (issue 23).

``/u/<token>``: a GET only shows what will happen and a button (mail scanners follow links:
a GET never changes anything); the button posts the form (with its CSRF token).
``/u/<token>/one-click``: RFC 8058's one-click POST from a mail program
(``List-Unsubscribe-Post: List-Unsubscribe=One-Click``). The only route exempt from CSRF: a
mail program has no token, and the signed link in the URL is what proves the address.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from meetup.extensions import csrf, db
from meetup.services import unsubscribe
from meetup.web.public import bp


class UnsubscribeForm(FlaskForm):
    """Only the CSRF token and the button."""


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/u/<token>", methods=["GET", "POST"], endpoint="unsubscribe")
def unsubscribe_page(token: str) -> Any:
    secret = current_app.config["SECRET_KEY"]
    meetup, _hash = unsubscribe.read_token(db.session, secret, token)
    form = UnsubscribeForm()
    if form.validate_on_submit():
        unsubscribe.unsubscribe(db.session, secret, token, how="link")
        db.session.commit()
        return redirect(url_for("public.unsubscribe", token=token, done=1))
    html = render_template("public/unsubscribe.html", meetup=meetup, form=form,
                           done=request.args.get("done") == "1")
    return _private(Response(html))


@bp.route("/u/<token>/one-click", methods=["POST"], endpoint="unsubscribe_one_click")
@csrf.exempt
def unsubscribe_one_click(token: str) -> Any:
    unsubscribe.unsubscribe(db.session, current_app.config["SECRET_KEY"], token,
                            how="one-click")
    db.session.commit()
    return _private(Response("", status=204))
