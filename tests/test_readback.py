"""Read-backs in the right voice: what someone said, quoted to them, said back to them, and
told to the couple, for the ways people phrase a promise or a plan (typed, and as a speech
recogniser writes it, without apostrophes)."""

import re

import pytest

from dialogs.readback import as_sentence, own_words, second_person, third_person, tidy

# Each block: words said / quoted back / to them (partner Alex) / to the couple (Sam said it).
TABLE = """
I'll cook dinner on Friday
I'll cook dinner on Friday.
you'll cook dinner on Friday
Sam will cook dinner on Friday

ill cook dinner on friday
I'll cook dinner on Friday.
you'll cook dinner on Friday
Sam will cook dinner on Friday

I will text Alex if I'm running late
I will text Alex if I'm running late.
you will text Alex if you're running late
Sam will text Alex if they're running late

i'll text you if im running late
I'll text you if I'm running late.
you'll text Alex if you're running late
Sam will text Alex if they're running late

I'd like to put my phone away at dinner
I'd like to put my phone away at dinner.
you'd like to put your phone away at dinner
Sam would like to put their phone away at dinner

id like to put my phone away at dinner
I'd like to put my phone away at dinner.
you'd like to put your phone away at dinner
Sam would like to put their phone away at dinner

I want to go to bed at the same time as you
I want to go to bed at the same time as you.
you want to go to bed at the same time as Alex
Sam wants to go to bed at the same time as Alex

I think I'll make you a coffee in the morning
I think I'll make you a coffee in the morning.
you think you'll make Alex a coffee in the morning
Sam thinks they'll make Alex a coffee in the morning

i think ill make you a coffee in the morning
I think I'll make you a coffee in the morning.
you think you'll make Alex a coffee in the morning
Sam thinks they'll make Alex a coffee in the morning

I promise to call you when I leave work
I promise to call you when I leave work.
you promise to call Alex when you leave work
Sam promises to call Alex when they leave work

I promise I'll listen without interrupting
I promise I'll listen without interrupting.
you promise you'll listen without interrupting
Sam promises they'll listen without interrupting

I'm going to take the bins out on Tuesday
I'm going to take the bins out on Tuesday.
you're going to take the bins out on Tuesday
Sam is going to take the bins out on Tuesday

im gonna take the bins out on tuesday
I'm gonna take the bins out on Tuesday.
you're gonna take the bins out on Tuesday
Sam is gonna take the bins out on Tuesday

I'll try to be home by seven
I'll try to be home by seven.
you'll try to be home by seven
Sam will try to be home by seven

I'll ask how your day went
I'll ask how your day went.
you'll ask how Alex's day went
Sam will ask how Alex's day went

I'll give you a hug when you get home
I'll give you a hug when you get home.
you'll give Alex a hug when Alex gets home
Sam will give Alex a hug when Alex gets home

I'll say sorry when I'm wrong
I'll say sorry when I'm wrong.
you'll say sorry when you're wrong
Sam will say sorry when they're wrong

I'll tell you when I need a break
I'll tell you when I need a break.
you'll tell Alex when you need a break
Sam will tell Alex when they need a break

I'll ask for a break before I snap
I'll ask for a break before I snap.
you'll ask for a break before you snap
Sam will ask for a break before they snap

I'll make the bed myself
I'll make the bed myself.
you'll make the bed yourself
Sam will make the bed themselves

I'll text you at lunch to say hi
I'll text you at lunch to say hi.
you'll text Alex at lunch to say hi
Sam will text Alex at lunch to say hi

I'll plan a date night for us
I'll plan a date night for us.
you'll plan a date night for the two of you
Sam will plan a date night for the two of them

We'll go for a walk on Sunday
We'll go for a walk on Sunday.
you'll go for a walk on Sunday
Sam and Alex will go for a walk on Sunday

we will eat together without our phones
We will eat together without our phones.
you will eat together without your phones
Sam and Alex will eat together without their phones

On Friday I'll cook your favourite meal
On Friday I'll cook your favourite meal.
On Friday you'll cook Alex's favourite meal
On Friday Sam will cook Alex's favourite meal

Every evening I'll ask about your day
Every evening I'll ask about your day.
Every evening you'll ask about Alex's day
Every evening Sam will ask about Alex's day

I can pick the kids up on Wednesday
I can pick the kids up on Wednesday.
you can pick the kids up on Wednesday
Sam can pick the kids up on Wednesday

I've decided to call my mum less during dinner
I've decided to call my mum less during dinner.
you've decided to call your mum less during dinner
Sam has decided to call their mum less during dinner

I'd love to bring you breakfast in bed
I'd love to bring you breakfast in bed.
you'd love to bring Alex breakfast in bed
Sam would love to bring Alex breakfast in bed

I'm happy to do the dishes this week
I'm happy to do the dishes this week.
you're happy to do the dishes this week
Sam is happy to do the dishes this week

I'll let you know if my plans change
I'll let you know if my plans change.
you'll let Alex know if your plans change
Sam will let Alex know if their plans change

I'll leave my phone in the kitchen at night
I'll leave my phone in the kitchen at night.
you'll leave your phone in the kitchen at night
Sam will leave their phone in the kitchen at night

I'll check in with you before I say yes to plans
I'll check in with you before I say yes to plans.
you'll check in with Alex before you say yes to plans
Sam will check in with Alex before they say yes to plans

I'll keep my promise to walk the dog
I'll keep my promise to walk the dog.
you'll keep your promise to walk the dog
Sam will keep their promise to walk the dog

I'll stop and take a breath when I get angry
I'll stop and take a breath when I get angry.
you'll stop and take a breath when you get angry
Sam will stop and take a breath when they get angry

I'll remind myself that you're on my side
I'll remind myself that you're on my side.
you'll remind yourself that Alex is on your side
Sam will remind themselves that Alex is on their side

I'll listen to you until you're finished
I'll listen to you until you're finished.
you'll listen to Alex until Alex is finished
Sam will listen to Alex until Alex is finished

I'll hold your hand on the walk
I'll hold your hand on the walk.
you'll hold Alex's hand on the walk
Sam will hold Alex's hand on the walk

make you a coffee
I'll make you a coffee.
you'll make Alex a coffee
Sam will make Alex a coffee

to put my phone away
I'll put my phone away.
you'll put your phone away
Sam will put their phone away

put my phone away when I get home
I'll put my phone away when I get home.
you'll put your phone away when you get home
Sam will put their phone away when they get home

text Alex if I'm running late.
I'll text Alex if I'm running late.
you'll text Alex if you're running late
Sam will text Alex if they're running late

I'll call you if I'm late..
I'll call you if I'm late.
you'll call Alex if you're late
Sam will call Alex if they're late

I really want to spend Saturday with you
I really want to spend Saturday with you.
you really want to spend Saturday with Alex
Sam really wants to spend Saturday with Alex

I'll be on time for dinner
I'll be on time for dinner.
you'll be on time for dinner
Sam will be on time for dinner

I need to go to bed earlier
I need to go to bed earlier.
you need to go to bed earlier
Sam needs to go to bed earlier

I'll share how I feel instead of going quiet
I'll share how I feel instead of going quiet.
you'll share how you feel instead of going quiet
Sam will share how they feel instead of going quiet

I was thinking I'd cook on Friday
I was thinking I'd cook on Friday.
you were thinking you'd cook on Friday
Sam was thinking they'd cook on Friday

a hug when you get home
A hug when you get home.
a hug when Alex gets home
a hug when Alex gets home

always text you when I leave
I'll always text you when I leave.
you'll always text Alex when you leave
Sam will always text Alex when they leave
"""
PHRASINGS = [tuple(block.splitlines()) for block in TABLE.strip().split("\n\n")]

