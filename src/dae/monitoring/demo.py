"""The demo city's in-hospital monitoring (驻院监控): admissions in progress at four hospitals of 桦甸市, the demo
inspector as resident representative at the busiest hospital (after a rotation off another one) and a patrol
member covering three smaller ones, bedside visits — one stay overdue, one patient absent (挂床) and one identity
mismatch (冒名), both taken into the findings workflow — hand-overs and opinions. Everything goes through the
actions, so the events, deadlines and findings are the real ones. Seeded: the same city gives the same records."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from dae.accounts.models import User
from dae.catalog.models import Hospital
from dae.claims.models import Settlement
from dae.core.events import record_event
from dae.core.models import Region
from dae.enrollment.coverage import coverage_many
from dae.enrollment.models import Enrolment, Person

from . import actions
from .models import Admission, Visit

REGION = "220282"
DIAGNOSES = (
    ("I63.9", "脑梗死", "神经内科"), ("I20.0", "不稳定型心绞痛", "心血管内科"), ("J18.9", "肺炎", "呼吸内科"),
    ("E11.9", "2型糖尿病", "内分泌科"), ("K80.1", "胆囊结石伴胆囊炎", "普外科"), ("S72.0", "股骨颈骨折", "骨科"),
    ("N18.5", "慢性肾脏病5期", "肾内科"), ("C34.9", "支气管或肺恶性肿瘤", "肿瘤科"),
)


def _patrol_user() -> User:
    user, created = User.objects.get_or_create(
        username="patrol", defaults={"post": "inspector", "display_name": "医疗巡查员 赵敏"})
    if created:
        user.set_unusable_password()  # a colleague in the records; the demo signs in as "inspector"
        user.save()
        user.regions.set([Region.objects.get(admdvs=REGION)])
    return user


def seed_demo(today: dt.date | None = None, seed: int = 23) -> dict[str, Any]:
    """Load the demo's monitoring records (one transaction); returns what was made."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    manager = User.objects.get(username="manager")
    rep = User.objects.get(username="inspector")
    hospital_user = User.objects.filter(username="hospital").first()
    busiest = [row["hospital_id"] for row in Settlement.objects.filter(region_id=REGION, hospital__region_id=REGION)
               .values("hospital_id")
               .annotate(n=Count("id")).order_by("-n", "hospital_id")[:5]]
    main = hospital_user.hospital if hospital_user and hospital_user.hospital_id else Hospital.objects.get(
        pk=busiest[0])
    ranked = busiest + list(Hospital.objects.filter(region_id=REGION).exclude(pk__in=busiest)
                            .order_by("code").values_list("pk", flat=True)[:5])
    by_pk = Hospital.objects.in_bulk(ranked)
    others = [by_pk[pk] for pk in ranked if pk != main.pk][:3]
    with transaction.atomic():
        patrol = _patrol_user()
        # history: the representative was on another hospital before rotating to the main one
        old = actions.do_create_assignment(kind="resident", user=rep, region_id=REGION, hospitals=[others[0]],
                                           start_date=today - dt.timedelta(days=560),
                                           end_date=today - dt.timedelta(days=200), actor=manager,
                                           note="轮岗前驻点")
        actions.do_create_assignment(kind="resident", user=rep, region_id=REGION, hospitals=[main],
                                     start_date=today - dt.timedelta(days=199), end_date=today + dt.timedelta(days=160),
                                     actor=manager, note="参保患者较多，派驻院代表")
        actions.do_create_assignment(kind="patrol", user=patrol, region_id=REGION, hospitals=others,
                                     start_date=today - dt.timedelta(days=90), end_date=today + dt.timedelta(days=270),
                                     actor=manager, note="片区巡查")
        persons = _covered_persons(rng, today, 16)
        admissions = []
        for i, psn_no in enumerate(persons):
            hospital = main if i < 9 else others[i % len(others)]
            code, name, dept = DIAGNOSES[i % len(DIAGNOSES)]
            days = [1, 2, 3, 4, 6, 9, 12, 15, 45, 2, 5, 8, 10, 3, 7, 20][i]
            admissions.append(actions.do_report_admission(
                hospital=hospital, mdtrt_id=f"DM{today:%y%m%d}{i:04d}", psn_no=psn_no, dept_name=dept,
                dept_code=f"D{i % len(DIAGNOSES):02d}", bed_no=f"{rng.randint(1, 40):02d}",
                adm_date=today - dt.timedelta(days=days), dise_codg=code, dise_name=name, actor=hospital_user,
                source=Admission.Source.API,
            ))
        # a person no longer insured, flagged at once
        lapsed = _lapsed_person(today)
        if lapsed:
            admissions.append(actions.do_report_admission(
                hospital=main, mdtrt_id=f"DM{today:%y%m%d}9999", psn_no=lapsed, dept_name="普外科", bed_no="41",
                adm_date=today - dt.timedelta(days=1), dise_codg="K35.8", dise_name="急性阑尾炎", actor=hospital_user,
                source=Admission.Source.API,
            ))
        findings = 0
        for i, a in enumerate(admissions[:16]):
            if i == 7:
                continue  # admitted 15 days ago and never visited: the overdue stay
            if (today - a.adm_date).days < 3:
                continue  # not yet due
            visitor = rep if a.hospital_id == main.pk else patrol
            first = min(a.next_visit_due or today, today)
            kwargs: dict[str, Any] = {"presence": "present", "identity": "match", "plausible": True, "notes": ""}
            if i == 4:
                kwargs.update(presence="absent", notes="病房无人，护士称患者白天回家，晚上回院")
            elif i == 5:
                kwargs.update(identity="mismatch", notes="在床患者自述为参保人之兄，与参保照片不符")
            visit = actions.do_record_visit(a, visitor=visitor, visit_date=first, actor=visitor, **kwargs)
            findings += 1 if visit.finding_id else 0
            a.refresh_from_db()
            while a.next_visit_due and a.next_visit_due <= today - dt.timedelta(days=1) and i != 4:
                actions.do_record_visit(a, visitor=visitor, visit_date=a.next_visit_due, presence="present",
                                        identity="match", plausible=True, notes="复查在床", actor=visitor)
                a.refresh_from_db()
        actions.do_record_handover(hospital=main, direction="from_hospital", department="病案室",
                                   items="住院病历复印件 2 份（入院记录、病程记录）", handed_by="病案室 李护士",
                                   received_by="驻院代表 陈杰", handed_on=today - dt.timedelta(days=2), actor=rep,
                                   admission=admissions[4])
        actions.do_record_handover(hospital=main, direction="to_hospital", department="医保办",
                                   items="查床情况告知书 1 份", handed_by="驻院代表 陈杰", received_by="医保办 郑红",
                                   handed_on=today - dt.timedelta(days=1), actor=rep)
        actions.do_record_opinion(hospital=main, source="patient", content="希望出院结算时能直接看到大额补助金额",
                                  actor=rep, admission=admissions[0])
        read = actions.do_record_opinion(hospital=others[0], source="hospital",
                                         content="建议巡查时间避开上午查房高峰", actor=patrol)
        actions.do_read_opinion(read, note="已与巡查组沟通，调整到下午", actor=manager)
        result = {"admissions": len(admissions), "visits": Visit.objects.count(), "findings": findings,
                  "old_assignment": old.pk}
        record_event(None, "monitoring.demo", object_type="demo.city", object_id=str(seed), after=result)
    return result


def _covered_persons(rng: random.Random, today: dt.date, n: int) -> list[str]:
    candidates = list(Person.objects.filter(region_id=REGION).order_by("psn_no").values_list("psn_no", flat=True)[:400])
    rng.shuffle(candidates)
    answers = coverage_many((p, today) for p in candidates[:120])
    return [p for p in candidates[:120] if answers[(p, today)].covered][:n]


def _lapsed_person(today: dt.date) -> str | None:
    ended = (Enrolment.objects.filter(region_id=REGION, status=Enrolment.Status.ENDED, end_date__lt=today)
             .order_by("person__psn_no").values_list("person__psn_no", flat=True)[:20])
    answers = coverage_many((p, today) for p in ended)
    return next((p for p in ended if not answers[(p, today)].covered), None)
