"""The companion pages as a Flask app: the talk page and its view, the progress page.

Every request carries the run's token (`?t=` in the address the command prints, or the
`X-Screen-Token` header the page's script sends), and names this machine as its host, so
neither another local user nor a web page in the browser (nor one that renames itself to
loopback) can read or drive the session. Buttons are POSTs that need the header, which a
form or image on another site cannot send, and no CORS header ever allows one.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from flask import Flask, Response, abort, jsonify, render_template, request

from dialogs.engine.profile import Profile
from screen.companion import Companion, Press
from screen.progress import progress_context

TOKEN_HEADER = "X-Screen-Token"
LONGEST_WAIT = 20.0
"""Seconds a request for the view waits for a change before answering with the same one."""
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; connect-src 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


def create_app(token: str, profile: Callable[[], Profile], *,
               companion: Companion | None = None,
               titles: Mapping[str, str] | None = None,
               today: Callable[[], date] = date.today) -> Flask:
    """The pages of one run. Without a companion (`couplecare progress`) there is no talk
    page: its address shows the progress page."""
    folder = Path(__file__).parent
    app = Flask("screen", template_folder=str(folder / "templates"),
                static_folder=str(folder / "static"))

    @app.before_request
    def only_this_run_on_this_machine() -> None:
        host = (request.host or "").rsplit(":", 1)[0].strip("[]")
        if host not in LOOPBACK_HOSTS:
            abort(403)
        given = request.headers.get(TOKEN_HEADER) if request.method == "POST" \
            else request.args.get("t", "")
        if not given or not hmac.compare_digest(given.encode(), token.encode()):
            abort(403)

    @app.after_request
    def hardened(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.errorhandler(403)
    def forbidden(_error: Exception) -> tuple[str, int]:
        return ("This page needs the address printed when Couple Care started, "
                "on this computer.", 403)

    @app.get("/")
    def home() -> str:
        if companion is None:
            return progress_page()
        return render_template("talk.html", token=token, view=companion.view(),
                               now=companion.now())

    @app.get("/progress")
    def progress_page() -> str:
        return render_template("progress.html", token=token, talking=companion is not None,
                               **progress_context(profile(), today(), titles))

    @app.get("/view")
    def view() -> Response:
        if companion is None:
            abort(404)
        try:
            after = int(request.args.get("after", "-1"))
            wait = min(float(request.args.get("wait", "0")), LONGEST_WAIT)
        except ValueError:
            abort(400)
        shown = companion.wait_for_change(after, wait) if wait > 0 else companion.view()
        return jsonify(shown.to_json(companion.now()))

    @app.post("/press/<name>")
    def press(name: str) -> tuple[str, int]:
        if companion is None:
            abort(404)
        try:
            button = Press(name)
        except ValueError:
            abort(404)
        if not companion.press(button):
            return "That button does nothing at this point.", 409
        return "", 204

    return app
