"""The SQLite progress store: effects, migrations, and files it must refuse without harm."""

import json
import sqlite3
from datetime import date

import pytest

from dialogs.engine import (
    AddPromise,
    ClearPosition,
    CompleteExercise,
    DisclaimerSeen,
    ResolvePromise,
    SaveNames,
    SavePosition,
)
from dialogs.store import StoreError
from progress.sql import MIGRATIONS, SCHEMA_VERSION
from progress.sqlite import SqliteStore

DAY = date(2026, 11, 29)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "progress.sqlite3"


def test_effects_round_trip_into_a_profile(path):
    store = SqliteStore(path)
    store.apply("c1", [SaveNames(("Sam", "Alex")), DisclaimerSeen(),
                       SavePosition("honest-check-in", {"step": "floor", "speaker": 1}),
                       AddPromise("Sam", "text when I'm late"), AddPromise("Alex", "cook Friday"),
                       CompleteExercise("promises")], DAY)
    profile = store.profile("c1")
    assert profile.names == ("Sam", "Alex")
    assert profile.disclaimer_seen
    assert profile.saved == {"honest-check-in": {"step": "floor", "speaker": 1}}
    assert [(p.partner, p.text) for p in profile.open_promises] == [
        ("Sam", "text when I'm late"), ("Alex", "cook Friday")]
    assert profile.completions == (("promises", DAY),)
    store.apply("c1", [ResolvePromise(profile.open_promises[0].id, "kept"),
                       ClearPosition("honest-check-in")], DAY)
    again = SqliteStore(path).profile("c1")
    assert [p.partner for p in again.open_promises] == ["Alex"]
    assert again.saved == {}
    assert store.profile("someone-else").names == ()


def test_a_failed_turn_writes_nothing(path):
    store = SqliteStore(path)
    store.apply("c1", [SaveNames(("Sam", "Alex"))], DAY)
    with pytest.raises(sqlite3.ProgrammingError):
        store.apply("c1", [SaveNames(("Kim", "Lee")), AddPromise("Kim", object())], DAY)
    assert store.profile("c1").names == ("Sam", "Alex")


def test_export_and_forget(path):
    store = SqliteStore(path)
    store.apply("c1", [SaveNames(("Sam", "Alex")), AddPromise("Sam", "call at lunch"),
                       CompleteExercise("promises")], DAY)
    exported = store.export()
    assert json.loads(json.dumps(exported)) == exported
    [couple] = exported["couples"]
    assert couple["names"] == ["Sam", "Alex"]
    assert couple["promises"][0]["text"] == "call at lunch"
    assert couple["completions"] == [{"exercise": "promises", "completed_on": "2026-11-29"}]
    store.forget()
    assert store.export()["couples"] == []
    store.close()
    assert b"call at lunch" not in path.read_bytes()


def test_an_older_schema_is_migrated_keeping_its_data(path):
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0])
    old.execute("INSERT INTO couples (user_key, names, created_at) VALUES ('c1', '[\"Sam\", "
                "\"Alex\"]', '2026-01-01')")
    old.execute("INSERT INTO promises (user_key, partner, text, made_on) VALUES "
                "('c1', 'Sam', 'walk the dog', '2026-01-02')")
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()
    store = SqliteStore(path)
    profile = store.profile("c1")
    assert profile.names == ("Sam", "Alex")
    assert profile.open_promises[0].text == "walk the dog"
    assert not profile.disclaimer_seen
    store.apply("c1", [DisclaimerSeen()], DAY)
    assert store.profile("c1").disclaimer_seen
    assert store.connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_newer_schema_is_refused_and_left_alone(path):
    newer = sqlite3.connect(path)
    newer.execute("CREATE TABLE future (x)")
    newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    newer.commit()
    newer.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer version of Couple Care"):
        SqliteStore(path)
    assert path.read_bytes() == before


def test_a_corrupt_file_is_refused_and_left_alone(path):
    path.write_bytes(b"this is not a database at all, just some bytes" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        SqliteStore(path)
    assert "damaged" in str(caught.value)
    assert "couplecare data forget" in str(caught.value)
    assert path.read_bytes() == before


def test_a_locked_file_says_so(path):
    SqliteStore(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        store = SqliteStore(path, timeout=0.2)
        with pytest.raises(StoreError, match="in use by another Couple Care session"):
            store.apply("c1", [SaveNames(("Sam", "Alex"))], DAY)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert SqliteStore(path).profile("c1").names == ()


def test_the_data_directory_comes_from_the_environment(tmp_path, monkeypatch):
    from progress.sqlite import default_path

    monkeypatch.setenv("COUPLECARE_DATA_DIR", str(tmp_path / "mine"))
    assert default_path() == tmp_path / "mine" / "progress.sqlite3"
    SqliteStore()
    assert (tmp_path / "mine" / "progress.sqlite3").exists()


def test_an_unwritable_data_directory_is_explained(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="COUPLECARE_DATA_DIR"):
        SqliteStore(blocker / "sub" / "progress.sqlite3")


def test_promising_again_the_same_day_replaces_the_promise(path):
    store = SqliteStore(path)
    store.apply("c1", [AddPromise("Sam", "call at lunch")], DAY)
    store.apply("c1", [AddPromise("Sam", "call at lunch on Monday")], DAY)
    store.apply("c1", [AddPromise("Alex", "cook Friday")], DAY)
    assert [(p.partner, p.text) for p in store.profile("c1").open_promises] == [
        ("Sam", "call at lunch on Monday"), ("Alex", "cook Friday")]
    store.apply("c1", [AddPromise("Sam", "walk on Sunday")], date(2026, 12, 1))
    assert len(store.profile("c1").open_promises) == 3


def test_many_threads_writing_for_one_couple_lose_nothing(path):
    from tests.concurrency import assert_nothing_lost, write_concurrently

    store = SqliteStore(path)
    write_concurrently(store, threads=8)
    assert_nothing_lost(SqliteStore(path), threads=8)


def test_every_effect_has_exactly_one_rule():
    from typing import get_args

    from dialogs.engine import Effect
    from progress.rules import RULES

    assert set(RULES) == set(get_args(Effect))


def test_the_core_never_imports_the_adapters():
    import ast
    from pathlib import Path

    import dialogs

    for source in Path(dialogs.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "progress" for n in names), source


def test_open_export_and_forget_by_url(tmp_path, monkeypatch):
    import progress

    monkeypatch.setenv("COUPLECARE_DATA_DIR", str(tmp_path / "home"))
    monkeypatch.delenv("COUPLECARE_DATABASE_URL", raising=False)
    progress.forget()
    assert not (tmp_path / "home" / "progress.sqlite3").exists()
    url = f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}"
    progress.open_store(url).apply("c1", [SaveNames(("Sam", "Alex"))], DAY)
    assert progress.location(url) == url
    assert [c["names"] for c in progress.export(url)["couples"]] == [["Sam", "Alex"]]
    progress.forget(url)
    assert progress.export(url)["couples"] == []
    assert progress.location() == str(tmp_path / "home" / "progress.sqlite3")
    folder_store = progress.open_store("", folder=tmp_path / "skill")
    assert folder_store.path == tmp_path / "skill" / "progress.sqlite3"
