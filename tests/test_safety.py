"""The safety check: concepts, not sentences; the labelled corpus; clear errors for authors;
and the engine hearing danger wherever it is said (words, names, Alexa slots as heard)."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from dialogs import engine
from dialogs.book import load_book
from dialogs.engine import Context, IntentEvent, Launch, Profile, Utterance
from dialogs.markup import to_plain
from dialogs.model import Platform
from dialogs.safety import SAFETY_DIR, check, load_detector
from dialogs.safety.detector import SafetyDetector, default_detector
from dialogs.safety.words import joined, marked, tokens
from dialogs.source import DefinitionError

BOOK = load_book()
KNOWN = Profile(names=("Sam", "Alex"), disclaimer_seen=True)
CORPUS = yaml.safe_load((SAFETY_DIR / "corpus.yaml").read_text(encoding="utf-8"))


def spread(kind: str, count: int) -> list[str]:
    """About `count` sentences of one kind, spread evenly over every category of the corpus:
    the same ones each run, and as many however large the corpus grows."""
    sentences = [s for category in CORPUS[kind].values() for s in category]
    return sentences[::max(1, len(sentences) // count)]


@pytest.mark.parametrize(("said", "kind"), [
    ("I don't want to wake up anymore", "suicide"),
    ("everyone would be better off without me", "suicide"),
    ("i dont want to be alive anymore", "suicide"),
    ("I've been cutting again", "self_harm"),
    ("she threatens to take the kids if I tell anyone", None),
    ("I'm scared to go home tonight", "fear"),
    ("um he put his hands around my neck", "violence"),
    ("my fiancé hit me", "violence"),
    ("I'm not sure if he would hurt me", None),
    ("life's not worth living anymore", "suicide"),
    # a future without me, and the dose already taken
    ("I'm not expecting to be around much longer", "suicide"),
    ("if I'm gone by Friday the passwords are in the drawer", "suicide"),
    ("took a handful of my pain killers and now everything feels heavy", "suicide"),
    # what happens if I speak, or breathe wrong
    ("I can't say how I feel, I know how that ends", "fear"),
    ("he punishes me later for being honest in these", "fear"),
    ("I just needed to feel something so I used the lighter", "self_harm"),
    ("I keep wondering whether it's worth going on at all", "suicide"),
    ("I bite myself until it bruises when I feel stupid", "self_harm"),
    ("he only lets me have my bank card on Fridays", "coercive_control"),
    ("I couldn't say no and he just kept going", "sexual_coercion"),
    ("he says no means try harder", "sexual_coercion"),
    # round 17: a cover story then the truth, the old habit back, safety that hangs on his mood
    ("I said the cat did it but honestly I did it to myself", "self_harm"),
    ("those burns on my wrist weren't an accident", "self_harm"),
    ("my bad habit's back, the razor again", "self_harm"),
    ("he wasn't drinking last night so we were safe for once", "fear"),
    ("we all tiptoe round the house so we don't set him off", "fear"),
    ("I honestly can't say I feel safe around her", "fear"),
    ("she burned the photos and told me I'm next", "threats"),
    ("he keeps telling me I'm going senile so nobody listens to me", "coercive_control"),
    ("my wife and kids would finally be free of me", "suicide"),
    # round 18: owned up to, said to the partner inside an exercise answer
    ("what I heard is when I lose my temper I shove you and you fall over", "violence"),
    ("it makes sense you're lonely since I stopped you visiting your friends", "coercive_control"),
    ("you feel watched because I track your location all day", "stalking"),
    ("I know you flinch because I didn't stop when you said no", "sexual_coercion"),
    ("I guess you feel frightened of me when I've been drinking", "fear"),
    # round 18: a helper's own danger, played down
    ("I counsel people like me all week and now I'm the one with a date picked", "suicide"),
    ("the only weekend I slept without being scared was when he was away", "fear"),
    ("he says the bruises are from the dog but they aren't", None),
    # round 19: a burden with a price, means kept back, a threat he meant, the doctors told
    # I am losing my mind, an ex waiting where I will be, inside my locked flat
    ("the kids would have a lot less to cope with without me, I'm just a bill with a heartbeat",
     "suicide"),
    ("when we had the old horse put down I kept some of the injection back for myself", None),
    ("I'm only still hanging on because of the cat", "suicide"),
    ("I keep thinking about who would find me", "suicide"),
    ("what is the most painless way, I need to know tonight", "suicide"),
    ("she says next time I show her up at work I'll be the one in hospital", "threats"),
    ("he tells the GP I'm losing my mind so they only talk to him", "coercive_control"),
    ("I haven't phoned my sister in months because he doesn't like her", "coercive_control"),
    ("some days I feel like a prisoner and he holds the car keys", "coercive_control"),
    ("the spare key's gone and he's been inside my locked flat", "stalking"),
    ("I go for the blade whenever I feel overwhelmed", "self_harm"),
    ("how am I meant to be open with someone I'm petrified of", "fear"),
    # round 20: a child who would rather be in heaven, freezing, photos shared as revenge,
    # a lunch I never told her about, a hint that brakes fail
    ("my little girl says she'd rather go to heaven than live with her stepdad", "suicide"),
    ("we argue about sex but really she won't take no for an answer in bed", "sexual_coercion"),
    ("I didn't want that, I just went numb and waited for it to end", "sexual_coercion"),
    ("he forwarded the photos to his mates after I turned him down", "sexual_coercion"),
    ("the doctor didn't believe it was a fall and neither do I", "children_pets"),
    ("their dad leaves bruises on the boys when he's been drinking", "children_pets"),
    ("she won't give the kids any dinner if they talk back", "children_pets"),
    ("she asked me about the lunch I had with my brother, I never told her about that", "stalking"),
    ("he keeps saying brakes can fail on those hills, with a little smile", "threats"),
    ("if the pain doesn't finish me off I'll see to it myself", "suicide"),
    # round 22: said sideways, minimised, or typed late at night
    ("I took the pills in march and honestly I wish it had worked", "suicide"),
    ("I'd more or less settled on the first of the month being my last day", "suicide"),
    ("most nights I don't want there to be a tomorrow", "suicide"),
    ("I can't see a lot of point in getting up anymore", "suicide"),
    ("yes we're safe together, it's me I'm worried about", "suicide"),
    ("she's been taking it out on her own skin, no wait, I mean I have", "self_harm"),
    ("the band aids in my bag, I don't want him to ask what they're for", "self_harm"),
    ("every time I push back with her I know I'm going to get slapped", "fear"),
    ("he's building up to something and I'm on edge all the time", "fear"),
    ("we're fine now, ask me again after he's been drinking", "fear"),
    ("she let me meet my sister for coffee, she normally doesn't", "coercive_control"),
    ("he has my birth certificate and won't tell me the code to the drawer", "coercive_control"),
    ("I hand over all of my entire wages on a friday", "coercive_control"),
    ("my ex has been leaving letters under my door since we split", "stalking"),
    ("he follows me when I walk to work, keeping his distance", "stalking"),
    ("I didn't say yes, I just didn't push him away", "sexual_coercion"),
    ("our girls hide in the wardrobe when he gets home", "children_pets"),
    ("I get between her and the kids every night so they're not next", "children_pets"),
    ("the cat's limping again and I know it was him", "children_pets"),
    ("she brought me chocolates to make up for the black eye", "violence"),
    ("what I need is to not be scared of her anymore", "fear"),
    ("he didn't hit me this week, which is new", "violence"),
    ("I started cutting again, the roses in the garden look lovely though", "self_harm"),
    ("im so scard of him tonite", "fear"),
    ("when I was slammed against the fridge she just watched", "violence"),
    # round 23: goodbyes and resignation said gently; relapse; a household gone quiet
    ("I just want you both to know I loved you, whatever comes next", "suicide"),
    ("kiss the kids goodbye properly, that's the last thing I have to do", "suicide"),
    ("I've made up my mind, I'm not getting through another christmas of this", "suicide"),
    ("they'll be freer once I'm no longer weighing everyone down", "suicide"),
    ("honestly I've made my peace with not waking up", "suicide"),
    ("it's never going to get better, so what's the point dragging it out", "suicide"),
    ("I might as well go out on a good note", "suicide"),
    ("if I'm still around next month, I've written the note already", "suicide"),
    ("I'd gone a whole year without cutting myself and then I slipped", "self_harm"),
    ("the old habit is back, the one with the razor", "self_harm"),
    ("all I could do was cover my head until he stopped", "violence"),
    ("she was waving the knife the whole time she was yelling", "weapons"),
    ("the house goes dead silent when he gets home", "fear"),
    ("the only time I feel safe is when she's at work", "fear"),
    ("he's in charge of the internet and shuts it off when he's in a mood", "coercive_control"),
    ("when I say no to sex she keeps pushing", "sexual_coercion"),
    ("he doesn't respect my no", "sexual_coercion"),
    ("he still turns up at my work even though the court said he can't", "stalking"),
    ("I've had enough, I want to end it", "suicide"),
    ("I've made a will and given the dog to my brother", "suicide"),
    ("some nights I'm hoping a truck would just plough into me", "suicide"),
    ("he told our son he'd end up like the cat did", "children_pets"),
])
def test_danger_said_in_ordinary_words_is_heard(said, kind):
    concern = check(said)
    assert concern is not None, said
    if kind:
        assert concern.category == kind


@pytest.mark.parametrize("said", [
    "I'm not sure", "I feel unseen", "I feel upset", "afraid of change",
    "you kill me with those jokes", "we fought about money", "this traffic is killing me",
    "he has never hit me", "I would never hurt myself", "I don't know", "we're done",
    "I'm dying to see that film", "that hurt my feelings",
    "my husband's never laid a hand on me",
    "hes never hit me or choked me", "he has never taken my phone or read my messages",
    "nobodys hurting me, it's just work stress", "I could sleep and not wake up till Monday",
    "if he ever laid a hand on me I'd leave, but he never would",
    "my brother is a domestic violence counsellor", "his mum keeps popping round unannounced",
    "we had a water fight and the kids battered me", "that vindaloo blew my head off",
    "she beat me at scrabble again", "the last episode stabbed me right in the heart",
    "the pancakes you made me when I was sick were perfect", "I'd take a bullet for you, love",
    "I picked my mates over you on Saturday and I'm sorry",
    "she's never threatened me, she just goes quiet when she's angry",
    # round 17: someone else's partner, a fight on the telly, a sibling, a denied supposition
    "my sister's husband shoved her at the party so we drove her home",
    "the champ knocked him out in the second round",
    "my little sister punched my arm when I teased her",
    "he has a short fuse but he has never once scared me",
    "I wouldn't say I've ever really felt unsafe with her",
    "if she ever raised a hand to me I'd be gone, but she never has",
    "if somebody hurt the kids I'd ring the police straight away",
    "the staff training covered warning signs of domestic abuse",
    "they don't even own a gun, they just like the shooting games",
    "you were scared stiff when I didn't come home and didn't ring",
    "I'm going to strangle my laptop if it crashes again",
    # round 18: danger met at work or never a worry; a team that battered us
    "I'm a paramedic, I see overdoses every week, and I'm so grateful for how calm he is",
    "if she ever shoved me I'd leave, but honestly that's never been an issue with her",
    "nobody in our family has ever raised a hand to the children",
    "he keeps an air rifle for target shooting at the club",
    "the rugby lads battered us by half time",
    "when I said I want to die I was talking about the tax return",
    # round 19: sugar, flu, a screening question answered no, a story read with a reaction,
    # someone else's abusive partner, a suspicion that was my own setting
    "we had an overdose of chocolate at the party",
    "my mum's going to shoot me if I'm late for lunch",
    "the midwife asked the domestic violence question and no, nothing like that",
    "the GP asked about suicidal thoughts and I said no",
    "my aunt's second husband used to hit her",
    "people say he's controlling because he plans everything, he really isn't at all",
    "I thought she was tracking my phone but it turned out to be a setting I'd switched on",
    "we read about a man who stabbed his neighbour, horrible",
    "the drill instructor threatened to bury us on the last run",
    "my dad hit us when we were little but I've done years of therapy and our home is peaceful",
    # round 20: sport, games, grief that hit hard, a stage fight, a sold gun, a landlord once
    "we lost on penalties again and I wanted to die, what a night",
    "he's unbeatable at cards, he always beats me",
    "we bicker about how often we have sex, normal stuff",
    "it makes sense the divorce hit you so hard",
    "I'll throttle my brother if he's late again, joking",
    "that jalapeno salsa will blow your head off",
    "in the school play I have to pretend to strangle the king",
    "our son fractured his wrist at rugby on saturday",
    "my grandma was cruel to my grandad, it's why I try so hard to be gentle",
    "he's never owned a gun, he's scared of them",
    "the counsellor asked if I'd ever felt unsafe and I honestly said no",
    "I felt so worried when you didn't come home or answer",
    "we need to take a break next time we start yelling",
    "my mum would have killed me if I'd missed the bus",
    "my dad kept a shotgun on the farm when I was little, it was handed in years ago",
    "we had a nasty landlord once who threatened us, but that's over and done with",
    "years ago I wanted to die, but that's not how I feel now at all",
    # round 21: a screening question, a story, a game, "ending things" (the engagement)
    "the GP asked if I'd ever wanted to harm myself and I said no, honestly",
    "my sister's husband reads her texts and honestly it scared me, mine would never",
    "I'm writing a poem about a man escaping a violent marriage for my evening class",
    "we joked we'd murder each other by the end of the camping trip",
    "he's on call of duty knifing me every round",
    "I hope she still finds me handsome after the baby",
    "I've been thinking about ending things, as in the engagement, we want different lives",
    "I snooped in her phone once, ages ago, and we got past it",
    # round 22: toast, bass, a film, a simile, old trainers, a defensive partner, a holiday
    "I'll make you eggs and buttered toast on sunday",
    "the drums were hitting so hard at that gig",
    "that finale stabbed me right in the heart",
    "we squabbled over the remote like a sword fight",
    "the mortgage feels like a noose some months, but we manage",
    "she threatened to chuck my old boots in the bin if I didn't tidy up",
    "he gets loud at parties, not scary, just embarrassing",
    "he never wanted to go on a cruise with my parents",
    "you don't feel safe bringing up sex because I get defensive, I hear that",
    "I punched a door when I was seventeen, never again, I learned my lesson",
    "in my first marriage he controlled the money, but this is totally different",
    "my aunt had a stalker in the nineties, the police caught him",
    "my son doesn't call as often as he did, he's busy with the baby",
    # answers to "how did it go?" and "what will you do?"
    "I kept it, even on Tuesday when I was slammed",
    "we were slammed with orders all week",
    "I'll take the van in for its MOT so you don't have to",
    # round 23: looks, grief, games, similes, elders' idioms, someone else's story
    "she shot me a dirty look across the table",
    "losing my job has been hitting me hard but we're coping",
    "after the exam results I picked myself back up",
    "can you grab some on your way home",
    "my brother beat the living daylights out of me at chess",
    "he keeps his grandad's sword collection in a glass case and never touches it",
    "work is like a gun to my head right now",
    "the old me would have kicked the door, now I breathe and count to ten",
    "my dad would wring my neck if I scratched his car",
    "my nan will kill us if we don't visit on sunday",
    "he'll kill me when he sees how much I spent on shoes",
    "she'd murder me if she knew I told you about the party",
    "my flatmate was stalked last year, she's doing better",
    "my colleague's ex harassed her for months, we helped her report it",
    "my friend escaped an abusive marriage and she's thriving now",
    "my dad was violent to my mum, that's why I never shout",
    "my grandpa owned an old hunting rifle he used on the farm",
    "it's been five years since I last hurt myself",
    "next time I'll take a walk before I snap at you",
    # answers to the guide that the check stopped (understanding rounds 4 and 5)
    "he's shaking his head, so that's a no",
    "I'll walk the dog so you can have a lie-in on sunday",
    "you said you feel tired and nobody sees it",
    "we've both had enough for tonight, let's end it",
])
def test_ordinary_talk_is_not_danger(said):
    assert check(said) is None, check(said)


@pytest.mark.parametrize(("said", "danger"), [
    ("i didnt he hit me first", True), ("last time i did not he dragged me by my hair", True),
    ("he did not hit me", False), ("she has not hit me", False),
    ("no he did not he never hit me", False),
])
def test_a_not_whose_verb_is_left_unsaid_does_not_deny_what_comes_after_it(said, danger):
    """"I didn't, he hit me first" said without the comma: the "not" denies what I did not
    do; a "not" with its verb after the one who did it still denies."""
    assert (check(said) is not None) is danger, check(said)


def test_every_safety_sample_alexa_routes_is_heard_locally_too():
    """Alexa sends SafetyIntent for these words; said to the laptop, they must stop it too."""
    missed = [s for s in BOOK.vocabulary.intents["SafetyIntent"].samples if check(s) is None]
    assert not missed


def test_the_corpus_meets_the_goal():
    """Every second sentence of each category, with the shipped detector the book loaded
    once (the concepts take seconds to read): the whole corpus took eight minutes of a CI
    run, most of it the sentence encoder; `bench/safety.py` reads it all."""
    danger = [s for sentences in CORPUS["danger"].values() for s in sentences]
    ordinary = [s for sentences in CORPUS["ordinary"].values() for s in sentences]
    assert len(danger) >= 400 and len(ordinary) >= 400
    danger = [s for sentences in CORPUS["danger"].values() for s in sentences[::2]]
    ordinary = [s for sentences in CORPUS["ordinary"].values() for s in sentences[::2]]
    recall = sum(check(s) is not None for s in danger) / len(danger)
    false_alarms = sum(check(s) is not None for s in ordinary) / len(ordinary)
    assert recall >= 0.98 and false_alarms <= 0.02, (recall, false_alarms)


def test_the_detector_kept_as_data_answers_as_the_one_that_read_every_rule():
    """The book cache keeps the detector as plain data and rebuilds it reading each phrase
    (and word list) when a sentence first needs it: every section must then answer as it
    does read in full: danger, harmless sayings, negations, danger said to be over."""
    fresh = default_detector()
    kept = SafetyDetector(fresh.compiled, learned=fresh.learned)
    danger, ordinary = spread("danger", 300), spread("ordinary", 200)
    sentences = [*danger, *ordinary, "he has never hit me", "I would never hurt myself",
                 "you kill me with those jokes", "I'm not sure if he would hurt me",
                 "my ex was violent, that was fifteen years ago and I'm safe now",
                 "he didn't hit me, he hit the wall"]
    answers = [(s, fresh.check(s), kept.check(s)) for s in sentences]
    assert [a for a in answers if a[1] != a[2]] == []
    # Both readings answered, not just agreed: most danger heard, most ordinary let be.
    assert sum(a[1] is not None for a in answers[:len(danger)]) >= 0.95 * len(danger)
    assert sum(a[1] is None for a in answers[len(danger):]) >= 0.95 * len(ordinary)

def test_several_texts_are_danger_when_any_of_them_is_and_the_same_words_are_read_once():
    """What Alexa hands over for one request (a slot as heard and as resolved, words with
    each lead-in) is read with `check_any`: the answer of reading each text alone."""
    danger, ordinary = spread("danger", 500), spread("ordinary", 500)
    for quiet, loud in zip(ordinary, danger, strict=False):
        assert BOOK.safety.check_any([quiet, loud]) == (check(quiet) or check(loud))
        assert BOOK.safety.check_any(["", quiet, quiet.upper()]) == check(quiet)
    assert check("to disappear") is None
    assert BOOK.safety.check_any(["to disappear"], "to disappear", AROUND) is not None
    read = []
    detector = load_detector()
    detector._concern = lambda said, *_: read.append(said)  # type: ignore[method-assign]
    detector.check_any(["Sam", "sam", "I'll go", "i will go", "honest-check-in",
                        "honest check-in"])
    assert len(read) == 3


SHARE_SAMPLES = BOOK.vocabulary.intents["ShareIntent"].samples
AROUND = [(before, after) for before, _, after in (s.partition("{text}") for s in SHARE_SAMPLES)]


def test_carried_words_behind_every_lead_in_get_the_answer_of_each_sentence_read_alone():
    """The lead-ins are looked over side by side at once, and only a sentence where danger
    may start is read alone: the first danger must still be the one the rules hear reading
    each rebuilt sentence alone, in order (the learned second opinion reads none of them),
    also where only a phrase any word may start ("suicid*") hears danger."""
    rules = load_detector()
    said = [*spread("danger", 60), *spread("ordinary", 40)]
    heard = 0
    for sentence in [*said, "he never hit me", "and so i cut, myself", "self harm",
                     "feeling suicidal", "he is blackmailing me"]:
        for dropped in (0, 1, 2):
            words = " ".join(sentence.split()[dropped:])
            alone = [rules.check(sample.replace("{text}", words)) for sample in SHARE_SAMPLES]
            expected = next((concern for concern in alone if concern), None) if words else None
            assert rules.check_any([], words, AROUND) == expected, words
            heard += expected is not None
    assert heard > 50


@pytest.mark.parametrize(("before", "words"), [
    ("i feel ", "and he hit me"), ("i feel ", ", so i cut"), ("my ", "self harm"),
    ("what i heard is ", "'s got a knife"), ("he ", "'s been cutting"), ("i'd like ", "ill go"),
    ("i feel ", "um"), ("i feel ", ""), ("", "he's gone"), ("what i heard was ", "bit me"),
    ("i feel ", "Σ cafés — fine"), ("i said, ", "...and"),
])
def test_a_lead_in_and_carried_words_are_read_as_the_sentence_they_make(before, words):
    assert joined((marked(before), marked(words))) == tokens(before + words)


def test_carried_words_are_read_by_the_rules_only():
    """The learned second opinion judges what was said, not each sentence rebuilt behind a
    lead-in."""
    learned_only = "my life insurance would help them more than i do"
    heard = BOOK.safety.check_any([learned_only])
    assert heard is not None and heard.category == "learned"
    assert BOOK.safety.check_any(["fine"], learned_only, AROUND) is None
    assert BOOK.safety.check_any(["fine"], "he hit me", AROUND).category == "violence"


def test_every_kind_of_danger_in_the_corpus_is_a_kind_the_concepts_know():
    assert set(CORPUS["danger"]) <= set(BOOK.safety.categories)


def write_concepts(folder: Path, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "common.yaml").write_text(text, encoding="utf-8")
    return folder


def test_the_phrase_language_forms_negation_and_harmless_sayings(tmp_path):
    detector = load_detector(write_concepts(tmp_path / "concepts", """
