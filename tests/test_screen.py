"""The companion screen without a browser: the view a conversation gives it, the pages'
guard (token, host, buttons), the real server on loopback, and the command."""

import json
import os
import re
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from datetime import date

import pytest

from dialogs import intents
from dialogs.book import CONTENT_DIR, load_book
from dialogs.engine import DisclaimerSeen, IntentEvent, Launch, SaveNames, Utterance
from dialogs.engine.effects import AddAgreement, CompleteExercise
from dialogs.engine.profile import AgreementKind
from dialogs.model import Platform
from dialogs.session import LOCAL_USER, Session
from progress.sqlite import SqliteStore
from screen.app import TOKEN_HEADER, create_app
from screen.companion import CAPTIONS_KEPT, Companion, Press
from screen.server import serve

DAY = date(2026, 11, 30)
TOKEN = "a-token-of-this-run"
DISCLOSURE = "honestly i don't want to wake up anymore"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def book():
    return load_book(CONTENT_DIR)


@pytest.fixture
def store(tmp_path):
    store = SqliteStore(tmp_path / "progress.sqlite3")
    store.apply(LOCAL_USER, [SaveNames(("Sam", "Alex")), DisclaimerSeen()], DAY)
    return store


@pytest.fixture
def talk(book, store):
    """A conversation whose screen follows it, on a clock the test moves."""
    clock = Clock()
    companion = Companion(names=lambda: store.profile(LOCAL_USER).names,
                          contacts=book.messages.crisis_contacts, clock=clock)
    session = Session(book, store, Platform.TEXT, today=lambda: DAY, watchers=(companion,))
    return session, companion, clock


def to_the_floor(session):
    """Into the honest check-in until Sam holds the floor in its timed phase."""
    turn = session.handle(Launch(exercise="honest-check-in"))
    for _ in range(4):
        if turn.at.endswith("who_first"):
            break
        turn = session.handle(Utterance("yes"))
    assert turn.at == "honest-check-in/who_first"
    return session.handle(Utterance("Sam"))


def test_the_screen_follows_the_guides_words_who_speaks_and_the_timer(talk):
    session, companion, clock = talk
    turn = to_the_floor(session)
    view = companion.view()
    assert turn.at == "honest-check-in/floor"
    assert view.captions[-1].startswith("Sam, you have the floor")
    assert (view.speaker, view.listener) == ("Sam", "Alex")
    assert view.timer is not None and view.timer.seconds == 120
    clock.now += 30
    assert companion.view().to_json(clock.now)["timer"] == {"seconds": 120, "left": 90.0}
    assert Press.DONE in view.presses and Press.SKIP in view.presses
    session.handle(IntentEvent(intents.REPEAT))  # the same phase: its timer runs on
    assert companion.view().timer == view.timer
    session.handle(IntentEvent(intents.DONE))
    after = companion.view()
    assert after.timer is None and Press.DONE not in after.presses
    assert (after.speaker, after.listener) == ("Sam", "Alex")


def test_captions_keep_only_the_last_few(talk):
    session, companion, _ = talk
    session.handle(Launch())
    for _ in range(CAPTIONS_KEPT + 3):
        session.handle(IntentEvent(intents.REPEAT))
    assert len(companion.view().captions) == CAPTIONS_KEPT


def test_a_safety_stop_shows_the_crisis_lines_and_never_what_was_said(talk):
    session, companion, _ = talk
    to_the_floor(session)
    before = companion.view().captions
    session.handle(Utterance(DISCLOSURE))
    shown = companion.view()
    data = json.dumps(shown.to_json(0.0))
    assert shown.safety and shown.timer is None and shown.speaker == ""
    assert "wake up" not in data and not set(before) & set(shown.captions)
    assert "988" in shown.captions[0]
    assert [c["name"] for c in shown.to_json(0.0)["contacts"]] == [
        c.name for c in session.book.messages.crisis_contacts]
    session.handle(Utterance("yes"))  # the conversation goes on; the lines stay
    assert companion.view().safety and companion.view().to_json(0.0)["contacts"]


def test_crisis_lines_are_not_sent_before_a_safety_stop(talk):
    session, companion, _ = talk
    session.handle(Launch())
    assert companion.view().to_json(0.0)["contacts"] == []


def test_a_button_is_taken_only_when_it_means_something(talk):
    session, companion, _ = talk
    session.handle(Launch())
    assert not companion.press(Press.RESUME)
    assert companion.take_press() is None
    assert companion.press(Press.PAUSE)
    event = companion.take_press()
    assert event == IntentEvent(intents.PAUSE)
    session.handle(event)
    assert companion.view().paused and companion.view().presses == (Press.RESUME, Press.STOP)


