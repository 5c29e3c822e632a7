"""A throwaway PostgreSQL server for tests and benches: started on loopback in a temporary
folder, with no durability (fsync off), and deleted when done. Not for keeping progress."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found[-1]:
        raise RuntimeError("PostgreSQL's server is needed: apt-get install postgresql")
    return found[-1]


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; as root, run it as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A running server, trusting every local connection as the `postgres` user."""

    def __init__(self, folder: Path, attempts: int = 5):
        self.folder = folder
        self.data = folder / "data"
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        subprocess.run(_as_server_user([_bin("initdb"), "-D", str(self.data), "-A", "trust",
                                        "-U", "postgres", "--no-sync"]),
                       check=True, capture_output=True)
        self._start_on_a_free_port(attempts)

    def _start_on_a_free_port(self, attempts: int) -> None:
        """A port found free may be taken before the server binds it (by another server
        started at the same moment, as in tests on several workers): then another port."""
        log = self.folder / "log"
        for attempt in range(1, attempts + 1):
            self.port = free_port()
            logged = log.stat().st_size if log.exists() else 0
            try:
                self.start()
                return
            except subprocess.CalledProcessError:
                with log.open("rb") as lines:
                    lines.seek(logged)
                    taken = b"Address already in use" in lines.read()
                if not taken or attempt == attempts:
                    raise

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} "
                   "-c fsync=off -c max_connections=60")
        subprocess.run(_as_server_user([_bin("pg_ctl"), "-D", str(self.data), "-o", options,
                                        "-l", str(self.folder / "log"), "-w", "start"]),
                       check=True, capture_output=True)

    def stop(self) -> None:
        subprocess.run(_as_server_user([_bin("pg_ctl"), "-D", str(self.data), "-m", "fast",
                                        "-w", "stop"]), check=False, capture_output=True)

    def new_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"


@contextmanager
def postgres() -> Iterator[Server]:
    """A server in a folder of its own under the system's temporary directory, which the
    postgres user can reach (pytest's own folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="couplecare-pg-"))
    try:
        server = Server(folder)
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
