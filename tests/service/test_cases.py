"""Complaints and tip-offs: deadlines in working days (across 国庆 2026 and its make-up Saturday), the 25-day
extension only with a manager's approval, hand-overs, reply and rating, the reporter's identity and its access
log, and a tip-off opening an inspection or an investigation (linked both ways)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dae.approvals.actions import ApprovalPending, do_decide
from dae.approvals.models import PendingAction
from dae.core.errors import Conflict, InvalidInput, PermissionDenied
from dae.core.models import AccessRecord, Event
from dae.service import actions
from dae.service.models import Case, Handover

from .conftest import login

A = "220282"


def complaint(actor: Any, **kw: Any) -> Case:
    values = {"kind": "complaint", "region_code": A, "category": "delay", "channel": "phone",
              "subject": "报销材料交了一个月还没有结果", "psn_no": "PA0001", "contact_name": "张三",
              "contact_phone": "13812345678", "received_on": dt.date(2026, 9, 29)}
    values.update(kw)
    return actions.do_receive_case(actor, **values)


def tipoff(actor: Any, world: dict[str, Any], **kw: Any) -> Case:
    values = {"kind": "tipoff", "region_code": A, "category": "fraud", "channel": "letter",
              "subject": "某医院挂床住院，虚记费用", "hospital": world["hospitals"][0], "anonymous": False,
              "contact_name": "王五", "contact_phone": "13900001111", "received_on": dt.date(2026, 9, 29)}
    values.update(kw)
    return actions.do_receive_case(actor, **values)


def test_decided_within_ten_working_days_across_national_day_and_make_up_saturday(users: dict[str, Any]) -> None:
    # 9/30, then 10/8, 10/9, the make-up Saturday 10/10, 10/12–16 and 10/19: the tenth working day
    case = complaint(users["service"])
    assert case.due_on == dt.date(2026, 10, 19)
    assert case.deadline_warnings == []
    assert case.is_overdue(dt.date(2026, 10, 19)) is False
    assert case.is_overdue(dt.date(2026, 10, 20)) is True
    event = Event.objects.get(action="service.case_received", object_id=str(case.pk))
    assert event.after["due_on"] == "2026-10-19"


def test_extension_needs_a_reason_and_a_managers_approval(users: dict[str, Any]) -> None:
    case = complaint(users["service"])
    with pytest.raises(InvalidInput):
        actions.do_extend_case(users["service"], case, reason="")
    with pytest.raises(ApprovalPending) as pending:
        actions.do_extend_case(users["service"], case, reason="需调取医院病历核实")
    case.refresh_from_db()
    assert (case.due_on, case.extension) == (dt.date(2026, 10, 19), "")  # nothing changed before the approval
    row = PendingAction.objects.get(pk=pending.value.pending.pk)
    assert row.approver_post == "manager"
    with pytest.raises(PermissionDenied):  # a service clerk cannot approve
        do_decide(users["service2"], row.pk, approve=True)
    do_decide(users["manager"], row.pk, approve=True)
    case.refresh_from_db()
    # 25 working days after 9/29 across 国庆 and the make-up Saturday
    assert (case.due_on, case.extension, case.extension_reason) == (
        dt.date(2026, 11, 9), "approved", "需调取医院病历核实")
    assert Event.objects.filter(action="service.case_extended", object_id=str(case.pk)).count() == 1
    with pytest.raises(Conflict):
        actions.do_extend_case(users["service"], case, reason="再次延期")


def test_a_manager_asking_for_an_extension_still_needs_another_manager(users: dict[str, Any]) -> None:
    case = complaint(users["service"])
    with pytest.raises(ApprovalPending) as pending:
        actions.do_extend_case(users["manager"], case, reason="案情复杂")
    with pytest.raises(PermissionDenied):
        do_decide(users["manager"], pending.value.pending.pk, approve=True)
    do_decide(users["manager2"], pending.value.pending.pk, approve=True)
    case.refresh_from_db()
    assert case.due_on == dt.date(2026, 11, 9)


def test_refused_extension_changes_nothing(users: dict[str, Any]) -> None:
    case = complaint(users["service"])
    with pytest.raises(ApprovalPending) as pending:
        actions.do_extend_case(users["service"], case, reason="需要核实")
    do_decide(users["manager"], pending.value.pending.pk, approve=False, reason="理由不充分")
    case.refresh_from_db()
    assert (case.due_on, case.extension) == (dt.date(2026, 10, 19), "")


def test_intake_assignment_reply_rating_archive(users: dict[str, Any], world: dict[str, Any]) -> None:
    case = complaint(users["service"])
    case = actions.do_assign_case(users["service"], case, post="settlement", note="请结算岗核实进度")
    case = actions.do_assign_case(users["service"], case, assignee=users["settlement"], note="指定承办人")
    assert list(Handover.objects.filter(case=case).values_list("to_post", "to_user__username")) == [
        ("settlement", None), ("settlement", "settlement")]
    with pytest.raises(PermissionDenied):  # not the assignee
        actions.do_reply_case(users["service2"], case, reply="已处理")
    case = actions.do_track_case(users["settlement"], case, progress="已联系经办窗口")
    case = actions.do_reply_case(users["settlement"], case, reply="材料已齐，10月16日已审批", replied_on="2026-10-16")
    assert case.status == "replied" and case.is_overdue() is False
    with pytest.raises(PermissionDenied):  # another insured person
        actions.do_rate_case(world["users"]["insured_b"], case, rating=5)
    case = actions.do_rate_case(world["users"]["insured"], case, rating="4", note="处理及时")
    assert case.rating == 4
    with pytest.raises(Conflict):
        actions.do_rate_case(world["users"]["insured"], case, rating=5)
    case = actions.do_archive_case(users["service"], case)
    assert case.status == "archived"
    assert list(Event.objects.filter(object_type="service.case", object_id=str(case.pk))
                .order_by("seq").values_list("action", flat=True)) == [
        "service.case_received", "service.case_assigned", "service.case_assigned", "service.case_tracked",
        "service.case_replied", "service.case_rated", "service.case_archived"]


def test_reply_after_due_date_is_overdue(users: dict[str, Any]) -> None:
    case = actions.do_assign_case(users["service"], complaint(users["service"]), assignee=users["service"])
    case = actions.do_reply_case(users["service"], case, reply="已答复", replied_on="2026-10-20")
    assert case.is_overdue() is True


def test_anonymous_tipoff_keeps_no_reporter(users: dict[str, Any], world: dict[str, Any]) -> None:
    case = tipoff(users["service"], world, anonymous=True)
    assert (case.anonymous, case.contact_name, case.contact_phone, case.psn_no) == (True, "", "", "")


def test_reporter_identity_is_shown_only_to_its_posts_and_every_view_is_logged(
        users: dict[str, Any], world: dict[str, Any]) -> None:
    case = tipoff(users["service"], world)
    page = login(users["service"]).get(f"/service/cases/{case.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "王五" not in body and "13900001111" not in body
    assert "王五" not in str(list(Event.objects.values_list("after", flat=True)))
    before = AccessRecord.objects.filter(object_type="service.case", object_id=str(case.pk)).count()
    seen = login(users["manager"]).get(f"/service/cases/{case.pk}/reporter/")
    assert seen.status_code == 200 and "王五" in seen.content.decode()
    records = AccessRecord.objects.filter(object_type="service.case", object_id=str(case.pk)).order_by("id")
    assert records.count() == before + 1
    last = records.last()
    assert last is not None and last.actor == users["manager"] and last.path.endswith("/reporter/")
    assert login(users["settlement"]).get(f"/service/cases/{case.pk}/reporter/").status_code == 403


def test_tipoff_opens_an_inspection_linked_both_ways(users: dict[str, Any], world: dict[str, Any]) -> None:
    case = tipoff(users["service"], world, anonymous=True)
    case = actions.do_open_inspection(users["inspector"], case, inspected_on="2026-10-09", kind="special",
                                      inspectors=[users["inspector"]])
    assert case.inspection is not None
    assert list(case.inspection.service_cases.all()) == [case]
    assert case.inspection.hospital == world["hospitals"][0]
    with pytest.raises(Conflict):
        actions.do_open_investigation(users["inspector"], case)
    page = login(users["inspector"]).get(f"/inspection/inspections/{case.inspection.pk}/")
    assert case.number in page.content.decode()


def test_tipoff_opens_an_investigation(users: dict[str, Any], world: dict[str, Any]) -> None:
    case = tipoff(users["service"], world)
    case = actions.do_open_investigation(users["inspector"], case, psn_no="PA0001", hospital_place="北京市")
    assert case.investigation is not None and case.investigation.psn_no == "PA0001"
    assert list(case.investigation.service_cases.all()) == [case]


def test_a_complaint_cannot_open_an_inspection(users: dict[str, Any], world: dict[str, Any]) -> None:
    case = complaint(users["service"], hospital=world["hospitals"][0])
    with pytest.raises(Conflict):
        actions.do_open_inspection(users["inspector"], case, inspected_on="2026-10-09", kind="special",
                                   inspectors=[users["inspector"]])
