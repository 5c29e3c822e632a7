"""Lint warns when two phrases a step listens for sound alike."""

from couplecare.cli import main
from dialogs.confusable import close_pairs, distance, sound_spelling, warnings
from tests.voice_support import korean_book


def test_hangul_is_compared_by_its_letters_of_sound():
    assert sound_spelling("다시") == "다시"
    assert distance("다시", "다음") == 0.6  # the pair the Korean model confused in noise
    assert distance("네", "아니요") > 0.6


def test_only_phrases_of_different_meanings_are_paired():
    meanings = {"yes please": "YesIntent", "yeah please": "YesIntent",
                "help please": "HelpIntent", "stop": "StopIntent"}
    pairs = close_pairs(meanings)
    assert {(p.first, p.second) for p in pairs} == {("yeah please", "help please"),
                                                    ("yes please", "help please")}


def test_the_korean_test_steps_warn_about_their_close_phrases(tmp_path):
    found = [str(w) for w in warnings(korean_book(tmp_path))]
    assert any('"다시" and "다음"' in w for w in found)
    assert any('"이전" and "위험"' in w for w in found)  # a command near the safety word
    assert not any('"네" and' in w for w in found)


def test_the_command_prints_warnings_without_failing(tmp_path, capsys):
    korean_book(tmp_path)
    assert main(["lint", str(tmp_path / "content")]) == 0
    out = capsys.readouterr().out
    assert 'warning: ' in out and '"계속" and "취소" sound alike' in out
