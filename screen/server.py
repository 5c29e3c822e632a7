"""Serving the companion pages on this machine while a conversation (or the progress page)
is open, and showing them in the browser."""

from __future__ import annotations

import os
import secrets
import sys
import threading
import webbrowser
from dataclasses import dataclass

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from screen import DEFAULT_PORT

HOST = "127.0.0.1"


class ScreenError(Exception):
    """The page cannot be served; the message says why and what to do."""


class _UnloggedRequests(WSGIRequestHandler):
    """The page asks for the view every few seconds: a line each would bury the
    conversation in the terminal."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def new_token() -> str:
    return secrets.token_urlsafe(18)


@dataclass
class ServedPages:
    server: BaseWSGIServer
    thread: threading.Thread
    base: str
    """"http://127.0.0.1:PORT"."""
    token: str

    @property
    def address(self) -> str:
        """The address to open, token included."""
        return f"{self.base}/?t={self.token}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve(app: Flask, token: str, port: int = DEFAULT_PORT) -> ServedPages:
    """Serve `app` on the loopback address only, in a thread of its own."""
    try:
        server = make_server(HOST, port, app, threaded=True,
                             request_handler=_UnloggedRequests)
    except (OSError, SystemExit) as error:
        raise ScreenError(f"The companion screen can't use port {port} ({error}). Choose "
                          "another with --screen-port N.") from None
    # the loop looks at its stop flag every 0.05 s (not 0.5 s), so stopping is quick
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="screen",
                              daemon=True)
    thread.start()
    return ServedPages(server, thread, f"http://{HOST}:{server.port}", token)


def open_in_browser(address: str) -> bool:
    """Open the page in the default browser; False when there is none to open. Without a
    desktop (Linux with no display) Python would start a text browser in the terminal the
    conversation is using, so the address is only printed there."""
    if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    try:
        return webbrowser.open(address)
    except webbrowser.Error:
        return False
