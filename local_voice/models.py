"""Fetching the speech model: `couplecare model download`.

The one network call the voice loop's setup ever makes, on request: the archive is
checked against its SHA-256, a broken download resumes where it stopped, and the model
is unpacked into the user's data directory.
"""

from __future__ import annotations

import hashlib
import http.client
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from local_voice.recognize import check_model_folder

CHUNK = 256 * 1024


@dataclass(frozen=True)
class ModelSource:
    name: str
    url: str
    sha256: str


ENGLISH = ModelSource(
    name="vosk-model-small-en-us",
    url="https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip",
    sha256="30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498",
)


class DownloadError(Exception):
    """The model could not be fetched or checked; the message says what to try."""


def _fetch(url: str, partial: Path, show_progress: bool) -> None:
    """Download `url` into `partial`, continuing a previous attempt when the server allows."""
    have = partial.stat().st_size if partial.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:  # already complete
            return
        raise DownloadError(f"The model server answered {error.code} for {url}.") from None
    except (urllib.error.URLError, OSError) as error:
        raise DownloadError(f"Could not reach {url} ({getattr(error, 'reason', error)}). "
                            "Check the internet connection and run the command again; "
                            "it will continue where it stopped.") from None
    with response:
        resumed = response.status == 206
        mode = "ab" if resumed else "wb"
        length = response.headers.get("Content-Length")
        total = (int(length) + (have if resumed else 0)) if length else None
        with open(partial, mode) as out, tqdm(
                total=total, initial=have if resumed else 0, unit="B", unit_scale=True,
                desc="Downloading the speech model", disable=not show_progress) as bar:
            received = 0
            try:
                while chunk := response.read(CHUNK):
                    out.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
            except (OSError, urllib.error.URLError, http.client.HTTPException) as error:
                raise DownloadError(f"The download broke off ({error}). Run the command "
                                    "again to continue where it stopped.") from None
            if length and received < int(length):
                raise DownloadError(f"The download broke off after {received} of {length} "
                                    "bytes. Run the command again to continue where it "
                                    "stopped.")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while block := source.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _unpack(archive: Path, target: Path) -> None:
    """Unpack into a temporary folder beside the target, then move it into place whole."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".unpacking-") as folder:
        try:
            with zipfile.ZipFile(archive) as bundle:
                for member in bundle.namelist():
                    destination = (Path(folder) / member).resolve()
                    if not destination.is_relative_to(Path(folder).resolve()):
                        raise DownloadError(f"The archive has an unsafe path: {member}")
                bundle.extractall(folder)
        except zipfile.BadZipFile:
            raise DownloadError("The downloaded file is not a zip archive.") from None
        entries = [p for p in Path(folder).iterdir()]
        root = entries[0] if len(entries) == 1 and entries[0].is_dir() else Path(folder)
        check_model_folder(root)
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(root), str(target))


def download(target: Path, source: ModelSource = ENGLISH, show_progress: bool = True) -> Path:
    """Fetch, check and unpack the model into `target`; returns `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.parent / f"{target.name}.zip.part"
    _fetch(source.url, partial, show_progress)
    actual = _sha256(partial)
    if actual != source.sha256:
        partial.unlink()
        raise DownloadError(f"The downloaded model does not match its checksum (expected "
                            f"{source.sha256}, got {actual}), so it was deleted. Run the "
                            "command again.")
    _unpack(partial, target)
    partial.unlink()
    return target
