"""What the progress page shows: the couple's agreements by kind, in their own words and how
they went, and the exercises done each week over the last three months as a chart drawn here.

Pure functions of the profile and the day. Everything from the profile is the couple's own
text: the template escapes what it prints, and the chart is built with `Markup.format`, which
escapes every value it is given, so the SVG is marked safe only once its parts are escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup

from dialogs.engine.agreements import OUTCOME_WORDS
from dialogs.engine.profile import Agreement, AgreementKind, AgreementStatus, Profile
from dialogs.intents import WELCOME_FLOW
from dialogs.readback import own_words

WEEKS_SHOWN = 13
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class KindWording:
    heading: str
    about: str
    """One sentence under the heading: what this kind of agreement is."""


KIND_WORDING: Mapping[AgreementKind, KindWording] = {
    AgreementKind.PROMISE: KindWording(
        "Promises", "Small, clear things one of you said you would do."
    ),
    AgreementKind.REPAIR_PLAN: KindWording(
        "Repair plans", "What you each chose to do differently after a hurt."
    ),
    AgreementKind.KINDNESS: KindWording("Kindnesses", "Everyday gestures you offered each other."),
    AgreementKind.GENTLE_START: KindWording(
        "Gentle starts", "Sentences prepared to begin a hard talk softly."
    ),
}

_STATUS_AFTER_OUTCOME: Mapping[AgreementStatus, str] = {
    AgreementStatus.OPEN: "",
    AgreementStatus.KEEPING: ", and still going",
    AgreementStatus.CHANGED: ", then put in new words",
    AgreementStatus.LET_GO: ", then let go",
}
_STATUS_ALONE: Mapping[AgreementStatus, str] = {
    AgreementStatus.OPEN: "Not asked about yet",
    AgreementStatus.KEEPING: "Still going",
    AgreementStatus.CHANGED: "Put in new words",
    AgreementStatus.LET_GO: "Let go",
}


def exercise_title(exercise: str, titles: Mapping[str, str]) -> str:
    """Its title, or its id in words when the book no longer has it."""
    return titles.get(exercise) or exercise.replace("-", " ").capitalize()


def readable_day(day: date) -> str:
    """ "3 November 2026": the same in every locale, unlike `%x`."""
    return f"{day.day} {day:%B %Y}"


def short_day(day: date) -> str:
    return f"{day.day} {day:%b}"


def how_it_went(agreement: Agreement) -> str:
    """Status and outcome in one short phrase: "Partly kept, and still going"."""
    if agreement.outcome is None:
        return _STATUS_ALONE[agreement.status]
    return (OUTCOME_WORDS[agreement.outcome].capitalize()
            + _STATUS_AFTER_OUTCOME[agreement.status])


@dataclass(frozen=True)
class AgreementShown:
    who: str
    """The partner who made it, or who it was when one person made it alone."""
    words: str
    """Their own words, as a sentence (plain text: the template escapes it)."""
    made_on: date
    made_on_text: str
    how_it_went: str
    checked_on: date | None
    checked_on_text: str
    exercise: str
    """The exercise's title; empty when it was made at a follow-up."""
    current: bool
    """Still open or kept going (not changed or let go)."""


@dataclass(frozen=True)
class AgreementGroup:
    kind: AgreementKind
    heading: str
    about: str
    agreements: tuple[AgreementShown, ...]
    """The newest first."""


def agreement_shown(
    agreement: Agreement, names: tuple[str, ...], titles: Mapping[str, str]
) -> AgreementShown:
    exercise = (
        ""
        if agreement.exercise in ("", WELCOME_FLOW)
        else exercise_title(agreement.exercise, titles)
    )
    checked = agreement.checked_on
    return AgreementShown(
        who=agreement.partner or "One of you, alone",
        words=own_words(agreement.text, names) or agreement.text,
        made_on=agreement.made_on,
        made_on_text=readable_day(agreement.made_on),
        how_it_went=how_it_went(agreement),
        checked_on=checked,
        checked_on_text=readable_day(checked) if checked else "",
        exercise=exercise,
        current=agreement.active,
    )


def agreement_groups(profile: Profile, titles: Mapping[str, str]) -> tuple[AgreementGroup, ...]:
    """One group for each kind the couple has made, in the order of `AgreementKind`."""
    groups = []
    for kind in AgreementKind:
        made = [a for a in profile.agreements if a.kind is kind]
        if not made:
            continue
        made.sort(key=lambda a: (a.made_on, a.id), reverse=True)
        wording = KIND_WORDING[kind]
        groups.append(
            AgreementGroup(
                kind,
                wording.heading,
                wording.about,
                tuple(agreement_shown(a, profile.names, titles) for a in made),
            )
        )
    return tuple(groups)