words:
  partner: [he, she, my (husband|wife)]
danger:
  violence:
    - "@partner ... (hit|choke) me"
    - "(scared|afraid) (of)? ~ temper"
  suicide:
    - "suicid*"
negation: [not, never]
not_negation: ["not sure if"]
harmless:
  - "it ... hit me"
"""))
    assert detector.check("My husband has been hitting me").category == "violence"
    assert detector.check("she choked me").category == "violence"
    assert detector.check("scared of his temper") and detector.check("scared his temper")
    assert detector.check("having suicidal thoughts").category == "suicide"
    assert detector.check("he has never hit me") is None
    assert detector.check("I'm not sure if he hit me") is not None
    assert detector.check("it really hit me") is None
    assert detector.check("he hit the nail on the head") is None


def test_an_exact_form_keeps_a_harmless_saying_narrow(tmp_path):
    detector = load_detector(write_concepts(tmp_path / "concepts", """
danger:
  self_harm: ["hurt myself"]
harmless: ["(am|was) =hurt"]
"""))
    assert detector.check("I was hurt myself, honestly") is None
    assert detector.check("I am hurting myself").category == "self_harm"


def test_danger_told_as_over_and_resolved_does_not_stop_but_any_sign_it_is_back_does(tmp_path):
    detector = load_detector(write_concepts(tmp_path / "concepts", """
