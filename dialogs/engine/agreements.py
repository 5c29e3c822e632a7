"""Agreements read back and progress a couple can feel: which to follow up, what to say about
them, and what a couple has done lately. Pure functions of the profile and the day."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from dialogs.engine.profile import Agreement, AgreementKind, AgreementStatus, Outcome, Profile
from dialogs.numbers import num2words
from dialogs.readback import as_sentence, own_words, third_person

WEEK = timedelta(days=7)


def due_follow_ups(profile: Profile, today: date, *, solo: bool,
                   followed: Iterable[int] = ()) -> list[Agreement]:
    """What to follow up now, the longest waiting first, at most one per partner a session.

    A gentle start is prepared alone and is private until it is shared: it is followed up
    only when one person is there (a walk), never read out to the couple. Agreements of
    names the couple no longer uses are left alone.
    """
    done = set(followed)
    asked_of = {a.partner for a in profile.agreements if a.id in done}
    names = set(profile.names)
    due = []
    for agreement in sorted(profile.agreements, key=lambda a: (a.last_seen, a.id)):
        if not agreement.active or agreement.id in done or agreement.last_seen >= today:
            continue
        if solo != (agreement.kind is AgreementKind.GENTLE_START):
            continue
        if not solo and (agreement.partner not in names or agreement.partner in asked_of):
            continue
        due.append(agreement)
        asked_of.add(agreement.partner)
    return due


@dataclass(frozen=True)
class Made:
    """An agreement made in this session, as the summary and the card tell it."""

    kind: AgreementKind
    partner: str
    text: str


def told(made: Made, names: tuple[str, str]) -> str:
    """One agreement told to the couple: "Sam will text Alex if they're running late."."""
    if not made.partner:
        return as_sentence(f"Your {made.kind}: {own_words(made.text)}")
    partner = names[1] if made.partner == names[0] else names[0]
    turned = third_person(made.text, made.partner, partner)
    if not turned.startswith(made.partner):
        first = turned.split(" ", 1)[0]
        if first not in names and not first.startswith("I"):
            turned = turned[:1].lower() + turned[1:]
        return as_sentence(f"{made.partner}'s {made.kind}: {turned}")
    return as_sentence(turned)


def summary(made: Iterable[Made], names: tuple[str, str]) -> str:
    """What was agreed in an exercise, each in a sentence of its own."""
    return " ".join(told(m, names) for m in made)


def card(made: Iterable[Made], names: tuple[str, str]) -> str:
    """The card's lines: each agreement in its maker's own words."""
    lines = []
    for m in made:
        who = m.partner or "You"
        lines.append(f"{who} ({m.kind}): {own_words(m.text, names)}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Progress:
    """What a couple has done lately."""

    this_week: tuple[str, ...]
    """Exercises done in the last seven days, once each, the first done first."""
    this_month: int
    """Exercises done this calendar month."""
    kept_this_month: int
    """Promises followed up this month as kept (plans and kindnesses are not promises)."""


def progress(profile: Profile, today: date) -> Progress:
    week = tuple(dict.fromkeys(e for e, day in profile.completions if today - day < WEEK))
    month = sum(1 for _, day in profile.completions
                if (day.year, day.month) == (today.year, today.month))
    kept = sum(1 for a in profile.agreements
               if a.kind is AgreementKind.PROMISE and a.outcome is Outcome.KEPT
               and a.checked_on is not None
               and (a.checked_on.year, a.checked_on.month) == (today.year, today.month))
    return Progress(week, month, kept)


def _listed(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _times(count: int, one: str, many: str) -> str:
    return f"one {one}" if count == 1 else f"{num2words(count)} {many}"


def progress_sentence(done: Progress, titles: Mapping[str, str]) -> str:
    """Progress said at the start, briefly: "This week you did small promises. That's two
    exercises this month, and one promise kept." Nothing when there is nothing yet."""
    parts = []
    week = [titles[e].lower() for e in done.this_week if e in titles]
    if week:
        parts.append(f"This week you did {_listed(week)}.")
    tally = []
    if done.this_month:
        tally.append(f"{_times(done.this_month, 'exercise', 'exercises')} this month")
    if done.kept_this_month:
        tally.append(f"{_times(done.kept_this_month, 'promise', 'promises')} kept")
    if tally:
        parts.append(f"That's {' and '.join(tally)}.")
    return " ".join(parts)


_STATUS_WORDS = {
    AgreementStatus.OPEN: "not asked about yet",
    AgreementStatus.KEEPING: "keeping it going",
    AgreementStatus.CHANGED: "changed to new words",
    AgreementStatus.LET_GO: "let go",
}
OUTCOME_WORDS = {Outcome.KEPT: "kept", Outcome.PARTLY: "partly kept",
                 Outcome.NOT_KEPT: "not kept that time"}


def _day(day: date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"


def _agreement_lines(agreement: Agreement, names: tuple[str, ...]) -> list[str]:
    who = agreement.partner or "On a walk"
    status = _STATUS_WORDS[agreement.status]
    if agreement.outcome is not None and agreement.checked_on is not None:
        status += (f" (last asked {_day(agreement.checked_on)}: "
                   f"{OUTCOME_WORDS[agreement.outcome]})")
    return [f"  {who}, {agreement.kind}, {_day(agreement.made_on)}",
            f"    \u201c{own_words(agreement.text, names)}\u201d",
            f"    {status[0].upper()}{status[1:]}"]


def report(profile: Profile, today: date, titles: Mapping[str, str]) -> str:
    """What a couple has agreed and done lately, for the terminal."""
    names = " and ".join(profile.names) or "You"
    done = progress(profile, today)
    week = ", ".join(titles.get(e, e).lower() for e in done.this_week) or "nothing yet"
    month = _times(done.this_month, "exercise", "exercises") if done.this_month else "none yet"
    kept = _times(done.kept_this_month, "promise", "promises")
    lines = [names, "", "Progress", f"  This week: {week}",
             f"  This month: {month}; {kept if done.kept_this_month else 'no promises'} kept",
             ""]
    current = [a for a in profile.agreements if a.active]
    earlier = [a for a in profile.agreements if not a.active]
    if not profile.agreements:
        lines.append("Nothing agreed yet. Promises, repair plans, kindnesses and gentle starts "
                     "will be listed here.")
    if current:
        lines.append("Agreements")
        for agreement in current:
            lines.extend(_agreement_lines(agreement, profile.names))
    if earlier:
        lines.extend(["", "Earlier (changed or let go)"])
        for agreement in earlier:
            lines.extend(_agreement_lines(agreement, profile.names))
    return "\n".join(lines)
