"""The survey's analysis (满意度分析) from counted answers: response rate, each question's and dimension's mean score
and distribution, comparisons by region and hospital, the free-text answers, and the satisfaction rate against the
target.

Definitions (docs/service.md): a scale answer is 5 非常满意 … 1 非常不满意; *satisfied* means 4 or 5; the satisfaction
rate is satisfied answers / scale answers × 100; a mean is Σ score / answers. Rates and means are rounded half up
to 0.01 once, at the end. The database counts (one ``GROUP BY``), this module only adds up counts. Pure: must never
import Django.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

HUNDREDTH = Decimal("0.01")
SATISFIED = (4, 5)
SCALE = (5, 4, 3, 2, 1)
SCALE_WORDS = {5: "非常满意", 4: "满意", 3: "一般", 2: "不太满意", 1: "非常不满意"}


@dataclass(frozen=True)
class Question:
    questionnaire: str
    code: str
    text: str
    kind: str
    dimension: str


@dataclass(frozen=True)
class ScoreCount:
    """How many answers gave ``score`` to one question, in one region and hospital stratum."""

    region: str
    hospital: str
    questionnaire: str
    question: str
    score: int
    n: int


@dataclass(frozen=True)
class TextAnswer:
    region: str
    hospital: str
    questionnaire: str
    question: str
    text: str


@dataclass
class Tally:
    """Scale answers of a group: count per score."""

    counts: dict[int, int] = field(default_factory=lambda: {s: 0 for s in SCALE})

    def add(self, score: int, n: int) -> None:
        self.counts[score] = self.counts.get(score, 0) + n

    @property
    def answers(self) -> int:
        return sum(self.counts.values())

    @property
    def satisfied(self) -> int:
        return sum(self.counts.get(s, 0) for s in SATISFIED)

    @property
    def mean(self) -> Decimal | None:
        if not self.answers:
            return None
        total = sum(score * n for score, n in self.counts.items())
        return (Decimal(total) / Decimal(self.answers)).quantize(HUNDREDTH, ROUND_HALF_UP)

    @property
    def rate(self) -> Decimal | None:
        return rate(self.satisfied, self.answers)

    @property
    def distribution(self) -> list[tuple[str, int]]:
        return [(SCALE_WORDS[s], self.counts.get(s, 0)) for s in SCALE]


def rate(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as a percentage rounded half up to 0.01, ``None`` when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(HUNDREDTH, ROUND_HALF_UP)


@dataclass(frozen=True)
class Row:
    """One line of a comparison table: a question, a dimension, a region or a hospital."""

    key: str
    label: str
    tally: Tally


@dataclass(frozen=True)
class Analysis:
    sampled: int
    answered: int
    response_rate: Decimal | None
    overall: Tally
    target: Decimal
    questions: list[Row]
    dimensions: list[Row]
    regions: list[Row]
    hospitals: list[Row]
    texts: list[TextAnswer]

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return self.overall.rate

    @property
    def meets_target(self) -> bool:
        return self.overall.rate is not None and self.overall.rate >= self.target


def analyse(
    questions: Sequence[Question], counts: Iterable[ScoreCount], texts: Iterable[TextAnswer], *, sampled: int,
    answered: int, target: Decimal, region_names: dict[str, str] | None = None,
    hospital_names: dict[str, str] | None = None, dimension_names: dict[str, str] | None = None,
) -> Analysis:
    """The analysis of one survey. ``counts`` of questions that are not scale questions are ignored."""
    scale = {(q.questionnaire, q.code): q for q in questions if q.kind == "scale"}
    overall = Tally()
    by_question: dict[tuple[str, str], Tally] = defaultdict(Tally)
    by_dimension: dict[str, Tally] = defaultdict(Tally)
    by_region: dict[str, Tally] = defaultdict(Tally)
    by_hospital: dict[str, Tally] = defaultdict(Tally)
    for c in counts:
        question = scale.get((c.questionnaire, c.question))
        if question is None or c.score not in SCALE:
            continue
        for tally in (overall, by_question[(c.questionnaire, c.question)], by_dimension[question.dimension],
                      by_region[c.region], by_hospital[c.hospital]):
            tally.add(c.score, c.n)
    regions, hospitals, dims = region_names or {}, hospital_names or {}, dimension_names or {}
    dimension_order = list(dict.fromkeys(q.dimension for q in scale.values()))
    return Analysis(
        sampled=sampled, answered=answered, response_rate=rate(answered, sampled), overall=overall, target=target,
        questions=[Row(f"{key[0]}.{key[1]}", q.text, by_question.get(key, Tally())) for key, q in scale.items()],
        dimensions=[Row(d, dims.get(d, d), by_dimension.get(d, Tally())) for d in dimension_order],
        regions=[Row(r, regions.get(r, r), by_region[r]) for r in sorted(by_region)],
        hospitals=[Row(h, hospitals.get(h, h), by_hospital[h]) for h in sorted(by_hospital)],
        texts=sorted((t for t in texts if t.text.strip()), key=lambda t: (t.questionnaire, t.question, t.region)),
    )
