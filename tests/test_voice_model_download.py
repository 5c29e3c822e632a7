"""`couplecare model download` against a local HTTP server serving an archive the test builds
from the packaged Korean model: checksum, progress, resume, unpacking, then real loading."""

import hashlib
import http.server
import threading
import zipfile
from pathlib import Path

import pytest

from couplecare.cli import main
from local_voice.models import DownloadError, ModelSource, download
from local_voice.recognize import Recognizer
from tests.voice_support import KOREAN_MODEL


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("archive")
    path = folder / "model.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as bundle:
        for file in KOREAN_MODEL.rglob("*"):
            if file.is_file():
                bundle.write(file, Path("vosk-model-test") / file.relative_to(KOREAN_MODEL))
    return path.read_bytes()


class Server:
    """Serves one archive; honours Range; can break off the first response half-way."""

    def __init__(self, payload: bytes, break_first: bool = False):
        self.payload = payload
        self.break_first = break_first
        self.ranges: list[str | None] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                wanted = self.headers.get("Range")
                server.ranges.append(wanted)
                start = int(wanted.split("=")[1].split("-")[0]) if wanted else 0
                body = server.payload[start:]
                self.send_response(206 if wanted else 200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if server.break_first and len(server.ranges) == 1:
                    self.wfile.write(body[:len(body) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/model.zip"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()


def test_download_checks_unpacks_and_the_model_loads(tmp_path, archive):
    server = Server(archive)
    try:
        source = ModelSource("test", server.url, hashlib.sha256(archive).hexdigest())
        target = download(tmp_path / "models" / "vosk", source, show_progress=False)
    finally:
        server.close()
    assert (target / "am" / "final.mdl").exists()
    assert not list((tmp_path / "models").glob("*.part"))
    Recognizer(target)


def test_a_broken_download_resumes_where_it_stopped(tmp_path, archive):
    server = Server(archive, break_first=True)
    source = ModelSource("test", server.url, hashlib.sha256(archive).hexdigest())
    try:
        with pytest.raises(DownloadError, match="continue where it stopped"):
            download(tmp_path / "vosk", source, show_progress=False)
        partial = tmp_path / "vosk.zip.part"
        assert 0 < partial.stat().st_size < len(archive)
        download(tmp_path / "vosk", source, show_progress=False)
    finally:
        server.close()
    assert server.ranges[0] is None
    assert server.ranges[1] == f"bytes={len(archive) // 2}-"
    assert (tmp_path / "vosk" / "conf" / "model.conf").exists()


def test_a_wrong_checksum_deletes_the_download(tmp_path, archive):
    server = Server(archive)
    try:
        with pytest.raises(DownloadError, match="does not match its checksum"):
            download(tmp_path / "vosk", ModelSource("test", server.url, "0" * 64),
                     show_progress=False)
    finally:
        server.close()
    assert not (tmp_path / "vosk").exists()
    assert not (tmp_path / "vosk.zip.part").exists()


def test_the_command_downloads_into_the_data_directory(tmp_path, archive, monkeypatch, capsys):
    monkeypatch.setenv("COUPLECARE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("COUPLECARE_VOSK_MODEL", raising=False)
    server = Server(archive)
    try:
        assert main(["model", "download", "--url", server.url,
                     "--sha256", hashlib.sha256(archive).hexdigest()]) == 0
    finally:
        server.close()
    assert (tmp_path / "models" / "vosk-model-small-en-us" / "am" / "final.mdl").exists()
    assert "ready in" in capsys.readouterr().out
    assert main(["model", "download", "--url", "http://127.0.0.1:9/none.zip",
                 "--sha256", "0" * 64]) == 2
    assert "Could not reach" in capsys.readouterr().err
