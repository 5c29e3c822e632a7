"""The conversation files through the voice loop. Only recognition is scripted (see
`rehearsal.voice_driver`); speech is synthesised for real."""

from datetime import date
from pathlib import Path

import pytest

from dialogs.book import load_book
from dialogs.model import Platform
from dialogs.source import DefinitionError
from local_voice.speech import Synthesizer
from rehearsal.runner import cases, play
from rehearsal.script import load_script, script_files
from rehearsal.voice_driver import voice_starter

BOOK = load_book()
CASES = list(cases(script_files([Path(__file__).parent / "conversations"]),
                   [Platform.VOICE, Platform.WALK]))


@pytest.fixture(scope="module")
def synthesizer():
    return Synthesizer(rate=400)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_conversation_through_the_voice_loop(case, synthesizer, tmp_path):
    outcome = play(case, voice_starter(BOOK, synthesizer, date(2026, 11, 29))(case, tmp_path))
    assert outcome.passed, outcome.report()


def test_a_file_about_what_a_recogniser_was_unsure_of_is_played_by_voice_only(tmp_path):
    lines = "script:\n  - launch: {}\n  - user: Sam\n    unsure: true\n"
    everywhere = tmp_path / "everywhere.yaml"
    everywhere.write_text(f"title: unsure\nplatforms: [text, voice]\n{lines}")
    with pytest.raises(DefinitionError, match="for voice and walk only"):
        load_script(everywhere)
    by_voice = tmp_path / "by-voice.yaml"
    by_voice.write_text(f"title: unsure\nplatforms: [voice, walk]\n{lines}")
    assert [c.platform for c in cases([by_voice], list(Platform))] == [Platform.VOICE,
                                                                       Platform.WALK]
    assert list(cases([by_voice], list(Platform), recognises=False)) == []
