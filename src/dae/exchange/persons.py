"""The person query 1101 (人员信息获取) by certificate number, compared with our enrolment: the platform's
``insuinfo`` row of insutype 330 against the person's current enrolment record, field by field, so a clerk sees
the enrolment changes of one person and makes them through the enrolment pages (``enrollment.actions``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dae.core import inputs
from dae.core.access import record_access
from dae.core.crypto import blind_index
from dae.core.masking import mask_certno
from dae.enrollment.actions import current_record
from dae.enrollment.models import Person

from .client import PlatformClient
from .codes import Code
from .errors import PlatformRefused

#: Platform 330 fields compared with our enrolment record, with their names.
COMPARED = (("psn_insu_stas", "status", "参保状态"), ("psn_type", "psn_type", "人员类别"),
            ("psn_insu_date", "begin_date", "参保日期"), ("paus_insu_date", "pause_date", "暂停日期"),
            ("insuplc_admdvs", "region_id", "参保地统筹区"))


@dataclass(frozen=True)
class PersonCheck:
    msgid: str
    certno_masked: str
    platform_base: dict[str, Any]
    platform_330: dict[str, Any] | None
    person: Person | None
    changes: list[dict[str, Any]] = field(default_factory=list)


def _ours(record: Any, attr: str) -> str:
    value = getattr(record, attr, None) if record is not None else None
    return "" if value is None else str(value)


def query_person(request: Any, region_id: str, certno: Any, *, client: PlatformClient | None = None) -> PersonCheck:
    number = inputs.text(certno, field="certno", label="证件号码", max_length=18).upper()
    try:
        answer = (client or PlatformClient()).call(
            "1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": number, "psn_cert_type": "01",
                              "certno": number, "psn_name": "", "card_sn": "", "begntime": ""}},
            purpose="person_query", admdvs=region_id, actor=request.user)
    except PlatformRefused as exc:
        raise PlatformRefused(exc.message, code=Code.NO_PERSON, details=exc.details) from exc
    output = answer.output if isinstance(answer.output, dict) else {}
    base = output.get("baseinfo") or {}
    row = next((i for i in output.get("insuinfo") or [] if str(i.get("insutype")) == "330"), None)
    person = Person.objects.for_user(request.user).filter(certno_hash=blind_index(number)).first()
    record = current_record(person) if person is not None else None
    if person is not None:
        record_access(request, person)
    changes = []
    for theirs, ours, label in COMPARED:
        platform_value = str((row or {}).get(theirs) or "")
        our_value = _ours(record, ours)
        if platform_value != our_value:
            changes.append({"field": label, "ours": our_value or "—", "platform": platform_value or "—"})
    return PersonCheck(answer.msgid, mask_certno(number), base, row, person, changes)