@pytest.mark.parametrize(("said", "quoted", "to_them", "to_couple"), PHRASINGS)
def test_read_back_in_each_voice(said, quoted, to_them, to_couple):
    assert own_words(said, ("Sam", "Alex")) == quoted
    assert second_person(said, "Alex") == to_them
    assert third_person(said, "Sam", "Alex") == to_couple


def test_the_table_covers_many_real_phrasings():
    assert len(PHRASINGS) >= 40
    leads = {re.split(r"\s", said.lower())[0] for said, *_ in PHRASINGS}
    assert {"i'll", "ill", "i'd", "id", "im", "i'm", "we'll", "i", "make", "to"} <= leads


@pytest.mark.parametrize("said", [row[0] for row in PHRASINGS])
def test_never_garbled(said):
    for text in (own_words(said), second_person(said, "Alex"), third_person(said, "Sam", "Alex")):
        assert ".." not in text and " ." not in text and "  " not in text
        assert not re.search(r"\bto to\b|\bto I'll\b|\bpromised to I\b", text)
    for turned in (second_person(said, "Alex"), third_person(said, "Sam", "Alex")):
        assert not re.search(r"(?<!')\b(I|my|me|mine|myself|we|us|our)\b", turned, re.I)


def test_ill_after_feel_means_unwell():
    assert own_words("I felt ill and ill rest tonight") == "I felt ill and I'll rest tonight."
    assert third_person("I feel ill", "Sam", "Alex") == "Sam feels ill"


def test_nothing_said_reads_back_as_nothing():
    assert own_words("") == "" and own_words(" . ") == ""
    assert second_person("", "Alex") == ""


@pytest.mark.parametrize(("words", "sentence"), [
    ("i'll cook dinner on friday..", "I'll cook dinner on friday."),
    ("Are you free on Sunday", "Are you free on Sunday."),
    ("are you free on Sunday?", "Are you free on Sunday?"),
    ("  well done !", "Well done!"),
    ("so , that's it ,.", "So, that's it."),
])
def test_a_sentence_has_one_closing_mark(words, sentence):
    assert as_sentence(words) == sentence
    assert tidy("I heard: cook dinner. .") == "I heard: cook dinner."


def test_a_lead_in_alexa_left_out_is_put_back():
    assert own_words("let down when plans change", lead_in="I feel") == (
        "I feel let down when plans change.")
    assert own_words("I feel let down", lead_in="I feel") == "I feel let down."
