"""The conversation files through the voice loop. Only recognition is scripted (see
`rehearsal.voice_driver`); speech is synthesised for real."""

from datetime import date
from pathlib import Path

import pytest

from dialogs.book import load_book
from dialogs.model import Platform
from local_voice.speech import Synthesizer
from rehearsal.runner import cases, play
from rehearsal.script import script_files
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
