"""参保人服务 for the demo city, through the ordinary actions (the demo runs the same code as the pages):

- a knowledge base of eight standard answers (the default rule set's figures);
- consultations: answered on the spot, answered after a check, one overdue, one asked online by the demo insured
  person and not yet taken;
- complaints and tip-offs: one closed and rated, one overdue (assigned, no reply), one extended to 25 working days
  with the manager's approval, one anonymous tip-off that opened a remote investigation;
- a closed satisfaction survey of the year's claimants of region A (seeded sample, answers by call and online,
  seeded scores) with two improvement suggestions, one done;
- two approved message templates and a campaign to the recently paid.

    from dae.service.demo import seed_demo
    summary = seed_demo(year)

A second run changes nothing (each part is skipped when its records exist).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from dae.accounts.models import User
from dae.approvals.actions import ApprovalPending, do_decide
from dae.claims.models import Settlement
from dae.workdays.service import calendar

from . import actions
from .models import Campaign, Case, Consultation, KnowledgeEntry, MessageTemplate, Survey

REGION = "220282"

KNOWLEDGE = (
    ("policy", "大额补助的起付线是多少？", "本年度符合政策范围的医疗费用累计超过 60,000 元（起付标准）的部分进入大额补助，"
     "起付标准以下的部分由基本医疗保险等支付。", "桦甸市职工大额医疗费用补助办法 第八条"),
    ("policy", "大额补助按什么比例报销？", "进入大额补助的费用按本年累计金额分段：50,000 元以内的部分补助 85%，"
     "50,000 至 100,000 元的部分补助 90%，更高的部分按更高比例补助。", "桦甸市职工大额医疗费用补助办法 第九条"),
    ("policy", "一年最多能补助多少？", "每人每个年度大额补助最多 410,000 元。", "桦甸市职工大额医疗费用补助办法 第十条"),
    ("claim", "手工报销需要带哪些材料？", "身份证或社保卡、医疗费用发票原件、费用明细清单、出院记录（诊断证明），异地就医的另需备案材料。",
     "手工（零星）报销办事指南"),
    ("payment", "报销后多久到账？", "材料齐全之日起 20 个工作日内办结，审批通过后转入本人银行账户，短信通知。", "手工（零星）报销办事指南"),
    ("claim", "异地住院怎么报销？", "已办理异地就医备案的可在就医地直接结算；未直接结算的，出院后持材料到窗口办理手工报销。",
     "异地就医结算办事指南"),
    ("enrolment", "怎么查询本年度是否已缴费？", "可登录自助查询或到窗口出示身份证查询；未缴费的请联系单位经办人补缴。", "参保缴费办事指南"),
    ("other", "对办理结果有意见怎么办？", "可拨打服务电话或到窗口投诉，我们在 10 个工作日内答复；也可在自助服务中在线反映。",
     "参保人服务承诺"),
)


def _back(today: dt.date, days: int) -> dt.date:
    """``days`` working days before today (the calendar covers the demo's years)."""
    return calendar().add_working_days(today, -days)


def _knowledge(desk: User) -> list[KnowledgeEntry]:
    if KnowledgeEntry.objects.exists():
        return list(KnowledgeEntry.objects.filter(status="published").order_by("key"))
    return [actions.do_save_knowledge(desk, category=c, question=q, answer=a, policy_ref=p)
            for c, q, a, p in KNOWLEDGE]


def _consultations(desk: User, insured: User | None, entries: list[KnowledgeEntry], today: dt.date) -> int:
    if Consultation.objects.exists():
        return 0
    people = list(Settlement.objects.filter(region_id=REGION).order_by("psn_no").values_list(
        "psn_no", "person__psn_name").distinct()[:6])
    made = 0
    for i, (psn_no, name) in enumerate(people[:4]):
        entry = entries[i % len(entries)]
        actions.do_register_consultation(desk, region_code=REGION, channel=("phone", "window")[i % 2],
                                         question=entry.question, category=entry.category, psn_no=psn_no,
                                         psn_name=name, answer=entry.answer, knowledge=entry.pk,
                                         received_on=_back(today, 3 + i))
        made += 1
    checked = actions.do_register_consultation(desk, region_code=REGION, channel="phone", needs_check=True,
                                               question="我 9 月份的住院报销审批到哪一步了？", category="claim",
                                               psn_no=people[4][0], psn_name=people[4][1], received_on=_back(today, 2))
    actions.do_answer_consultation(desk, checked, answer="经核实，您的申请已审批通过，预计本周内到账。")
    actions.do_register_consultation(desk, region_code=REGION, channel="letter", needs_check=True,
                                     question="来信询问去年补缴后能否补报销", category="enrolment",
                                     psn_no=people[5][0], psn_name=people[5][1], received_on=_back(today, 6))
    made += 2
    if insured is not None and insured.psn_no:
        actions.do_ask_online(insured, question="门诊透析的费用能进入大额补助吗？", category="policy")
        made += 1
    return made


def _cases(desk: User, manager: User, clerk: User, inspector: User | None, insured: User | None,
           today: dt.date) -> int:
    if Case.objects.exists():
        return 0
    people = list(Settlement.objects.filter(region_id=REGION).order_by("-psn_no").values_list(
        "psn_no", "person__psn_name", "hospital_id").distinct()[:3])
    psn = insured.psn_no if insured is not None and insured.psn_no else people[0][0]
    closed = actions.do_receive_case(desk, kind="complaint", region_code=REGION, category="delay", channel="phone",
                                     subject="手工报销材料交齐两周仍未审批", psn_no=psn, contact_name="参保人",
                                     contact_phone="13800000001", received_on=_back(today, 9))
    closed = actions.do_assign_case(desk, closed, assignee=clerk, note="请结算岗核实审批进度")
    closed = actions.do_reply_case(clerk, closed, reply="经核实已于今日审批通过，款项 3 个工作日内到账，对延误致歉。",
                                   replied_on=_back(today, 4))
    if insured is not None and insured.psn_no == psn:
        actions.do_rate_case(insured, closed, rating=4, note="答复及时")
    actions.do_archive_case(desk, closed)
    late = actions.do_receive_case(desk, kind="complaint", region_code=REGION, category="attitude", channel="window",
                                   subject="窗口工作人员解释不耐心", psn_no=people[1][0], contact_name=people[1][1],
                                   received_on=_back(today, 14))
    actions.do_assign_case(desk, late, post="manager", note="转管理岗调查")
    extended = actions.do_receive_case(desk, kind="complaint", region_code=REGION, category="payout", channel="letter",
                                       subject="对大额补助金额计算有异议，要求复核", psn_no=people[2][0],
                                       contact_name=people[2][1], received_on=_back(today, 8))
    extended = actions.do_assign_case(desk, extended, assignee=clerk, note="请复核计算")
    try:
        actions.do_extend_case(clerk, extended, reason="需调取医院病历并重算全年待遇")
    except ApprovalPending as pending:
        do_decide(manager, pending.pending.pk, approve=True)
    tip = actions.do_receive_case(desk, kind="tipoff", region_code=REGION, category="fraud", channel="letter",
                                  subject="举报某参保人在外地医院挂床住院、虚开费用", hospital=people[0][2], anonymous=True,
                                  received_on=_back(today, 5))
    if inspector is not None:
        actions.do_open_investigation(inspector, tip, psn_no=people[0][0], hospital_place="外省")
    return 4


def _survey(desk: User, manager: User, year: int, today: dt.date, insured: User | None) -> dict[str, Any]:
    if Survey.objects.exists():
        return {}
    survey = actions.do_create_survey(desk, region_code=REGION, title=f"{year} 年度参保人满意度调查",
                                      period_from=dt.date(year, 1, 1), period_to=min(dt.date(year, 12, 31), today),
                                      sample_size=60, seed=f"demo-{year}")
    rng = random.Random(f"service-demo-{year}")
    forms = list(survey.questionnaires.all())
    texts = ["希望报销再快一些", "窗口服务态度很好", "希望多宣传政策", "异地就医备案手续可以再简化"]
    for n, respondent in enumerate(survey.respondents.order_by("psn_no")):
        if n % 7 == 6:
            actions.do_mark_unreachable(desk, respondent)
            continue
        answers: dict[str, Any] = {}
        for form in forms:
            for q in form.questions:
                key = f"{form.code}.{q['code']}"
                if q["kind"] == "scale":
                    answers[key] = str(rng.choices((5, 4, 3, 2), weights=(55, 37, 6, 2))[0])
                elif q["kind"] == "choice":
                    answers[key] = rng.choice(q["options"])
                elif q["kind"] == "number":
                    answers[key] = str(rng.randint(30, 75))
                elif rng.random() < 0.15:
                    answers[key] = rng.choice(texts)
        online = insured is not None and insured.psn_no == respondent.psn_no
        actions.do_record_answers(insured if online else desk, respondent, answers=answers)
    actions.do_close_survey(desk, survey)
    done = actions.do_add_suggestion(manager, survey, text_value="缩短手工报销审批时限，材料齐全后 10 个工作日内办结",
                                     assignee=desk, due_on=today)
    actions.do_complete_suggestion(desk, done, note="已调整窗口排班并增加复核人手")
    actions.do_add_suggestion(manager, survey, text_value="加强异地就医备案政策宣传", assignee=desk,
                              due_on=today + dt.timedelta(days=30))
    return {"survey": survey.pk}


def _messages(desk: User, manager: User) -> int:
    if MessageTemplate.objects.exists():
        return 0
    paid = actions.do_approve_template(manager, actions.do_save_template(
        desk, code="paid", name="报销到账提醒", body="{姓名}您好，您的大额医疗费用补助{金额}元已支付，请注意查收。"))
    actions.do_approve_template(manager, actions.do_save_template(
        desk, code="contribute", name="缴费提醒", body="{姓名}您好，{年度}年度职工大额医疗费用补助请按时缴费。"))
    campaign = actions.do_run_campaign(desk, region_code=REGION, name="近 30 天报销到账提醒", template=paid,
                                       audience_kind=Campaign.Audience.PAID)
    return campaign.queued


def seed_demo(year: int) -> dict[str, Any]:
    """The service desk's demo records; returns what was made."""
    today = timezone.localdate()
    desk = User.objects.get(username="service")
    manager = User.objects.get(username="manager")
    clerk = User.objects.get(username="clerk")
    inspector = User.objects.filter(username="inspector").first()
    insured = User.objects.filter(username="insured").first()
    entries = _knowledge(desk)
    return {"knowledge": len(entries), "consultations": _consultations(desk, insured, entries, today),
            "cases": _cases(desk, manager, clerk, inspector, insured, today),
            **_survey(desk, manager, year, today, insured), "sms_queued": _messages(desk, manager)}
