"""The manager's edits of the dictionary: add a code, rename it, switch it on or off. Each is an event."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from dae.core.errors import Conflict, InvalidInput
from dae.core.events import record_event, snapshot

from . import codes
from .error_codes import Code as ErrorCode
from .models import Code, CodeList


def do_add_code(user: Any, codelist: CodeList, code: str, name: str, name_en: str = "") -> Code:
    code, name = (code or "").strip(), (name or "").strip()
    if not code or len(code) > 20 or not name:
        raise InvalidInput("请填写代码（不超过20个字符）和名称", code=ErrorCode.BAD_CODE,
                           details=[{"path": "code", "message": "请填写代码和名称"}])
    with transaction.atomic():
        if Code.objects.filter(codelist=codelist, code=code).exists():
            raise Conflict(f"代码“{code}”已存在", code=ErrorCode.CODE_EXISTS)
        item = Code.objects.create(codelist=codelist, code=code, name=name[:100], name_en=(name_en or "")[:100],
                                   local=True, sort=Code.objects.filter(codelist=codelist).count())
        record_event(user, "dictionary.code_added", item, after=snapshot(item, ("code", "name", "name_en")),
                     note=codelist.key)
    codes.clear()
    return item


def do_update_code(user: Any, item: Code, *, name: str, name_en: str, active: bool) -> Code:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("名称不能为空", code=ErrorCode.BAD_CODE, details=[{"path": "name", "message": "名称不能为空"}])
    with transaction.atomic():
        before = snapshot(item, ("name", "name_en", "active"))
        item.name, item.name_en, item.active = name[:100], (name_en or "")[:100], active
        item.save(update_fields=["name", "name_en", "active"])
        record_event(user, "dictionary.code_changed", item, before=before,
                     after=snapshot(item, ("name", "name_en", "active")), note=item.codelist_id)
    codes.clear()
    return item
