"""Names instead of codes: the one place that turns an event name, an object reference or a field name into
what a person reads, and an object reference into a link the reader may follow.

- ``event_name("claim.received")`` → ``手工报销·已受理``; unknown names are composed from the object's name
  and the verb, never shown bare;
- ``object_name("claims.settlement")`` → ``结算记录``; ``object_links(request, refs)`` resolves many
  ``(object_type, object_id)`` to (text, href) with one query per kind, and gives a link only when the user's
  post may open that page (the permission matrix);
- ``field_name("hifob_pay")`` → the model field's verbose name for the before → after table of the event log;
- ``source_link`` for a deduction's source (an audit finding, an inspection …).
Templates use the ``event_name``, ``object_name`` and ``coded`` filters of ``dae_tags``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .lookups import LOOKUPS

#: object kinds by their ``label_lower`` (or the name an event uses), with the page that shows one
#: (route name and the field its URL takes)


@dataclass(frozen=True)
class ObjectKind:
    label: str | Promise
    route: str = ""
    key: str = "pk"


OBJECT_KINDS: dict[str, ObjectKind] = {
    "accounts.user": ObjectKind(_("用户"), "accounts:user_edit"),
    "enrollment.person": ObjectKind(_("参保人"), "enrollment:person_detail", "psn_no"),
    "enrollment.unit": ObjectKind(_("参保单位")),
    "enrollment.enrolment": ObjectKind(_("参保记录")),
    "enrollment.contributionyear": ObjectKind(_("缴费年度")),
    "catalog.hospital": ObjectKind(_("定点医疗机构"), "catalog:hospital_detail", "code"),
    "catalog.catalogueitem": ObjectKind(_("医疗目录"), "catalog:item_detail", "med_list_codg"),
    "catalog.codemapping": ObjectKind(_("对码关系"), "catalog:mapping_detail"),
    "catalog.diagnosis": ObjectKind(_("疾病诊断"), "catalog:diagnosis_detail", "code"),
    "claims.settlement": ObjectKind(_("结算记录"), "claims:settlement_detail", "setl_id"),
    "claims.declaration": ObjectKind(_("月结申报"), "claims:declaration_detail"),
    "claims.adjustment": ObjectKind(_("补付追回")),
    "reimbursement.manualclaim": ObjectKind(_("手工报销"), "reimbursement:claim_detail", "number"),
    "notices.notice": ObjectKind(_("通知")),
    "benefits.ruleset": ObjectKind(_("规则集"), "benefits:ruleset_detail", "code"),
    "benefits.rulesetversion": ObjectKind(_("规则版本"), "benefits:version_detail"),
    "imports.importbatch": ObjectKind(_("导入批次"), "imports:batch_detail"),
    "payments.statement": ObjectKind(_("月结单"), "payments:statement_detail"),
    "payments.paymentbatch": ObjectKind(_("支付批次"), "payments:batch_detail"),
    "payments.paymentorder": ObjectKind(_("支付指令")),
    "payments.deduction": ObjectKind(_("扣款")),
    "ledger.transaction": ObjectKind(_("记账凭证"), "ledger:transaction_detail"),
    "ledger.dayclose": ObjectKind(_("日结")),
    "bank.bankstatement": ObjectKind(_("银行对账单"), "bank:statement_detail"),
    "bank.bankline": ObjectKind(_("银行流水")),
    "bank.match": ObjectKind(_("对账匹配")),
    "bank.note": ObjectKind(_("对账备注")),
    "fund.fundyear": ObjectKind(_("基金年度"), "fund:year_detail"),
    "fund.appropriationrequest": ObjectKind(_("用款申请"), "fund:request_detail"),
    "fund.fundentry": ObjectKind(_("基金收支")),
    "fund.clearing": ObjectKind(_("清算")),
    "fund.repaymentdue": ObjectKind(_("周转金归还")),
    "auditing.finding": ObjectKind(_("审核疑点"), "auditing:finding_detail"),
    "auditing.auditrun": ObjectKind(_("审核批次"), "auditing:run_detail"),
    "auditing.rulesetting": ObjectKind(_("审核规则设置")),
    "audit.finding": ObjectKind(_("审核疑点"), "auditing:finding_detail"),
    "inspection.sample": ObjectKind(_("抽样复审"), "inspection:sample_detail"),
    "inspection.sampleitem": ObjectKind(_("复审明细"), "inspection:item_detail"),
    "inspection.inspection": ObjectKind(_("现场巡查"), "inspection:inspection_detail"),
    "inspection.finding": ObjectKind(_("巡查问题")),
    "inspection.investigation": ObjectKind(_("异地协查"), "inspection:investigation_detail"),
    "inspection.samplingsettings": ObjectKind(_("抽样参数")),
    "credit.creditparty": ObjectKind(_("信用对象"), "credit:party_detail"),
    "credit.screeningrun": ObjectKind(_("异常数据挖掘"), "credit:screening_detail"),
    "credit.creditsettings": ObjectKind(_("诚信参数")),
    "workdays.calendaroverride": ObjectKind(_("工作日调整")),
    "workdays.calendaryear": ObjectKind(_("日历年度")),
    "dictionaries.codelist": ObjectKind(_("字典"), "dictionaries:codelist_detail", "key"),
    "dictionaries.code": ObjectKind(_("字典代码")),
    "demo.city": ObjectKind(_("演示数据")),
    "demo.inspection": ObjectKind(_("演示巡查")),
    "credit.creditevent": ObjectKind(_("违规记录")),
    "core.job": ObjectKind(_("后台任务"), "web:job_detail"),
    # in-hospital monitoring (issue 23)
    "monitoring.admission": ObjectKind(_("入院登记"), "monitoring:admission_detail"),
    "monitoring.visit": ObjectKind(_("查床记录"), "monitoring:visit_detail"),
    "monitoring.assignment": ObjectKind(_("驻点安排")),
    "monitoring.handover": ObjectKind(_("资料交接")),
    "monitoring.opinion": ObjectKind(_("意见收集")),
}

#: the first part of an event name → what it is about
EVENT_SUBJECTS: dict[str, str | Promise] = {
    "accounts": _("用户"), "person": _("参保人"), "unit": _("参保单位"), "enrollment": _("参保登记"),
    "contribution": _("缴费"), "catalog": _("公共目录"), "dictionary": _("数据字典"), "claim": _("报销申请"),
    "claims": _("结算"), "declaration": _("月结申报"), "adjustment": _("补付追回"), "notice": _("通知"),
    "benefits": _("补偿规则"), "import": _("数据导入"), "statement": _("月结单"), "payment_batch": _("支付批次"),
    "payment_order": _("支付指令"), "deduction": _("扣款"), "ledger": _("基金账务"), "bank": _("银行对账"),
    "fund": _("基金管理"), "audit": _("智能审核"), "inspection": _("稽核"), "credit": _("诚信管理"),
    "workdays": _("工作日历"), "demo": _("演示数据"),
    "monitoring": _("驻院监控"),  # in-hospital monitoring (issue 23)
}

#: whole event names whose verb alone does not say it
EVENT_NAMES: dict[str, str | Promise] = {
    "accounts.user_created": _("新建用户"), "accounts.user_updated": _("修改用户"),
    "audit.declaration_not_audited": _("申报未能审核"), "audit.finding_accepted": _("医院认可疑点"),
    "audit.finding_appealed": _("医院申诉疑点"), "audit.finding_confirmed": _("审核确认疑点"),
    "audit.finding_detected": _("发现疑点"), "audit.finding_dismissed": _("排除疑点"),
    "audit.finding_overturned": _("申诉成立，撤销疑点"), "audit.finding_settled": _("三方确认"),
    "audit.rule_setting": _("修改审核规则设置"), "audit.run_done": _("审核批次完成"),
    "audit.run_started": _("发起审核批次"), "bank.account": _("银行账户变更"),
    "bank.matched_manually": _("手工对账匹配"), "bank.matching_run": _("自动对账"), "bank.noted": _("对账备注"),
    "bank.statement_imported": _("导入银行对账单"), "bank.unmatched": _("撤销对账匹配"),
    "benefits.ruleset_installed": _("安装默认规则集"), "benefits.version_drafted": _("新建规则草稿"),
    "benefits.version_edited": _("修改规则草稿"), "benefits.version_published": _("发布规则版本"),
    "catalog.catalogueitem": _("目录导入变更"), "catalog.diagnosis": _("诊断导入变更"),
    "catalog.diagnosis_renamed": _("修改诊断名称"), "catalog.hospital_changed": _("修改医疗机构"),
    "catalog.item_revised": _("修订目录项"), "catalog.icd10_loaded": _("加载 ICD-10"), "claim.materials": _("登记材料"), "claim.updated": _("修改申请"),
    "claims.settlement": _("结算记录变更"), "contribution.changed": _("缴费变更"),
    "credit.delisted": _("移出信用名单"), "credit.level_changed": _("信用名单等级变化"),
    "credit.listed": _("列入信用名单"), "credit.screening_done": _("异常数据挖掘完成"),
    "credit.screening_started": _("发起异常数据挖掘"), "credit.settings_changed": _("修改诚信参数"),
    "credit.violation_recorded": _("记录违规"), "declaration.checked": _("申报审核完成"),
    "declaration.received": _("收到月结申报"), "deduction.recorded": _("登记扣款"),
    "demo.audit": _("演示审核数据"), "demo.finance": _("演示财务年度"), "demo.loaded": _("加载演示城市"),
    "dictionary.code_added": _("新增字典代码"), "dictionary.code_changed": _("修改字典代码"),
    "enrollment.contributionyear": _("缴费年度导入"), "enrollment.person": _("参保人导入"),
    "enrollment.unit": _("参保单位导入"), "fund.clearing_recorded": _("登记清算"),
    "fund.funds_changed": _("修改筹集资金"), "fund.levels_changed": _("修改预警线"),
    "fund.repayment_due": _("周转金应还"), "fund.request_adjusted": _("调整用款申请"),
    "fund.request_prepared": _("编制用款申请"), "fund.request_recomputed": _("重算用款申请"),
    "fund.request_status": _("用款申请状态变化"), "fund.request_submitted": _("提交用款申请"),
    "fund.year_entered": _("登记基金年度"), "import.loaded": _("导入完成"), "import.rejected": _("导入被拒绝"),
    "import.uploaded": _("上传导入文件"), "inspection.confirmed": _("确认巡查结果"),
    "inspection.created": _("新建巡查"), "inspection.document_attached": _("上传巡查材料"),
    "inspection.finding_added": _("登记巡查问题"), "inspection.finding_removed": _("删除巡查问题"),
    "inspection.investigation_answered": _("协查结果登记"), "inspection.investigation_assigned": _("指派协查"),
    "inspection.investigation_created": _("发起异地协查"), "inspection.investigation_fed_back": _("协查结果反馈"),
    "inspection.item_reviewed": _("复审完成"), "inspection.returned": _("退回巡查"),
    "inspection.sample_completed": _("抽样复审完成"), "inspection.sample_drawn": _("抽取复审样本"),
    "inspection.settings_changed": _("修改抽样参数"), "inspection.submitted": _("提交巡查"),
    "inspection.updated": _("修改巡查"), "ledger.day_closed": _("日结"), "ledger.dayclose": _("日结"),
    "ledger.posted_many": _("批量记账"), "ledger.posted": _("记账"), "ledger.transaction": _("记账"),
    "payment_batch.created": _("新建支付批次"), "payment_batch.exported": _("生成银行支付文件"),
    "payment_batch.result_imported": _("导入银行支付结果"), "payment_order.failed": _("支付失败"),
    "payment_order.paid": _("支付成功"), "person.changed": _("参保人信息变更"),
    "statement.approved": _("审批月结单"), "statement.built": _("生成月结单"), "statement.paid": _("月结单已支付"),
    "unit.changed": _("参保单位变更"), "workdays.calendaroverride": _("工作日调整"),
    "workdays.override_removed": _("删除工作日调整"), "workdays.override_set": _("设置工作日调整"),
    "workdays.year_confirmed": _("确认日历年度"),
    # in-hospital monitoring (issue 23)
    "audit.finding_linked": _("疑点关联结算"), "monitoring.admitted": _("入院登记"),
    "monitoring.discharged": _("出院办理"), "monitoring.admission_cancelled": _("入院撤销"),
    "monitoring.assigned": _("驻点安排"), "monitoring.assignment_ended": _("驻点轮岗结束"),
    "monitoring.visited": _("查床"), "monitoring.handed_over": _("资料交接"),
    "monitoring.opinion_recorded": _("记录意见"), "monitoring.opinion_read": _("阅处意见"),
    "monitoring.demo": _("演示驻院监控"),
}
# statistics and reports (issue 16)
EVENT_NAMES.update({
    "reports.view_saved": _("保存即席查询视图"), "reports.view_deleted": _("删除即席查询视图"),
    "reports.report_prepared": _("编制运行分析报告"), "reports.report_edited": _("修改运行分析报告"),
    "reports.report_checked": _("复核运行分析报告"), "reports.report_approved": _("审批运行分析报告"),
    "reports.report_submitted": _("报送运行分析报告"), "reports.report_corrected": _("更正运行分析报告"),
    "reports.demo_history": _("生成演示历史结算"),
    "reports.evaluation_computed": _("计算年度考核"), "reports.evaluation_adjusted": _("调整年度考核得分"),
    "reports.evaluation_reviewed": _("复核年度考核"), "reports.evaluation_signed": _("签发年度考核"),
    "reports.evaluation_published": _("公布年度考核"),
})


# 参保人服务 (issue 18): its events and objects.
EVENT_SUBJECTS["service"] = _("参保人服务")
EVENT_NAMES.update({
    "service.case_received": _("受理投诉举报"), "service.case_assigned": _("流转投诉举报"),
    "service.case_tracked": _("登记办理进展"), "service.case_replied": _("答复反映人"),
    "service.case_rated": _("反映人评价"), "service.case_archived": _("投诉举报归档"),
    "service.case_extended": _("投诉举报延期"), "service.case_inspection": _("举报转现场巡查"),
    "service.case_investigation": _("举报转异地协查"), "service.consultation_registered": _("登记咨询"),
    "service.consultation_asked": _("网上咨询"), "service.consultation_taken": _("接收网上咨询"),
    "service.consultation_answered": _("答复咨询"), "service.consultation_handed_over": _("改派首问负责人"),
    "service.knowledge_saved": _("保存知识库条目"), "service.knowledge_retired": _("停用知识库条目"),
    "service.questionnaire_saved": _("保存问卷版本"), "service.survey_created": _("开展满意度调查"),
    "service.survey_answered": _("录入答卷"), "service.survey_unreachable": _("调查对象未联系上"),
    "service.survey_closed": _("结束满意度调查"), "service.suggestion_added": _("登记改进建议"),
    "service.suggestion_done": _("改进建议完成"), "service.template_saved": _("保存短信模板"),
    "service.template_approved": _("审核短信模板"), "service.campaign_run": _("发起宣传提醒"),
    "notice.sms_dispatched": _("发送短信"), "notice.sms_queued": _("短信排队"), "demo.service": _("演示参保人服务"),
})
OBJECT_KINDS.update({
    "service.case": ObjectKind(_("投诉举报"), "service:case_detail"),
    "service.consultation": ObjectKind(_("咨询"), "service:consultation_detail"),
    "service.knowledgeentry": ObjectKind(_("知识库条目"), "service:knowledge_edit"),
    "service.survey": ObjectKind(_("满意度调查"), "service:survey_detail"),
    "service.respondent": ObjectKind(_("调查对象")),
    "service.suggestion": ObjectKind(_("改进建议")),
    "service.questionnaire": ObjectKind(_("问卷")),
    "service.messagetemplate": ObjectKind(_("短信模板")),
    "service.campaign": ObjectKind(_("宣传提醒活动")),
    "notices.smsmessage": ObjectKind(_("短信")),
})

# the annual hospital evaluation (issue 16)
OBJECT_KINDS.update({
    "reports.evaluation": ObjectKind(_("年度考核"), "reports:evaluation_detail"),
    "reports.evaluationscore": ObjectKind(_("医疗机构考核得分")),
})


def _verb_names() -> dict[str, str]:
    """Verbs taken from the state and kind choices the apps registered (claim.received → 已受理 …)."""
    verbs: dict[str, str] = {}
    for choices in LOOKUPS.verb_choices:
        for value, label in choices:
            verbs.setdefault(str(value), str(label))
    return verbs


GENERIC_VERBS: dict[str, str | Promise] = {
    "created": _("新建"), "updated": _("修改"), "changed": _("变更"), "deleted": _("删除"), "removed": _("删除"),
    "added": _("新增"), "imported": _("导入"), "exported": _("导出"), "approved": _("审批"), "rejected": _("拒绝"),
    "submitted": _("提交"), "confirmed": _("确认"), "cancelled": _("撤销"), "published": _("发布"),
    "started": _("开始"), "done": _("完成"), "loaded": _("加载"), "paid": _("支付"), "failed": _("失败"),
}


# exchange with the medical insurance platform (issue 22)
OBJECT_KINDS.update({
    "exchange.call": ObjectKind(_("接口调用"), "exchange:call_detail"),
    "exchange.circuit": ObjectKind(_("平台熔断")),
    "exchange.outbound": ObjectKind(_("平台发送报文"), "exchange:outbound_detail"),
    "exchange.reconciliation": ObjectKind(_("平台对账"), "exchange:reconciliation_detail"),
    "exchange.difference": ObjectKind(_("对账差异")),
})
EVENT_SUBJECTS["exchange"] = _("平台接口")
EVENT_NAMES.update({
    "exchange.call_ok": _("调用医保平台"), "exchange.call_refused": _("医保平台拒绝请求"),
    "exchange.call_timeout": _("医保平台超时"), "exchange.call_unreachable": _("医保平台无法连接"),
    "exchange.call_circuit_open": _("熔断中未调用平台"), "exchange.call_bad_answer": _("医保平台应答格式错误"),
    "exchange.circuit_opened": _("平台熔断开启"), "exchange.reconciled": _("与医保平台对账"),
    "exchange.difference_resolved": _("处理对账差异"), "exchange.queued": _("报文入发送队列"),
    "exchange.delivered": _("报文送达医保平台"), "exchange.delivery_failed": _("报文发送未成功"),
    "exchange.requeued": _("报文重新发送"), "exchange.reconciliation_started": _("开始月度对账"),
    "exchange.delivery_started": _("开始发送反馈"), "demo.exchange": _("演示平台对账"),
})

def event_name(action: str | None) -> str:
    """What an event is, in the active language: its own name, else subject · verb, else a plain
    "其他事件" — never the dotted name alone."""
    if not action:
        return ""
    known = EVENT_NAMES.get(action)
    if known is not None:
        return str(known)
    subject, _dot, verb = action.partition(".")
    subject_name = EVENT_SUBJECTS.get(subject)
    verb_name = _verb_names().get(verb) or GENERIC_VERBS.get(verb)
    if subject_name is not None and verb_name is not None:
        return f"{subject_name}·{verb_name}"
    if subject_name is not None:
        return f"{subject_name}·{gettext('其他操作')}"
    return gettext("其他事件")


def object_name(object_type: str | None) -> str:
    """The kind of object, e.g. ``claims.settlement`` → 结算记录; a list export ``list:claims:…`` → 列表导出."""
    if not object_type:
        return ""
    if object_type.startswith("list:"):
        return gettext("列表导出")
    kind = OBJECT_KINDS.get(object_type)
    if kind is not None:
        return str(kind.label)
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return gettext("其他对象")
    return str(model._meta.verbose_name)


def _may_open(user: Any, route: str) -> bool:
    return LOOKUPS.may_open(user, route, False)


def object_links(user: Any, refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """``{(object_type, object_id): href}`` for the references whose page the user may open: one query per kind
    whose URL takes another field than the id; objects outside the user's scope are left to the page's own 404."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for object_type, object_id in refs:
        kind = OBJECT_KINDS.get(object_type)
        if kind is not None and kind.route and object_id and _may_open(user, kind.route):
            wanted[object_type].add(str(object_id))
    links: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        kind = OBJECT_KINDS[object_type]
        keys: dict[str, str] = {}
        if kind.key == "pk":
            keys = {i: i for i in ids if i.isdigit()}
        else:
            model = _model_for(object_type)
            if model is not None:
                numeric = [int(i) for i in ids if i.isdigit()]
                keys = {str(pk): str(key) for pk, key in model._default_manager.filter(pk__in=numeric)
                        .values_list("pk", kind.key)}
                keys.update({i: i for i in ids if not i.isdigit()})
        for object_id, key in keys.items():
            try:
                links[(object_type, object_id)] = reverse(kind.route, args=[key])
            except NoReverseMatch:
                continue  # a key the route does not accept: shown as text
    return links


