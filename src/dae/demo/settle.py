"""Freeze a draft: number visits, settlements and lines, and compute every amount.

Per line (benefit-policy.md §2 step 1): ``det_item_fee_sumamt = round_fen(cnt × pric)``; a 丙类 line is wholly
self-paid; otherwise the part above the cap (``round_fen(cnt × (pric − cap))`` when the price exceeds the cap) is
``overlmt_amt``, and of the rest (``base``) the first self-pay is ``round_fen(base × ratio)`` and the remainder is
in scope. A settlement's totals are the sums of its lines. A cancellation (2305) carries negated copies of the
original's lines (new ``feedetl_sn``, ``init_feedetl_sn`` = the original line) and negated totals.

A plant's marks come out as :class:`~dae.demo.city.PlantedCase` rows: a tagged line names its settlement and
``feedetl_sn``, a tagged visit its latest (non-cancellation) settlement.

Ids: visits (``<year>1`` + 9 digits) are numbered in order of admission, settlements (``<year>2`` + 9 digits) in
order of settlement time, so ids grow with time; ``feedetl_sn`` is the visit id + a 4-digit counter in time order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from operator import attrgetter

from dae.core.money import ZERO, round_fen
from dae.demo.city import FeeLine, PlantedCase, Settlement
from dae.demo.draft import Draft, DraftEpisode, DraftSettlement
from dae.demo.reference import LV_C


@dataclass(frozen=True, slots=True)
class Frozen:
    settlements: tuple[Settlement, ...]
    fee_lines: tuple[FeeLine, ...]
    planted: tuple[PlantedCase, ...] = ()


_WHEN = attrgetter("when")

# (det_item_fee_sumamt, fulamt_ownpay_amt, overlmt_amt, preselfpay_amt, inscp_scp_amt)
LineAmounts = tuple[Decimal, Decimal, Decimal, Decimal, Decimal]


def line_amounts(cnt: Decimal, pric: Decimal, cap: Decimal, chrgitm_lv: str, ratio: Decimal) -> LineAmounts:
    """The policy split of one fee line (what the platform's 2301 result returns), as
    (det_item_fee_sumamt, fulamt_ownpay_amt, overlmt_amt, preselfpay_amt, inscp_scp_amt)."""
    total = round_fen(cnt * pric)
    if chrgitm_lv == LV_C:
        return total, total, ZERO, ZERO, ZERO
    over = total - round_fen(cnt * cap) if pric > cap else ZERO
    base = total - over
    first = round_fen(base * ratio)
    return total, ZERO, over, first, base - first


def _ids(draft: Draft) -> tuple[dict[int, str], dict[int, str]]:
    episodes = sorted(
        draft.episodes,
        key=lambda e: (e.adm_date, e.settlements[0].setl_time, e.person.psn_no, e.hospital.row.fixmedins_code),
    )
    mdtrt_ids = {id(e): f"{draft.year}1{n:09d}" for n, e in enumerate(episodes, start=1)}
    pairs = [(e, s) for e in draft.episodes for s in e.settlements]
    pairs.sort(key=lambda pair: (pair[1].setl_time, mdtrt_ids[id(pair[0])], pair[1].begndate, pair[1].cancels is not None))
    setl_ids = {id(s): f"{draft.year}2{n:09d}" for n, (_e, s) in enumerate(pairs, start=1)}
    return mdtrt_ids, setl_ids


def freeze(draft: Draft) -> Frozen:
    mdtrt_ids, setl_ids = _ids(draft)
    settlement_rows: list[tuple[str, Settlement, list[FeeLine]]] = []
    # Most lines repeat an (item, price, quantity) seen before: compute each split once.
    amounts: dict[tuple[str, Decimal, Decimal], LineAmounts] = {}
    planted: list[PlantedCase] = []
    for episode in draft.episodes:
        mdtrt_id = mdtrt_ids[id(episode)]
        originals = [s for s in episode.settlements if s.cancels is None]
        own_setl_ids = [setl_ids[id(s)] for s in originals]
        rows = _visit_lines(episode, mdtrt_id, originals, own_setl_ids, amounts, planted)
        if episode.tags:
            latest = max(originals, key=lambda s: (s.setl_time, setl_ids[id(s)]))
            planted.extend(PlantedCase(tag, setl_ids[id(latest)], None, mdtrt_id, episode.person.psn_no)
                           for tag in episode.tags)
        frozen_lines = {id(s): r for s, r in zip(originals, rows, strict=True)}
        counter = sum(len(r) for r in rows)
        for settlement, setl_id, lines in zip(originals, own_setl_ids, rows, strict=True):
            settlement_rows.append((setl_id, _settlement(episode, settlement, setl_id, mdtrt_id, None, lines), lines))
        for settlement in episode.settlements:
            if settlement.cancels is None:
                continue
            setl_id = setl_ids[id(settlement)]
            negated = []
            for original in frozen_lines[id(settlement.cancels)]:
                counter += 1
                negated.append(_negated(original, setl_id, f"{mdtrt_id}{counter:04d}"))
            init = setl_ids[id(settlement.cancels)]
            cancellation = _settlement(episode, settlement, setl_id, mdtrt_id, init, negated)
            settlement_rows.append((setl_id, cancellation, negated))
    settlement_rows.sort(key=lambda item: item[0])
    planted.sort(key=lambda p: (p.rule_id, p.setl_id, p.feedetl_sn or ""))
    return Frozen(
        settlements=tuple(row for _, row, _ in settlement_rows),
        fee_lines=tuple(line for _, _, lines in settlement_rows for line in lines),
        planted=tuple(planted),
    )


def _visit_lines(episode: DraftEpisode, mdtrt_id: str, originals: list[DraftSettlement], own_setl_ids: list[str],
                 amounts: dict[tuple[str, Decimal, Decimal], LineAmounts],
                 planted: list[PlantedCase]) -> list[list[FeeLine]]:
    """The frozen lines of each settlement of a visit, numbered in time order across the visit; a tagged line adds
    its :class:`PlantedCase` to ``planted``.

    This is the generator's innermost loop (once per fee line): what is the same for the whole visit is looked
    up once, and FeeLine is built positionally (keywords cost a third more).
    """
    psn_no = episode.person.psn_no
    fixmedins_code = episode.hospital.row.fixmedins_code
    own_codes = episode.hospital.own_codes
    med_type = episode.med_type
    rows: list[list[FeeLine]] = [[] for _ in originals]
    if len(originals) == 1:
        index_of: dict[int, int] = {}
    else:
        index_of = {id(line): i for i, s in enumerate(originals) for line in s.lines}
    line_sns: dict[int, str] = {}
    counter = 0
    for line in sorted((line for s in originals for line in s.lines), key=_WHEN):
        counter += 1
        sn = f"{mdtrt_id}{counter:04d}"
        line_sns[id(line)] = sn
        spec = line.item
        item = spec.row
        code = item.med_list_codg
        cnt = line.cnt
        pric = line.pric
        key = (code, pric, cnt)
        split = amounts.get(key)
        if split is None:
            split = line_amounts(cnt, pric, item.pric_uplmt_amt, item.chrgitm_lv, spec.ratio)
            amounts[key] = split
        total, fulamt, over, first, inscp = split
        index = index_of.get(id(line), 0)
        if line.tags:
            planted.extend(PlantedCase(tag, own_setl_ids[index], sn, mdtrt_id, psn_no) for tag in line.tags)
        dept = line.dept
        doctor = line.doctor
        rows[index].append(FeeLine(
            sn, None if line.refund_of is None else line_sns[id(line.refund_of)], own_setl_ids[index], mdtrt_id,
            psn_no, fixmedins_code, med_type, line.when, code, own_codes[code], item.list_type, item.chrgitm_lv,
            item.med_chrgitm_type, item.sp_drug_kind, cnt, pric, total, item.pric_uplmt_amt, spec.selfpay_prop,
            fulamt, over, first, inscp, dept.codg, dept.name, doctor.codg, doctor.name,
            None if line.session is None else f"{mdtrt_id}-{line.session:02d}",
        ))
    return rows


def _negated(original: FeeLine, setl_id: str, sn: str) -> FeeLine:
    return replace(
        original,
        feedetl_sn=sn,
        init_feedetl_sn=original.feedetl_sn,
        setl_id=setl_id,
        cnt=-original.cnt,
        det_item_fee_sumamt=-original.det_item_fee_sumamt,
        fulamt_ownpay_amt=-original.fulamt_ownpay_amt,
        overlmt_amt=-original.overlmt_amt,
        preselfpay_amt=-original.preselfpay_amt,
        inscp_scp_amt=-original.inscp_scp_amt,
    )


def _settlement(episode: DraftEpisode, settlement: DraftSettlement, setl_id: str, mdtrt_id: str,
                init_setl_id: str | None, lines: list[FeeLine]) -> Settlement:
    medfee = fulamt = overlmt = preselfpay = inscp = ZERO
    for line in lines:
        medfee += line.det_item_fee_sumamt
        fulamt += line.fulamt_ownpay_amt
        overlmt += line.overlmt_amt
        preselfpay += line.preselfpay_amt
        inscp += line.inscp_scp_amt
    return Settlement(
        setl_id=setl_id,
        init_setl_id=init_setl_id,
        refd_setl_flag="0" if init_setl_id is None else "1",
        mdtrt_id=mdtrt_id,
        psn_no=episode.person.psn_no,
        fixmedins_code=episode.hospital.row.fixmedins_code,
        admdvs=episode.person.admdvs,
        place_category=episode.place_category,
        med_type=episode.med_type,
        adm_date=episode.adm_date,
        dscg_date=episode.dscg_date,
        begndate=settlement.begndate,
        enddate=settlement.enddate,
        setl_time=settlement.setl_time,
        dise_codg=episode.diagnosis.row.dise_codg,
        dise_name=episode.diagnosis.row.dise_name,
        settle_way=episode.settle_way,
        mid_setl_flag=settlement.mid_setl_flag,
        medfee_sumamt=medfee,
        fulamt_ownpay_amt=fulamt,
        overlmt_selfpay=overlmt,
        preselfpay_amt=preselfpay,
        inscp_scp_amt=inscp,
    )
