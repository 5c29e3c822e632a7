"""The names the engine itself knows: the global intents, their groups, and the welcome flow.

Authors name the other intents in vocabulary.yaml; these ones every step understands without
the author writing anything, so the vocabulary must define them.
"""

from __future__ import annotations

HELP = "HelpIntent"
REPEAT = "RepeatIntent"
PAUSE = "PauseIntent"
RESUME = "ResumeIntent"
PREVIOUS = "PreviousIntent"
NEXT = "NextIntent"
START_OVER = "StartOverIntent"
STOP = "StopIntent"
CANCEL = "CancelIntent"
NAVIGATE_HOME = "NavigateHomeIntent"
FALLBACK = "FallbackIntent"
DONE = "DoneIntent"
SAFETY = "SafetyIntent"

ANSWER_INTENTS = (FALLBACK, DONE)
"""Global intents that carry an answer, not a command: in a step that listens for any words
they move on (Alexa sends Fallback for words it has no sample for); elsewhere they are not
understood."""

YES = "YesIntent"
NO = "NoIntent"
UNSURE = "UnsureIntent"
"""Answers to a yes-or-no question; "I'm not sure" is an answer too, not a miss."""

GLOBAL_INTENTS = (
    HELP, REPEAT, PAUSE, RESUME, PREVIOUS, NEXT, START_OVER, STOP, CANCEL, NAVIGATE_HOME,
    FALLBACK, DONE, SAFETY, UNSURE,
)
"""Intents every step understands without the author writing anything."""

PAUSED_INTENTS = (RESUME, STOP, CANCEL, HELP, SAFETY)
"""What a paused conversation listens for."""

CHOOSE_INTENT = "ChooseExerciseIntent"
CHOICE_SLOT = "choice"
"""The intent and slot that name an exercise, also in a one-shot request."""

NAME = "NameIntent"
NAME_SLOT = "name"
"""The intent and slot that carry a first name (also the answer to who goes first)."""

WORDS_SLOT = "text"
"""The slot in which an intent that carries any words (`free_speech`) brings them."""

WELCOME_FLOW = "welcome"
"""The id of the flow around the exercises: greeting, safety, names, menu, follow-ups."""
AFTER_EXERCISE = "after_exercise"
"""The welcome step after an exercise: another one, or stop here."""
AGREED_OFFER = "agreed_offer"
"""The welcome step after an exercise in which the partners agreed something: it offers to go
over it (`{agreed}`), so that what was agreed is a turn of its own."""