def _model_for(object_type: str) -> Any:
    name = "auditing.finding" if object_type == "audit.finding" else object_type
    try:
        return apps.get_model(name)
    except (LookupError, ValueError):
        return None


@cache
def _field_names() -> dict[str, str]:
    """Every model field's name → its verbose name (the first model that has it wins; names are shared
    across apps in the national vocabulary, e.g. hifob_pay, psn_no)."""
    names: dict[str, str] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            verbose = getattr(field, "verbose_name", None)
            if verbose and field.name not in names and str(verbose) != field.name.replace("_", " "):
                names[field.name] = verbose
    return names


def field_name(name: str) -> str:
    """A field's Chinese label for the before → after table (the name itself only when no model has it)."""
    verbose = _field_names().get(name)
    return str(verbose) if verbose is not None else name


def source_link(source_type: str, source_id: Any) -> str:
    """A deduction's (or any record's) source as "审核疑点 #4854" (never ``audit.finding 4854``)."""
    if not source_type:
        return "—"
    return f"{object_name(source_type)} #{source_id}"


def catalogue_names(codes: Iterable[str]) -> dict[str, str]:
    """``{med_list_codg: name}`` of the catalogue for the codes given (the latest version's name), one query."""
    return LOOKUPS.catalogue_names(codes)


