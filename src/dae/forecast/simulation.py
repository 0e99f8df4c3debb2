"""政策测算: every settlement of a past period re-run under the current rules and a draft, side by side.

The inputs are the stored settlements that count (as ``claims.payout.stored_inputs`` reads them: every counting
state, cancellations left out) whose policy year is the period's year. Persons with a settlement on the
fee-line path (dialysis sessions) are computed through the reference engine (``calculate``, traces off); all the
others through the batch engine on DuckDB (``run_batch``, integer fen, window functions). Each person's year is
computed whole on one path, so the cumulative sums are the same either way.

The current rules are the region's published versions as they stood (mid-year version changes included); the
draft is one rule-set document applied to the whole period (its ``valid_from`` moved to the first day). The
results are every settlement's payout in fen under both; the figures shown (totals, breakdowns by hospital level,
place category, month and the year's 大额 base segment, persons who gain or lose and the distribution of their
changes, the largest changes with the reference engine's explanation) are grouped from them, and the digest is
the SHA-256 of the sorted (settlement, current, draft) list, so a re-run shows whether it gives the same fen.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dae.benefits.engine import model as em
from dae.benefits.engine.batch import run_batch
from dae.benefits.engine.explain import format_trace_zh
from dae.benefits.engine.person_year import calculate, policy_year_of
from dae.benefits.engine.rules import RuleBook, load_rulebook
from dae.benefits.queries import book_documents, ruleset_for_region
from dae.claims.models import FeeLine, Settlement
from dae.claims.payout import COUNTING, engine_settlement
from dae.core.errors import NotFound

#: Bands of the per-person change (yuan): the distribution shown.
BANDS = ((None, -10000), (-10000, -1000), (-1000, -100), (-100, 0), (0, 0), (0, 100), (100, 1000), (1000, 10000),
         (10000, None))
TOP = 20


@dataclass
class Meta:
    psn_no: str
    hospital_level: str
    place_category: str
    month: str
    stored_fen: int
    dialysis: bool


@dataclass(frozen=True)
class Inputs:
    settlements: list[em.Settlement]
    meta: dict[str, Meta]
    version: str


def _fen(value: Decimal | None) -> int:
    return int((value or Decimal(0)) * 100)


def period_inputs(region: str, year: int, book: RuleBook) -> Inputs:
    """The counting settlements of ``region`` whose policy year (under ``book``) is ``year``, as engine inputs,
    with what the breakdowns need; the data version is a digest of what was read."""
    start = dt.date(year - 1, 12, 1)  # a policy year by admission date may begin before the calendar year
    rows = list(Settlement.objects.filter(region_id=region, state__in=COUNTING, init_setl_id="",
                                          setl_time__date__gte=start,
                                          setl_time__date__lt=dt.date(year + 1, 2, 1))
                .select_related("hospital").order_by("id"))
    dialysis_ids = set(FeeLine.objects.filter(settlement__in=rows).exclude(dialysis_session="")
                       .values_list("settlement_id", flat=True))
    lines: dict[int, list[FeeLine]] = defaultdict(list)
    if dialysis_ids:
        for line in FeeLine.objects.filter(settlement_id__in=dialysis_ids).order_by("feedetl_sn"):
            lines[line.settlement_id].append(line)
    settlements, meta = [], {}
    digest = hashlib.sha256()
    for row in rows:
        s = engine_settlement(row, lines.get(row.pk, ()))
        if policy_year_of(s, book) != year:
            continue
        settlements.append(s)
        meta[row.setl_id] = Meta(psn_no=row.psn_no, hospital_level=row.hospital.level,
                                 place_category=row.place_category, month=f"{row.setl_time:%Y-%m}",
                                 stored_fen=_fen(row.hifob_pay), dialysis=row.pk in dialysis_ids)
        digest.update(f"{row.setl_id}|{row.setl_time.isoformat()}|{row.medfee_sumamt}|{row.inscp_scp_amt}|"
                      f"{row.hifob_pay}|{len(lines.get(row.pk, ()))}\n".encode())
    return Inputs(settlements=settlements, meta=meta, version=digest.hexdigest())


def current_book(region: str) -> tuple[RuleBook, list[str]]:
    ruleset = ruleset_for_region(region)
    if ruleset is None:
        raise NotFound("该统筹区尚未设置补偿规则", code="no_ruleset")
    documents = book_documents(ruleset)
    return load_rulebook(documents), [str(d.get("version")) for d in documents]


def draft_book(document: dict[str, Any], year: int) -> RuleBook:
    doc = copy.deepcopy(document)
    doc["valid_from"] = f"{year}-01-01"
    doc["valid_to"] = None
    return load_rulebook([doc])


def with_changes(document: dict[str, Any], changes: dict[str, str]) -> dict[str, Any]:
    """A copy of ``document`` with the form's parameters changed (paths like ``entry_threshold``,
    ``annual_maximum``, ``segments.0.ratio``, ``dialysis.per_session_limit``, ``place_adjustments.referred``)."""
    doc = copy.deepcopy(document)
    for path, value in changes.items():
        target: Any = doc
        parts = path.split(".")
        for part in parts[:-1]:
            target = target[int(part)] if isinstance(target, list) else target[part]
        last = parts[-1]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return doc


def _batch_row(s: em.Settlement) -> dict[str, Any]:
    assert s.totals is not None
    t = s.totals
    return {"setl_id": s.setl_id, "psn_no": s.psn_no, "setl_time": s.setl_time.strftime("%Y-%m-%d %H:%M:%S"),
            "adm_date": s.adm_date.isoformat() if s.adm_date else "", "place_category": s.place_category.value,
            "settle_way": s.settle_way.value, "medfee_sumamt": str(t.medfee_sumamt),
            "fulamt_ownpay_amt": str(t.fulamt_ownpay_amt), "overlmt_selfpay": str(t.overlmt_selfpay),
            "preselfpay_amt": str(t.preselfpay_amt), "inscp_scp_amt": str(t.inscp_scp_amt)}


def compute(settlements: list[em.Settlement], book: RuleBook) -> tuple[dict[str, int], dict[str, int]]:
    """(payout fen per settlement, the year's 大额 base fen per person): the fee-line persons through the
    reference engine, the rest through the batch engine."""
    line_persons = {s.psn_no for s in settlements if s.fee_lines}
    reference = [s for s in settlements if s.psn_no in line_persons]
    batch = [s for s in settlements if s.psn_no not in line_persons]
    payout: dict[str, int] = {}
    base: dict[str, int] = defaultdict(int)
    if batch:
        with run_batch((_batch_row(s) for s in batch), book) as result:
            for row in result.rows():
                payout[row.setl_id] = _fen(row.payout)
                base[row.psn_no] = max(base[row.psn_no], _fen(row.cumulative_base))
    if reference:
        calc = calculate(reference, book, trace=False)
        for py in calc.person_years:
            for r in py.settlements:
                payout[r.setl_id] = _fen(r.payout)
                base[r.psn_no] += _fen(r.dae_base)
    return payout, dict(base)


def _band(delta_fen: int) -> str:
    yuan = Decimal(delta_fen) / 100
    for low, high in BANDS:
        if low == 0 and high == 0:
            if delta_fen == 0:
                return "0"
            continue
        if (low is None or yuan > low) and (high is None or yuan <= high):
            if high == 0 and yuan == 0:
                continue
            return f"{'' if low is None else low}~{'' if high is None else high}"
    return "?"


def _segment_label(base_fen: int, book: RuleBook) -> str:
    segments = book.versions[-1].segments
    base = Decimal(base_fen) / 100
    if base <= 0:
        return "未进入大额"
    for seg in segments:
        if seg.upper is None or base <= seg.upper:
            return f"{seg.lower:,.0f}–{'' if seg.upper is None else f'{seg.upper:,.0f}'}"
    return "?"


def _group(keys: Iterable[tuple[str, str]], current: dict[str, int], draft: dict[str, int]) -> list[dict[str, Any]]:
    acc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for setl_id, key in keys:
        acc[key][0] += current.get(setl_id, 0)
        acc[key][1] += draft.get(setl_id, 0)
        acc[key][2] += 1
    return [{"key": k, "current": v[0], "draft": v[1], "change": v[1] - v[0], "settlements": v[2]}
            for k, v in sorted(acc.items())]


def simulate(region: str, year: int, draft_document: dict[str, Any], *, explain_top: int = 5) -> dict[str, Any]:
    """Run the period under both rule sets; returns the figures (fen, ints) and the digest."""
    started = time.perf_counter()
    book_now, versions = current_book(region)
    book_draft = draft_book(draft_document, year)
    inputs = period_inputs(region, year, book_now)
    now, base_now = compute(inputs.settlements, book_now)
    new, base_new = compute(inputs.settlements, book_draft)
    meta = inputs.meta
    per_person: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for setl_id, m in meta.items():
        per_person[m.psn_no][0] += now.get(setl_id, 0)
        per_person[m.psn_no][1] += new.get(setl_id, 0)
    deltas = {p: v[1] - v[0] for p, v in per_person.items()}
    bands: dict[str, int] = defaultdict(int)
    for d in deltas.values():
        bands[_band(d)] += 1
    order = [f"{'' if lo is None else lo}~{'' if hi is None else hi}" if (lo, hi) != (0, 0) else "0"
             for lo, hi in BANDS]
    top = sorted(deltas.items(), key=lambda kv: (-abs(kv[1]), kv[0]))[:TOP]
    stored = sum(m.stored_fen for m in meta.values())
    total_now, total_new = sum(now.values()), sum(new.values())
    digest_rows = sorted((s, now.get(s, 0), new.get(s, 0)) for s in meta)
    digest = hashlib.sha256(json.dumps(digest_rows).encode()).hexdigest()
    results = {
        "region": region, "year": year, "current_versions": versions,
        "draft_version": str(draft_document.get("version", "")), "data_version": inputs.version,
        "settlements": len(meta), "fee_line_settlements": sum(1 for m in meta.values() if m.dialysis),
        "persons": len(per_person),
        "totals": {"current": total_now, "draft": total_new, "change": total_new - total_now, "stored": stored},
        "by_level": _group(((s, m.hospital_level) for s, m in meta.items()), now, new),
        "by_place": _group(((s, m.place_category) for s, m in meta.items()), now, new),
        "by_month": _group(((s, m.month) for s, m in meta.items()), now, new),
        "by_segment": _group(((s, _segment_label(base_now.get(m.psn_no, 0), book_now)) for s, m in meta.items()),
                             now, new),
        "by_region": _group(((s, region) for s in meta), now, new),
        "gainers": sum(1 for d in deltas.values() if d > 0), "losers": sum(1 for d in deltas.values() if d < 0),
        "unchanged": sum(1 for d in deltas.values() if d == 0),
        "bands": [{"band": b, "persons": bands.get(b, 0)} for b in order],
        "top": [{"psn_no": p, "current": per_person[p][0], "draft": per_person[p][1], "change": d}
                for p, d in top],
        "digest": digest,
    }
    results["explanations"] = explain_people([t["psn_no"] for t in results["top"][:explain_top]],
                                             inputs.settlements, book_now, book_draft)
    results["seconds"] = round(time.perf_counter() - started, 2)
    _ = base_new
    return results


def explain_people(psn_nos: list[str], settlements: list[em.Settlement], book_now: RuleBook,
                   book_draft: RuleBook) -> dict[str, dict[str, str]]:
    """The reference engine's explanation of a person's year under both rule sets."""
    out = {}
    for psn in psn_nos:
        mine = [s for s in settlements if s.psn_no == psn]
        if not mine:
            continue
        before = calculate(mine, book_now, trace=True).person_years
        after = calculate(mine, book_draft, trace=True).person_years
        out[psn] = {"current": "\n".join(format_trace_zh(py) for py in before),
                    "draft": "\n".join(format_trace_zh(py) for py in after)}
    return out


def person_delta_reference(psn_no: str, settlements: list[em.Settlement], book_now: RuleBook,
                           book_draft: RuleBook) -> int:
    """A person's change (fen) computed by the reference engine alone (used by the tests)."""
    mine = [s for s in settlements if s.psn_no == psn_no]
    total = 0
    for book, sign in ((book_draft, 1), (book_now, -1)):
        for py in calculate(mine, book, trace=False).person_years:
            total += sign * sum(_fen(r.payout) for r in py.settlements)
    return total
