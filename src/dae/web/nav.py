"""Side navigation: one list of sections, each link shown only to the posts the permission matrix lets read it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import rule_for


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    route: str
    icon: str


@dataclass(frozen=True)
class NavSection:
    label: str | Promise
    links: tuple[NavLink, ...]


NAVIGATION: tuple[NavSection, ...] = (
    NavSection(_("工作台"), (NavLink(_("首页"), "web:home", "house"), NavLink(_("后台任务"), "web:jobs", "hourglass-split"))),
    NavSection(
        _("承保"),
        (
            NavLink(_("参保人"), "enrollment:person_list", "people"),
            NavLink(_("参保单位"), "enrollment:unit_list", "building"),
            NavLink(_("数据导入"), "imports:batch_list", "upload"),
        ),
    ),
    NavSection(
        _("补偿处理"),
        (
            NavLink(_("月结申报"), "claims:declaration_list", "inbox"),
            NavLink(_("结算记录"), "claims:settlement_list", "receipt"),
            NavLink(_("补付追回"), "claims:adjustment_list", "arrow-repeat"),
            NavLink(_("我的补偿"), "claims:my_settlements", "person-vcard"),
            NavLink(_("手工报销"), "reimbursement:queue", "pencil-square"),
            NavLink(_("我的报销与通知"), "reimbursement:mine", "person-check"),
            NavLink(_("通知记录"), "notices:notice_list", "bell"),
            NavLink(_("短信发件箱"), "notices:outbox", "chat-left-text"),
        ),
    ),
    NavSection(
        _("结算支付"),
        (
            NavLink(_("月结单"), "payments:statement_list", "calendar2-check"),
            NavLink(_("支付批次"), "payments:batch_list", "bank"),
            NavLink(_("扣款"), "payments:deduction_list", "dash-circle"),
        ),
    ),
    NavSection(
        _("基金财务"),
        (
            NavLink(_("会计科目及余额"), "ledger:accounts", "journal-bookmark"),
            NavLink(_("试算平衡表"), "ledger:trial_balance", "clipboard-data"),
            NavLink(_("记账凭证"), "ledger:transaction_list", "journal-check"),
            NavLink(_("银行对账"), "bank:statement_list", "bank2"),
            NavLink(_("日清日结"), "bank:day_close", "calendar-check"),
            NavLink(_("基金运行"), "fund:dashboard", "graph-up"),
        ),
    ),
    NavSection(
        _("智能审核"),
        (
            NavLink(_("疑点处理"), "auditing:finding_list", "flag"),
            NavLink(_("审核批次"), "auditing:run_list", "cpu"),
            NavLink(_("单笔审核"), "auditing:check", "search"),
            NavLink(_("审核规则库"), "auditing:rule_list", "list-check"),
            NavLink(_("平台反馈"), "auditing:feedback_list", "send"),
        ),
    ),
    NavSection(
        _("稽核"),
        (
            NavLink(_("抽样复审"), "inspection:sample_list", "shuffle"),
            NavLink(_("现场巡查"), "inspection:inspection_list", "clipboard-check"),
            NavLink(_("异地协查"), "inspection:investigation_list", "geo-alt"),
            NavLink(_("协查统计"), "inspection:investigation_stats", "bar-chart"),
        ),
    ),
    NavSection(
        _("诚信管理"),
        (
            NavLink(_("信用名单"), "credit:party_list", "person-exclamation"),
            NavLink(_("异常数据挖掘"), "credit:screening_list", "graph-up-arrow"),
            NavLink(_("诚信参数"), "credit:settings", "sliders2"),
        ),
    ),
    NavSection(
        _("补偿规则"),
        (NavLink(_("规则集"), "benefits:ruleset_list", "sliders"), NavLink(_("试算"), "benefits:trial", "calculator")),
    ),
    NavSection(_("公共管理"), (NavLink(_("定点医疗机构"), "catalog:hospital_list", "hospital"),
                           NavLink(_("基本医疗目录"), "catalog:item_list", "list-columns"),
                           NavLink(_("对码关系"), "catalog:mapping_list", "arrow-left-right"),
                           NavLink(_("对码检查"), "catalog:mapping_check", "check2-square"),
                           NavLink(_("疾病诊断"), "catalog:diagnosis_list", "clipboard2-pulse"),
                           NavLink(_("工作日历"), "workdays:calendar", "calendar3"),
                           NavLink(_("数据字典"), "dictionaries:codelist_list", "book"))),
    NavSection(
        _("档案管理"),
        (
            NavLink(_("档案目录"), "archives:catalogue", "archive"),
            NavLink(_("借阅登记"), "archives:loan_list", "journal-arrow-up"),
            NavLink(_("我的借阅"), "archives:my_loans", "book"),
            NavLink(_("到期鉴定"), "archives:appraisal", "hourglass-bottom"),
            NavLink(_("销毁清册"), "archives:destruction_list", "trash3"),
            NavLink(_("保管期限表"), "archives:retention", "calendar-range"),
            NavLink(_("日志防篡改"), "archives:logs", "shield-lock"),
        ),
    ),
    NavSection(
        _("系统与安全"),
        (
            NavLink(_("用户管理"), "accounts:user_list", "person-gear"),
            NavLink(_("事件日志"), "web:events", "journal-text"),
            NavLink(_("访问日志"), "web:access_log", "eye"),
            NavLink(_("待审批事项"), "approvals:pending_list", "check2-circle"),
            NavLink(_("人工审批设置"), "approvals:thresholds", "sliders"),
            NavLink(_("安全设置"), "security:settings", "shield-lock"),
            NavLink(_("登录锁定"), "security:lockouts", "lock"),
            NavLink(_("接口令牌"), "security:token_list", "key"),
            NavLink(_("双因素认证"), "security:two_factor", "phone"),
            NavLink(_("修改密码"), "security:password_change", "asterisk"),
        ),
    ),
    # in-hospital monitoring (issue 23)
    NavSection(
        _("驻院监控"),
        (
            NavLink(_("今日工作"), "monitoring:worklist", "clipboard2-pulse"),
            NavLink(_("在院监控"), "monitoring:overview", "activity"),
            NavLink(_("入院登记"), "monitoring:admission_list", "hospital"),
            NavLink(_("驻点安排"), "monitoring:assignment_list", "person-badge"),
            NavLink(_("资料交接"), "monitoring:handover_list", "arrow-left-right"),
            NavLink(_("意见收集"), "monitoring:opinion_list", "chat-left-text"),
            NavLink(_("查床统计"), "monitoring:statistics", "bar-chart"),
        ),
    ),
    # exchange with the medical insurance platform (issue 22)
    NavSection(
        _("平台接口"),
        (
            NavLink(_("平台对账"), "exchange:reconciliation_list", "arrow-left-right"),
            NavLink(_("平台发送队列"), "exchange:outbound_list", "send"),
            NavLink(_("平台人员查询"), "exchange:person_query", "person-vcard"),
            NavLink(_("接口调用记录"), "exchange:call_list", "activity"),
        ),
    ),
    # 参保人服务 (issue 18)
    NavSection(
        _("参保人服务"),
        (
            NavLink(_("咨询"), "service:consultation_list", "chat-dots"),
            NavLink(_("投诉举报"), "service:case_list", "megaphone"),
            NavLink(_("知识库"), "service:knowledge_list", "journal-text"),
            NavLink(_("满意度调查"), "service:survey_list", "clipboard-check"),
            NavLink(_("短信模板"), "service:template_list", "chat-square-text"),
            NavLink(_("宣传与提醒"), "service:campaign_list", "broadcast"),
            NavLink(_("咨询与投诉"), "service:my_service", "chat-heart"),
        ),
    ),
    # statistics and reports (issue 16)
    NavSection(
        _("统计报表"),
        (
            NavLink(_("统计看板"), "reports:dashboard", "speedometer"),
            NavLink(_("统计简报"), "reports:brief", "speedometer2"),
            NavLink(_("赔付报表"), "reports:monthly", "table"),
            NavLink(_("运行分析报告"), "reports:report_list", "file-earmark-text"),
            NavLink(_("即席查询"), "reports:pivot", "grid-3x3"),
            NavLink(_("公示名单"), "reports:publication", "megaphone"),
            NavLink(_("年度考核"), "reports:evaluation", "award"),
            NavLink(_("工作量统计"), "reports:work", "person-workspace"),
            NavLink(_("指标定义"), "reports:definitions", "book-half"),
        ),
    ),
    # fund forecasting and warnings (issue 17)
    NavSection(
        _("基金预测预警"),
        (
            NavLink(_("基金预测"), "forecast:forecast", "graph-up-arrow"),
            NavLink(_("基金预警"), "forecast:alert_list", "exclamation-triangle"),
            NavLink(_("预警阈值"), "forecast:thresholds", "sliders"),
            NavLink(_("年度赔付预算"), "forecast:budget_list", "wallet2"),
            NavLink(_("政策测算"), "forecast:simulation", "calculator"),
            NavLink(_("测算方案"), "forecast:scenario_list", "collection"),
        ),
    ),
)


def navigation_for(post: str) -> list[tuple[str | Promise, list[tuple[NavLink, str]]]]:
    sections = []
    for section in NAVIGATION:
        links = []
        for link in section.links:
            rule = rule_for(link.route)
            if rule is not None and rule.allows(post, "GET"):
                links.append((link, reverse(link.route)))
        if links:
            sections.append((section.label, links))
    return sections
