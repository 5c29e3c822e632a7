"""The checked book kept between runs: used when nothing changed, read and checked again when
any definition, concept or the code changed, and never a reason not to start."""

import shutil
from pathlib import Path

import pytest
import yaml

from dialogs import book_cache
from dialogs.book import CONTENT_DIR, load_book
from dialogs.book_cache import FORMAT, Origin, cache_file, load_cached
from dialogs.safety import CONCEPTS_DIR, SAFETY_DIR
from dialogs.source import DefinitionError


@pytest.fixture
def content(tmp_path) -> Path:
    """A writable copy of the shipped content (with the shipped safety concepts)."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "cache"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the test's anchor {old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_second_start_uses_the_kept_book_and_leaves_it_as_it_was(content, cache):
    first = load_cached(content, cache)
    kept = cache_file(content, cache)
    assert first.origin is Origin.FILES and kept.exists()
    written = kept.stat().st_mtime_ns

    second = load_cached(content, cache)
    assert second.origin is Origin.CACHE
    assert kept.stat().st_mtime_ns == written
    assert second.book.exercises == first.book.exercises
    assert second.book.vocabulary == first.book.vocabulary
    assert second.book.sources == first.book.sources
    said = "he said he would kill me if I left"
    assert second.book.safety.check(said) == first.book.safety.check(said) is not None


def test_a_changed_exercise_is_read_and_checked_again(content, cache):
    load_cached(content, cache)
    exercise = content / "exercises" / "honest-check-in.yaml"
    edit(exercise, "title: ", "title: Newly Named ")
    changed = load_cached(content, cache)
    assert changed.origin is Origin.FILES
    assert changed.book.exercises["honest-check-in"].title.startswith("Newly Named ")

    edit(exercise, "start: ", "start: nowhere_")
    with pytest.raises(DefinitionError) as caught:
        load_cached(content, cache)
    assert any("honest-check-in.yaml" in str(p) for p in caught.value.problems)


def test_a_new_exercise_file_is_not_missed(content, cache):
    load_cached(content, cache)
    (content / "exercises" / "broken.yaml").write_text("id: [not, a, name\n")
    with pytest.raises(DefinitionError):
        load_cached(content, cache)


def test_a_changed_safety_concept_is_heard_at_once(content, cache):
    shutil.copytree(CONCEPTS_DIR, content / "safety")
    said = "the purple lantern is coming for me"
    assert load_cached(content, cache).book.safety.check(said) is None
    edit(content / "safety" / "threats.yaml", "danger:\n  threats:\n",
         "danger:\n  threats:\n    - purple lantern\n")
    changed = load_cached(content, cache)
    assert changed.origin is Origin.FILES
    assert changed.book.safety.check(said).category == "threats"
    assert load_cached(content, cache).book.safety.check(said).category == "threats"

    edit(content / "safety" / "threats.yaml", "- purple lantern", "- (purple lantern")
    with pytest.raises(DefinitionError):
        load_cached(content, cache)


def test_changed_code_reads_the_files_again(content, cache, monkeypatch):
    load_cached(content, cache)
    monkeypatch.setattr(book_cache, "code_version", lambda: b"another version of the code")
    assert load_cached(content, cache).origin is Origin.FILES
    assert load_cached(content, cache).origin is Origin.CACHE


@pytest.mark.parametrize("damage", [
    b"", b"not a cache at all", FORMAT, FORMAT + b"0" * 64 + b"\n",
    "keep header", "cut short", "garbage after header",
])
def test_a_damaged_cache_file_is_read_around_and_replaced(content, cache, damage):
    load_cached(content, cache)
    kept = cache_file(content, cache)
    whole = kept.read_bytes()
    header = whole[:whole.index(b"\n", len(FORMAT)) + 1]
    kept.write_bytes({"keep header": header, "cut short": whole[:len(whole) // 2],
                      "garbage after header": header + b"\x80\x05garbage"}.get(damage, damage))

    again = load_cached(content, cache)
    assert again.origin is Origin.FILES
    assert "honest-check-in" in again.book.exercises
    assert load_cached(content, cache).origin is Origin.CACHE


def test_a_cache_folder_that_cannot_be_written_only_costs_time(content, tmp_path):
    blocked = tmp_path / "a file" / "cache"
    blocked.parent.write_text("a file where the cache folder's parent should be")
    loaded = load_cached(content, blocked)
    assert loaded.origin is Origin.FILES_NOT_KEPT
    assert "honest-check-in" in loaded.book.exercises
    assert load_cached(content, blocked).origin is Origin.FILES_NOT_KEPT


def test_a_cache_file_that_cannot_be_read_is_no_obstacle(content, cache):
    cache_file(content, cache).mkdir(parents=True)  # a folder where the file should be
    assert load_cached(content, cache).origin is Origin.FILES_NOT_KEPT


def test_the_cache_folder_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(book_cache.CACHE_DIR_VARIABLE, str(tmp_path / "here"))
    assert book_cache.cache_dir() == tmp_path / "here"
    monkeypatch.delenv(book_cache.CACHE_DIR_VARIABLE)
    assert book_cache.cache_dir().name == "couplecare"


def _sentences(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    values = node.values() if isinstance(node, dict) else node
    return [s for value in values for s in _sentences(value)]


def test_the_kept_safety_rules_answer_exactly_as_the_rules_just_read(cache):
    """The kept detector reads each phrase when a sentence first needs it; on every
    twentieth labelled sentence (danger and ordinary talk, seen and held out) it gives the
    same concern as the detector that read every file."""
    load_cached(None, cache)
    kept = load_cached(None, cache)
    assert kept.origin is Origin.CACHE
    fresh = load_book().safety
    sentences = [s for name in ("corpus.yaml", "heldout.yaml") for s in _sentences(
        yaml.safe_load((SAFETY_DIR / name).read_text(encoding="utf-8")))][::20]
    assert len(sentences) > 500
    answers = [(s, fresh.check(s), kept.book.safety.check(s)) for s in sentences]
    assert [a for a in answers if a[1] != a[2]] == []
    assert sum(a[1] is not None for a in answers) > 250
