"""The vocabulary's sample templates: written out once, refused with a location when broken."""

import shutil

import pytest

from dialogs.book import CONTENT_DIR, load_book
from dialogs.source import DefinitionError
from dialogs.templates import TemplateError, expand


def test_a_template_makes_every_sentence_once():
    assert expand("(yes|yeah) [please]") == ("yes please", "yes", "yeah please", "yeah")
    assert expand("i'm {name}") == ("i'm {name}",)
    assert expand("  start   over ") == ("start over",)
    assert expand("[the] {choice} [please]") == ("the {choice} please", "the {choice}",
                                                 "{choice} please", "{choice}")


def test_a_broken_template_says_so():
    with pytest.raises(TemplateError, match="cannot read"):
        expand("(yes|yeah")


def test_the_book_holds_the_sentences_the_templates_make():
    vocabulary = load_book().vocabulary
    yes = vocabulary.intents["YesIntent"].samples
    assert "yeah i guess" in yes and "ok fine" in yes
    assert not any("(" in s or "[" in s for i in vocabulary.intents.values()
                   for s in (*i.samples, *i.answers))
    assert "{name}" in vocabulary.intents["NameIntent"].answers
    assert "{name}" not in vocabulary.intents["NameIntent"].samples


def test_a_broken_template_in_the_vocabulary_is_a_problem_at_its_line(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    vocabulary = content / "vocabulary.yaml"
    text = vocabulary.read_text().replace('"(we\'re|i\'m|we are|i am) ready"',
                                          '"(we\'re|i\'m ready"')
    vocabulary.write_text(text)
    with pytest.raises(DefinitionError) as error:
        load_book(content)
    problem = str(error.value.problems[0])
    assert "cannot read the template" in problem and "vocabulary.yaml" in problem


def test_a_cue_for_a_value_a_slot_type_does_not_have_is_a_problem_at_its_line(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    vocabulary = content / "vocabulary.yaml"
    vocabulary.write_text(vocabulary.read_text().replace("      not_kept:\n        - \"(forgot",
                                                         "      forgotten:\n        - \"(forgot"))
    with pytest.raises(DefinitionError) as error:
        load_book(content)
    problem = str(error.value.problems[0])
    assert "`forgotten` is not one of `Outcome`'s values" in problem
    assert "vocabulary.yaml" in problem
