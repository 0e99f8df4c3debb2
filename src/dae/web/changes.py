"""The before → after of an event, for people: each changed field by its Chinese name, old and new value.

Field names come from the models' verbose names (``names.field_name``) and, for the keys events write that are
no model field (counts of an import, a run's figures), from ``EVENT_FIELDS``; a key known to neither is shown in
code type, never as if it were a word of the page.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .names import field_name, value_name

EVENT_FIELDS = {
    "rows": _("行数"), "new": _("新增"), "changed": _("变更"), "same": _("无变化"), "ignored": _("忽略"),
    "bad_rows": _("错误行数"), "size": _("文件大小（字节）"), "sha256": _("文件摘要"), "file": _("文件"),
    "findings": _("疑点数"), "runs": _("审核批次"), "settlements": _("结算笔数"), "fee_lines": _("费用明细条数"),
    "persons": _("参保人数"), "hospitals": _("医疗机构数"), "units": _("单位数"), "lines": _("明细条数"),
    "legs": _("分录数"), "orders": _("指令笔数"), "statements": _("月结单"), "payouts": _("赔付"),
    "planted": _("埋点样例"), "seed": _("随机种子"), "seed_source": _("种子来源"), "tables": _("数据表"),
    "params": _("参数"), "settings": _("设置"), "result": _("结果"), "count": _("数量"), "total": _("合计"),
    "first_id": _("起始编号"), "last_id": _("截止编号"), "walked": _("已处理"), "flagged": _("标记数"),
    "late": _("逾期"), "overdue": _("逾期"), "due": _("期限"), "drawn": _("抽取"), "population": _("总体数"),
    "duplicates": _("重复"), "accepted": _("通过"), "failed": _("失败"), "paid": _("已支付"),
    "pending": _("待处理"), "regions": _("统筹区"), "rules": _("规则"), "rule": _("规则"), "scope": _("范围"),
    "year": _("年度"), "month": _("月份"), "day": _("日期"), "date": _("日期"), "period": _("期间"),
    "summary": _("摘要"), "subject": _("事项"), "key": _("标识"), "serial": _("流水号"), "points": _("分值"),
    "score": _("信用分"), "party": _("信用对象"), "credit": _("信用"), "system": _("系统"),
    "diagnoses": _("诊断条数"), "catalogue": _("目录条数"), "code_map": _("对码条数"), "stays": _("住院次数"),
    "version_id": _("版本"), "setl_ids": _("结算ID"), "sms": _("短信"), "sms_status": _("短信状态"),
    "supplements": _("补付"), "recoveries": _("追回"), "deductions": _("扣款"), "adjustments": _("补付追回"),
    "carried_in": _("上期结转"), "carried_out": _("结转下期"), "not_payable": _("不予支付"),
    "computed": _("已计算"), "received": _("已受理"), "unmatched_count": _("未匹配笔数"),
    "matched_amount_date": _("按金额日期匹配"), "matched_memo": _("按附言匹配"), "run": _("审核批次"),
    "documents": _("材料"), "document": _("材料"), "enabled": _("启用"), "inspectors": _("巡查人员"),
    "opinion": _("意见"), "conclusion": _("结论"), "outcome": _("结论"), "basis": _("依据"), "text": _("内容"),
    "seq": _("序号"), "leg": _("分录"), "line": _("明细"), "overrides": _("工作日调整"),
}


def label(key: str) -> str:
    known = EVENT_FIELDS.get(key)
    return str(known) if known is not None else field_name(key)


def _value(value: Any, key: str = "", object_type: str | None = None) -> str:
    """A value for people: a code by its name (dictionary codes with the code, statuses by their label)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    named = value_name(key, value, object_type) if key else None
    if named is not None:
        return named
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    else:
        text = str(value)
    return text if len(text) <= 160 else text[:157] + "…"


def _label_html(key: str) -> SafeString:
    shown = label(key)
    if shown == key:
        return format_html("<code>{}</code>", key)
    return format_html("{}", shown)


def render_changes(before: dict[str, Any] | None, after: dict[str, Any] | None,
                   object_type: str | None = None) -> SafeString:
    """A small table: field | before → after (only "after" for a creation, only "before" for a removal); codes
    named by the object's model or the dictionary (``value_name``)."""
    before, after = before or {}, after or {}
    keys = list(dict.fromkeys([*after.keys(), *before.keys()]))
    if not keys:
        return format_html('<span class="text-body-secondary">—</span>')
    rows = format_html_join(
        "", '<tr><th class="fw-normal text-body-secondary text-nowrap pe-2">{}</th><td>{}</td></tr>',
        ((_label_html(k), _change(before, after, k, object_type)) for k in keys[:12]))
    more = format_html('<tr><td colspan="2" class="text-body-secondary">{}</td></tr>',
                       _("另有 %(n)s 项") % {"n": len(keys) - 12}) if len(keys) > 12 else ""
    return format_html('<table class="changes small mb-0"><tbody>{}{}</tbody></table>', rows, more)


def _change(before: dict[str, Any], after: dict[str, Any], key: str, object_type: str | None = None) -> SafeString:
    if key in before and key in after:
        return format_html('<span class="text-danger text-decoration-line-through" data-i18n-skip>{}</span> → '
                           '<span class="text-success" data-i18n-skip>{}</span>', _value(before[key], key, object_type),
                           _value(after[key], key, object_type))
    if key in after:
        return format_html('<span class="text-success" data-i18n-skip>{}</span>', _value(after[key], key, object_type))
    return format_html('<span class="text-danger text-decoration-line-through" data-i18n-skip>{}</span>',
                       _value(before[key], key, object_type))


def changes_text(values: dict[str, Any] | None, object_type: str | None = None) -> str:
    """``字段：值；字段：值`` for the export (codes named as on the page)."""
    return "；".join(f"{label(k)}：{_value(v, k, object_type)}" for k, v in (values or {}).items())
