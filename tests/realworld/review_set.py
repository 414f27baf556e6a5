"""The real-plan review set: where each plan comes from, and what a reviewer blocks on it.

`PROVENANCE.tsv` says where each plan comes from; `expected.yaml` holds the reviewer's judgement.
Both are read here into frozen records so that the tests compare plain values.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tests.paths import CORPUS

HERE = Path(__file__).resolve().parent
KEPT_PLANS = HERE / "plans"
SOURCES = ("corpus", "repo-kept", "absent")
# Issue 14's numbered items; a miss no item plans to catch says so in words.
ITEMS = frozenset(range(1, 14))
OUTSIDE = "outside issue 14"

Pair = tuple[str, str]


@dataclass(frozen=True)
class Origin:
    """One row of PROVENANCE.tsv."""

    plan_id: str
    source: str
    file: str
    repository: str
    path: str
    commit: str
    licence: str

    @property
    def location(self) -> Path:
        """Where the plan is read from: the shared corpus, or this folder's `plans/`."""
        return CORPUS / self.file if self.source == "corpus" else KEPT_PLANS / self.file


@dataclass(frozen=True)
class Expected:
    """A blocking finding a reviewer accepts, and how far tfgate is from reporting it once."""

    rule: str
    address: str
    reason: str
    missing_today: bool = False
    duplicates_today: int = 0
    item: int | None = None


@dataclass(frozen=True)
class Wrong:
    """A blocking finding tfgate reports today that a reviewer rejects."""

    rule: str
    address: str
    reason: str
    item: int


@dataclass(frozen=True)
class Missed:
    """Something a reviewer rejects that no rule reads yet."""

    address: str
    reason: str
    item: int | str


@dataclass(frozen=True)
class Review:
    plan_id: str
    stack: str
    baseline: tuple[Expected, ...]
    wrong: tuple[Wrong, ...]
    missed: tuple[Missed, ...]

    def accepted(self) -> Counter[Pair]:
        """The blocking (rule, address) pairs a reviewer wants, each once."""
        return Counter((finding.rule, finding.address) for finding in self.baseline)

    def today(self) -> Counter[Pair]:
        """The blocking pairs tfgate reports today, as the recorded disagreements predict."""
        pairs: Counter[Pair] = Counter()
        for finding in self.baseline:
            if not finding.missing_today:
                pairs[(finding.rule, finding.address)] += 1 + finding.duplicates_today
        for wrong in self.wrong:
            pairs[(wrong.rule, wrong.address)] += 1
        return pairs

    def disagreements(self) -> tuple[str, ...]:
        """One line per recorded disagreement, naming the issue-14 item that settles it."""
        lines = [
            f"item {finding.item}: {finding.rule} {finding.address} "
            + ("is not reported" if finding.missing_today else "is reported more than once")
            for finding in self.baseline
            if finding.item is not None
        ]
        lines += [
            f"item {finding.item}: {finding.rule} {finding.address} blocks wrongly"
            for finding in self.wrong
        ]
        return tuple(lines)

    def summary(self) -> str:
        """The disagreements in one short line: per item and rule, what is off and how often."""
        kinds: Counter[tuple[int, str, str]] = Counter()
        for finding in self.baseline:
            if finding.item is not None:
                kind = "missing" if finding.missing_today else "duplicated"
                kinds[(finding.item, finding.rule, kind)] += 1
        for wrong in self.wrong:
            kinds[(wrong.item, wrong.rule, "wrong")] += 1
        return "; ".join(
            f"item {item}: {rule} {kind} x{count}"
            for (item, rule, kind), count in sorted(kinds.items())
        )


@cache
def origins() -> Mapping[str, Origin]:
    with (HERE / "PROVENANCE.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {
        row["id"]: Origin(
            plan_id=row["id"],
            source=row["source"],
            file=row["file"],
            repository=row["repository"],
            path=row["path"],
            commit=row["commit"],
            licence=row["licence"],
        )
        for row in rows
    }


@cache
def reviews() -> Mapping[str, Review]:
    document = yaml.safe_load((HERE / "expected.yaml").read_text(encoding="utf-8"))
    return {plan_id: _review(plan_id, entry) for plan_id, entry in document["plans"].items()}


