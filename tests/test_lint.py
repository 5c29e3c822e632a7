"""`couplecare lint`: structure, breath and rendering checks, and its exit codes."""

import shutil
import textwrap

import pytest

from couplecare.cli import main
from dialogs.book import CONTENT_DIR, load_book
from dialogs.lint import grammar_words, lexicon, lint, turn_lengths, turn_report
from dialogs.model import Platform
from tests.tiny import HEADER, tiny_book


def lint_steps(tmp_path, steps: str) -> list[str]:
    return [str(p) for p in lint(tiny_book(tmp_path, steps))]


def test_a_good_small_exercise_is_clean(tmp_path):
    assert lint_steps(tmp_path, """
        one:
          say: "Ready?"
          on: {YesIntent: two, NoIntent: {do: [menu]}}
        two:
          say: "Done."
          end: true
    """) == []


def test_unreachable_step(tmp_path):
    found = lint_steps(tmp_path, """
        one:
          say: "Hello."
          end: true
        lonely:
          say: "Nobody comes here."
          end: true
    """)
    assert found == [f"{tmp_path}/tiny.yaml:12: no step leads to `lonely`, so nobody can reach "
                     "it; point a `goto` or `next` at it, or remove it"]


def test_dead_end_and_never_finishing(tmp_path):
    found = lint_steps(tmp_path, """
        one:
          say: "Share something."
          free: true
        two:
          say: "Ping."
          on: {YesIntent: three}
        three:
          say: "Pong."
          on: {YesIntent: two}
    """)
    assert any(":9: `one` listens, but has no `next:`" in p for p in found)
    assert any("from `two` the conversation can never reach an end" not in p for p in found)
    assert any("no step has `end: true`" in p for p in found)


def test_steps_that_never_wait_in_a_circle(tmp_path):
    found = lint_steps(tmp_path, """
        one:
          say: "A."
          next: two
        two:
          say: "B."
          next: one
        three:
          say: "End."
          end: true
    """)
    assert any("go round in a circle" in p for p in found)


def test_conditional_next_without_fallback(tmp_path):
    found = lint_steps(tmp_path, """
        one:
          next:
            - if: {swapped: true}
              goto: two
        two:
          say: "End."
          end: true
    """)
    assert any("add a last one without `if`" in p for p in found)


def test_prompt_longer_than_a_breath(tmp_path):
    long = " ".join(["word"] * 31)
    found = lint_steps(tmp_path, f"""
        one:
          say: "{long}"
          end: true
    """)
    assert found == [f"{tmp_path}/tiny.yaml:10: 31 words without a pause is more than one breath "
                     "(about 30); add a [pause] between sentences"]


def test_broken_markup(tmp_path):
    found = lint_steps(tmp_path, """
        one:
          say: "[slow]Breathe in."
          end: true
    """)
    assert found == [f"{tmp_path}/tiny.yaml:10: [slow] is never closed; add [/slow] where slow "
                     "speech should end"]


def test_cli_lint_exit_codes(tmp_path, capsys):
    assert main(["lint"]) == 0
    broken = tmp_path / "broken.yaml"
    broken.write_text(HEADER + "  one:\n    say: \"Hi.\"\n    next: nowhere\n")
    assert main(["lint", str(broken)]) == 1
    out = capsys.readouterr().out
    assert f"{broken}:10: there is no step called `nowhere`" in out


def test_cli_lint_a_content_folder(tmp_path, capsys):
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    assert main(["lint", str(target)]) == 0
    (target / "messages.yaml").write_text("help: [\n")
    assert main(["lint", str(target)]) == 1
    assert f"{target}/messages.yaml:2: this is not valid YAML" in capsys.readouterr().out