def with_item_names(rows: Iterable[Any], attr: str = "med_list_codg") -> list[Any]:
    """The rows (fee lines, evidence lines) each with ``item_name``, the catalogue item's name of ``row.<attr>``."""
    rows = list(rows)
    names = catalogue_names(str(getattr(r, attr, "") or "") for r in rows)
    for row in rows:
        row.item_name = names.get(str(getattr(row, attr, "") or ""), "")
    return rows


# -- values of fields: a dictionary code or a status code by its name (issue 15: the event log's before → after) --

@cache
def _choice_labels() -> tuple[dict[tuple[str, str], dict[str, Any]], dict[str, dict[str, Any]]]:
    """The choices of every model field: by (model label, field) and by field name alone, the latter only where
    every model with that field name agrees on each value's label (otherwise the value stays unnamed there)."""
    by_model: dict[tuple[str, str], dict[str, Any]] = {}
    by_field: dict[str, dict[str, Any]] = {}
    clashes: dict[str, set[str]] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            choices = getattr(field, "flatchoices", None) or ()
            if not choices:
                continue
            labels = {str(value): label for value, label in choices}
            by_model[(model._meta.label_lower, field.name)] = labels
            merged = by_field.setdefault(field.name, {})
            for value, label in labels.items():
                if value in merged and str(merged[value]) != str(label):
                    clashes.setdefault(field.name, set()).add(value)
                merged.setdefault(value, label)
    for name, values in clashes.items():
        for value in values:
            by_field[name].pop(value, None)
    return by_model, by_field


def value_name(field: str, value: Any, object_type: str | None = None) -> str | None:
    """The name of ``value`` in ``field``: the choice's label of the object's model (``approved`` → 已批准), a
    dictionary code with its name (``med_type`` ``21`` → ``21 普通住院``), or a choice label that every model
    with that field name agrees on; ``None`` when the value is no code (an amount, a text, a date)."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    text = str(value)
    by_model, by_field = _choice_labels()
    model = _model_for(object_type) if object_type else None
    if model is not None:
        label = by_model.get((model._meta.label_lower, field), {}).get(text)
        if label is not None:
            return str(label)
    if LOOKUPS.code_name(field, text) != text:
        return LOOKUPS.code_label(field, text)
    label = by_field.get(field, {}).get(text)
    return str(label) if label is not None else None