danger:
  violence: ["(hit|hurt) me"]
past: ["years ago"]
resolved: ["safe now"]
recurring: ["(again|last week)"]
"""))
    assert detector.check("he hit me years ago and I am safe now") is None
    assert detector.check("he hit me years ago and I am safe now but last week he hit me")
    assert detector.check("he hit me years ago, safe now, and he hurt me again")
    assert detector.check("he hit me years ago")
    assert detector.check("he hit me but I am safe now")


def test_a_word_that_may_say_danger_is_back_counts_only_outside_a_resolved_phrase(tmp_path):
    detector = load_detector(write_concepts(tmp_path / "concepts", """
danger:
  violence: ["hit me"]
past: ["years ago"]
resolved: ["never (happened|did it) again"]
recurring: ["(again|last week)"]
"""))
    assert detector.check("he hit me years ago and it never happened again") is None
    assert detector.check("he hit me years ago, never did it again, until he hit me again")
    assert detector.check("he hit me years ago and it never happened again till last week")


@pytest.mark.parametrize(("said", "over"), [
    ("my first husband used to knock me about but that was twenty years ago and I've been "
     "safe ever since", True),
    ("when I was a teenager I self harmed for a while, I've been well for over a decade", True),
    ("years ago a boyfriend hit me once and i left the same night, never looked back", True),
    ("we split up two years ago but he still follows me home from work", False),
    ("i stopped cutting years ago but i relapsed last month", False),
    ("my ex won't leave me alone since we broke up", False),
    ("i'm frightened of what my ex will do now i've moved out", False),
    ("it's been years since he got physical but i still sleep with my door locked", False),
])
def test_the_shipped_concepts_tell_danger_that_is_over_from_danger_that_is_back(said, over):
    assert (check(said) is None) == over


@pytest.mark.parametrize(("said", "over"), [
    ("my cousin's boyfriend hits her and it made me so grateful for you", True),
    ("in the series the husband locks her in the cellar, it was hard to watch", True),
    ("in the show the dad threatens to take the kids and we were yelling at the telly", True),
    ("if anybody ever hurt our daughter I would lose it, but nobody has, thank god", True),
    ("my grandad used to hit us as kids, it was a different era, and I swore I never would "
     "and I haven't", True),
    ("I used to be happy but now I want to die", False),
    ("my ex used to hit me and now my husband does too", False),
    ("he said he would kill me if I told anyone, and nobody has believed me", False),
    ("if anyone finds out he will kill me, and nobody has helped me", False),
    ("in the film he hits her, and that is exactly what my husband does to me", False),
    ("my friend's husband hits her and mine hits me too", False),
    # round 21: "mine does too" after someone else's partner is never excused
    ("my cousin's boyfriend checks her messages every night and mine does exactly the same", False),
    ("my neighbour's husband shoves her about, mine does that too", False),
    ("we read about a woman whose husband hit her, awful, that's my life too", False),
    ("my mum thinks he's abusive and she's not wrong", False),
    ("we don't see eye to eye on guns, he pointed one at me", False),
    ("the nurse asked about domestic abuse and I said no but he does hit me", False),
    ("the doctor asked if I'd ever been scared of her and I said no because she was in the room",
     False),
    # round 23: a past left for a life loved now; someone else's stalker, but not mine too
    ("as a teenager I thought about dying a lot, I had therapy and now I love my life", True),
    ("my friend's husband stalks her and mine does the same", False),
    ("my mother in law held me down while he hit me", False),
    ("my son was abused by his stepdad", False),
    ("he has a gun collection and takes one out when he's drunk", False),
])
def test_danger_denied_supposed_or_someone_elses_is_let_be_but_not_its_look_alikes(said, over):
    assert (check(said) is None) == over, check(said)


@pytest.mark.parametrize(("said", "danger"), [
    # a playful threat over a small thing, but not one over telling
    ("he is going to throttle me when he finds out I finished the last brownie", False),
    ("next time I will come back and finish the conversation", False),
    ("thank you for holding the umbrella over me the whole walk home", False),
    ("he is going to kill me when he finds out I told my sister", True),
    ("he will strangle me if I eat before he gets home", True),
    ("he held the knife over me while I slept", True),
    # a blow taken in a sport, but not one a partner gave
    ("at boxing I got hit in the face", False),
    ("at football I got kicked in the shin", False),
    ("we watched the boxing and then he hit me", True),
    ("after rugby practice she punched me", True),
    ("he took up boxing and now he hits me", True),
])
def test_a_harmless_saying_excuses_its_own_small_matter_and_not_danger_beside_it(said, danger):
    assert (check(said) is not None) == danger, check(said)


def test_a_harmless_saying_does_not_excuse_danger_that_goes_beyond_it(tmp_path):
    detector = load_detector(write_concepts(tmp_path / "concepts", """
