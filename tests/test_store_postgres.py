"""The PostgreSQL store against a real server: the same behaviour as SQLite, concurrency,
and the database failing at start, mid-session, in a migration, or running out of
connections."""

import contextlib
import re
import socket
import threading
from datetime import date

import psycopg
import pytest

from dialogs.engine import (
    AddAgreement,
    AgreementKind,
    AgreementStatus,
    CompleteExercise,
    Decision,
    FollowUpAgreement,
    Outcome,
    SaveNames,
    SavePosition,
)
from dialogs.store import StoreError
from progress import local_postgres, open_store
from progress import postgres as postgres_store
from progress.local_postgres import postgres
from progress.postgres import PostgresStore
from tests.concurrency import (
    agree_at_the_same_moment,
    assert_nothing_lost,
    write_concurrently,
)
from tests.store_rows import fill, rows_per_table
from tests.stores import kept_and_done, open_agreements, promise

DAY = date(2026, 11, 29)

pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning")
"""The pool is used as its library asks (no deprecated defaults that will change)."""


@pytest.fixture(scope="module")
def server():
    with postgres() as running:
        yield running


def test_a_test_server_whose_port_is_taken_before_it_starts_takes_another(monkeypatch):
    """Two test workers may be told the same free port at once; the later server moves on."""
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        offered = iter([port])
        any_free = local_postgres.free_port
        monkeypatch.setattr(local_postgres, "free_port", lambda: next(offered, None) or any_free())
        with postgres() as running, psycopg.connect(running.admin_url) as connection:
            assert running.port != port
            assert connection.execute("SELECT 1").fetchone() == (1,)


def test_effects_round_trip_export_and_forget(server):
    store = open_store(server.new_database())
    assert isinstance(store, PostgresStore)
    store.apply("c1", [SaveNames(("Sam", "Alex")), SavePosition("promises", {"step": "x"}),
                       promise("Sam", "call at lunch"), promise("Sam", "call at noon"),
                       CompleteExercise("promises")], DAY)
    profile = store.profile("c1")
    assert profile.names == ("Sam", "Alex")
    assert profile.saved == {"promises": {"step": "x"}}
    assert [(p.partner, p.text) for p in open_agreements(profile)] == [("Sam", "call at noon")]
    store.apply("c1", [kept_and_done(open_agreements(profile)[0].id)], DAY)
    assert open_agreements(store.profile("c1")) == []
    exported = store.export()
    assert exported["couples"][0]["agreements"][0]["outcome"] == "kept"
    store.forget("c1")
    assert store.export()["couples"] == []
    store.check()
    store.close()


def test_a_second_worker_finds_the_schema_ready(server):
    url = server.new_database()
    first, second = PostgresStore(url), PostgresStore(url)
    first.apply("c1", [SaveNames(("Kim", "Lee"))], DAY)
    assert second.profile("c1").names == ("Kim", "Lee")
    first.close()
    second.close()


def test_concurrent_turns_for_one_couple_lose_nothing(server):
    store = PostgresStore(server.new_database(), pool_size=6)
    write_concurrently(store, threads=12)
    assert_nothing_lost(store, threads=12)
    store.close()


def test_a_database_that_is_not_there_at_start(server):
    with pytest.raises(StoreError) as refused:
        PostgresStore("postgresql://postgres:secret@127.0.0.1:1/none", timeout=1.5)
    assert str(refused.value) == (
        "I can't reach the progress database at 127.0.0.1:1/none (tried for 1.5 s). Check "
        "that it is running and that the database URL is right.")
    with pytest.raises(StoreError, match="don't know how to keep progress"):
        open_store("mysql://somewhere/db")


def test_the_place_named_when_the_url_leaves_it_out(tmp_path, monkeypatch):
    """No host is the local server, no port PostgreSQL's own; the message says so."""
    monkeypatch.setenv("PGHOST", str(tmp_path))  # a folder with no server's socket in it
    with pytest.raises(StoreError, match=r"at localhost:5432/none \(tried"):
        PostgresStore("postgresql:///none", timeout=0.5)
    with pytest.raises(StoreError, match=r"at localhost:5432/ \(tried"):
        PostgresStore("postgresql://", timeout=0.5)


def test_a_url_that_cannot_be_read_is_named_plainly():
    """The sentence says which part is wrong, and how a good URL looks."""
    for url, wrong in (("postgresql://db.internal/couplecare?colour=blue", '"colour"'),
                       ("postgres://db.internal/%zz", '"%zz"')):
        with pytest.raises(StoreError) as unreadable:
            open_store(url)
        message = str(unreadable.value)
        assert message.startswith("I can't read the progress database URL (")
        assert message.endswith("). It looks like postgresql://user@host:5432/database.")
        assert wrong in message


