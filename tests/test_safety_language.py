"""The safety check's parts one at a time, with concepts files written for each test: the
phrase language as its help describes it, each mistake an author can make named with its
file and line, how said words are read, and which danger is reported when several are."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogs.safety import load_detector
from dialogs.safety.phrases import PhraseError, parse
from dialogs.safety.words import tokens, words
from dialogs.source import DefinitionError


def concepts(tmp_path: Path, text: str, name: str = "common.yaml", **others: str) -> Path:
    folder = tmp_path / "concepts"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    for other, other_text in others.items():
        (folder / f"{other}.yaml").write_text(other_text, encoding="utf-8")
    return folder


def problems(folder: Path) -> list[str]:
    """Each problem as reported, with file names relative to `folder` (itself `folder`)."""
    with pytest.raises(DefinitionError) as raised:
        load_detector(folder)
    return [str(problem).replace(f"{folder}/", "").replace(str(folder), "folder")
            for problem in raised.value.problems]


@pytest.mark.parametrize(("text", "expected"), [
    ("- hit me\n", ["common.yaml:1: this file should hold sections such as `danger:` and "
                    "`harmless:`"]),
    ("danger:\n  violence: [hit me]\nsayings: [x]\n",
     ["common.yaml:3: `sayings` is not a section a concepts file has; use words, danger, "
      "harmless, negation, not_negation, past, resolved, recurring, beyond_harmless"]),
    ("words:\n  who: [he]\n  who: [she]\ndanger:\n  violence: [hit me]\n", None),
    ("danger: [hit me]\n", ["common.yaml:1: `danger:` should hold named lists of phrases"]),
    ("danger:\n  Violence: [hit me]\n",
     ["common.yaml:2: `Violence` should be a lower-case name with underscores, like "
      "self_harm"]),
    ("danger:\n  violence: hit me\n",
     ["common.yaml:2: this should be a list of phrases, one per line starting with `- `"]),
    ("danger:\n  violence:\n    - hit me\n    - 3\n",
     ["common.yaml:4: each phrase should be written as text"]),
    ("harmless: [it hit me]\n",
     ["folder:1: no file has a `danger:` section with phrases"]),
    ("danger:\n  violence: [\"(hit\"]\n",
     ["common.yaml:2: `(hit`: a bracket is opened but not closed with `)`"]),
    ("words: [he]\ndanger:\n  violence: [hit me]\n",
     ["common.yaml:1: `words:` should hold named lists of phrases"]),
    ("words:\n  who: [\"(he\"]\ndanger:\n  violence: [hit me]\n",
     ["common.yaml:2: `(he`: a bracket is opened but not closed with `)`"]),
    ("danger:\n  violence: [hit me]\nnegation:\n  - never\n  - \"(not\"\n",
     ["common.yaml:5: `(not`: a bracket is opened but not closed with `)`"]),
])
def test_each_mistake_in_a_concepts_file_is_named_with_its_line(tmp_path, text, expected):
    found = problems(concepts(tmp_path, text))
    if expected is None:  # YAML itself refuses a key given twice
        assert len(found) == 1 and found[0].startswith("common.yaml:")
    else:
        assert found == expected


def test_a_list_defined_in_two_files_is_named(tmp_path):
    folder = concepts(tmp_path, "words:\n  who: [he]\n",
                      violence="words:\n  who: [she]\ndanger:\n  violence: [\"@who hit me\"]\n")
    assert problems(folder) == ["violence.yaml:2: the list `who` is already defined; use "
                                "another name"]


def test_a_folder_without_concepts_files_is_named(tmp_path):
    assert problems(tmp_path) == ["folder:1: there are no concepts files (*.yaml) in this "
                                  "folder"]


def test_every_problem_is_reported_at_once_and_later_files_are_still_read(tmp_path):
    folder = concepts(tmp_path, "danger: [hit me]\n", broken="danger: [unclosed\n",
                      fear="danger:\n  Fear: [scared]\n", self_harm="- not a mapping\n",
                      zeal='harmless: ["(it"]\n')
    assert [problem.split(":")[0] for problem in problems(folder)] == [
        "common.yaml", "broken.yaml", "fear.yaml", "self_harm.yaml", "zeal.yaml"]


def test_the_common_file_is_read_first_whatever_the_others_are_called(tmp_path):
    folder = concepts(tmp_path, "words:\n  who: [he, she]\n",
                      a_violence='danger:\n  violence: ["@who hit me"]\n')
    assert load_detector(folder).check("she hit me").category == "violence"


@pytest.mark.parametrize(("phrase", "error"), [
    ("hit me)", "`)` has no opening bracket before it"),
    ("hit | me", "`|` has no opening bracket before it"),
    ("... hit me", "`...` cannot start a phrase or a group"),
    ("(~ hit) me", "`~` cannot start a phrase or a group"),
    ("hit? me", "`?` can only follow a bracket, as in `(really|so)?`"),
    ("? hit", "`?` can only follow a bracket, as in `(really|so)?`"),
    ("@partner hit me", "`@partner` is not a list under `words:`"),
    ("(hit|slap me", "a bracket is opened but not closed with `)`"),
    ("[hit me", "a bracket is opened but not closed with `]`"),
    ("(hit] me", "a bracket is opened but not closed with `)`"),
    ("(hit||slap) me", "a bracket holds an empty choice"),
    ("", "the phrase is empty"),
    ("'' \"\"", "the phrase is empty"),
    ("hit me ...", "`...` or `~` cannot end a phrase"),
    ("hit me ~", "`...` or `~` cannot end a phrase"),
])
def test_a_phrase_that_cannot_be_read_says_why(phrase, error):
    with pytest.raises(PhraseError) as raised:
        parse(phrase, {})
    assert str(raised.value) == error


def test_words_are_read_as_people_say_and_recognisers_write_them():
    assert tokens("Um, I can't — he's got a KNIFE!") == [
        "i", "can", "not", "|", "he", "has", "got", "a", "knife", "|"]
    assert tokens("ill be gone, I'd been cuttin myself") == [
        "i", "will", "be", "gone", "|", "i", "had", "been", "cutting", "myself"]
    assert tokens("I feel ill and my self is tired") == [
        "i", "feel", "ill", "|", "and", "myself", "is", "tired"]
    said = words("I was a bit upset but he bit me")
    assert [w.text for w in said if w.starts_clause] == ["i", "but"]
    assert "bite" not in said[3].forms and "bite" in said[-2].forms


def detector_for(tmp_path: Path, text: str, **others: str):
    return load_detector(concepts(tmp_path, text, **others))


def test_the_earliest_danger_is_reported_then_the_first_in_the_files(tmp_path):
    detector = detector_for(tmp_path, """
