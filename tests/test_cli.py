"""The `couplecare` command as a person runs it: real processes, a real store file."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from local_voice.audio import Audio

ROOT = Path(__file__).parent.parent


def couplecare(*args, stdin="", data_dir: Path):
    env = {**os.environ, "COUPLECARE_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "couplecare", *args], input=stdin,
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)


def flat(text: str) -> str:
    """Printed text with its line wrapping undone."""
    return " ".join(text.split())


def lines(*said):
    return "".join(f"{s}\n" for s in said)


def test_a_piped_conversation_then_resume_in_a_new_process(tmp_path):
    first = couplecare("talk", "--text", data_dir=tmp_path,
                       stdin=lines("yes", "yes", "Sam", "Alex", "honest check-in", "yes",
                                   "either", "we're done"))
    assert first.returncode == 0, first.stderr
    out = flat(first.stdout)
    assert "Sam, you have the floor" in out
    assert "Alex, tell Sam" in out or "Alex, in your own words" in out
    assert "Your place is saved" in out
    assert "Traceback" not in first.stderr

    second = couplecare("talk", "--text", data_dir=tmp_path,
                        stdin=lines("yes", "yes", "yes", "stop"))
    assert second.returncode == 0, second.stderr
    out = flat(second.stdout)
    assert "isn't therapy" not in out
    assert "back, Sam and Alex" in out
    assert "part way through honest check-in" in out
    assert "say back what you heard Sam say" in out or "Alex, tell Sam" in out


def test_end_of_input_before_anything_happens_is_calm(tmp_path):
    result = couplecare("talk", "--text", data_dir=tmp_path, stdin="")
    assert result.returncode == 0
    assert "isn't therapy" in flat(result.stdout)
    assert result.stderr == ""


def test_talk_without_a_speech_model_says_so_and_offers_text(tmp_path):
    wav = tmp_path / "said.wav"
    wav.write_bytes(Audio(bytes(3200), 16000).to_wav())
    result = couplecare("talk", "--audio-in", str(wav), "--model", str(tmp_path / "nothing"),
                        data_dir=tmp_path, stdin=lines("no"))
    assert result.returncode == 0
    said = flat(result.stderr)
    assert f"Voice mode can't start: There is no speech model at {tmp_path}/nothing." in said
    assert "couplecare model download" in said
    assert "we'll talk in text instead" in said
    assert "calm minutes" in flat(result.stdout) or "good" in flat(result.stdout)


def test_an_unknown_exercise_is_a_clear_message(tmp_path):
    result = couplecare("talk", "--text", "--exercise", "juggling", data_dir=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == ("There's no exercise called 'juggling'. Run `couplecare "
                                     "exercises` to see the list.")


def test_exercises_are_listed(tmp_path):
    result = couplecare("exercises", data_dir=tmp_path)
    assert result.returncode == 0
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["ID", "TITLE", "TOPIC", "MINUTES"]
    assert any(row.startswith("honest-check-in") and row.rstrip().endswith("15") for row in rows)


def test_export_and_forget(tmp_path):
    couplecare("talk", "--text", data_dir=tmp_path,
               stdin=lines("yes", "yes", "Sam", "Alex", "stop"))
    exported = couplecare("data", "export", data_dir=tmp_path)
    assert exported.returncode == 0
    data = json.loads(exported.stdout)
    assert data["couples"][0]["names"] == ["Sam", "Alex"]
    refused = couplecare("data", "forget", data_dir=tmp_path)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert json.loads(couplecare("data", "export", data_dir=tmp_path).stdout)["couples"]
    forgotten = couplecare("data", "forget", "--yes", data_dir=tmp_path)
    assert forgotten.returncode == 0
    assert json.loads(couplecare("data", "export", data_dir=tmp_path).stdout)["couples"] == []


def test_export_into_a_reader_that_stops_early_is_quiet(tmp_path):
    couplecare("talk", "--text", data_dir=tmp_path, stdin=lines("yes", "yes", "Sam", "Alex"))
    env = {**os.environ, "COUPLECARE_DATA_DIR": str(tmp_path)}
    export = subprocess.Popen([sys.executable, "-m", "couplecare", "data", "export"], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    export.stdout.read(1)
    export.stdout.close()
    assert export.wait(timeout=60) == 0
    assert b"Traceback" not in export.stderr.read()


def test_a_damaged_store_is_explained_not_wiped(tmp_path):
    store = tmp_path / "progress.sqlite3"
    store.write_bytes(b"garbage" * 1000)
    result = couplecare("talk", "--text", data_dir=tmp_path, stdin=lines("yes"))
    assert result.returncode == 2
    assert "is damaged, so I left it exactly as it is" in result.stderr
    assert "Traceback" not in result.stderr
    assert store.read_bytes() == b"garbage" * 1000
    assert couplecare("data", "forget", "--yes", data_dir=tmp_path).returncode == 0
    assert not store.exists()


def test_a_broken_content_folder_is_explained(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "vocabulary.yaml").write_text("intents: [\n")
    result = couplecare("--content", str(content), "talk", "--text", data_dir=tmp_path)
    assert result.returncode == 2
    assert f"{content}/vocabulary.yaml:2: this is not valid YAML" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("folder", ["tests/conversations"])
def test_rehearse_plays_conversation_files(tmp_path, folder):
    result = couplecare("rehearse", folder, data_dir=tmp_path)
    assert result.returncode == 0, result.stdout
    assert " 0 failed" in result.stdout
    broken = tmp_path / "wrong.yaml"
    broken.write_text("title: wrong\nscript:\n  - launch: {}\n    at: welcome/menu\n")
    failed = couplecare("rehearse", str(broken), data_dir=tmp_path)
    assert failed.returncode == 1
    assert "line 1 (launch): at welcome/good_time, expected welcome/menu" in failed.stdout


def test_agreements_made_earlier_are_followed_up_then_listed(tmp_path):
    from datetime import date, timedelta

    from dialogs.engine import AddAgreement, AgreementKind, CompleteExercise, SaveNames
    from dialogs.session import LOCAL_USER
    from progress.sqlite import FILE_NAME, SqliteStore

    empty = couplecare("agreements", data_dir=tmp_path)
    assert empty.returncode == 0 and "Nothing is stored yet" in empty.stdout
    earlier = date.today() - timedelta(days=3)
    store = SqliteStore(tmp_path / FILE_NAME)
    store.apply(LOCAL_USER, [SaveNames(("Priya", "Jo")), CompleteExercise("promises"),
                             AddAgreement(AgreementKind.PROMISE, "Priya",
                                          "ill cook dinner on friday", "promises"),
                             AddAgreement(AgreementKind.PROMISE, "Jo",
                                          "I'd like to put my phone away at dinner",
                                          "promises")], earlier)
    store.close()
    talk = couplecare("talk", "--text", data_dir=tmp_path,
                      stdin=lines("yes", "yes", "kept", "keep it", "not this time",
                                  "work was busy", "let it go", "stop"))
    assert talk.returncode == 0, talk.stderr
    out = flat(talk.stdout)
    assert "Priya, last time you said: I'll cook dinner on Friday. How did that go?" in out
    assert "Jo, you might thank Priya for following through." in out
    assert "Jo, last time you said: I'd like to put my phone away at dinner." in out
    assert "promised to" not in out and ".." not in out and " ." not in out

    shown = couplecare("agreements", data_dir=tmp_path)
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    assert text.startswith("Priya and Jo\n")
    assert "This week: small promises" in text
    assert "one promise kept" in text
    assert "\u201cI'll cook dinner on Friday.\u201d\n    Keeping it going" in text
    assert "Earlier (changed or let go)" in text
    assert "\u201cI'd like to put my phone away at dinner.\u201d\n    Let go" in text

    assert couplecare("data", "forget", "--yes", data_dir=tmp_path).returncode == 0
    assert "Nothing is stored yet" in couplecare("agreements", data_dir=tmp_path).stdout


HOLD_A_LOCK = """
import sqlite3, sys
holder = sqlite3.connect(sys.argv[1], isolation_level=None)
holder.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
holder.execute("ROLLBACK")
"""


def test_forget_keeps_a_file_another_process_is_using(tmp_path):
    couplecare("talk", "--text", data_dir=tmp_path,
               stdin=lines("yes", "yes", "Sam", "Alex", "stop"))
    store = tmp_path / "progress.sqlite3"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_A_LOCK, str(store)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        refused = couplecare("data", "forget", "--yes", data_dir=tmp_path)
    finally:
        holder.communicate("\n", timeout=30)
    assert refused.returncode == 2
    assert "in use by another Couple Care session" in flat(refused.stderr)
    assert "Close that session" in flat(refused.stderr)
    assert "Traceback" not in refused.stderr
    assert store.exists()
    kept = json.loads(couplecare("data", "export", data_dir=tmp_path).stdout)
    assert kept["couples"][0]["names"] == ["Sam", "Alex"]