danger:
  threats: ["threatened to ~ (leave|kill me)"]
harmless: ["threatened to leave"]
beyond_harmless: [kill]
"""))
    assert detector.check("he threatened to leave") is None
    assert detector.check("he threatened to leave and kill me").category == "threats"


@pytest.mark.parametrize(("said", "kind"), [
    ("it makes me want to die", "suicide"),
    ("I'm tired of fighting to stay alive", "suicide"),
    ("he threatened to leave and take the kids and kill me", "threats"),
    ("I'd been cutting again before he came home", "self_harm"),
    ("he bit me so hard it bled", "violence"),
    ("he wasn't joking, he said he'd kill me", "threats"),
    ("it wasnt even a joke, she said shed kill me", "threats"),
    ("id rather be dead than go on like this", "suicide"),
    # a parent's idiom ("my mum will shoot me if I'm late") is not a partner's threat
    ("my wife is going to shoot me if I tell anyone", "threats"),
    ("my husband would strangle me if I went to the police", "threats"),
    ("she'll kill me when she sees I dented the car, last time she broke my nose", "violence"),
])
def test_sayings_that_sound_harmless_at_first_do_not_hide_danger(said, kind):
    concern = check(said)
    assert concern is not None and concern.category == kind


def test_a_bit_is_not_a_bite():
    assert check("I was a bit upset when he left") is None


@pytest.mark.parametrize(("said", "heard"), [
    ("life's not worth it", "life is not worth it"),
    ("my time's up", "my time is up"),
    ("dad's been drinking again", "dad has been drinking again"),
    ("my wife's phone", "my wife phone"),
    ("the kids' rooms", "the kids rooms"),
])
def test_a_nouns_s_is_is_or_has_when_the_next_word_says_so(said, heard):
    assert " ".join(tokens(said)) == heard


def test_a_broken_concepts_file_says_where_and_what(tmp_path):
    folder = write_concepts(tmp_path / "concepts", """