@pytest.mark.parametrize("path", sorted((CONTENT_DIR / "exercises").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_each_shipped_exercise_lints_clean_on_its_own(path, capsys):
    assert main(["lint", str(path)]) == 0, capsys.readouterr().out


def test_draw_shows_every_step_and_transition(capsys):
    book = load_book()
    assert main(["draw", "honest-check-in"]) == 0
    chart = capsys.readouterr().out
    assert chart.splitlines()[3] == "flowchart TD"
    for step_id in book.exercises["honest-check-in"].steps:
        assert f"s_{step_id}" in chart
    assert "s_check -->|NoIntent| s_clarify" in chart
    assert "s_thanks -->|next if swapped=True| s_close" in chart
    assert "s_intro -->|NoIntent| x_menu" in chart
    assert main(["draw", "welcome"]) == 0
    assert "s_safe_check -->|NoIntent| x_safety" in capsys.readouterr().out
    assert main(["draw", "nope"]) == 2


# ---------------------------------------------------------------- the English lexicon


def content_with(tmp_path, replace: str, by: str):
    """The shipped content with one line of its vocabulary changed."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    vocabulary = content / "vocabulary.yaml"
    text = vocabulary.read_text(encoding="utf-8")
    assert replace in text
    vocabulary.write_text(text.replace(replace, by), encoding="utf-8")
    return content


YES = '"(yes|yeah|yep|yup|yea|ya|sure|okay|ok|alright|all right|definitely|absolutely|certainly)"'


def test_the_shipped_grammars_hold_only_words_an_english_model_knows():
    book = load_book()
    assert lexicon(book) == []
    words = {word for _, word in grammar_words(book)}
    assert {"yes", "pause", "repeat", "empathise", "counselling"} <= words  # all were checked


def test_a_word_no_english_model_knows_is_named_with_its_line(tmp_path, capsys):
    content = content_with(tmp_path, YES, YES.replace("yes|", "yes|yeppers|") +
                           '\n      - "(yes|ok) at 9"')
    assert main(["lint", str(content)]) == 1
    out = capsys.readouterr().out
    text = (content / "vocabulary.yaml").read_text(encoding="utf-8").splitlines()
    line = text.index("  YesIntent:") + 1
    assert f"{content}/vocabulary.yaml:{line}: `YesIntent` listens for `yeppers`, `9`" in out
    assert "unlikely to know" in out and "write numbers as words" in out


def test_typed_only_words_and_british_spellings_beside_american_ones_pass(tmp_path):
    content = content_with(tmp_path, YES, YES.replace("yes|", "yes|yeppers|realise|realize|"
                                                              "empathised|"))
    found = [str(p) for p in lexicon(load_book(content))]
    assert len(found) == 1 and "`yeppers`, `empathised`" in found[0]  # no American spelling
    (content / "vocabulary.yaml").write_text(
        (content / "vocabulary.yaml").read_text(encoding="utf-8").replace(
            "typed_only: [idk, sorta, checkin]",
            "typed_only: [idk, sorta, checkin, yeppers, empathised]"),
        encoding="utf-8")
    assert lexicon(load_book(content)) == []


def test_content_in_another_language_is_left_to_its_own_model():
    from tests.voice_support import KOREAN_CONTENT

    book = load_book(KOREAN_CONTENT)
    assert any(not word.isascii() for _, word in grammar_words(book))
    assert lexicon(book) == []


def tiny_turns(tmp_path, steps: str, header_extra: str = "") -> list[str]:
    """What plain `lint` says about the tiny exercise's turns."""
    path = tmp_path / "tiny.yaml"
    path.write_text(HEADER.replace("start: one", f"{header_extra}start: one") +
                    textwrap.indent(textwrap.dedent(steps), "  "))
    return [str(p) for p in lint(load_book(exercise_files=[path]))
            if "tiny.yaml" in str(p) and "turn heard here" in str(p)]


TWENTY = "one two three four five six seven eight nine ten " * 2


def test_the_shipped_turns_fit_in_a_breath_on_every_platform():
    book = load_book()
    assert turn_lengths(book) == []
    longest = {row.platform: row.words for row in reversed(turn_report(book))}
    assert max(longest.values()) <= 45 and longest[Platform.WALK] <= 25
    assert longest[Platform.WALK] > 15  # the walk's own turns were measured, not skipped


def test_sayings_joined_into_one_turn_are_measured_together(tmp_path):
    found = tiny_turns(tmp_path, f"""
        one:
          say: "Ready?"
          on: {{YesIntent: two, NoIntent: {{do: [menu]}}}}
        two:
          say: "{TWENTY}[pause 0.5]"
          next: three
        three:
          say: "{TWENTY}[pause 0.5] {TWENTY}"
          end: true
    """)
    assert found == [
        f"{tmp_path}/tiny.yaml:11: a turn heard here is 60 words on text, more than the 45 a "
        "person can hold in mind, and too long on voice and Alexa as well (it joins the words "
        "of `two`, `three`); cut what is said twice, move detail into `help`, or end a step "
        "with a question so that it waits and the rest is a turn of its own"]


def test_a_turn_of_45_words_passes_and_of_46_fails(tmp_path):
    steps = """
        one:
          say: "Ready?"
          on: {{YesIntent: two, NoIntent: {{do: [menu]}}}}
        two:
          say: "{words} [pause 0.5]"
          next: three
        three:
          say: "{TWENTY}[pause 0.5] {TWENTY}"
          end: true
    """
    assert tiny_turns(tmp_path, steps.format(words="five " * 5, TWENTY=TWENTY)) == []
    found = tiny_turns(tmp_path, steps.format(words="six " * 6, TWENTY=TWENTY))
    assert len(found) == 1 and "is 46 words on text" in found[0]


def test_a_long_timed_phase_counts_the_platform_closing_words(tmp_path):
    found = tiny_turns(tmp_path, f"""
        one:
          say: "Ready?"
          on: {{YesIntent: two, NoIntent: {{do: [menu]}}}}
        two:
          say: "{TWENTY}[pause 0.5] {TWENTY}"
          timed: {{seconds: 60}}
          next: three
        three:
          say: "Done."
          end: true
    """)
    # 40 words, then "When you've finished, ..." (six words in text, seven in voice, ten on Alexa)
    assert len(found) == 1 and "is 50 words on Alexa" in found[0]
    assert "too long on text and voice as well" in found[0]


def test_a_short_turn_is_clean_and_a_pause_is_needed_across_joined_sayings(tmp_path):
    clean = tiny_turns(tmp_path, f"""
        one:
          say: "{TWENTY}[pause 0.5] Ready?"
          on: {{YesIntent: two, NoIntent: {{do: [menu]}}}}
        two:
          say: "Done."
          end: true
    """)
    assert clean == []
    breathless = tiny_turns(tmp_path, f"""
        one:
          say: "Ready?"
          on: {{YesIntent: two, NoIntent: {{do: [menu]}}}}
        two:
          say: "{TWENTY}"
          next: three
        three:
          say: "{TWENTY}"
          end: true
    """)
    assert breathless == [
        f"{tmp_path}/tiny.yaml:11: a turn heard here runs 40 words without a pause on text, "
        "voice and Alexa, more than 30 (it joins the words of `two`, `three`); end a saying "
        "with a [pause] so that joined sayings leave room to breathe"]
    paused = tiny_turns(tmp_path, f"""
        one:
          say: "Ready?"
          on: {{YesIntent: two, NoIntent: {{do: [menu]}}}}
        two:
          say: "{TWENTY}[pause 0.5]"
          next: three
        three:
          say: "{TWENTY}"
          end: true
    """)
    assert paused == []


def test_a_walk_turn_is_shorter_for_an_exercise_for_one_person(tmp_path):
    steps = f"""
        one:
          say: "{TWENTY}[pause 0.5] Are you ready to go on now?"
          on: {{YesIntent: two, NoIntent: {{do: [menu]}}}}
        two:
          say: "Done."
          end: true
    """
    assert tiny_turns(tmp_path, steps) == []  # for two people, there is no walk
    solo = tiny_turns(tmp_path, steps, header_extra="joint: false\n")
    assert solo == [
        f"{tmp_path}/tiny.yaml:10: a turn heard here is 27 words on a walk, more than the 25 a "
        "person can hold in mind; cut what is said twice, move detail into `help`, or end a "
        "step with a question so that it waits and the rest is a turn of its own"]
    shorter_walk = steps.replace("  on: {YesIntent", '  overrides: {walk: {say: "Ready?"}}\n'
                                 '          on: {YesIntent')
    assert shorter_walk != steps
    assert tiny_turns(tmp_path, shorter_walk, header_extra="joint: false\n") == []


def test_cli_lint_fails_on_an_authors_turn_that_is_too_long(tmp_path, capsys):
    path = tmp_path / "long-turn.yaml"
    path.write_text(HEADER + textwrap.indent(textwrap.dedent(f"""\
        one:
          say: "Ready?"
          on: {{YesIntent: two, NoIntent: {{do: [menu]}}}}
        two:
          say: "{TWENTY}[pause 0.5] {TWENTY}[pause 0.5] {TWENTY}"
          end: true
    """), "  "))
    assert main(["lint", str(path)]) == 1
    out = capsys.readouterr().out
    assert (f"{path}:10: a turn heard here is 60 words on text, more than the 45 a person can "
            "hold in mind") in out
    assert "end a step with a question so that it waits" in out
    assert main(["lint", "--turns", str(path)]) == 1
    report = capsys.readouterr().out
    assert f"   60   45    20  text     {path}:10 (two)  TOO LONG" in report
    assert f"    1   45     1  text     {path}:8 (one)" in report  # fits, so no mark


def test_a_skip_answered_with_thanks_is_reported_until_the_step_says_where_skip_goes(tmp_path):
    thanked = lint_steps(tmp_path, """
        one:
          say: "What made it harder?"
          free: true
          next: {say: "Thank you. [pause 0.3]", goto: two}
        two:
          say: "Done."
          end: true
    """)
    assert thanked == [
        f"{tmp_path}/tiny.yaml:12: skipping `one` is answered with thanks (\"Thank you. "
        "Done.\"), but nothing was said; give the step a `skip:` that goes on without "
        "thanking"]
    assert lint_steps(tmp_path, """
        one:
          say: "What made it harder?"
          free: true
          next: {say: "Thank you. [pause 0.3]", goto: two}
          skip: {say: "That's okay. [pause 0.3]", goto: two}
        two:
          say: "Done."
          end: true
    """) == []
