"""Consultations (咨询) and the knowledge base (知识库).

首问负责: whoever first receives a question registers it and owns it until it is answered; only the owner answers
(the manager may hand it over). A question asked online has no owner until the first staff member takes it. A
question answered on the spot is due the day it came; one that needs a check within ``rules.consult_days()``
working days.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dae.accounts.posts import Post
from dae.core import inputs
from dae.core.errors import Conflict, InvalidInput, PermissionDenied
from dae.core.events import record_event, snapshot, user_or_none
from dae.enrollment.models import Person

from .. import rules
from ..codes import Code
from ..models import Channel, Consultation, KnowledgeEntry
from .common import choice, day, due, region, staff_user, text


def _state(c: Consultation) -> dict[str, Any]:
    return snapshot(c, ["status", "owner", "due_on", "answered_on", "knowledge"])


def _knowledge(value: Any) -> KnowledgeEntry | None:
    if value in (None, ""):
        return None
    if isinstance(value, KnowledgeEntry):
        return value

    pk = inputs.whole(value, field="knowledge", label="知识库条目", minimum=1, maximum=2**63 - 1)
    entry = KnowledgeEntry.objects.filter(pk=pk, status=KnowledgeEntry.Status.PUBLISHED).first()
    if entry is None:
        raise InvalidInput("知识库条目不存在或已停用", code=Code.UNKNOWN_KNOWLEDGE,
                           details=[{"path": "knowledge", "message": "条目不存在"}])
    return entry


def do_register_consultation(
    actor: Any, *, region_code: Any, channel: Any, question: Any, category: Any = "other", psn_no: Any = "",
    psn_name: Any = "", needs_check: bool = False, answer: Any = "", knowledge: Any = None, received_on: Any = None,
) -> Consultation:
    """登记咨询 by the person who received it (its owner). With an answer it is answered at once; a question that
    needs a check is due ``consult_days`` working days later; otherwise it is due the same day."""
    code = region(actor, region_code)
    values = {
        "channel": choice(channel, Channel, "channel", "渠道"),
        "category": choice(category, KnowledgeEntry.Category, "category", "分类"),
        "question": text(question, "question", "咨询内容", 1000),
        "psn_no": text(psn_no, "psn_no", "人员编号", 30, required=False),
        "psn_name": text(psn_name, "psn_name", "咨询人", 50, required=False),
    }
    reply = text(answer, "answer", "答复内容", 3000, required=False)
    entry = _knowledge(knowledge)
    received = day(received_on, "received_on", "受理日期")
    due_on, warnings = due(received, rules.consult_days()) if needs_check else (received, [])
    with transaction.atomic():
        c = Consultation.objects.create(region_id=code, owner=user_or_none(actor), needs_check=bool(needs_check),
                                        received_on=received, due_on=due_on, deadline_warnings=warnings, **values)
        if reply:
            c.answer, c.knowledge, c.status = reply, entry, Consultation.Status.ANSWERED
            c.answered_on, c.answered_at = timezone.localdate(), timezone.now()
            c.save(update_fields=["answer", "knowledge", "status", "answered_on", "answered_at"])
        record_event(actor, "service.consultation_registered", c, region_id=code,
                     after={**_state(c), "channel": values["channel"], "needs_check": bool(needs_check)})
    return c


def do_ask_online(user: Any, *, question: Any, category: Any = "other") -> Consultation:
    """参保人网上咨询: an insured person asks from self-service; answered within ``consult_days`` working days by
    the staff member who takes it first."""
    person = Person.objects.filter(psn_no=getattr(user, "psn_no", "") or "").first()
    if person is None:
        raise PermissionDenied("只有参保人本人可以网上咨询", code=Code.NOT_OWNER)
    values = {"question": text(question, "question", "咨询内容", 1000),
              "category": choice(category or "other", KnowledgeEntry.Category, "category", "分类")}
    received = timezone.localdate()
    due_on, warnings = due(received, rules.consult_days())
    with transaction.atomic():
        c = Consultation.objects.create(region_id=person.region_id, psn_no=person.psn_no, psn_name=person.psn_name,
                                        channel=Channel.ONLINE, needs_check=True, received_on=received,
                                        due_on=due_on, deadline_warnings=warnings, **values)
        record_event(user, "service.consultation_asked", c, region_id=person.region_id, after=_state(c))
    return c


def _locked(c: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().get(pk=c.pk)


def do_take_consultation(actor: Any, c: Consultation) -> Consultation:
    """接收网上咨询: the first staff member to take an unowned question becomes its owner."""
    with transaction.atomic():
        locked = _locked(c)
        if locked.owner_id is not None:
            if locked.owner_id == getattr(actor, "pk", None):
                return locked
            raise Conflict(f"{locked.number} 已由{locked.owner}首问负责", code=Code.NOT_OWNER)
        locked.owner = user_or_none(actor)
        locked.save(update_fields=["owner"])
        record_event(actor, "service.consultation_taken", locked, region_id=locked.region_id,
                     before={"owner": None}, after={"owner": locked.owner_id})
    return locked


def do_answer_consultation(actor: Any, c: Consultation, *, answer: Any, knowledge: Any = None) -> Consultation:
    """答复: only the owner (首问负责) answers; an unowned online question is taken by whoever answers it."""
    reply = text(answer, "answer", "答复内容", 3000)
    entry = _knowledge(knowledge)
    with transaction.atomic():
        locked = _locked(c)
        if locked.status == Consultation.Status.ANSWERED:
            raise Conflict(f"{locked.number} 已答复", code=Code.ALREADY_ANSWERED)
        user = user_or_none(actor)
        if locked.owner_id is None:
            locked.owner = user
        elif user is not None and locked.owner_id != user.pk:
            raise PermissionDenied(f"{locked.number} 由{locked.owner}首问负责，须由其答复", code=Code.NOT_OWNER)
        before = _state(locked)
        locked.answer, locked.knowledge, locked.status = reply, entry, Consultation.Status.ANSWERED
        locked.answered_on, locked.answered_at = timezone.localdate(), timezone.now()
        locked.save(update_fields=["owner", "answer", "knowledge", "status", "answered_on", "answered_at"])
        record_event(actor, "service.consultation_answered", locked, region_id=locked.region_id, before=before,
                     after={**_state(locked), "overdue": locked.is_overdue()})
    return locked


def do_hand_over_consultation(actor: Any, c: Consultation, *, owner: Any, reason: Any) -> Consultation:
    """The manager hands an open question to another owner (the first responder is absent), with a reason."""
    if getattr(actor, "post", "") != Post.MANAGER:
        raise PermissionDenied("只有管理岗可以改变首问负责人", code=Code.NOT_OWNER)
    new_owner = staff_user(owner, c.region_id, "owner")
    why = text(reason, "reason", "原因", 300)
    with transaction.atomic():
        locked = _locked(c)
        if locked.status == Consultation.Status.ANSWERED:
            raise Conflict(f"{locked.number} 已答复", code=Code.ALREADY_ANSWERED)
        before = _state(locked)
        locked.owner = new_owner
        locked.save(update_fields=["owner"])
        record_event(actor, "service.consultation_handed_over", locked, region_id=locked.region_id,
                     before=before, after={**_state(locked), "reason": why})
    return locked


def do_save_knowledge(actor: Any, *, category: Any, question: Any, answer: Any, policy_ref: Any = "",
                      key: Any = "") -> KnowledgeEntry:
    """知识库: a new entry (version 1, key ``KB-0001`` …) or a new version of ``key``; versions are never edited."""
    values = {
        "category": choice(category, KnowledgeEntry.Category, "category", "分类"),
        "question": text(question, "question", "问题", 300),
        "answer": text(answer, "answer", "标准答复", 3000),
        "policy_ref": text(policy_ref, "policy_ref", "政策依据", 300, required=False),
    }
    key_text = text(key, "key", "条目编号", 20, required=False)
    with transaction.atomic():
        if key_text:
            latest = KnowledgeEntry.objects.select_for_update().filter(key=key_text).order_by("-version").first()
            if latest is None:
                raise InvalidInput(f"知识库条目 {key_text} 不存在", code=Code.UNKNOWN_KNOWLEDGE,
                                   details=[{"path": "key", "message": "条目不存在"}])
            version = latest.version + 1
            KnowledgeEntry.objects.filter(key=key_text).update(status=KnowledgeEntry.Status.RETIRED)
        else:
            top = KnowledgeEntry.objects.aggregate(n=Max("id"))["n"] or 0
            key_text, version = f"KB-{top + 1:04d}", 1
        entry = KnowledgeEntry.objects.create(key=key_text, version=version, created_by=user_or_none(actor),
                                              **values)
        record_event(actor, "service.knowledge_saved", entry, after={"key": key_text, "version": version,
                                                                    **values})
    return entry


def do_retire_knowledge(actor: Any, entry: KnowledgeEntry) -> KnowledgeEntry:
    """停用 the entry's key (no version in force any more)."""
    with transaction.atomic():
        count = KnowledgeEntry.objects.filter(key=entry.key, status=KnowledgeEntry.Status.PUBLISHED).update(
            status=KnowledgeEntry.Status.RETIRED)
        record_event(actor, "service.knowledge_retired", entry, after={"key": entry.key, "versions": count})
    entry.refresh_from_db()
    return entry
