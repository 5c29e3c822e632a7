"""The checked book kept between runs, so that start-up does not read and check every file.

After `load_book` has read and checked the definitions, the result (the typed definitions,
the line maps, the safety concepts as `CompiledConcepts` and the learned second opinion) is
kept in one file per content folder in the user's cache directory. The file starts with a
key: a hash of every file `load_book` reads (paths and bytes: definitions, concepts,
`learned.json`) and of this package's code and the libraries it was made with. A file
whose key differs is not used: any change to a definition is read and checked again. A
damaged or unreadable cache file is read around and replaced; a cache
directory that cannot be written only makes start-up slower.

The kept book is a pickle: it holds this package's own frozen definitions, it is written
only by this program into the user's own cache directory, and it is unpickled only when
its key matches the files it was made from (anyone who can write there can already change
what this user runs).
"""

from __future__ import annotations

import enum
import hashlib
import importlib.util
import logging
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dialogs.book import Book, load_book, source_files
from dialogs.safety import SafetyDetector

CACHE_DIR_VARIABLE = "COUPLECARE_CACHE_DIR"
FORMAT = b"couplecare-book 2\n"
"""The first line of every cache file; change it when the layout of what is kept changes."""
LIBRARIES = ("pydantic", "pydantic_core", "yaml", "hassil")
"""The libraries whose versions shape the kept book (models, parsing, sample sentences)."""

log = logging.getLogger("couplecare.cache")


class Origin(enum.Enum):
    """Where a loaded book came from."""

    CACHE = "cache"
    """The kept book: every file is as it was when it was checked."""
    FILES = "files"
    """Read and checked from the files, and kept for next time."""
    FILES_NOT_KEPT = "files, not kept"
    """Read and checked from the files; the cache could not be written."""


@dataclass(frozen=True)
class Loaded:
    book: Book
    origin: Origin


def cache_dir() -> Path:
    """Where kept books go (COUPLECARE_CACHE_DIR overrides the platform's cache folder)."""
    configured = os.environ.get(CACHE_DIR_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("couplecare", appauthor=False))


@cache
def code_version() -> bytes:
    """A digest of the code that reads definitions and of the libraries that shape what it
    makes: each file's name, size and time of change (a new version of a library rewrites
    its files), so that no source file need be read."""
    digest = hashlib.sha256(sys.version.encode())
    package = Path(__file__).parent
    files = sorted(package.rglob("*.py"))
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            files.append(Path(spec.origin))
    for path in files:
        status = path.stat()
        digest.update(f"{path}\0{status.st_size}\0{status.st_mtime_ns}\0".encode())
    return digest.digest()


def book_key(files: list[Path], code: bytes) -> bytes:
    """The key a kept book must carry to stand for `files` read by `code`."""
    digest = hashlib.sha256(code)
    for path in files:
        data = path.read_bytes()
        digest.update(f"{path}\0{len(data)}\0".encode() + data)
    return digest.hexdigest().encode()


def cache_file(root: Path | str | None, folder: Path) -> Path:
    """One cache file per content folder: changing the content replaces it."""
    where = str(Path(root).resolve()) if root else "shipped"
    return folder / f"book-{hashlib.sha256(where.encode()).hexdigest()[:16]}.pickle"


def load_cached(root: Path | str | None = None, folder: Path | None = None) -> Loaded:
    """The book of `root` (the shipped content by default), from the cache when the cache
    file's key matches every definition file and the code, else from `load_book`."""
    folder = folder or cache_dir()
    try:
        key = book_key(source_files(root), code_version())
    except OSError as error:  # a file went away or cannot be read: load_book says which
        log.info("not using the book cache: %s", error)
        return Loaded(load_book(root), Origin.FILES_NOT_KEPT)
    path = cache_file(root, folder)
    kept = _read(path, key)
    if kept is not None:
        _check_encoder(kept)
        return Loaded(kept, Origin.CACHE)
    book = load_book(root)
    return Loaded(book, Origin.FILES if _write(path, key, book) else Origin.FILES_NOT_KEPT)


def _check_encoder(book: Book) -> None:
    """Loading the learned safety model says when its sentence encoder is missing; a kept
    book is not loaded, so it is said here, at start, not at the first long answer."""
    learned = book.safety.learned
    if learned is not None and learned.meaning is not None:
        from dialogs.safety.meaning import model_dir

        model_dir()


def cached_book(root: Path | str | None = None) -> Book:
    return load_cached(root).book


def _read(path: Path, key: bytes) -> Book | None:
    try:
        with path.open("rb") as file:
            if file.readline() != FORMAT or file.readline() != key + b"\n":
                return None
            fields = pickle.load(file)
        vocabulary, messages, welcome, exercises, sources, concepts, learned = fields
        return Book(vocabulary, messages, welcome, exercises, sources,
                    SafetyDetector(concepts, learned=learned))
    except FileNotFoundError:
        return None
    except Exception as error:  # a damaged cache is read around, never fatal
        log.info("the book cache %s cannot be used (%s); reading the files", path, error)
        return None


def _write(path: Path, key: bytes, book: Book) -> bool:
    """Keep `book` under `key`, atomically: a reader sees the old file or the new one."""
    fields = (book.vocabulary, book.messages, book.welcome, book.exercises, book.sources,
              book.safety.compiled, book.safety.learned)
    partial: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=path.parent, prefix=".book-")
        with os.fdopen(handle, "wb") as file:
            file.write(FORMAT + key + b"\n")
            pickle.dump(fields, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
        return True
    except Exception as error:  # without a cache the book still loads
        log.info("the book cannot be kept in %s (%s); it will be read again next time",
                 path.parent, error)
        if partial is not None:
            Path(partial).unlink(missing_ok=True)
        return False