def test_the_default_wait_for_a_database_at_start(server):
    """What a skill started with only COUPLECARE_DATABASE_URL waits for an absent server."""
    with pytest.raises(StoreError, match=r"at 127\.0\.0\.1:1/none \(tried for 5 s\)"):
        open_store("postgresql://postgres@127.0.0.1:1/none")


def test_the_wait_for_a_database_at_start_ends_at_the_timeout(server):
    """A server that comes up a few seconds later is not waited for past the timeout."""
    url = server.new_database()
    server.stop()
    coming_up = threading.Timer(4, server.start)
    coming_up.start()
    try:
        with pytest.raises(StoreError, match="can't reach the progress database"):
            PostgresStore(url, timeout=1)
    finally:
        coming_up.join(timeout=60)
    store = PostgresStore(url)
    store.apply("c1", [SaveNames(("A", "B"))], DAY)
    store.close()


def test_a_host_that_never_answers_leaves_nothing_waiting_on_it(server):
    """A host that takes the connection and says nothing: the store gives up and no thread
    is left waiting on that connection (the default wait is two minutes)."""
    before = set(threading.enumerate())
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        with pytest.raises(StoreError, match=f"at 127\\.0\\.0\\.1:{port}/none"):
            PostgresStore(f"postgresql://postgres@127.0.0.1:{port}/none", timeout=0.5)
        assert [t for t in set(threading.enumerate()) - before if t.is_alive()] == []