danger:
  violence: ["hit me"]
  threats: ["(hit|kill) me [hard]", "kill me"]
  suicide: ["want to die"]
""")
    concern = detector.check("I want to die since he will kill me")
    assert (concern.category, concern.rule, concern.words) == ("suicide", "want to die",
                                                               "want to die")
    assert detector.check("he will kill me and I want to die").rule == "(hit|kill) me [hard]"
    concern = detector.check("Um, he HIT me hard!")
    assert (concern.category, concern.rule, concern.words) == ("violence", "hit me", "hit me")
    assert detector.check("") is None and detector.check("um, uh") is None


def test_a_harmless_saying_in_a_file_of_danger_excuses_only_that_danger(tmp_path):
    detector = detector_for(tmp_path, 'danger:\n  violence: ["hit me"]\n',
                            threats='danger:\n  threats: ["hit me"]\nharmless: ["it hit me"]\n')
    assert detector.check("it hit me").category == "violence"
    assert detector.categories == ("violence", "threats")


def test_harmless_sayings_excuse_the_words_they_name_and_no_others(tmp_path):
    """Each saying said excuses its own words; a saying with a gap names its words the
    first way it is said, so danger further on is still heard."""
    detector = detector_for(tmp_path, 'words:\n  thing: [ball, door]\n'
                            '  hard_thing: ["the @thing"]\n'
                            'danger:\n  violence: ["hit me"]\n',
                            harmless='harmless: ["it ... hit me", "@hard_thing hit me"]\n')
    assert detector.check("it hit me") is None
    assert detector.check("it hit me and the door hit me") is None
    assert detector.check("the ball hit me and it really hit me") is None
    assert detector.check("it hit me and he hit me").words == "hit me"
    assert detector.check("it hit me and then it hit me again") is None


def test_a_negation_reaches_five_words_back_within_its_clause(tmp_path):
    detector = detector_for(tmp_path, """
danger:
  violence: ["hit me", "he ... hurt me"]
negation: [never, "not at all"]
""")
    assert detector.check("he did not at all hit me") is None
    assert detector.check("he never really ever once actually hit me") is None
    assert detector.check("never he really ever once actually hit me") is not None
    assert detector.check("I never said it, but he hit me") is not None
    assert detector.check("he never hurt me") is None


def test_a_negation_the_danger_phrase_names_is_part_of_the_danger(tmp_path):
    detector = detector_for(tmp_path, """
danger:
  fear: ["(not|never) safe at home"]
negation: [not, never]
""")
    assert detector.check("I am not safe at home").words == "not safe at home"


def test_a_negation_is_shared_by_deeds_listed_with_or(tmp_path):
    detector = detector_for(tmp_path, """
danger:
  violence: ["(choke|kick) me", "he will kill me"]
  stalking: ["read my messages"]
  suicide: ["thinking about killing myself", overdose]
negation: [never, not, nobody, nor]
""")
    assert detector.check("he has never hit me or choked me") is None
    assert detector.check("he never hit me or kicked me or choked me") is None
    assert detector.check("he has never once checked my phone or read my messages") is None
    assert detector.check("he has never hit me nor choked me") is None
    assert detector.check("I would never cut or overdose") is None
    assert detector.check("I might cut or overdose").category == "suicide"
    assert detector.check("I can not leave or he will kill me").words == "he will kill me"
    assert detector.check("I can not eat or stop thinking about killing myself") is not None
    assert detector.check("nobody helps me or reads my messages") is not None
    assert detector.check("he has never been to my flat or my office or read my messages")


def test_a_harmless_saying_right_after_a_negation_excuses_nothing(tmp_path):
    detector = detector_for(tmp_path, """