# ---------------------------------------------------------------- the pages' guard


@pytest.fixture
def client(talk, store):
    session, companion, _ = talk
    session.handle(Launch())
    app = create_app(TOKEN, lambda: store.profile(LOCAL_USER), companion=companion,
                     today=lambda: DAY)
    return app.test_client(), companion


@pytest.mark.parametrize("path", ["/", "/view", "/progress", "/static/screen.css"])
def test_every_page_needs_the_token(client, path):
    test_client, _ = client
    assert test_client.get(path).status_code == 403
    assert test_client.get(path, query_string={"t": "a-guess"}).status_code == 403
    assert test_client.get(path, query_string={"t": TOKEN}).status_code == 200


def test_a_page_asked_for_by_another_name_is_refused(client):
    """A web page that makes its own name point at this machine still cannot read the
    session: the host it names is not this machine's."""
    test_client, _ = client
    answer = test_client.get("/view", query_string={"t": TOKEN},
                             base_url="http://attacker.example:8765")
    assert answer.status_code == 403


def test_a_button_needs_the_token_in_its_header(client):
    """A form on another site can post to this address, but cannot add a header: the token
    in the address alone does not press a button."""
    test_client, companion = client
    assert test_client.post("/press/pause", query_string={"t": TOKEN}).status_code == 403
    assert test_client.post("/press/pause", headers={TOKEN_HEADER: "a-guess"}).status_code \
        == 403
    assert companion.take_press() is None
    answer = test_client.post("/press/pause", headers={TOKEN_HEADER: TOKEN})
    assert answer.status_code == 204
    assert companion.take_press() == IntentEvent(intents.PAUSE)
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_buttons_that_are_unknown_or_mean_nothing_now(client):
    test_client, companion = client
    assert test_client.post("/press/explode", headers={TOKEN_HEADER: TOKEN}).status_code \
        == 404
    assert test_client.post("/press/resume", headers={TOKEN_HEADER: TOKEN}).status_code \
        == 409
    assert test_client.get("/press/pause", query_string={"t": TOKEN}).status_code == 405
    assert companion.take_press() is None


def test_the_view_waits_for_the_next_change(client, talk):
    test_client, companion = client
    session = talk[0]
    seen = companion.view().version
    later = threading.Timer(0.2, lambda: session.handle(IntentEvent(intents.REPEAT)))
    later.start()
    answer = test_client.get("/view", query_string={"t": TOKEN, "after": seen, "wait": 10})
    later.join()
    assert answer.get_json()["version"] == seen + 1
    assert test_client.get("/view", query_string={"t": TOKEN, "after": "x"}).status_code == 400


def test_pages_forbid_scripts_and_frames_from_elsewhere(client):
    test_client, _ = client
    headers = test_client.get("/", query_string={"t": TOKEN}).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert headers["Referrer-Policy"] == "no-referrer"


# ---------------------------------------------------------------- the real server


def test_the_server_answers_on_loopback_only(client):
    _, companion = client
    app = create_app(TOKEN, lambda: None, companion=companion)  # type: ignore[arg-type]
    pages = serve(app, TOKEN, port=0)
    try:
        host, port = pages.server.socket.getsockname()[:2]
        assert host == "127.0.0.1"
        with urllib.request.urlopen(pages.address, timeout=10) as page:
            assert page.status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/view", timeout=10)
        assert refused.value.code == 403
        # another address of this same machine: nothing listens there
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.2", port), timeout=5).close()
    finally:
        pages.stop()


# ---------------------------------------------------------------- the command


