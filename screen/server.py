"""Serving the companion pages on this machine while a conversation (or the progress page)
is open, and showing them in the browser."""

from __future__ import annotations

import secrets
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
    address: str
    """The address to open, token included."""

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
    thread = threading.Thread(target=server.serve_forever, name="screen", daemon=True)
    thread.start()
    return ServedPages(server, thread, f"http://{HOST}:{server.port}/?t={token}")


def open_in_browser(address: str) -> bool:
    """Open the page in the default browser; False when there is none to open."""
    try:
        return webbrowser.open(address)
    except webbrowser.Error:
        return False
