"""Complaints and tip-offs (投诉 / 举报): 受理 → 流转 → 追踪 → 反馈 → 评价 → 归档.

Each ``do_*`` checks its input first (a refusal writes nothing), then runs in one transaction with its event
(``service.case_*``). The decision is due ``rules.decide_days()`` working days after receipt; ``do_extend_case``
moves it to ``rules.extended_days()`` and always waits for a manager's approval (``approvals``, kind
``service.extend``): the approval runs it again as the person who asked.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.accounts.permissions import writers
from dae.accounts.posts import Post
from dae.approvals.actions import require
from dae.catalog.models import Hospital
from dae.core import inputs
from dae.core.codes import CoreCode
from dae.core.errors import Conflict, InvalidInput, PermissionDenied, require_reason
from dae.core.events import record_event, snapshot, user_or_none
from dae.enrollment.models import Person
from dae.inspection.actions.inspections import do_create_inspection
from dae.inspection.actions.investigations import do_create_investigation
from dae.notices.actions import check_phone

from .. import rules
from ..codes import Code
from ..models import Case, Channel, Handover
from .common import choice, day, due, region, staff_user, text

#: A case may be handed to (流转) the posts that may reply to it — the service desk and the posts that look into
#: what is reported; the permission matrix is the one source.
HANDLER_ROUTE = "service:case_reply"


def assignable_posts() -> tuple[Post, ...]:
    """The posts a case may be handed to, as the matrix says: the service desk first, the manager last."""
    chosen = writers(HANDLER_ROUTE)
    order = list(Post)
    return tuple(sorted((p for p in Post if p in chosen),
                        key=lambda p: (p == Post.MANAGER, p != Post.SERVICE, order.index(p))))


def _state(case: Case) -> dict[str, Any]:
    return snapshot(case, ["status", "assignee", "assigned_post", "due_on", "extension", "replied_on", "rating",
                           "archived_on", "inspection", "investigation"])


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def do_receive_case(
    actor: Any, *, kind: Any, region_code: Any, category: Any, channel: Any, subject: Any, hospital: Any = None,
    concerned_person: Any = "", psn_no: Any = "", contact_name: Any = "", contact_phone: Any = "",
    anonymous: bool = False, received_on: Any = None,
) -> Case:
    """受理: register a complaint or a tip-off; the decision is due 10 working days after ``received_on``.
    A tip-off may be anonymous (no reporter kept at all); a complaint names who complains."""
    kind = choice(kind, Case.Kind, "kind", "类型")
    code = region(actor, region_code)
    values = {
        "category": choice(category, Case.Category, "category", "事项分类"),
        "channel": choice(channel, Channel, "channel", "渠道"),
        "subject": text(subject, "subject", "反映内容", 2000),
        "concerned_person": text(concerned_person, "concerned_person", "涉及人员", 100, required=False),
    }
    hosp = None
    if hospital not in (None, ""):
        pk = hospital.pk if isinstance(hospital, Hospital) else inputs.whole(
            hospital, field="hospital", label="医疗机构", minimum=1, maximum=2**63 - 1)
        hosp = Hospital.objects.filter(pk=pk).first()
        if hosp is None:
            raise InvalidInput("涉及的医疗机构不存在", code=CoreCode.UNKNOWN_HOSPITAL,
                               details=[{"path": "hospital", "message": "医疗机构不存在"}])
    anonymous = bool(anonymous) and kind == Case.Kind.TIPOFF
    if anonymous:
        person, name, phone = "", "", ""
    else:
        person = text(psn_no, "psn_no", "人员编号", 30, required=False)
        name = text(contact_name, "contact_name", "反映人", 50, required=kind == Case.Kind.COMPLAINT)
        phone_text = text(contact_phone, "contact_phone", "联系电话", 20, required=False)
        phone = check_phone(phone_text) if phone_text else ""
        if person and not Person.objects.filter(psn_no=person).exists():
            raise InvalidInput(f"人员编号 {person} 不存在", code=CoreCode.UNKNOWN_PERSON,
                               details=[{"path": "psn_no", "message": "参保人不存在"}])
    received = day(received_on, "received_on", "受理日期")
    due_on, warnings = due(received, rules.decide_days())
    with transaction.atomic():
        case = Case.objects.create(
            kind=kind, region_id=code, hospital=hosp, psn_no=person, contact_name=name, contact_phone=phone,
            anonymous=anonymous, received_on=received, due_on=due_on, deadline_warnings=warnings,
            created_by=user_or_none(actor), **values)
        # the reporter of a tip-off is never written into the event log (it is read by few, and each read logged)
        record_event(actor, "service.case_received", case, region_id=code,
                     after={**_state(case), "kind": kind, "category": values["category"],
                            "channel": values["channel"], "anonymous": anonymous,
                            "hospital": hosp.pk if hosp else None, "received_on": received})
    return case


def do_assign_case(actor: Any, case: Case, *, assignee: Any = None, post: Any = "", note: Any = "") -> Case:
    """流转: hand the case to a person or a post; every hand-over is kept (``Handover``)."""
    user = staff_user(assignee, case.region_id)
    post_code = str(post or "").strip()
    if user is None and not post_code:
        raise InvalidInput("请选择承办人或承办岗位", code=Code.UNKNOWN_ASSIGNEE,
                           details=[{"path": "assignee", "message": "请选择承办人或承办岗位"}])
    if user is not None:
        post_code = user.post
    if post_code not in assignable_posts():
        raise InvalidInput("该岗位不承办投诉举报", code=Code.UNKNOWN_ASSIGNEE,
                           details=[{"path": "post", "message": "岗位不正确"}])
    note_text = text(note, "note", "流转说明", 500, required=False)
    with transaction.atomic():
        locked = _locked(case)
        if locked.status not in (Case.Status.RECEIVED, Case.Status.ASSIGNED):
            raise Conflict(f"{locked.number} {locked.get_status_display()}，不能再流转", code=Code.WRONG_STATE)
        before = _state(locked)
        locked.assignee, locked.assigned_post, locked.status = user, post_code, Case.Status.ASSIGNED
        locked.save(update_fields=["assignee", "assigned_post", "status"])
        Handover.objects.create(case=locked, from_user=user_or_none(actor), to_user=user, to_post=post_code,
                                note=note_text)
        record_event(actor, "service.case_assigned", locked, region_id=locked.region_id, before=before,
                     after={**_state(locked), "note": note_text})
    return locked


def _may_handle(actor: Any, case: Case) -> None:
    """The assignee (a person, or anyone of the post it was handed to) or the manager handles an assigned case."""
    user = user_or_none(actor)
    if user is None or user.post == Post.MANAGER:
        return
    if case.assignee_id is not None and case.assignee_id != user.pk:
        raise PermissionDenied(f"{case.number} 由{case.assignee}承办", code=Code.NOT_ASSIGNEE)
    if case.assignee_id is None and case.assigned_post and case.assigned_post != user.post:
        raise PermissionDenied(f"{case.number} 由{Post(case.assigned_post).label}承办", code=Code.NOT_ASSIGNEE)


def do_track_case(actor: Any, case: Case, *, progress: Any) -> Case:
    """追踪: record how the case stands."""
    note = text(progress, "progress", "办理进展", 1000)
    with transaction.atomic():
        locked = _locked(case)
        if locked.status != Case.Status.ASSIGNED:
            raise Conflict(f"{locked.number} {locked.get_status_display()}，不能登记进展", code=Code.WRONG_STATE)
        _may_handle(actor, locked)
        before = {"progress": locked.progress}
        locked.progress = note
        locked.save(update_fields=["progress"])
        record_event(actor, "service.case_tracked", locked, region_id=locked.region_id, before=before,
                     after={"progress": note})
    return locked


def do_reply_case(actor: Any, case: Case, *, reply: Any, replied_on: Any = None) -> Case:
    """反馈: the reply to the complainant (the decision); late if after the due date."""
    answer = text(reply, "reply", "答复内容", 3000)
    on = day(replied_on, "replied_on", "答复日期")
    with transaction.atomic():
        locked = _locked(case)
        if locked.status != Case.Status.ASSIGNED:
            raise Conflict(f"{locked.number} {locked.get_status_display()}，须先流转给承办人",
                           code=Code.WRONG_STATE)
        _may_handle(actor, locked)
        if on < locked.received_on:
            raise InvalidInput("答复日期不能早于受理日期", code=inputs.InputCode.INVALID_DATE,
                               details=[{"path": "replied_on", "message": "早于受理日期"}])
        before = _state(locked)
        locked.reply, locked.replied_on, locked.replied_by = answer, on, user_or_none(actor)
        locked.status = Case.Status.REPLIED
        locked.save(update_fields=["reply", "replied_on", "replied_by", "status"])
        record_event(actor, "service.case_replied", locked, region_id=locked.region_id, before=before,
                     after={**_state(locked), "overdue": locked.is_overdue()})
    return locked


def do_rate_case(actor: Any, case: Case, *, rating: Any, note: Any = "") -> Case:
    """评价: the complainant rates the handling (1–5) after the reply, online or on a call-back by the desk."""
    score = inputs.whole(rating, field="rating", label="满意度评价", minimum=1, maximum=5)
    remark = text(note, "note", "评价意见", 500, required=False)
    user = user_or_none(actor)
    if user is not None and user.scope_kind == "insured" and (not case.psn_no or user.psn_no != case.psn_no):
        raise PermissionDenied("只有反映人本人可以评价", code=Code.NOT_RATABLE)
    with transaction.atomic():
        locked = _locked(case)
        if locked.status != Case.Status.REPLIED or locked.rating is not None:
            raise Conflict(f"{locked.number} 不在待评价状态", code=Code.NOT_RATABLE)
        locked.rating, locked.rating_note = score, remark
        locked.save(update_fields=["rating", "rating_note"])
        record_event(actor, "service.case_rated", locked, region_id=locked.region_id,
                     after={"rating": score, "note": remark})
    return locked


def do_archive_case(actor: Any, case: Case) -> Case:
    """归档: close a replied case (rated or not: a complainant who does not rate does not hold it open)."""
    with transaction.atomic():
        locked = _locked(case)
        if locked.status != Case.Status.REPLIED:
            raise Conflict(f"{locked.number} 尚未答复，不能归档", code=Code.WRONG_STATE)
        before = _state(locked)
        locked.status, locked.archived_on = Case.Status.ARCHIVED, timezone.localdate()
        locked.save(update_fields=["status", "archived_on"])
        record_event(actor, "service.case_archived", locked, region_id=locked.region_id, before=before,
                     after=_state(locked))
    return locked


def do_extend_case(actor: Any, case: Case, *, reason: Any) -> Case:
    """延期: the decision moves to 25 working days after receipt — only with a reason and a manager's approval.
    Called by the desk it stores the request and raises ``ApprovalPending`` (202); the manager's approval runs it
    again, as the person who asked, and then it takes effect."""
    why = require_reason(reason, "延期理由")
    if case.extension == Case.Extension.APPROVED:
        raise Conflict(f"{case.number} 已延期一次，不能再延期", code=Code.EXTENSION_TWICE)
    if case.status not in (Case.Status.RECEIVED, Case.Status.ASSIGNED):
        raise Conflict(f"{case.number} {case.get_status_display()}，不能延期", code=Code.WRONG_STATE)
    require(actor, "service.extend", amount=None, region_id=case.region_id, target=("service.case", case.pk),
            summary=f"{case.number} 延期至 {rules.extended_days()} 个工作日办结：{why}",
            payload={"case": case.pk, "reason": why})
    due_on, warnings = due(case.received_on, rules.extended_days())
    with transaction.atomic():
        locked = _locked(case)
        if locked.extension == Case.Extension.APPROVED:
            raise Conflict(f"{locked.number} 已延期一次，不能再延期", code=Code.EXTENSION_TWICE)
        before = _state(locked)
        locked.due_on, locked.deadline_warnings = due_on, warnings
        locked.extension, locked.extension_reason = Case.Extension.APPROVED, why
        locked.save(update_fields=["due_on", "deadline_warnings", "extension", "extension_reason"])
        record_event(actor, "service.case_extended", locked, region_id=locked.region_id, before=before,
                     after={**_state(locked), "reason": why})
    return locked


def do_open_inspection(actor: Any, case: Case, *, inspected_on: Any, kind: Any, inspectors: Any) -> Case:
    """A tip-off opens an on-site inspection of the hospital it names (linked both ways)."""
    _check_linkable(case)
    if case.hospital is None:
        raise InvalidInput("该举报未涉及医疗机构，不能转现场巡查", code=Code.NOT_TIPOFF,
                           details=[{"path": "hospital", "message": "未涉及医疗机构"}])
    with transaction.atomic():
        locked = _locked(case)
        _check_linkable(locked)
        inspection = do_create_inspection(actor, hospital=locked.hospital, inspected_on=inspected_on, kind=kind,
                                          inspectors=inspectors, summary=f"举报线索 {locked.number}：{locked.subject}"[:2000])
        locked.inspection = inspection
        locked.save(update_fields=["inspection"])
        record_event(actor, "service.case_inspection", locked, region_id=locked.region_id,
                     after={"inspection": inspection.pk})
    return locked


def do_open_investigation(actor: Any, case: Case, *, psn_no: Any = "", hospital_name: Any = "",
                          hospital_place: Any = "") -> Case:
    """A tip-off opens a remote investigation (异地协查), linked both ways."""
    _check_linkable(case)
    with transaction.atomic():
        locked = _locked(case)
        _check_linkable(locked)
        inv = do_create_investigation(actor, region=locked.region_id, psn_no=psn_no,
                                      subject=f"举报线索 {locked.number}：{locked.subject}"[:1000],
                                      hospital_name=hospital_name or (locked.hospital.name if locked.hospital else ""),
                                      hospital_place=hospital_place)
        locked.investigation = inv
        locked.save(update_fields=["investigation"])
        record_event(actor, "service.case_investigation", locked, region_id=locked.region_id,
                     after={"investigation": inv.pk})
    return locked


def _check_linkable(case: Case) -> None:
    if case.kind != Case.Kind.TIPOFF:
        raise Conflict("只有举报可以转稽核", code=Code.NOT_TIPOFF)
    if case.inspection_id is not None or case.investigation_id is not None:
        raise Conflict(f"{case.number} 已转稽核", code=Code.ALREADY_LINKED)