danger:
  threats: ["(he|she) said ~ kill me", "not let me leave"]
harmless: ["(joking|kidding|a joke) ~ kill", "let me leave the washing up"]
negation: [not, never]
not_negation: ["not (even|just)"]
""")
    assert detector.check("he was joking, he said he would kill me") is None
    assert detector.check("he was not joking, he said he would kill me") is not None
    assert detector.check("it was not a joke, he said he would kill me") is not None
    assert detector.check("he was not even kidding, he said he would kill me") is not None
    assert detector.check("not that he was joking, he said he would kill me") is None
    assert detector.check("he will not let me leave the washing up") is None


def test_a_rule_any_word_can_start_does_not_hide_the_rules_after_it(tmp_path):
    detector = detector_for(tmp_path, """
danger:
  suicide: ["suicid*"]
  violence: ["hit me"]
""")
    assert detector.check("he hit me").category == "violence"
    assert detector.check("feeling suicidal").category == "suicide"


def test_words_that_may_be_left_out_may_start_a_phrase_or_come_anywhere_in_it(tmp_path):
    detector = detector_for(tmp_path, """
danger:
  violence: ["[really] hit me", "(badly)? hurt me", "([so]|very) kick me",
             "he did (really|so)? slap me", "[so very] shove me"]
""")
    assert detector.check("he really hit me").words == "really hit me"
    assert detector.check("really, he hit me").words == "hit me"
    for said in ("he hit me", "he really hit me", "he hurt me", "he badly hurt me",
                 "he kick me", "he so kicked me", "he very kicked me", "he did slap me",
                 "he did so slap me", "he shoved me", "he so very shoved me"):
        assert detector.check(said) is not None, said
    assert detector.check("he did it slap me") is None


def test_a_list_phrase_that_runs_into_the_words_after_it_is_read_to_the_end(tmp_path):
    """A way through the list may use up the sentence ("hurt myself") while another way
    ("hurt", then "myself") matches: the one that runs out of words simply fails."""
    detector = detector_for(tmp_path, 'words:\n  harm: [hurt, hurt myself, cut]\n'
                            'danger:\n  self_harm: ["want to @harm myself"]\n')
    assert detector.check("I want to hurt myself").words == "want to hurt myself"
    assert detector.check("I want to cut myself") is not None
    assert detector.check("I want to hurt") is None


def test_punctuation_in_a_phrase_is_read_past_and_a_phrase_never_matches_no_words(tmp_path):
    detector = detector_for(tmp_path, """
danger:
  violence: ["he , hit me", "[really] [truly]"]
""")
    assert detector.check("he hit me").words == "he hit me"
    assert detector.check("he is kind") is None
    assert detector.check("really") is not None
    assert detector.check("we talked about the weekend") is None


@pytest.mark.parametrize(("said", "read"), [
    ("he's got a knife", "he has got a knife"),
    ("she's been hitting me", "she has been hitting me"),
    ("it's gotten worse", "it has got worse"),
    ("that's been going on", "that has been going on"),
    ("who's got the kids", "who has got the kids"),
    ("the dog's been fed", "the dog has been fed"),
    ("we've been fighting", "we have been fighting"),
    ("my husband's temper", "my husband temper"),
    ("my parents' house", "my parents house"),
    ("I'm scared", "i am scared"),
    ("help!!", "help |"),
    ("no... way", "no | way"),
    ("scared – he hits – me", "scared | he hits | me"),
    ("theres no point", "there is no point"),
    ("theres been shouting", "there has been shouting"),
    ("whos got the kids", "who has got the kids"),
    ("wheres he gone", "where is he gone"),
    ("i darent go home", "i dare not go home"),
    ("i wouldve left", "i would have left"),
    ("hes had enough", "he has had enough"),
    ("she's had a drink", "she has had a drink"),
    ("dad's had a drink", "dad has had a drink"),
    ("its not worth it", "it is not worth it"),
    ("its been weeks", "it has been weeks"),
    ("its like a prison", "it is like a prison"),
    ("its my fault", "it is my fault"),
    ("the dog hurt its paw", "the dog hurt its paw"),
    ("its very own bed", "its very own bed"),
    ("id rather be dead", "i would rather be dead"),
    ("shed rather die", "she would rather die"),
    ("show your id rather than your passport", "show your id rather than your passport"),
    ("shell kill me", "she will kill me"),
    ("the shell cracked", "the shell cracked"),
    ("well be fine", "well be fine"),
    ("i keep cuttin", "i keep cutting"),
    ("its not my wife's fault", "it is not my wife fault"),
    ("ill go if its over", "i will go | if it is over"),
    ("put it in the shed rather than", "put it in the shed rather than"),
])
def test_contractions_possessives_and_punctuation_are_read_as_the_rules_spell_them(said, read):
    assert " ".join(tokens(said)) == read
