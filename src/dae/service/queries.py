"""Reads of the service desk: the one access check per object kind, the knowledge base search, and the counters.

Overdue, one definition everywhere: decided (answered/replied) after the due date, or still open after it. Due
soon: open and due within ``rules.reminder_days()`` working days (the reminder before the deadline).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from dae.catalog.models import Hospital
from dae.core.models import Region
from dae.core.scoping import access_by_id
from dae.workdays.service import deadline

from . import analysis, rules
from .models import (
    Answer,
    Campaign,
    Case,
    Consultation,
    KnowledgeEntry,
    MessageTemplate,
    Respondent,
    Suggestion,
    Survey,
)


def access_case_by_id(request: HttpRequest, pk: Any) -> Case:
    return access_by_id(Case, request, pk)


def access_consultation_by_id(request: HttpRequest, pk: Any) -> Consultation:
    return access_by_id(Consultation, request, pk)


def access_knowledge_by_id(request: HttpRequest, pk: Any) -> KnowledgeEntry:
    return access_by_id(KnowledgeEntry, request, pk)


def access_survey_by_id(request: HttpRequest, pk: Any) -> Survey:
    return access_by_id(Survey, request, pk)


def access_respondent_by_id(request: HttpRequest, pk: Any) -> Respondent:
    return access_by_id(Respondent, request, pk)


def access_suggestion_by_id(request: HttpRequest, pk: Any) -> Suggestion:
    return access_by_id(Suggestion, request, pk)


def access_template_by_id(request: HttpRequest, pk: Any) -> MessageTemplate:
    return access_by_id(MessageTemplate, request, pk)


def access_campaign_by_id(request: HttpRequest, pk: Any) -> Campaign:
    return access_by_id(Campaign, request, pk)


def knowledge_in_force() -> QuerySet[KnowledgeEntry]:
    return KnowledgeEntry.objects.filter(status=KnowledgeEntry.Status.PUBLISHED)


def search_knowledge(words: str, limit: int = 20) -> list[KnowledgeEntry]:
    """Entries in force whose question, answer or policy reference contains every word (whitespace-separated)."""
    rows = knowledge_in_force()
    for word in (words or "").split()[:5]:
        rows = rows.filter(Q(question__icontains=word) | Q(answer__icontains=word) | Q(policy_ref__icontains=word))
    return list(rows.order_by("key")[:limit])


def overdue_case_q(today: dt.date) -> Q:
    return Q(replied_on__isnull=True, due_on__lt=today) | Q(replied_on__isnull=False, replied_on__gt=F("due_on"))


def overdue_consultation_q(today: dt.date) -> Q:
    return Q(answered_on__isnull=True, due_on__lt=today) | Q(answered_on__isnull=False, answered_on__gt=F("due_on"))


def soon_limit(today: dt.date) -> dt.date:
    """The last day counted as "due soon" (a reminder): ``reminder_days`` working days ahead."""
    return deadline(today, rules.reminder_days()).due  # an unknown year counts weekends only (never raises)


def counters(user: Any, today: dt.date | None = None) -> dict[str, int]:
    """The dashboard's counters for the user's scope."""
    today = today or timezone.localdate()
    cases = Case.objects.for_user(user).exclude(status__in=(Case.Status.REPLIED, Case.Status.ARCHIVED))
    consults = Consultation.objects.for_user(user).filter(status=Consultation.Status.OPEN)
    soon = soon_limit(today)
    return {
        "cases_open": cases.count(),
        "cases_overdue": cases.filter(due_on__lt=today).count(),
        "cases_due_soon": cases.filter(due_on__gte=today, due_on__lte=soon).count(),
        "consultations_open": consults.count(),
        "consultations_unowned": consults.filter(owner__isnull=True).count(),
        "consultations_overdue": consults.filter(due_on__lt=today).count(),
        "suggestions_open": Suggestion.objects.for_user(user).filter(status=Suggestion.Status.OPEN).count(),
        "templates_to_approve": MessageTemplate.objects.filter(status=MessageTemplate.Status.DRAFT).count(),
    }


#: Names of the analysis' dimensions (the questionnaires' groups).
DIMENSION_NAMES = {"policy_basic": "基本医疗保险政策", "policy_dae": "大额补助政策", "service": "承办服务",
                   "hospital": "医药机构服务", "basic": "基本情况"}


def survey_analysis(survey: Survey) -> Any:
    """The survey's analysis: the database counts answers per (region, hospital, question, score) in one grouped
    query and collects the free text; ``analysis.analyse`` adds them up."""


    forms = list(survey.questionnaires.all())
    questions = [analysis.Question(f.code, q["code"], q["text"], q["kind"], q.get("dimension", f.code))
                 for f in forms for q in f.questions]
    answers = Answer.objects.filter(respondent__survey=survey)
    counts = [analysis.ScoreCount(r["respondent__region_id"], str(r["respondent__hospital_id"]),
                                  r["questionnaire__code"], r["question"], r["score"], r["n"])
              for r in answers.filter(score__isnull=False)
              .values("respondent__region_id", "respondent__hospital_id", "questionnaire__code", "question", "score")
              .annotate(n=Count("id")).order_by()]
    texts = [analysis.TextAnswer(r["respondent__region_id"], str(r["respondent__hospital_id"]),
                                 r["questionnaire__code"], r["question"], r["text"])
             for r in answers.filter(score__isnull=True).exclude(text="")
             .values("respondent__region_id", "respondent__hospital_id", "questionnaire__code", "question", "text")]
    text_questions = {(q.questionnaire, q.code) for q in questions if q.kind == "text"}
    texts = [t for t in texts if (t.questionnaire, t.question) in text_questions]
    status = dict(survey.respondents.values("status").annotate(n=Count("id")).values_list("status", "n"))
    hospitals = {str(pk): name for pk, name in Hospital.objects.filter(
        pk__in=survey.respondents.values("hospital_id")).values_list("pk", "name")}
    regions = dict(Region.objects.filter(pk=survey.region_id).values_list("admdvs", "name"))
    return analysis.analyse(questions, counts, texts, sampled=sum(status.values()),
                            answered=status.get("answered", 0), target=survey.target_rate, region_names=regions,
                            hospital_names=hospitals, dimension_names=DIMENSION_NAMES)