@dataclass(frozen=True)
class WeekDone:
    starts: date
    """A Monday."""
    count: int
    exercises: tuple[str, ...]
    """The titles of what was done, once each, the first done first."""

    @property
    def label(self) -> str:
        return short_day(self.starts)

    @property
    def starts_text(self) -> str:
        return readable_day(self.starts)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weeks_done(
    profile: Profile, today: date, titles: Mapping[str, str], weeks: int = WEEKS_SHOWN
) -> tuple[WeekDone, ...]:
    """Completions per week, Monday to Sunday, the oldest week first and the last one the
    week holding `today`."""
    first = week_start(today) - (weeks - 1) * WEEK
    by_week: dict[int, list[tuple[date, str]]] = {}
    for exercise, day in profile.completions:
        index = (day - first).days // 7
        if 0 <= index < weeks:
            by_week.setdefault(index, []).append((day, exercise))
    shown = []
    for index in range(weeks):
        done = sorted(by_week.get(index, []))
        names = dict.fromkeys(exercise_title(e, titles) for _, e in done)
        shown.append(WeekDone(first + index * WEEK, len(done), tuple(names)))
    return tuple(shown)


_WIDTH_PER_WEEK = 60
_BAR_WIDTH = 36
_TOP = 28
_BAR_AREA = 160
_LABEL_SPACE = 40
_LEFT = 10


def _times(count: int) -> str:
    return "1 exercise" if count == 1 else f"{count} exercises"


def chart_description(weeks: tuple[WeekDone, ...]) -> str:
    total = sum(w.count for w in weeks)
    span = f"From the week of {weeks[0].starts_text} to the week of {weeks[-1].starts_text}"
    if not total:
        return f"{span}: no exercises yet."
    busiest = max(weeks, key=lambda w: w.count)
    return (
        f"{span}: {_times(total)} in all. The most in one week was {busiest.count}, "
        f"in the week of {busiest.starts_text}."
    )


def week_chart(
    weeks: tuple[WeekDone, ...], names: tuple[str, ...], chart_id: str = "week-chart"
) -> Markup:
    """The chart as inline SVG: a bar per week with its count written above it, so it reads
    without colour; it scales with the page (viewBox, width 100%)."""
    who = " and ".join(names)
    title = f"Exercises {who} did each week" if who else "Exercises done each week"
    tallest = max(3, *(w.count for w in weeks))
    baseline = _TOP + _BAR_AREA
    width = _LEFT * 2 + _WIDTH_PER_WEEK * len(weeks)
    height = baseline + _LABEL_SPACE
    parts = [
        Markup(
            '<svg xmlns="http://www.w3.org/2000/svg" class="week-chart" role="img" '
            'width="100%" viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet" '
            'aria-labelledby="{id}-title {id}-desc">'
            '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
            '<line class="axis" x1="{left}" y1="{baseline}" x2="{right}" y2="{baseline}" '
            'stroke="currentColor" stroke-width="2"/>'
        ).format(
            width=width,
            height=height,
            id=chart_id,
            title=title,
            desc=chart_description(weeks),
            left=_LEFT,
            right=width - _LEFT,
            baseline=baseline,
        )
    ]
    for index, week in enumerate(weeks):
        middle = _LEFT + index * _WIDTH_PER_WEEK + _WIDTH_PER_WEEK // 2
        bar = round(_BAR_AREA * week.count / tallest)
        if bar:
            parts.append(
                Markup(
                    '<rect class="bar" x="{x}" y="{y}" width="{w}" height="{h}" '
                    'fill="currentColor"/>'
                ).format(x=middle - _BAR_WIDTH // 2, y=baseline - bar, w=_BAR_WIDTH, h=bar)
            )
        parts.append(
            Markup(
                '<text class="count" x="{x}" y="{y}" text-anchor="middle" font-size="20" '
                'font-weight="700" fill="currentColor">{count}</text>'
                '<text class="week" x="{x}" y="{label_y}" text-anchor="middle" font-size="16" '
                'fill="currentColor">{label}</text>'
            ).format(
                x=middle,
                y=baseline - bar - 8,
                count=week.count,
                label_y=baseline + 26,
                label=week.label,
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def encouragement(total_agreements: int, done_lately: int) -> str:
    if not total_agreements and not done_lately:
        return (
            "Nothing here yet, and that is perfectly fine. Each time you do an exercise "
            "together it will show up here, week by week, and the promises, plans and "
            "kindnesses you make will be kept here in your own words."
        )
    if not done_lately:
        return (
            "No exercises in the last three months. Whenever you are ready, a short one "
            "is a gentle way back in."
        )
    return (
        f"You have done {_times(done_lately)} in the last three months. "
        "Every one of them is time you chose to spend on each other."
    )


def progress_context(
    profile: Profile, today: date, titles: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The progress template's context: see `templates/progress.html`."""
    titles = titles or {}
    weeks = weeks_done(profile, today, titles)
    done_lately = sum(w.count for w in weeks)
    return {
        "couple": " and ".join(profile.names),
        "today": today,
        "today_text": readable_day(today),
        "groups": agreement_groups(profile, titles),
        "has_agreements": bool(profile.agreements),
        "weeks": weeks,
        "done_lately": done_lately,
        "chart": week_chart(weeks, profile.names),
        "encouragement": encouragement(len(profile.agreements), done_lately),
    }