def _review(plan_id: str, entry: Mapping[str, Any]) -> Review:
    return Review(
        plan_id=plan_id,
        stack=entry["stack"],
        baseline=tuple(_expected(finding) for finding in entry.get("baseline") or ()),
        wrong=tuple(
            Wrong(
                rule=finding["rule"],
                address=finding["address"],
                reason=finding["reason"],
                item=finding["item"],
            )
            for finding in entry.get("wrong") or ()
        ),
        missed=tuple(
            Missed(address=miss["address"], reason=miss["reason"], item=miss["item"])
            for miss in entry.get("missed") or ()
        ),
    )


def _expected(finding: Mapping[str, Any]) -> Expected:
    today: Mapping[str, Any] = finding.get("today") or {}
    return Expected(
        rule=finding["rule"],
        address=finding["address"],
        reason=finding["reason"],
        missing_today=bool(today.get("missing", False)),
        duplicates_today=int(today.get("duplicates", 0)),
        item=today.get("item"),
    )


REVIEW = HERE / "REVIEW.md"
BEGIN = "<!-- begin: generated from expected.yaml (python -m tests.realworld.review_set) -->"
END = "<!-- end: generated -->"


def review_tables(plans: Mapping[str, Review], sources: Mapping[str, Origin]) -> str:
    """REVIEW.md's generated part: the per-plan table, then every disagreement and miss."""
    lines = [
        "| plan | source | blocking today | a reviewer accepts | judged wrong "
        "| expected, not reported | misses (no rule yet) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    totals = [0, 0, 0, 0, 0]
    for plan_id, review in plans.items():
        today, accepted = review.today(), review.accepted()
        numbers = [
            sum(today.values()),
            sum(1 for pair in accepted if today[pair]),
            sum((today - accepted).values()),
            sum((accepted - today).values()),
            len(review.missed),
        ]
        totals = [total + number for total, number in zip(totals, numbers, strict=True)]
        cells = " | ".join(str(number) for number in numbers)
        lines.append(f"| `{plan_id}` | {sources[plan_id].source} | {cells} |")
    lines.append(f"| **{len(plans)} plans** | | " + " | ".join(f"**{n}**" for n in totals) + " |")
    for title, entries in SECTIONS:
        listed = [
            f"- {_item(item)}, `{plan_id}`: {subject}: {why}"
            for plan_id, review in plans.items()
            for item, subject, why in entries(review)
        ]
        lines += ["", f"### {title}", "", *(listed or ["None."])]
    return "\n".join(lines) + "\n"


# A line of REVIEW.md's lists: the issue-14 item, what it is about, and why.
Entry = tuple[int | str, str, str]


def _wrong(review: Review) -> list[Entry]:
    wrong: list[Entry] = [
        (finding.item, f"{finding.rule} on `{finding.address}`", finding.reason)
        for finding in review.wrong
    ]
    return wrong + [
        (
            finding.item,
            f"{finding.rule} on `{finding.address}`",
            f"reported {1 + finding.duplicates_today} times for one problem",
        )
        for finding in review.baseline
        if finding.item is not None and finding.duplicates_today
    ]


def _not_reported(review: Review) -> list[Entry]:
    return [
        (finding.item, f"{finding.rule} on `{finding.address}`", finding.reason)
        for finding in review.baseline
        if finding.item is not None and finding.missing_today
    ]


def _missed(review: Review) -> list[Entry]:
    return [(miss.item, f"`{miss.address}`", miss.reason) for miss in review.missed]


SECTIONS = (
    ("Blocks judged wrong", _wrong),
    ("Expected blocks not reported", _not_reported),
    ("Misses: a reviewer rejects, no rule reads it yet", _missed),
)


def _item(item: int | str) -> str:
    return f"item {item}" if isinstance(item, int) else item


def generated_part(text: str) -> str:
    """The text between REVIEW.md's markers, without the marker lines."""
    start = text.index(BEGIN) + len(BEGIN) + 1
    return text[start : text.index(END)]


if __name__ == "__main__":
    current = REVIEW.read_text(encoding="utf-8")
    head, tail = current[: current.index(BEGIN) + len(BEGIN)], current[current.index(END) :]
    fresh = review_tables(reviews(), origins())
    REVIEW.write_text(f"{head}\n{fresh}{tail}", encoding="utf-8")