danger:
  violence:
    - "(hit|slap me"
    - "@nobody hit me"
""")
    with pytest.raises(DefinitionError) as raised:
        load_detector(folder)
    message = str(raised.value)
    assert "common.yaml:4:" in message and "not closed" in message
    assert "common.yaml:5:" in message and "`@nobody` is not a list" in message


def test_content_with_broken_safety_concepts_does_not_load(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for name in ("vocabulary.yaml", "messages.yaml", "welcome.yaml"):
        (content / name).write_text((SAFETY_DIR.parent / "content" / name).read_text())
    write_concepts(content / "safety", "danger: [not a mapping]\n")
    with pytest.raises(DefinitionError, match=r"safety/common\.yaml"):
        load_book(content)


def turn_after(events, platform=Platform.TEXT):
    context = Context(platform, KNOWN, date(2026, 11, 29))
    state = None
    for event in events:
        turn = engine.step(BOOK, state, event, context)
        state = turn.state
    return turn


TO_NAMES = [Launch(), Utterance("yes"), Utterance("yes")]


def crisis_words(turn) -> bool:
    return "988" in turn.speech and "1-800-799-7233" in turn.speech


def test_danger_as_a_first_answer_a_name_and_while_paused_stops_everything():
    assert crisis_words(turn_after([Launch(), Utterance("I want to kill myself")]))
    unknown = Profile()
    context = Context(Platform.TEXT, unknown, date(2026, 11, 29))
    state = None
    for said in (None, "yes", "yes", "he chokes me"):
        event = Launch() if said is None else Utterance(said)
        turn = engine.step(BOOK, state, event, context)
        state = turn.state
    assert crisis_words(turn) and turn.at == "welcome/after_safety"
    paused = turn_after([Launch(exercise="honest-check-in"), Utterance("yes"),
                         Utterance("yes"), Utterance("pause"),
                         Utterance("i don't want to be here anymore")])
    assert crisis_words(paused)


def test_on_alexa_danger_in_a_slot_as_heard_reaches_the_check():
    name_as_heard = IntentEvent("NameIntent", {}, heard=("i don't want to live anymore",))
    assert crisis_words(turn_after([Launch(), IntentEvent("YesIntent"),
                                    IntentEvent("YesIntent"), name_as_heard],
                                   Platform.ALEXA))
    choice_as_heard = IntentEvent("ChooseExerciseIntent", {}, heard=("he hurts me",))
    assert crisis_words(turn_after([choice_as_heard], Platform.ALEXA))


def test_on_alexa_words_after_a_lead_in_are_heard_with_it():
    """"I feel unsafe at home" reaches the skill as ShareIntent with only "unsafe at home";
    "I feel like a burden to everyone" as "like a burden to everyone"."""
    share = IntentEvent("ShareIntent", {"text": "like a burden to everyone"})
    turn = turn_after([Launch(exercise="honest-check-in"), IntentEvent("YesIntent"),
                       IntentEvent("YesIntent"), share], Platform.ALEXA)
    assert crisis_words(turn)


def test_the_safety_words_are_short_before_the_numbers_and_say_nothing_of_what_was_said():
    turn = turn_after([Launch(), Utterance("my husband strangled me last night")])
    words = to_plain(turn.speech)
    before_numbers = words.split("988")[0]
    assert len(before_numbers.split()) <= 45
    assert "strangled" not in words and "husband" not in words


def test_gaps_reach_exactly_as_far_as_the_phrase_language_says(tmp_path):
    """`...` spans up to four words and `~` up to fourteen, also inside a word list and
    across a clause boundary; one word more and the phrase is not said."""
    detector = load_detector(write_concepts(tmp_path / "concepts", """
words:
  partner: [he, my (husband|ex)]
danger:
  fear: ["(scared|afraid) ~ temper"]
  violence: ["@partner ... hit me"]
  threats: ["[he] (said|told) ~ =kill ... me"]
"""))
    filler = ["very", "much", "truly", "really", "quite", "so", "deeply", "and", "always",
              "oddly", "simply", "almost"]
    for count in range(17):
        words = " ".join((filler * 2)[:count])
        assert (detector.check(f"I am scared {words} temper") is not None) == (count <= 14)
        assert (detector.check(f"my ex {words} hit me") is not None) == (count <= 4)
        said = detector.check(f"he said {words} kill, sadly, me")
        assert (said is not None and said.category == "threats") == (count <= 14)
