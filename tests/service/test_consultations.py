"""Consultations: first-responder ownership, the 1-working-day limit across 国庆 and a make-up day, online asks
from self-service, and the knowledge base's versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dae.core.errors import Conflict, PermissionDenied
from dae.service import actions
from dae.service.models import Consultation, KnowledgeEntry

A = "220282"


def register(actor: Any, **kw: Any) -> Consultation:
    values = {"region_code": A, "channel": "phone", "question": "住院报销后多久到账？", "needs_check": True,
              "psn_no": "PA0001", "psn_name": "张三", "received_on": dt.date(2026, 9, 30)}
    values.update(kw)
    return actions.do_register_consultation(actor, **values)


def test_a_question_needing_a_check_is_due_the_next_working_day_after_national_day(users: dict[str, Any]) -> None:
    c = register(users["service"])
    assert c.due_on == dt.date(2026, 10, 8)


def test_due_on_a_make_up_saturday(users: dict[str, Any]) -> None:
    c = register(users["service"], received_on="2026-10-09")
    assert c.due_on == dt.date(2026, 10, 10)  # 国庆调休 Saturday is a working day
    assert c.is_overdue(dt.date(2026, 10, 10)) is False and c.is_overdue(dt.date(2026, 10, 12)) is True


def test_answered_on_the_spot(users: dict[str, Any]) -> None:
    c = register(users["service"], needs_check=False, answer="一般 15 个工作日内到账", received_on=None)
    assert (c.status, c.due_on, c.is_overdue()) == ("answered", c.received_on, False)


def test_only_the_first_responder_answers(users: dict[str, Any]) -> None:
    c = register(users["service"])
    with pytest.raises(PermissionDenied):
        actions.do_answer_consultation(users["service2"], c, answer="我来答")
    c = actions.do_answer_consultation(users["service"], c, answer="15 个工作日内到账")
    assert (c.status, c.owner) == ("answered", users["service"])
    with pytest.raises(Conflict):
        actions.do_answer_consultation(users["service"], c, answer="again")


def test_manager_hands_an_open_question_over(users: dict[str, Any]) -> None:
    c = register(users["service"])
    with pytest.raises(PermissionDenied):
        actions.do_hand_over_consultation(users["service"], c, owner=users["service2"], reason="休假")
    c = actions.do_hand_over_consultation(users["manager"], c, owner=users["service2"], reason="首问人休假")
    c = actions.do_answer_consultation(users["service2"], c, answer="已答复")
    assert c.owner == users["service2"]


def test_online_question_is_taken_by_the_first_staff_member(users: dict[str, Any], world: dict[str, Any]) -> None:
    c = actions.do_ask_online(world["users"]["insured"], question="异地住院怎么报销？", category="claim")
    assert (c.owner, c.channel, c.psn_no, c.region_id, c.needs_check) == (None, "online", "PA0001", A, True)
    c = actions.do_take_consultation(users["service2"], c)
    with pytest.raises(Conflict):
        actions.do_take_consultation(users["service"], c)
    with pytest.raises(PermissionDenied):
        actions.do_answer_consultation(users["service"], c, answer="x")
    c = actions.do_answer_consultation(users["service2"], c, answer="请先办理异地就医备案")
    assert c.status == "answered"


def test_knowledge_versions(users: dict[str, Any]) -> None:
    first = actions.do_save_knowledge(users["service"], category="policy", question="起付线是多少？",
                                      answer="年度起付线按当年政策执行", policy_ref="吉林市大额补助办法第八条")
    second = actions.do_save_knowledge(users["service"], key=first.key, category="policy", question="起付线是多少？",
                                       answer="2026 年起付线 15000 元", policy_ref="吉林市大额补助办法第八条")
    first.refresh_from_db()
    assert (first.key, first.version, first.status) == ("KB-0001", 1, "retired")
    assert (second.key, second.version, second.status) == ("KB-0001", 2, "published")
    c = register(users["service"])
    c = actions.do_answer_consultation(users["service"], c, answer=second.answer, knowledge=second.pk)
    assert c.knowledge == second
    assert KnowledgeEntry.objects.filter(status="published").count() == 1
