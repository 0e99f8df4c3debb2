"""Every write of in-hospital monitoring: one ``do_<verb>_<noun>`` each, one transaction, one event.

Values arrive parsed by the caller through ``core.inputs`` (pages, API and file alike call these with plain
values; the checks that need the database are here). A bedside visit that finds the patient absent raises a 挂床
finding, an identity mismatch a 冒名 finding, through :mod:`dae.auditing.actions` in the visit's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.auditing import actions as auditing
from dae.catalog.models import Hospital
from dae.claims.models import Settlement
from dae.core.codes import CoreCode, InputCode
from dae.core.errors import Conflict, InvalidInput, NotFound, require_reason
from dae.core.events import record_event, user_or_none
from dae.core.uploads import discard, store_upload
from dae.enrollment.coverage import coverage_on
from dae.enrollment.models import Person

from . import config
from .codes import Code
from .models import Admission, Assignment, Handover, Opinion, Visit, VisitPhoto
from .queries import first_visit_due, hospital_ids_of, next_visit_after, tenure_days

PHOTO_TYPES = (".jpg", ".jpeg", ".png", ".heic", ".webp")
MAX_PHOTO = 10 * 1024 * 1024

Photo = tuple[str, Iterable[bytes]]


# -- admissions (2401 / 2402 / 2404) ---------------------------------------------------------------------------


def do_report_admission(
    *, hospital: Hospital, mdtrt_id: str, psn_no: str, dept_name: str, adm_date: dt.date, dise_codg: str,
    dise_name: str, actor: Any, dept_code: str = "", bed_no: str = "", source: str = Admission.Source.PAGE,
) -> Admission:
    """入院办理 (2401): the admission is stored with the person's coverage on the admission date; a person not
    covered that day is flagged at once (``covered`` false, the reason in ``coverage_code``)."""
    cover = coverage_on(psn_no, adm_date)
    name = Person.objects.filter(psn_no=psn_no).values_list("psn_name", flat=True).first() or ""
    with transaction.atomic():
        if Admission.objects.filter(hospital=hospital, mdtrt_id=mdtrt_id).exists():
            raise Conflict(f"就诊ID {mdtrt_id} 已登记入院", code=Code.DUPLICATE_ADMISSION)
        admission = Admission.objects.create(
            hospital=hospital, region_id=hospital.region_id, mdtrt_id=mdtrt_id, psn_no=psn_no,
            psn_name=name or "（无此参保人）", dept_code=dept_code, dept_name=dept_name, bed_no=bed_no,
            adm_date=adm_date, dise_codg=dise_codg, dise_name=dise_name, covered=cover.covered,
            coverage_code=cover.code, source=source, reported_by=user_or_none(actor),
            next_visit_due=first_visit_due(adm_date),
        )
        record_event(actor, "monitoring.admitted", admission, region_id=admission.region_id,
                     note="" if cover.covered else f"入院日未参保：{cover.reason}",
                     after={"mdtrt_id": mdtrt_id, "psn_no": psn_no, "adm_date": adm_date, "covered": cover.covered,
                            "coverage": cover.code})
    return admission


def _by_mdtrt(hospital: Hospital, mdtrt_id: str) -> Admission:
    admission = (Admission.objects.select_for_update().filter(hospital=hospital, mdtrt_id=mdtrt_id).first())
    if admission is None:
        raise NotFound(f"就诊ID {mdtrt_id} 未登记入院", code=Code.NO_SUCH_ADMISSION)
    return admission


def do_discharge_admission(*, hospital: Hospital, mdtrt_id: str, dscg_date: dt.date, actor: Any) -> Admission:
    """出院办理 (2402): the stay is closed; its bedside findings are linked to the stay's settlement if it is
    already stored (otherwise :func:`do_link_findings` does it when the settlement arrives)."""
    with transaction.atomic():
        admission = _by_mdtrt(hospital, mdtrt_id)
        if admission.status != Admission.Status.IN:
            raise Conflict(f"该住院当前为「{admission.get_status_display()}」，不能办理出院",
                           code=Code.BAD_ADMISSION_STATE)
        if dscg_date < admission.adm_date:
            raise InvalidInput("出院日期不能早于入院日期", code=Code.DISCHARGE_BEFORE_ADMISSION,
                               details=[{"path": "dscg_date", "message": "早于入院日期"}])
        admission.status, admission.dscg_date, admission.next_visit_due = Admission.Status.DISCHARGED, dscg_date, None
        admission.save(update_fields=["status", "dscg_date", "next_visit_due"])
        record_event(actor, "monitoring.discharged", admission, region_id=admission.region_id,
                     before={"status": Admission.Status.IN}, after={"status": admission.status, "dscg_date": dscg_date})
        _link(admission, actor)
    return admission


def do_cancel_admission(*, hospital: Hospital, mdtrt_id: str, reason: str, actor: Any) -> Admission:
    """入院撤销 (2404): the admission is withdrawn (kept, with its reason)."""
    reason = require_reason(reason, "撤销原因")
    with transaction.atomic():
        admission = _by_mdtrt(hospital, mdtrt_id)
        if admission.status != Admission.Status.IN:
            raise Conflict(f"该住院当前为「{admission.get_status_display()}」，不能撤销入院",
                           code=Code.BAD_ADMISSION_STATE)
        admission.status, admission.cancel_reason, admission.next_visit_due = Admission.Status.CANCELLED, reason, None
        admission.save(update_fields=["status", "cancel_reason", "next_visit_due"])
        record_event(actor, "monitoring.admission_cancelled", admission, region_id=admission.region_id, note=reason,
                     before={"status": Admission.Status.IN}, after={"status": admission.status})
    return admission


def _link(admission: Admission, actor: Any) -> int:
    settlement = (Settlement.objects.filter(hospital_id=admission.hospital_id, mdtrt_id=admission.mdtrt_id,
                                            psn_no=admission.psn_no).exclude(state="cancelled")
                  .order_by("-setl_time", "-id").first())
    if settlement is None:
        return 0
    linked = 0
    for visit in admission.visits.filter(finding__isnull=False, finding__settlement__isnull=True) \
            .select_related("finding"):
        auditing.do_link_finding_settlement(visit.finding, settlement, actor=actor)
        linked += 1
    return linked


def do_link_findings(admission: Admission, *, actor: Any) -> int:
    """Link the bedside findings of a discharged stay to its settlement, once the settlement is stored."""
    with transaction.atomic():
        return _link(admission, actor)


# -- assignments with rotation -----------------------------------------------------------------------------------


def do_create_assignment(
    *, kind: str, user: Any, region_id: str, hospitals: list[Hospital], start_date: dt.date, end_date: dt.date,
    actor: Any, note: str = "",
) -> Assignment:
    """驻点安排: a resident representative on one hospital or patrol staff on a group. Nobody is kept on one
    hospital beyond ``rotation_limit_days`` counting the assignments just before (a break shorter than
    ``rotation_break_days`` does not restart the count)."""
    if kind not in Assignment.Kind.values:
        raise InvalidInput("类型应为驻院代表或医疗巡查", code=CoreCode.INVALID_CHOICE)
    if not hospitals:
        raise InvalidInput("请选择医疗机构", code=CoreCode.UNKNOWN_HOSPITAL,
                           details=[{"path": "hospitals", "message": "至少一家"}])
    if kind == Assignment.Kind.RESIDENT and len(hospitals) != 1:
        raise InvalidInput("驻院代表只驻一家医院", code=CoreCode.INVALID_CHOICE,
                           details=[{"path": "hospitals", "message": "只能选一家"}])
    if end_date < start_date:
        raise InvalidInput("结束日期不能早于开始日期", code=InputCode.INVALID_PERIOD,
                           details=[{"path": "end_date", "message": "早于开始日期"}])
    if any(h.region_id != region_id for h in hospitals):
        raise InvalidInput("医疗机构不属于该统筹区", code=CoreCode.UNKNOWN_HOSPITAL)
    limit = int(config.get("rotation_limit_days"))
    with transaction.atomic():
        for hospital in hospitals:
            days = tenure_days(user, hospital, start_date, end_date)
            if days > limit:
                raise Conflict(
                    f"{user.get_full_name() or user.username} 在{hospital.name}连续驻点将达 {days} 天，超过轮岗期限"
                    f" {limit} 天；请缩短期限或安排他人",
                    code=Code.ROTATION_LIMIT,
                )
        assignment = Assignment.objects.create(
            kind=kind, user=user, region_id=region_id, start_date=start_date, end_date=end_date, note=note,
            created_by=user_or_none(actor),
        )
        assignment.hospitals.set(hospitals)
        record_event(actor, "monitoring.assigned", assignment, region_id=region_id,
                     after={"kind": kind, "user": user.username, "hospitals": [h.code for h in hospitals],
                            "start": start_date, "end": end_date})
    return assignment


def do_end_assignment(assignment: Assignment, *, ended_on: dt.date, actor: Any) -> Assignment:
    """轮岗: the assignment ends (its history is kept)."""
    with transaction.atomic():
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.ended_on is not None:
            raise Conflict("该安排已结束", code=InputCode.INVALID_PERIOD)
        if not locked.start_date <= ended_on <= locked.end_date:
            raise InvalidInput("结束日期应在安排期间内", code=InputCode.INVALID_PERIOD)
        locked.ended_on = ended_on
        locked.save(update_fields=["ended_on"])
        record_event(actor, "monitoring.assignment_ended", locked, region_id=locked.region_id,
                     before={"ended_on": None}, after={"ended_on": ended_on})
    return locked


# -- bedside visits ----------------------------------------------------------------------------------------------


def _finding_for(admission: Admission, visit: Visit, actor: Any) -> Any:
    day = f"{visit.visit_date:%Y-%m-%d}"
    if visit.presence == Visit.Presence.ABSENT:
        rule, detail = "R14_IDLE_BED", (f"{day} 驻院查床：{admission.psn_name}（{admission.dept_name}"
                                        f"{' ' + admission.bed_no + '床' if admission.bed_no else ''}）不在床，"
                                        f"疑似挂床住院。{visit.notes}")
    elif visit.identity == Visit.Identity.MISMATCH:
        rule, detail = "R15_OVERLAP", (f"{day} 驻院查床：在床患者与参保人 {admission.psn_name} 的身份信息不符，"
                                       f"疑似冒名就医。{visit.notes}")
    else:
        return None
    settlement = Settlement.objects.filter(hospital_id=admission.hospital_id, mdtrt_id=admission.mdtrt_id,
                                           psn_no=admission.psn_no).exclude(state="cancelled").first()
    return auditing.do_record_bedside_finding(
        rule_id=rule, source=("monitoring.visit", visit.pk), hospital=admission.hospital, psn_no=admission.psn_no,
        detail=detail, actor=actor, settlement=settlement,
    )


def do_record_visit(
    admission: Admission, *, visitor: Any, visit_date: dt.date, presence: str, identity: str, plausible: bool,
    notes: str, photos: list[Photo] = (), actor: Any = None,  # type: ignore[assignment]
) -> Visit:
    """查床: a visit to a patient in hospital by the representative or patrol member assigned to its hospital that
    day (the manager may visit any stay in scope). An absent patient becomes a 挂床 finding and an identity mismatch a
    冒名 finding, with the visit as evidence; the next visit falls due ``repeat_visit_days`` later."""
    actor = actor or visitor
    if presence not in Visit.Presence.values or identity not in Visit.Identity.values:
        raise InvalidInput("在床情况或身份核验的取值不正确", code=CoreCode.INVALID_CHOICE)
    if presence == Visit.Presence.ABSENT and identity != Visit.Identity.NOT_SEEN:
        identity = Visit.Identity.NOT_SEEN  # nobody in the bed: nobody's identity was checked
    for name, _chunks in photos:
        if not name.lower().endswith(PHOTO_TYPES):
            raise InvalidInput(f"不支持的照片类型：{name}（可上传 JPG、PNG、HEIC、WEBP）", code=Code.BAD_PHOTO)
    if visit_date < admission.adm_date or visit_date > timezone.localdate():
        raise InvalidInput("查床日期应在入院日期与今天之间", code=Code.VISIT_DATE,
                           details=[{"path": "visit_date", "message": "日期不在住院期间"}])
    stored = []
    try:
        with transaction.atomic():
            locked = Admission.objects.select_for_update().select_related("hospital").get(pk=admission.pk)
            if locked.status != Admission.Status.IN:
                raise Conflict(f"该住院当前为「{locked.get_status_display()}」，不能查床",
                               code=Code.BAD_ADMISSION_STATE)
            if getattr(visitor, "post", "") == "inspector" and \
                    locked.hospital_id not in hospital_ids_of(visitor, visit_date):
                raise Conflict(f"查床人当日未驻点{locked.hospital.name}（请先在驻点安排中安排）",
                               code=Code.NOT_ASSIGNED)
            due = locked.next_visit_due
            visit = Visit.objects.create(
                admission=locked, hospital=locked.hospital, region_id=locked.region_id, visitor=visitor,
                visit_date=visit_date, seq=locked.visits_count + 1, due_on=due,
                late=due is not None and visit_date > due, presence=presence, identity=identity,
                plausible=plausible, notes=notes[:1000],
            )
            for name, chunks in photos:
                upload = store_upload(iter(chunks), name=_safe_name(name), folder="monitoring", max_bytes=MAX_PHOTO,
                                      too_large=f"照片 {name} 超过 10 MB")
                stored.append(upload)
                VisitPhoto.objects.create(visit=visit, name=name[:200], path=str(upload.path), sha256=upload.sha256,
                                          size=upload.size)
            finding = _finding_for(locked, visit, actor)
            if finding is not None:
                visit.finding = finding
                visit.save(update_fields=["finding"])
            locked.visits_count += 1
            locked.next_visit_due = next_visit_after(visit_date)
            locked.save(update_fields=["visits_count", "next_visit_due"])
            record_event(actor, "monitoring.visited", visit, region_id=visit.region_id, note=notes[:300],
                         after={"admission": locked.pk, "presence": presence, "identity": identity,
                                "late": visit.late, "finding": finding.pk if finding else None,
                                "photos": [n for n, _c in photos]})
    except BaseException:
        for upload in stored:  # the visit was not recorded: its photos go too
            discard(upload)
        raise
    return visit


def _safe_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "photo"
    return "".join(c for c in base if c not in '<>:"|?*\x00')[:150] or "photo"


# -- hand-over register and opinions -----------------------------------------------------------------------------


def do_record_handover(
    *, hospital: Hospital, direction: str, department: str, items: str, handed_by: str, received_by: str,
    handed_on: dt.date, actor: Any, admission: Admission | None = None,
) -> Handover:
    """资料交接: what was handed, by whom, when, received by whom."""
    if direction not in Handover.Direction.values:
        raise InvalidInput("交接方向不正确", code=CoreCode.INVALID_CHOICE)
    with transaction.atomic():
        handover = Handover.objects.create(
            hospital=hospital, region_id=hospital.region_id, admission=admission, direction=direction,
            department=department, items=items, handed_by=handed_by, received_by=received_by, handed_on=handed_on,
            recorded_by=user_or_none(actor),
        )
        record_event(actor, "monitoring.handed_over", handover, region_id=handover.region_id,
                     after={"direction": direction, "department": department, "items": items[:200],
                            "handed_by": handed_by, "received_by": received_by, "on": handed_on})
    return handover


def do_record_opinion(*, hospital: Hospital, source: str, content: str, actor: Any,
                      admission: Admission | None = None) -> Opinion:
    """意见收集: an opinion from a patient or the hospital, passed to the manager (待阅)."""
    if source not in Opinion.Source.values:
        raise InvalidInput("意见来源不正确", code=CoreCode.INVALID_CHOICE)
    with transaction.atomic():
        opinion = Opinion.objects.create(hospital=hospital, region_id=hospital.region_id, admission=admission,
                                         source=source, content=content, recorded_by=user_or_none(actor))
        record_event(actor, "monitoring.opinion_recorded", opinion, region_id=opinion.region_id,
                     after={"source": source, "content": content[:200]})
    return opinion


def do_read_opinion(opinion: Opinion, *, note: str, actor: Any) -> Opinion:
    """The manager has read the opinion (阅处), with a note."""
    with transaction.atomic():
        locked = Opinion.objects.select_for_update().get(pk=opinion.pk)
        if locked.status == Opinion.Status.READ:
            raise Conflict("该意见已阅处", code=CoreCode.INVALID_CHOICE)
        locked.status, locked.read_by, locked.read_note = Opinion.Status.READ, user_or_none(actor), note[:500]
        locked.save(update_fields=["status", "read_by", "read_note"])
        record_event(actor, "monitoring.opinion_read", locked, region_id=locked.region_id, note=note[:300],
                     before={"status": Opinion.Status.NEW}, after={"status": locked.status})
    return locked
