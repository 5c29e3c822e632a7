"""The SQLite progress store: effects, migrations, and files it must refuse without harm."""

import json
import sqlite3
import time
from contextlib import closing
from datetime import date, datetime, timedelta

import pytest

from dialogs.engine import (
    AddAgreement,
    AgreementKind,
    AgreementStatus,
    ClearPosition,
    CompleteExercise,
    Decision,
    DisclaimerSeen,
    FollowUpAgreement,
    Outcome,
    SaveNames,
    SavePosition,
)
from dialogs.store import StoreError, StoreInUse
from progress.sql import MIGRATIONS, SCHEMA_VERSION
from progress.sqlite import SqliteStore, forget_file
from tests.concurrency import agree_at_the_same_moment
from tests.store_rows import fill, rows_per_table
from tests.stores import kept_and_done, open_agreements, promise

DAY = date(2026, 11, 29)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "progress.sqlite3"


def test_effects_round_trip_into_a_profile(path):
    store = SqliteStore(path)
    store.apply("c1", [SaveNames(("Sam", "Alex")), DisclaimerSeen(),
                       SavePosition("honest-check-in", {"step": "floor", "speaker": 1}),
                       promise("Sam", "text when I'm late"), promise("Alex", "cook Friday"),
                       CompleteExercise("promises")], DAY)
    profile = store.profile("c1")
    assert profile.names == ("Sam", "Alex")
    assert profile.disclaimer_seen
    assert profile.saved == {"honest-check-in": {"step": "floor", "speaker": 1}}
    assert [(p.partner, p.text) for p in open_agreements(profile)] == [
        ("Sam", "text when I'm late"), ("Alex", "cook Friday")]
    assert profile.completions == (("promises", DAY),)
    store.apply("c1", [kept_and_done(open_agreements(profile)[0].id),
                       ClearPosition("honest-check-in")], DAY)
    again = SqliteStore(path).profile("c1")
    assert [p.partner for p in open_agreements(again)] == ["Alex"]
    assert again.saved == {}
    assert store.profile("someone-else").names == ()


def test_a_failed_turn_writes_nothing(path):
    store = SqliteStore(path)
    store.apply("c1", [SaveNames(("Sam", "Alex"))], DAY)
    with pytest.raises(sqlite3.ProgrammingError):
        store.apply("c1", [SaveNames(("Kim", "Lee")), promise("Kim", object())], DAY)
    assert store.profile("c1").names == ("Sam", "Alex")