def couplecare(tmp_path, *args, stdin=subprocess.PIPE):
    env = dict(os.environ, COUPLECARE_DATA_DIR=str(tmp_path / "data"))
    return subprocess.Popen([sys.executable, "-m", "couplecare", *args], stdin=stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def address_of(process) -> tuple[str, str]:
    line = process.stdout.readline()
    found = re.search(r"(http://127\.0\.0\.1:\d+)/\?t=(\S+)", line)
    assert found, line
    return found.group(1), found.group(2)


def test_talk_with_a_screen_follows_typing_and_buttons(tmp_path):
    process = couplecare(tmp_path, "talk", "--text", "--screen", "--no-browser",
                         "--screen-port", "0")
    try:
        base, token = address_of(process)
        view = json.load(urllib.request.urlopen(f"{base}/view?t={token}&after=0&wait=10"))
        assert view["captions"][0].startswith("Welcome to Couple Care")
        process.stdin.write("yes\n")
        process.stdin.flush()
        view = json.load(urllib.request.urlopen(
            f"{base}/view?t={token}&after={view['version']}&wait=10"))
        asked = view["captions"][-1]
        press = urllib.request.Request(f"{base}/press/repeat", method="POST",
                                       headers={TOKEN_HEADER: token})
        assert urllib.request.urlopen(press).status == 204
        view = json.load(urllib.request.urlopen(
            f"{base}/view?t={token}&after={view['version']}&wait=10"))
        assert view["captions"][-2:] == [asked, asked]  # repeated by the button
        process.stdin.close()
        assert process.wait(timeout=30) == 0
        printed = process.stdout.read()
        assert printed.count(asked) == 2  # the answer's turn and the button's
    finally:
        process.kill()


def test_a_taken_port_is_said_plainly(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        process = couplecare(tmp_path, "talk", "--text", "--screen", "--no-browser",
                             "--screen-port", str(port), stdin=subprocess.DEVNULL)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert f"can't use port {port}" in err and "--screen-port" in err
    assert "Traceback" not in err


def test_progress_shows_what_an_earlier_session_agreed(tmp_path):
    store = SqliteStore(tmp_path / "data" / "progress.sqlite3")
    store.apply(LOCAL_USER, [SaveNames(("Sam", "Alex")), DisclaimerSeen(),
                             AddAgreement(AgreementKind.PROMISE, "Sam",
                                          "I will phone when I am late", "promises"),
                             CompleteExercise("promises")], date.today())
    store.close()
    process = couplecare(tmp_path, "progress", "--no-browser", "--screen-port", "0",
                         stdin=subprocess.DEVNULL)
    try:
        base, token = address_of(process)
        page = urllib.request.urlopen(f"{base}/?t={token}").read().decode()
        assert "I will phone when I am late" in page and "Sam" in page
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{base}/")
    finally:
        process.send_signal(2)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0 and "Traceback" not in err


# ---------------------------------------------------------------- a button in the voice loop


def test_a_button_pressed_while_the_loop_listens_acts_at_once(tmp_path):
    """The loop takes a press between two frames of sound, as if the command were said."""
    from local_voice.audio import silence
    from local_voice.loop import FolderOutput, Listener, LoopSettings, VoiceLoop, WavInput
    from local_voice.speech import Synthesizer
    from tests.voice_support import couple_store, korean_book

    class PressesPauseOnce:
        def __init__(self) -> None:
            self.companion: Companion | None = None
            self.turns: list = []

        def show(self, turn) -> None:
            self.turns.append(turn)
            if len(self.turns) == 1:
                assert self.companion is not None and self.companion.press(Press.PAUSE)

        def aside(self, markup: str) -> None:
            pass

    quiet = tmp_path / "quiet.wav"
    quiet.write_bytes(silence(3.0, 16000).to_wav())
    companion = Companion()
    presser = PressesPauseOnce()
    presser.companion = companion
    source = WavInput([quiet])
    loop = VoiceLoop(korean_book(tmp_path), couple_store(tmp_path / "p.sqlite3"),
                     Platform.VOICE, _NoRecognition(), Synthesizer(rate=300),
                     FolderOutput(tmp_path / "out"), LoopSettings(),
                     watchers=(companion, presser))
    loop.run(Listener(source, LoopSettings().endpoint, pressed=companion.take_press), source,
             "yeonseup")
    assert len(presser.turns) >= 2 and presser.turns[1].state.get("paused")
    assert companion.view().ended


class _NoRecognition:
    def transcribe(self, audio, phrases=None):
        raise AssertionError("nothing was said: the button alone moves the conversation")


def test_no_browser_is_started_in_the_terminal_without_a_desktop(monkeypatch):
    """Python would fall back to a text browser, taking over the conversation's terminal."""
    import webbrowser

    from screen.server import open_in_browser

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda address: opened.append(address) or True)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert not open_in_browser("http://127.0.0.1:1/?t=x") and opened == []
    monkeypatch.setenv("DISPLAY", ":0")
    assert open_in_browser("http://127.0.0.1:1/?t=x") and opened == ["http://127.0.0.1:1/?t=x"]


def test_a_crisis_line_an_author_gets_wrong_is_named_with_its_place(tmp_path):
    import shutil

    from dialogs.source import DefinitionError

    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    messages = content / "messages.yaml"
    messages.write_text(messages.read_text(encoding="utf-8").replace(
        'call: "988"', 'call: "nine eight eight"', 1), encoding="utf-8")
    with pytest.raises(DefinitionError) as error:
        load_book(content)
    assert "messages.yaml" in str(error.value) and "nine eight eight" in str(error.value)
