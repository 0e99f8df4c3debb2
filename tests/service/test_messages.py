"""Message templates (variables, preview, versions, approval before use) and campaigns through the SMS outbox."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dae.core.errors import Conflict, InvalidInput, PermissionDenied
from dae.notices.actions import remember_phone
from dae.notices.models import SmsMessage
from dae.service import actions
from dae.service.actions.messages import preview
from tests.factories import PersonFactory, SettlementFactory

A = "220282"


def test_template_versions_preview_and_approval(users: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        actions.do_save_template(users["service"], code="remind", name="缴费提醒", body="{姓名}您好，{卡号}")
    v1 = actions.do_save_template(users["service"], code="remind", name="缴费提醒", body="{姓名}您好，请缴纳{年度}年度大额补助费用。")
    v2 = actions.do_save_template(users["service"], code="remind", name="缴费提醒", body="{姓名}您好，{年度}年度大额补助请按时缴费。")
    assert (v1.version, v2.version, v2.status) == (1, 2, "draft")
    assert preview(v2.body).startswith("李明您好，")  # sample values, never a real person
    with pytest.raises(PermissionDenied):
        actions.do_approve_template(users["service2"], v2)
    with pytest.raises(PermissionDenied):  # the writer never approves
        actions.do_approve_template(users["manager"], actions.do_save_template(
            users["manager"], code="x", name="x", body="测试"))
    assert actions.do_approve_template(users["manager"], v2).status == "approved"
    with pytest.raises(Conflict):
        actions.do_run_campaign(users["service"], region_code=A, name="x", template=v1, audience_kind="lapsed")


def test_campaign_to_people_near_the_threshold(users: dict[str, Any], world: dict[str, Any]) -> None:
    ra = world["regions"][0]
    today = dt.date(2026, 12, 1)
    near = PersonFactory(region=ra, psn_no="PN0001", psn_name="王近")
    far = PersonFactory(region=ra, psn_no="PN0002", psn_name="赵远")
    SettlementFactory(person=near, inscp_scp_amt=Decimal("50000.00"), medfee_sumamt=Decimal("50150.00"))
    SettlementFactory(person=far, inscp_scp_amt=Decimal("10000.00"), medfee_sumamt=Decimal("10150.00"))
    remember_phone(psn_no="PN0001", phone="13900002222", region_id=A, source="test")
    template = actions.do_approve_template(users["manager"], actions.do_save_template(
        users["service"], code="near", name="起付线提醒", body="{姓名}您好，您{年度}年度距大额补助起付线还差{金额}元。"))
    campaign = actions.do_run_campaign(users["service"], region_code=A, name="起付线提醒", template=template,
                                       audience_kind="near_threshold", today=today)
    assert (campaign.audience_size, campaign.queued, campaign.over_limit) == (1, 1, 0)
    sms = SmsMessage.objects.get(key=f"campaign:{campaign.pk}:PN0001")
    assert sms.text == "王近您好，您2026年度距大额补助起付线还差10,000.00元。" and sms.status == "queued"


def test_templates_and_campaigns_are_lists_filtered_and_exported(users: dict[str, Any], world: dict[str, Any]) -> None:
    """短信模板 and 宣传与提醒 are the list component: filters, the export of the filtered rows read back with
    names (状态, 发送对象), 审核通过 in a draft's row for the manager only."""
    from django.test import Client

    from dae.core.models import AccessRecord
    from dae.service.models import Campaign, MessageTemplate
    from tests.web.test_converted_lists import assert_read_back

    v1 = actions.do_save_template(users["service"], code="remind", name="缴费提醒", body="{姓名}您好，请缴纳{年度}年度大额补助费用。")
    actions.do_save_template(users["service"], code="remind", name="缴费提醒", body="{姓名}您好，{年度}年度大额补助请按时缴费。")
    v1 = actions.do_approve_template(users["manager"], v1)
    manager = Client()
    manager.force_login(users["manager"])
    body = assert_read_back(manager, "/service/templates/?status=draft", 1)
    assert body[0][:3] == ("remind", "2", "缴费提醒") and body[0][4].startswith("李明您好，") and body[0][5] == "待审核"
    draft = MessageTemplate.objects.get(code="remind", version=2)
    html = manager.get("/service/templates/").content.decode()
    assert f'form="approve-{draft.pk}"' in html and f'id="approve-{draft.pk}"' in html
    desk = Client()
    desk.force_login(users["service"])
    assert f'form="approve-{draft.pk}"' not in desk.get("/service/templates/").content.decode()

    for name in ("缴费提醒一", "缴费提醒二"):
        actions.do_run_campaign(users["service"], region_code=A, name=name, template=v1, audience_kind="lapsed")
    body = assert_read_back(desk, "/service/campaigns/?q=提醒二", 1)
    assert body[0][0] == "缴费提醒二" and body[0][3] == str(Campaign.Audience.LAPSED.label)
    assert_read_back(desk, "/service/campaigns/?audience=lapsed", 2)
    assert AccessRecord.objects.filter(why="export", object_type__in=["list:service:template_list",
                                                                      "list:service:campaign_list"]).count() == 6