def test_export_and_forget(path):
    store = SqliteStore(path)
    store.apply("c1", [SaveNames(("Sam", "Alex")), promise("Sam", "call at lunch"),
                       CompleteExercise("promises")], DAY)
    exported = store.export()
    assert json.loads(json.dumps(exported)) == exported
    [couple] = exported["couples"]
    assert couple["names"] == ["Sam", "Alex"]
    assert couple["agreements"][0]["text"] == "call at lunch"
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
    assert open_agreements(profile)[0].text == "walk the dog"
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
    with pytest.raises(StoreError) as refused:
        SqliteStore(path)
    assert str(refused.value) == (
        f"Your progress file {path} was written by a newer version of Couple Care (format "
        f"{SCHEMA_VERSION + 1}; this version reads up to {SCHEMA_VERSION}). Update Couple Care "
        "to use it; nothing in it was changed.")
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

    monkeypatch.setenv("COUPLECARE_DATA_DIR", str(tmp_path / "mine" / "progress"))
    assert default_path() == tmp_path / "mine" / "progress" / "progress.sqlite3"
    SqliteStore()
    assert (tmp_path / "mine" / "progress" / "progress.sqlite3").exists()
    monkeypatch.delenv("COUPLECARE_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "shared"))
    assert default_path() == tmp_path / "shared" / "couplecare" / "progress.sqlite3"


def test_an_unwritable_data_directory_is_explained(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError) as refused:
        SqliteStore(blocker / "sub" / "progress.sqlite3")
    assert str(refused.value) == (
        f"I can't create the folder for your progress, {blocker / 'sub'} (Not a directory). "
        "Set COUPLECARE_DATA_DIR to a folder you can write to.")


def test_promising_again_the_same_day_replaces_the_promise(path):
    store = SqliteStore(path)
    store.apply("c1", [promise("Sam", "call at lunch")], DAY)
    store.apply("c1", [promise("Sam", "call at lunch on Monday")], DAY)
    store.apply("c1", [promise("Alex", "cook Friday")], DAY)
    assert [(p.partner, p.text) for p in open_agreements(store.profile("c1"))] == [
        ("Sam", "call at lunch on Monday"), ("Alex", "cook Friday")]
    store.apply("c1", [promise("Sam", "walk on Sunday")], date(2026, 12, 1))
    assert len(open_agreements(store.profile("c1"))) == 3


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


def test_agreements_of_every_kind_are_followed_up_changed_and_let_go(path):
    store = SqliteStore(path)
    store.apply("c1", [SaveNames(("Sam", "Alex")),
                       AddAgreement(AgreementKind.REPAIR_PLAN, "Sam", "I'll ask for a break.",
                                    "repair-after-a-hurt"),
                       AddAgreement(AgreementKind.KINDNESS, "Alex", "I'll make you a coffee.",
                                    "daily-gestures"),
                       AddAgreement(AgreementKind.GENTLE_START, "", "I feel tired about the "
                                    "dishes, and I need help.", "walk-gentle-start")], DAY)
    plan, kindness, gentle = store.profile("c1").agreements
    later = date(2026, 12, 2)
    store.apply("c1", [FollowUpAgreement(plan.id, Outcome.KEPT, Decision.KEEP),
                       FollowUpAgreement(kindness.id, Outcome.PARTLY, Decision.CHANGE),
                       AddAgreement(AgreementKind.KINDNESS, "Alex", "I'll make you tea.",
                                    "welcome"),
                       FollowUpAgreement(gentle.id, Outcome.NOT_KEPT, Decision.LET_GO)], later)
    found = {(a.partner, a.text): a for a in SqliteStore(path).profile("c1").agreements}
    assert [(a.status, a.outcome, a.checked_on) for a in found.values()] == [
        (AgreementStatus.KEEPING, Outcome.KEPT, later),
        (AgreementStatus.CHANGED, Outcome.PARTLY, later),
        (AgreementStatus.LET_GO, Outcome.NOT_KEPT, later),
        (AgreementStatus.OPEN, None, None)]
    assert found[("Alex", "I'll make you tea.")].made_on == later
    assert found[("", "I feel tired about the dishes, and I need help.")].kind is (
        AgreementKind.GENTLE_START)


def test_a_follow_up_for_another_couple_changes_nothing(path):
    store = SqliteStore(path)
    store.apply("c1", [promise("Sam", "I'll call.")], DAY)
    [mine] = store.profile("c1").agreements
    store.apply("c2", [FollowUpAgreement(mine.id, Outcome.KEPT, Decision.LET_GO)], DAY)
    assert store.profile("c1").agreements[0].status is AgreementStatus.OPEN


def test_forget_leaves_no_agreement_row(path):
    store = SqliteStore(path)
    store.apply("c1", [promise("Sam", "I'll walk the dog."),
                       AddAgreement(AgreementKind.KINDNESS, "Alex", "I'll hug you.",
                                    "daily-gestures")], DAY)
    store.apply("c2", [promise("Kim", "I'll cook.")], DAY)
    store.forget("c1")
    assert store.connection.execute(
        "SELECT count(*) FROM agreements WHERE user_key = 'c1'").fetchone()[0] == 0
    assert [a.text for a in store.profile("c2").agreements] == ["I'll cook."]
    store.forget()
    assert store.connection.execute("SELECT count(*) FROM agreements").fetchone()[0] == 0
    store.close()
    assert b"walk the dog" not in path.read_bytes()


def test_promises_of_an_older_file_become_agreements(path):
    old = sqlite3.connect(path)
    for script in MIGRATIONS[:3]:
        old.executescript(script)
    old.execute("INSERT INTO couples (user_key, names, created_at) VALUES ('c1', '[\"Sam\", "
                "\"Alex\"]', '2026-01-01')")
    old.execute("INSERT INTO promises (user_key, partner, text, made_on, outcome, resolved_on) "
                "VALUES ('c1', 'Sam', 'call at lunch', '2026-01-02', 'kept', '2026-01-05')")
    old.execute("INSERT INTO promises (user_key, partner, text, made_on) VALUES "
                "('c1', 'Alex', 'walk the dog', '2026-01-03')")
    old.execute("PRAGMA user_version = 3")
    old.commit()
    old.close()
    store = SqliteStore(path)
    assert [(a.partner, a.kind, a.text, a.status, a.outcome, a.checked_on)
            for a in store.profile("c1").agreements] == [
        ("Sam", AgreementKind.PROMISE, "call at lunch", AgreementStatus.LET_GO, Outcome.KEPT,
         date(2026, 1, 5)),
        ("Alex", AgreementKind.PROMISE, "walk the dog", AgreementStatus.OPEN, None, None)]
    tables = {row[0] for row in store.connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "promises" not in tables


def sqlite_rows(path, user_key: str) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as db:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return rows_per_table(lambda sql, params: db.execute(sql, params).fetchall(), tables,
                              user_key)


def test_forgetting_one_couple_leaves_no_row_of_theirs(path):
    store = SqliteStore(path)
    fill(store, "c1")
    fill(store, "c2")
    assert all(sqlite_rows(path, "c1").values())
    store.forget("c1")
    assert set(sqlite_rows(path, "c1").values()) == {0}
    assert all(sqlite_rows(path, "c2").values())
    assert store.profile("c2").names == ("Sam", "Alex")
    store.close()


def test_a_retried_request_is_written_once(path):
    store = SqliteStore(path)
    for _ in range(2):
        store.apply("c1", [CompleteExercise("promises"), promise("Sam", "call")], DAY,
                    request_id="r1")
    store.apply("c1", [CompleteExercise("promises")], DAY, request_id="r2")
    assert len(store.profile("c1").completions) == 2
    assert [a.text for a in store.profile("c1").agreements] == ["call"]
    assert sqlite_rows(path, "c1")["handled_requests"] == 2
    store.close()


def test_an_upgraded_file_handles_retries_and_forget(path):
    with closing(sqlite3.connect(path)) as old:
        old.executescript(MIGRATIONS[0])
        old.execute("INSERT INTO couples (user_key, names, created_at) "
                    "VALUES ('c1', '[\"Sam\", \"Alex\"]', '2026-01-01')")
        old.execute("INSERT INTO promises (user_key, partner, text, made_on) "
                    "VALUES ('c1', 'Sam', 'walk the dog', '2026-01-02')")
        old.execute("PRAGMA user_version = 1")
        old.commit()
    store = SqliteStore(path)
    store.apply("c1", [CompleteExercise("promises"), promise("Alex", "cook")], DAY,
                request_id="r1")
    store.apply("c1", [CompleteExercise("promises"), promise("Alex", "cook")], DAY,
                request_id="r1")
    profile = store.profile("c1")
    assert len(profile.completions) == 1
    assert [(a.partner, a.text) for a in profile.agreements] == [
        ("Sam", "walk the dog"), ("Alex", "cook")]
    fill(store, "c2")
    store.forget("c1")
    assert set(sqlite_rows(path, "c1").values()) == {0}
    assert all(sqlite_rows(path, "c2").values())
    store.close()


def test_two_turns_agreeing_at_the_same_moment_keep_one_agreement(path, monkeypatch):
    store = SqliteStore(path)
    agree_at_the_same_moment(store, monkeypatch)
    store.close()


def test_forgetting_the_file_empties_a_good_one_and_a_missing_one_stays_missing(path):
    forget_file(path)
    assert not path.exists()
    store = SqliteStore(path)
    fill(store, "c1")
    store.close()
    forget_file(path)
    assert path.exists() and set(sqlite_rows(path, "c1").values()) == {0}
    assert b"call at lunch" not in path.read_bytes()


@pytest.mark.parametrize("damage", ["bytes", "newer"])
def test_forgetting_removes_a_file_it_cannot_read_with_its_journal(path, damage):
    if damage == "bytes":
        path.write_bytes(b"this is not a database at all" * 100)
    else:
        with closing(sqlite3.connect(path)) as newer:
            newer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    journals = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    for journal in journals:
        journal.write_bytes(b"journal")
    keep = path.with_name(path.name + "-keep")
    keep.write_bytes(b"someone else's")
    forget_file(path)
    assert not path.exists() and not any(j.exists() for j in journals)
    assert keep.exists()


def test_forgetting_a_file_in_use_keeps_it_and_says_so(path):
    store = SqliteStore(path)
    fill(store, "c1")
    store.close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(StoreInUse, match="in use by another Couple Care session"):
            forget_file(path, timeout=0.2)
        assert time.monotonic() - started < 3, "the wait asked for was not kept to"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert all(sqlite_rows(path, "c1").values())


def test_the_export_holds_every_stored_fact_under_its_documented_name(path):
    store = SqliteStore(path)
    fill(store, "c1")
    store.apply("c0", [SaveNames(("Kim", "Lee"))], DAY)
    exported = store.export()
    moments = [exported.pop("exported_at")]
    couples = exported.pop("couples")
    assert exported == {"format": "couplecare-progress", "schema_version": SCHEMA_VERSION}
    assert [couple["user_key"] for couple in couples] == ["c0", "c1"]
    assert couples[0]["disclaimer_seen"] is False
    couple = couples[1]
    moments += [couple.pop("created_at"), couple["positions"][0].pop("updated_at")]
    assert all(datetime.fromisoformat(moment).tzinfo for moment in moments)
    assert couple == {
        "user_key": "c1", "names": ["Sam", "Alex"], "disclaimer_seen": True,
        "positions": [{"exercise": "honest-check-in", "position": {"step": "floor"}}],
        "agreements": [
            {"kind": "promise", "partner": "Sam", "text": "call at lunch",
             "made_on": "2026-11-29", "exercise": "promises", "status": "let go",
             "outcome": "kept", "checked_on": "2026-11-29"},
            {"kind": "kindness", "partner": "Alex", "text": "I'll make you tea.",
             "made_on": "2026-11-29", "exercise": "daily-gestures", "status": "open",
             "outcome": None, "checked_on": None}],
        "completions": [{"exercise": "promises", "completed_on": "2026-11-29"}]}
    assert [a.exercise for a in store.profile("c1").agreements] == ["promises",
                                                                    "daily-gestures"]
    store.check()
    store.close()


def test_a_follow_up_without_an_outcome_keeps_the_one_given_before(path):
    store = SqliteStore(path)
    store.apply("c1", [promise("Sam", "call at lunch")], DAY)
    [made] = store.profile("c1").agreements
    store.apply("c1", [FollowUpAgreement(made.id, Outcome.KEPT, Decision.KEEP)], DAY)
    store.apply("c1", [FollowUpAgreement(made.id, None, Decision.LET_GO)], date(2026, 12, 1))
    [followed] = store.profile("c1").agreements
    assert (followed.outcome, followed.status, followed.checked_on) == (
        Outcome.KEPT, AgreementStatus.LET_GO, date(2026, 12, 1))
    store.close()


def test_a_request_is_remembered_for_two_days_then_dropped(path):
    store = SqliteStore(path)
    later = [DAY + timedelta(days=n) for n in range(4)]
    store.apply("c1", [CompleteExercise("promises")], later[0], request_id="r1")
    store.apply("c1", [CompleteExercise("promises")], later[2], request_id="r2")
    store.apply("c1", [CompleteExercise("promises")], later[2], request_id="r1")
    assert len(store.profile("c1").completions) == 2
    store.apply("c1", [CompleteExercise("promises")], later[3], request_id="r3")
    assert sqlite_rows(path, "c1")["handled_requests"] == 2
    assert store.profile("someone-else").disclaimer_seen is False
    store.close()
