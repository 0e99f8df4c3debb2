"""API of the service desk: cases (受理, 流转, 答复, 评价, 延期), consultations and the knowledge base, the insured
person's online questions, and a survey's analysis. Values are read by the actions through ``core.inputs``; a
tip-off's reporter never appears here (only on the logged reporter page)."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dae.core.access import record_access

from . import actions, queries
from .models import Case, Consultation, KnowledgeEntry


class CaseSerializer(serializers.ModelSerializer[Case]):
    number = serializers.CharField(read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "number", "kind", "region", "category", "channel", "subject", "hospital", "concerned_person",
                  "anonymous", "received_on", "due_on", "deadline_warnings", "extension", "extension_reason",
                  "status", "assignee", "assigned_post", "progress", "reply", "replied_on", "rating", "rating_note",
                  "archived_on", "inspection", "investigation", "overdue"]

    def get_overdue(self, case: Case) -> bool:
        return case.is_overdue()


class ConsultationSerializer(serializers.ModelSerializer[Consultation]):
    number = serializers.CharField(read_only=True)

    class Meta:
        model = Consultation
        fields = ["id", "number", "region", "psn_no", "psn_name", "channel", "category", "question", "needs_check",
                  "owner", "received_on", "due_on", "status", "answer", "knowledge", "answered_on"]


class KnowledgeSerializer(serializers.ModelSerializer[KnowledgeEntry]):
    class Meta:
        model = KnowledgeEntry
        fields = ["id", "key", "version", "category", "question", "answer", "policy_ref", "status"]


def _data(request: Request) -> dict[str, Any]:
    return {k: request.data.get(k) for k in request.data} if hasattr(request.data, "get") else {}


class Cases(ListAPIView[Case]):
    """投诉举报: the caller's scope; POST 受理 (kind, region, category, channel, subject, hospital, …)."""

    serializer_class = CaseSerializer

    def get_queryset(self) -> Any:
        return Case.objects.for_user(self.request.user).order_by("-received_on", "-id")

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: CaseSerializer})
    def post(self, request: Request) -> Response:
        d = _data(request)
        case = actions.do_receive_case(
            request.user, kind=d.get("kind"), region_code=d.get("region"), category=d.get("category"),
            channel=d.get("channel"), subject=d.get("subject"), hospital=d.get("hospital"),
            concerned_person=d.get("concerned_person"), psn_no=d.get("psn_no"), contact_name=d.get("contact_name"),
            contact_phone=d.get("contact_phone"), anonymous=d.get("anonymous") is True,
            received_on=d.get("received_on"))
        return Response(CaseSerializer(case).data, status=201)


class CaseDetail(APIView):
    @extend_schema(responses={200: CaseSerializer})
    def get(self, request: Request, pk: int) -> Response:
        case = queries.access_case_by_id(request, pk)
        if case.psn_no and not case.is_tipoff:
            record_access(request, case)
        return Response(CaseSerializer(case).data)


class CaseStep(APIView):
    """One step of a case: ``assign`` (assignee or post, note), ``reply`` (reply, replied_on), ``rate`` (rating,
    note), ``extend`` (reason; answers 202 until the manager approves), ``archive``."""

    step = ""

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: CaseSerializer})
    def post(self, request: Request, pk: int) -> Response:
        case = queries.access_case_by_id(request, pk)
        d = _data(request)
        user = request.user
        run = {
            "assign": lambda: actions.do_assign_case(user, case, assignee=d.get("assignee"), post=d.get("post"),
                                                     note=d.get("note")),
            "reply": lambda: actions.do_reply_case(user, case, reply=d.get("reply"), replied_on=d.get("replied_on")),
            "rate": lambda: actions.do_rate_case(user, case, rating=d.get("rating"), note=d.get("note")),
            "extend": lambda: actions.do_extend_case(user, case, reason=d.get("reason")),
            "archive": lambda: actions.do_archive_case(user, case),
        }[self.step]
        return Response(CaseSerializer(run()).data)


class Consultations(ListAPIView[Consultation]):
    """咨询: the caller's scope; POST 登记 by the first responder (region, channel, question, …)."""

    serializer_class = ConsultationSerializer

    def get_queryset(self) -> Any:
        return Consultation.objects.for_user(self.request.user).order_by("-received_on", "-id")

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: ConsultationSerializer})
    def post(self, request: Request) -> Response:
        d = _data(request)
        if getattr(request.user, "scope_kind", "") == "insured":
            c = actions.do_ask_online(request.user, question=d.get("question"), category=d.get("category") or "other")
        else:
            c = actions.do_register_consultation(
                request.user, region_code=d.get("region"), channel=d.get("channel"), question=d.get("question"),
                category=d.get("category") or "other", psn_no=d.get("psn_no"), psn_name=d.get("psn_name"),
                needs_check=d.get("needs_check") is True, answer=d.get("answer"), knowledge=d.get("knowledge"))
        return Response(ConsultationSerializer(c).data, status=201)


class ConsultationAnswer(APIView):
    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: ConsultationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        c = queries.access_consultation_by_id(request, pk)
        d = _data(request)
        return Response(ConsultationSerializer(actions.do_answer_consultation(
            request.user, c, answer=d.get("answer"), knowledge=d.get("knowledge"))).data)


class Knowledge(ListAPIView[KnowledgeEntry]):
    """知识库 in force; ``q`` searches question, answer and policy reference."""

    serializer_class = KnowledgeSerializer

    def get_queryset(self) -> Any:
        words = self.request.query_params.get("q", "")[:100]
        if words:
            return queries.search_knowledge(words, limit=100)
        return queries.knowledge_in_force().order_by("key")


class SurveyAnalysis(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        survey = queries.access_survey_by_id(request, pk)
        a = queries.survey_analysis(survey)

        def rows(items: Any) -> list[dict[str, Any]]:
            return [{"key": r.key, "label": r.label, "answers": r.tally.answers, "mean": r.tally.mean,
                     "satisfaction_rate": r.tally.rate, "distribution": dict(r.tally.distribution)} for r in items]

        return Response({"survey": survey.pk, "sampled": a.sampled, "answered": a.answered,
                         "response_rate": a.response_rate, "satisfaction_rate": a.satisfaction_rate,
                         "target": a.target, "meets_target": a.meets_target, "questions": rows(a.questions),
                         "dimensions": rows(a.dimensions), "regions": rows(a.regions),
                         "hospitals": rows(a.hospitals), "texts": [t.text for t in a.texts]})


api_urlpatterns = [
    path("service/cases", Cases.as_view(), name="service-cases"),
    path("service/cases/<int:pk>", CaseDetail.as_view(), name="service-case-detail"),
    path("service/cases/<int:pk>/assign", CaseStep.as_view(step="assign"), name="service-case-assign"),
    path("service/cases/<int:pk>/reply", CaseStep.as_view(step="reply"), name="service-case-reply"),
    path("service/cases/<int:pk>/rate", CaseStep.as_view(step="rate"), name="service-case-rate"),
    path("service/cases/<int:pk>/extend", CaseStep.as_view(step="extend"), name="service-case-extend"),
    path("service/cases/<int:pk>/archive", CaseStep.as_view(step="archive"), name="service-case-archive"),
    path("service/consultations", Consultations.as_view(), name="service-consultations"),
    path("service/consultations/<int:pk>/answer", ConsultationAnswer.as_view(), name="service-consultation-answer"),
    path("service/knowledge", Knowledge.as_view(), name="service-knowledge"),
    path("service/surveys/<int:pk>/analysis", SurveyAnalysis.as_view(), name="service-survey-analysis"),
]
