"""Broken definition files fail with file:line and a sentence an author understands."""

import shutil
from pathlib import Path

import pytest

from dialogs.book import CONTENT_DIR, load_book
from dialogs.lint import lint
from dialogs.source import DefinitionError

GOOD_EXERCISE = CONTENT_DIR / "exercises" / "honest-check-in.yaml"


@pytest.fixture
def content(tmp_path) -> Path:
    """A writable copy of the shipped content."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def problems_for(content: Path, file: str, old: str, new: str) -> list[str]:
    path = content / file
    text = path.read_text()
    assert old in text, f"the test's anchor {old!r} is not in {file}"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(DefinitionError) as caught:
        load_book(content)
    return [str(p) for p in caught.value.problems]


def line_of(content: Path, file: str, needle: str) -> int:
    for number, line in enumerate((content / file).read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_shipped_content_loads_and_lints_clean():
    book = load_book()
    assert len(book.exercises) >= 7
    assert [str(p) for p in lint(book)] == []


def test_every_guide_section_has_an_exercise():
    from dialogs.model import Topic

    assert {e.topic for e in load_book().exercises.values()} == set(Topic)


def test_malformed_yaml_points_at_the_line(content):
    found = problems_for(content, "exercises/honest-check-in.yaml", "minutes: 15",
                         "minutes: [15")
    assert len(found) == 1
    assert "honest-check-in.yaml:" in found[0]
    assert "not valid YAML" in found[0]


def test_wrong_type_names_the_setting_and_line(content):
    found = problems_for(content, "exercises/honest-check-in.yaml", "minutes: 15",
                         "minutes: fifteen")
    line = line_of(content, "exercises/honest-check-in.yaml", "minutes: fifteen")
    assert found == [f"{content}/exercises/honest-check-in.yaml:{line}: `minutes`: "
                     "input should be a valid integer, unable to parse string as an integer"]


def test_unknown_setting_is_a_spelling_hint(content):
    found = problems_for(content, "exercises/honest-check-in.yaml", "    reprompt: \"Are you",
                         "    repromt: \"Are you")
    line = line_of(content, "exercises/honest-check-in.yaml", "repromt")
    assert found == [f"{content}/exercises/honest-check-in.yaml:{line}: `repromt` is not a "
                     "setting this part understands; check its spelling and indentation"]


def test_unknown_intent(content):
    found = problems_for(content, "exercises/honest-check-in.yaml", "      YesIntent: more",
                         "      YeahIntent: more")
    line = line_of(content, "exercises/honest-check-in.yaml", "YeahIntent")
    assert found == [f"{content}/exercises/honest-check-in.yaml:{line}: `YeahIntent` is not an "
                     "intent in the vocabulary; add it to vocabulary.yaml or use one of its "
                     "intents"]


def test_unknown_step(content):
    found = problems_for(content, "exercises/honest-check-in.yaml", "      NoIntent: clarify",
                         "      NoIntent: clarfy")
    line = line_of(content, "exercises/honest-check-in.yaml", "clarfy")
    assert found == [f"{content}/exercises/honest-check-in.yaml:{line}: there is no step called "
                     "`clarfy` to go to; check the name against the steps of this file"]


def test_missing_variable(content):
    found = problems_for(content, "exercises/honest-check-in.yaml", "{speaker}, did {listener}",
                         "{speaker}, did {lisener}")
    assert len(found) == 1
    assert "`{lisener}` is not a variable I know" in found[0]
    line = line_of(content, "exercises/honest-check-in.yaml", "{lisener}")
    assert f"honest-check-in.yaml:{line}:" in found[0]


def test_duplicate_exercise_id(content):
    shutil.copy(GOOD_EXERCISE, content / "exercises" / "zz-copy.yaml")
    with pytest.raises(DefinitionError) as caught:
        load_book(content)
    [problem] = caught.value.problems
    assert problem.file.endswith("zz-copy.yaml")
    assert "already used by" in problem.message


def test_duplicate_step_name(content):
    found = problems_for(content, "exercises/honest-check-in.yaml", "  swap_note:",
                         "  thanks:")
    assert len(found) == 1
    assert "`thanks` appears twice" in found[0]


def test_missing_required_setting(content):
    found = problems_for(content, "exercises/honest-check-in.yaml", "title: Honest check-in\n",
                         "")
    line = line_of(content, "exercises/honest-check-in.yaml", "id: honest-check-in")
    assert found == [f"{content}/exercises/honest-check-in.yaml:{line}: `title` is missing; "
                     "add it here"]


def test_missing_global_intent_in_vocabulary(content):
    found = problems_for(content, "vocabulary.yaml", "  RepeatIntent:", "  RepeatThatIntent:")
    assert any("needs the intent `RepeatIntent`" in p for p in found)


def test_several_problems_are_all_reported(content):
    path = content / "exercises" / "honest-check-in.yaml"
    text = path.read_text().replace("NoIntent: clarify", "NoIntent: nowhere").replace(
        "{speaker}, did {listener}", "{speaker}, did {nobody}")
    path.write_text(text)
    with pytest.raises(DefinitionError) as caught:
        load_book(content)
    messages = [p.message for p in caught.value.problems]
    assert sum("no step called `nowhere`" in m for m in messages) == 1
    assert sum("`{nobody}` is not a variable" in m for m in messages) == 2
    assert len(messages) == 3


def test_yes_and_on_are_words_not_booleans(tmp_path):
    from dialogs.source import read_yaml

    path = tmp_path / "x.yaml"
    path.write_text("on:\n  samples: [yes, no, on, off]\nflag: true\n")
    data, source = read_yaml(path)
    assert data == {"on": {"samples": ["yes", "no", "on", "off"]}, "flag": True}
    assert source.line(("on", "samples")) == 2


def test_every_setting_authors_write_has_its_description():
    """Each field is followed by its docstring in the source (read here, not on import:
    extracting them made every start-up slower)."""
    import ast
    import inspect

    from dialogs import model

    documented: dict[str, set[str]] = {}
    for node in ast.parse(inspect.getsource(model)).body:
        if isinstance(node, ast.ClassDef):
            documented[node.name] = {
                field.target.id for field, after in zip(node.body, node.body[1:], strict=False)
                if isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name)
                and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)}
    authored = [cls for cls in vars(model).values() if isinstance(cls, type)
                and issubclass(cls, model.Model) and cls is not model.Model]
    assert model.Step in authored
    for cls in authored:
        for name in cls.model_fields:
            assert any(name in documented.get(c.__name__, ()) for c in cls.__mro__), (
                f"{cls.__name__}.{name} has no docstring")
