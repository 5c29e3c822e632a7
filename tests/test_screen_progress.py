"""The progress page: agreements by kind in the couple's own words, exercises per week over
the last 13 weeks as an SVG chart with a table beside it, and the page rendered by Flask."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask, render_template

import screen
from dialogs.engine.profile import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    Outcome,
    Profile,
)
from screen.progress import (
    WEEKS_SHOWN,
    agreement_groups,
    how_it_went,
    progress_context,
    week_chart,
    weeks_done,
)

SVG = "{http://www.w3.org/2000/svg}"
MONDAY = date(2026, 11, 30)
SUNDAY = date(2026, 12, 6)
TITLES = {"promises": "Small promises", "daily-gestures": "Daily gestures"}
HOSTILE = "cook <script>alert(1)</script> & wash up"


def agreement(
    id: int,
    kind: AgreementKind = AgreementKind.PROMISE,
    partner: str = "Sam",
    text: str = "cook dinner on Friday",
    made_on: date = date(2026, 11, 2),
    exercise: str = "promises",
    **rest: object,
) -> Agreement:
    return Agreement(id, kind, partner, text, made_on, exercise, **rest)  # type: ignore[arg-type]


def completed(*days: date, exercise: str = "promises") -> tuple[tuple[str, date], ...]:
    return tuple((exercise, day) for day in days)


# Weeks


@pytest.mark.parametrize("today", [MONDAY, MONDAY + timedelta(days=3), SUNDAY])
def test_thirteen_weeks_start_on_mondays_and_end_with_the_week_holding_today(today):
    weeks = weeks_done(Profile(), today, TITLES)
    assert len(weeks) == WEEKS_SHOWN == 13
    assert all(w.starts.weekday() == 0 for w in weeks)
    assert weeks[-1].starts == MONDAY
    assert weeks[0].starts == MONDAY - timedelta(weeks=12)
    assert [b.starts - a.starts for a, b in itertools.pairwise(weeks)] == [timedelta(7)] * 12


def test_a_sunday_belongs_to_the_week_before_the_monday_after_it():
    profile = Profile(completions=completed(MONDAY - timedelta(days=1), MONDAY, SUNDAY))
    weeks = weeks_done(profile, SUNDAY, TITLES)
    assert (weeks[-2].count, weeks[-1].count) == (1, 2)


def test_only_the_thirteen_weeks_are_counted():
    first_monday = MONDAY - timedelta(weeks=12)
    profile = Profile(
        completions=completed(
            first_monday - timedelta(days=1), first_monday, MONDAY, SUNDAY + timedelta(days=1)
        )
    )
    weeks = weeks_done(profile, MONDAY, TITLES)
    assert [w.count for w in weeks] == [1] + [0] * 11 + [1]


def test_a_week_names_what_was_done_by_title_once_each_in_order():
    profile = Profile(
        completions=(
            ("daily-gestures", MONDAY + timedelta(days=2)),
            ("promises", MONDAY),
            ("promises", MONDAY),
            ("gone-exercise", MONDAY + timedelta(days=3)),
        )
    )
    week = weeks_done(profile, SUNDAY, TITLES)[-1]
    assert week.count == 4
    assert week.exercises == ("Small promises", "Daily gestures", "Gone exercise")


# Agreements


def test_agreements_are_grouped_by_kind_in_a_fixed_order_newest_first():
    profile = Profile(
        names=("Sam", "Alex"),
        agreements=(
            agreement(
                1,
                AgreementKind.KINDNESS,
                "Alex",
                "make you a coffee",
                date(2026, 11, 3),
                "daily-gestures",
            ),
            agreement(2, made_on=date(2026, 10, 1)),
            agreement(
                3,
                AgreementKind.GENTLE_START,
                "",
                "I feel worried about money",
                exercise="gentle-start",
            ),
            agreement(4, partner="Alex", text="text you if I'm late", made_on=date(2026, 11, 20)),
        ),
    )
    groups = agreement_groups(profile, TITLES)
    assert [g.heading for g in groups] == ["Promises", "Kindnesses", "Gentle starts"]
    promises = groups[0].agreements
    assert [a.who for a in promises] == ["Alex", "Sam"]
    assert promises[0].words == "I'll text you if I'm late."
    assert promises[0].made_on_text == "20 November 2026"
    assert promises[1].exercise == "Small promises"
    assert groups[1].agreements[0].words == "I'll make you a coffee."
    assert groups[2].agreements[0].who == "One of you, alone"


def test_new_words_given_at_a_follow_up_name_no_exercise():
    shown = agreement_groups(Profile(agreements=(agreement(1, exercise="welcome"),)), TITLES)
    assert shown[0].agreements[0].exercise == ""


@pytest.mark.parametrize(
    ("status", "outcome", "said"),
    [
        (AgreementStatus.OPEN, None, "Not asked about yet"),
        (AgreementStatus.KEEPING, Outcome.KEPT, "Kept, and still going"),
        (AgreementStatus.KEEPING, Outcome.PARTLY, "Partly kept, and still going"),
        (AgreementStatus.CHANGED, Outcome.NOT_KEPT, "Not kept that time, then put in new words"),
        (AgreementStatus.LET_GO, Outcome.KEPT, "Kept, then let go"),
        (AgreementStatus.LET_GO, None, "Let go"),
    ],
)
def test_how_an_agreement_went_is_said_in_plain_words(status, outcome, said):
    made = agreement(
        1, status=status, outcome=outcome, checked_on=date(2026, 11, 9) if outcome else None
    )
    assert how_it_went(made) == said


# The chart


def chart_of(profile: Profile, today: date = MONDAY) -> ET.Element:
    return ET.fromstring(str(progress_context(profile, today, TITLES)["chart"]))


def test_the_chart_writes_each_weeks_count_and_label_as_text():
    profile = Profile(completions=completed(MONDAY, MONDAY, MONDAY - timedelta(weeks=4)))
    svg = chart_of(profile)
    counts = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "count"]
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "week"]
    assert counts == ["0"] * 8 + ["1", "0", "0", "0", "2"]
    assert labels[0] == "7 Sep" and labels[-1] == "30 Nov"
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "bar"]
    heights = [int(b.get("height")) for b in bars]
    assert len(heights) == 2 and 0 < heights[0] < heights[1]


def test_the_chart_is_an_image_named_by_its_title_and_description():
    svg = chart_of(Profile(names=("Sam", "Alex"), completions=completed(MONDAY)))
    assert svg.get("role") == "img"
    assert svg.get("width") == "100%" and svg.get("viewBox")
    by_id = {e.get("id"): e for e in svg.iter() if e.get("id")}
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert by_id[title_id].tag == f"{SVG}title"
    assert by_id[title_id].text == "Exercises Sam and Alex did each week"
    assert by_id[desc_id].tag == f"{SVG}desc"
    assert "1 exercise in all" in by_id[desc_id].text
    assert not any(e.get("style") for e in svg.iter())
    assert not list(svg.iter(f"{SVG}script"))


def test_names_in_the_chart_are_escaped():
    chart = str(week_chart(weeks_done(Profile(), MONDAY, TITLES), ("<script>x</script>", "A&B")))
    assert "<script>" not in chart
    svg = ET.fromstring(chart)
    assert svg.find(f"{SVG}title").text == "Exercises <script>x</script> and A&B did each week"


# The page


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and (
                    cls is None or cls in child.attrs.get("class", "").split()
                ):
                    found.append(child)
                found.extend(child.all(tag, cls))
        return found


VOID = {"meta", "link", "br", "img", "input", "hr", "line", "rect"}


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.open[-1].children.append(node)
        if tag not in VOID:
            self.open.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.open[-1].tag == tag, f"</{tag}> closes <{self.open[-1].tag}>"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)


def page(profile: Profile, today: date = MONDAY) -> Node:
    folder = Path(screen.__file__).parent
    app = Flask(
        "screen", template_folder=str(folder / "templates"), static_folder=str(folder / "static")
    )
    with app.test_request_context():
        html = render_template(
            "progress.html", token="t0ken", **progress_context(profile, today, TITLES)
        )
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.open == [builder.root], "every element is closed"
    return builder.root


FULL = Profile(
    names=("Sam", "Alex"),
    agreements=(
        agreement(
            1,
            text=HOSTILE,
            status=AgreementStatus.KEEPING,
            outcome=Outcome.PARTLY,
            checked_on=date(2026, 11, 9),
        ),
        agreement(
            2,
            AgreementKind.REPAIR_PLAN,
            "Alex",
            "I will pause before I answer",
            date(2026, 11, 12),
            "repair",
        ),
    ),
    completions=completed(MONDAY, MONDAY - timedelta(days=1), date(2026, 9, 8)),
)


def test_the_page_shows_the_couples_words_escaped_and_no_script_of_theirs():
    root = page(FULL)
    words = [p.text() for p in root.all("p", "words")]
    assert words[0] == "\u201cI'll " + HOSTILE + ".\u201d"
    scripts = root.all("script")
    assert [s.attrs.get("src") for s in scripts] == ["/static/exit.js?t=t0ken"]
    assert not any("style" in n.attrs for n in root.all())
    assert not root.all("style")


def test_the_page_lists_agreements_under_headings_with_dates_and_how_they_went():
    root = page(FULL)
    assert root.all("h1")[0].text() == "Sam and Alex: how you are doing"
    assert [h.text() for h in root.all("h2")] == ["Exercises, week by week", "What you agreed"]
    assert [h.text() for h in root.all("h3")] == ["Promises", "Repair plans"]
    promise = root.all("li", "agreement")[0]
    facts = {dt.text(): dd for dt, dd in zip(promise.all("dt"), promise.all("dd"), strict=True)}
    assert facts["Made by"].text() == "Sam"
    made = facts["When"].all("time")[0]
    assert made.attrs["datetime"] == "2026-11-02" and made.text() == "2 November 2026"
    assert facts["How it went"].text() == "Partly kept, and still going (asked on 9 November 2026)"
    assert facts["How it went"].all("time")[0].attrs["datetime"] == "2026-11-09"


def test_the_page_has_its_stylesheet_the_chart_and_the_same_figures_as_a_table():
    root = page(FULL)
    links = [n.attrs["href"] for n in root.all("link")]
    assert "/static/progress.css?t=t0ken" in links
    svg = root.all("svg")[0]
    assert svg.attrs["role"] == "img"
    assert {i for i in svg.attrs["aria-labelledby"].split()} == {
        n.attrs["id"] for n in svg.all() if n.tag in ("title", "desc")
    }
    table = root.all("table")[0]
    assert table.all("caption")
    rows = table.all("tbody")[0].all("tr")
    assert len(rows) == 13
    cells = [[c.text().strip() for c in r.all() if c.tag in ("th", "td")] for r in rows]
    assert cells[0] == ["7 September 2026", "1", "Small promises"]
    assert cells[-2][1] == "1" and cells[-1][1] == "1"
    assert rows[-1].all("time")[0].attrs["datetime"] == "2026-11-30"
    chart_counts = [t.text() for t in svg.all("text", "count")]
    assert chart_counts == [c[1] for c in cells]
    print_css = (Path(screen.__file__).parent / "static" / "progress.css").read_text()
    assert "@media screen" in print_css and ".screen-hidden" in print_css


def test_an_empty_profile_gets_a_kind_page_without_a_chart():
    root = page(Profile())
    assert root.all("h1")[0].text() == "How you are doing"
    encouragement = root.all("p", "encouragement")[0].text()
    assert encouragement.startswith("Nothing here yet, and that is perfectly fine.")
    none_yet = [p.text() for p in root.all("p", "none-yet")]
    assert "once you have done an exercise" in none_yet[0].lower()
    assert none_yet[1].startswith("No agreements yet.")
    assert not root.all("svg") and not root.all("table")