def test_a_migration_that_breaks_midway_leaves_nothing_behind(server, monkeypatch):
    url = server.new_database()
    monkeypatch.setattr(postgres_store, "MIGRATIONS",
                        (postgres_store.MIGRATIONS[0], "CREATE TABLE half (x INT); SELECT 1/0;"))
    monkeypatch.setattr(postgres_store, "SCHEMA_VERSION", 2)
    with pytest.raises(psycopg.errors.DivisionByZero):
        PostgresStore(url)
    with psycopg.connect(url) as connection:
        tables = {r[0] for r in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert tables == set()
    monkeypatch.undo()
    store = PostgresStore(url)
    store.apply("c1", [SaveNames(("A", "B"))], DAY)
    assert store.profile("c1").names == ("A", "B")
    store.close()


def test_all_connections_busy_is_a_clear_error(server):
    store = PostgresStore(server.new_database(), pool_size=1, timeout=0.5)
    with store.pool.connection(), pytest.raises(StoreError) as busy:
        store.apply("c1", [SaveNames(("A", "B"))], DAY)
    assert str(busy.value) == ("All 1 connections to the progress database are busy; the "
                               "request was not written. Try again.")
    assert store.profile("c1").names == ()
    store.close()


def test_a_worker_uses_four_connections_by_default(server):
    store = PostgresStore(server.new_database(), timeout=0.5)
    with contextlib.ExitStack() as held:
        for _ in range(3):
            held.enter_context(store.pool.connection())
        store.apply("c1", [SaveNames(("A", "B"))], DAY)
        held.enter_context(store.pool.connection())
        with pytest.raises(StoreError, match="All 4 connections"):
            store.apply("c1", [SaveNames(("C", "D"))], DAY)
    assert store.profile("c1").names == ("A", "B")
    store.close()


def test_a_request_waits_for_a_connection_no_longer_than_the_timeout(server):
    """The only connection is freed after a few seconds: a request with a half-second
    timeout has given up by then."""
    store = PostgresStore(server.new_database(), pool_size=1, timeout=0.5)
    taken, free = threading.Event(), threading.Event()

    def hold() -> None:
        with store.pool.connection():
            taken.set()
            free.wait(timeout=4)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert taken.wait(timeout=10)
        with pytest.raises(StoreError, match="busy"):
            store.apply("c1", [SaveNames(("A", "B"))], DAY)
    finally:
        free.set()
        holder.join(timeout=10)
    assert store.profile("c1").names == ()
    store.close()


def test_a_database_from_a_newer_version_is_left_untouched(server):
    url = server.new_database()
    store = PostgresStore(url)
    store.apply("c1", [SaveNames(("Sam", "Alex"))], DAY)
    store.close()
    newer = postgres_store.SCHEMA_VERSION + 1
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("UPDATE couplecare_schema SET version = %s", (newer,))
    with pytest.raises(StoreError) as refused:
        PostgresStore(url)
    where = re.sub(r"^postgresql://postgres@", "", url)
    assert str(refused.value) == (
        f"The progress database at {where} was written by a newer version of Couple Care "
        f"(format {newer}; this version reads up to {postgres_store.SCHEMA_VERSION}). Update "
        "Couple Care; nothing was changed.")
    with psycopg.connect(url) as connection:
        assert connection.execute("SELECT version FROM couplecare_schema").fetchall() == [
            (newer,)]
        assert connection.execute("SELECT names FROM couples").fetchall() == [
            ('["Sam", "Alex"]',)]


def test_an_older_schema_is_migrated_keeping_its_data(server):
    url = server.new_database()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(postgres_store.MIGRATIONS[0])
        connection.execute("CREATE TABLE couplecare_schema (version INTEGER NOT NULL)")
        connection.execute("INSERT INTO couplecare_schema (version) VALUES (1)")
        connection.execute("INSERT INTO couples (user_key, names, created_at) "
                           "VALUES ('c1', '[\"Sam\", \"Alex\"]', '2026-01-01')")
        connection.execute("INSERT INTO promises (user_key, partner, text, made_on) "
                           "VALUES ('c1', 'Sam', 'walk the dog', '2026-01-02')")
    store = PostgresStore(url)
    profile = store.profile("c1")
    assert profile.names == ("Sam", "Alex")
    assert open_agreements(profile)[0].text == "walk the dog"
    assert not profile.disclaimer_seen
    store.apply("c1", [CompleteExercise("promises")], DAY, request_id="r1")
    store.apply("c1", [CompleteExercise("promises")], DAY, request_id="r1")
    assert len(store.profile("c1").completions) == 1
    store.close()
    with psycopg.connect(url) as connection:
        assert connection.execute("SELECT version FROM couplecare_schema").fetchone()[0] == \
            postgres_store.SCHEMA_VERSION


def test_agreements_are_followed_up_migrated_and_forgotten(server):
    url = server.new_database()
    with psycopg.connect(url, autocommit=True) as connection:
        for script in postgres_store.MIGRATIONS[:3]:
            connection.execute(script)
        connection.execute("CREATE TABLE couplecare_schema (version INTEGER NOT NULL)")
        connection.execute("INSERT INTO couplecare_schema (version) VALUES (3)")
        connection.execute("INSERT INTO couples (user_key, names, created_at) "
                           "VALUES ('c1', '[\"Sam\", \"Alex\"]', '2026-01-01')")
        connection.execute("INSERT INTO promises (user_key, partner, text, made_on, outcome, "
                           "resolved_on) VALUES ('c1', 'Sam', 'call', '2026-01-02', 'kept', "
                           "'2026-01-04')")
        connection.execute("INSERT INTO promises (user_key, partner, text, made_on) "
                           "VALUES ('c1', 'Alex', 'walk the dog', '2026-01-03')")
    store = PostgresStore(url)
    old, walk = store.profile("c1").agreements
    assert (old.status, old.outcome) == (AgreementStatus.LET_GO, Outcome.KEPT)
    assert (walk.kind, walk.status) == (AgreementKind.PROMISE, AgreementStatus.OPEN)
    store.apply("c1", [FollowUpAgreement(walk.id, Outcome.PARTLY, Decision.CHANGE),
                       AddAgreement(AgreementKind.PROMISE, "Alex", "I'll walk the dog on "
                                    "Sundays.", "welcome"),
                       AddAgreement(AgreementKind.KINDNESS, "Sam", "I'll make you tea.",
                                    "daily-gestures")], DAY)
    assert [(a.partner, a.status) for a in store.profile("c1").agreements] == [
        ("Sam", AgreementStatus.LET_GO), ("Alex", AgreementStatus.CHANGED),
        ("Alex", AgreementStatus.OPEN), ("Sam", AgreementStatus.OPEN)]
    assert [a["kind"] for a in store.export()["couples"][0]["agreements"]] == [
        "promise", "promise", "promise", "kindness"]
    store.forget("c1")
    store.close()
    with psycopg.connect(url) as connection:
        assert connection.execute("SELECT count(*) FROM agreements").fetchone()[0] == 0


def postgres_rows(url, user_key: str) -> dict[str, int]:
    with psycopg.connect(url) as db:
        tables = [r[0] for r in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return rows_per_table(lambda sql, params: db.execute(sql, params).fetchall(), tables,
                              user_key, mark="%s")


def test_forgetting_one_couple_leaves_no_row_of_theirs(server):
    url = server.new_database()
    store = PostgresStore(url)
    fill(store, "c1")
    fill(store, "c2")
    assert all(postgres_rows(url, "c1").values())
    store.forget("c1")
    assert set(postgres_rows(url, "c1").values()) == {0}
    assert all(postgres_rows(url, "c2").values())
    store.close()


def test_two_turns_agreeing_at_the_same_moment_keep_one_agreement(server, monkeypatch):
    store = PostgresStore(server.new_database(), pool_size=4)
    agree_at_the_same_moment(store, monkeypatch)
    store.close()


def test_an_upgraded_database_handles_forget(server):
    url = server.new_database()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(postgres_store.MIGRATIONS[0])
        connection.execute("CREATE TABLE couplecare_schema (version INTEGER NOT NULL)")
        connection.execute("INSERT INTO couplecare_schema (version) VALUES (1)")
    store = PostgresStore(url)
    fill(store, "c1")
    fill(store, "c2")
    store.forget("c1")
    assert set(postgres_rows(url, "c1").values()) == {0}
    assert all(postgres_rows(url, "c2").values())
    store.close()
