"""API of the archives under ``/api/v1/archives/…``: the catalogue (search, one item with its files and checks),
loans (one's own or, for the archivist, the region's; request, decide, return) and the approval of destruction
lists. The same actions as the pages; refusals answer ``{"code", "message", "details"}``."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dae.accounts.permissions import can
from dae.core import inputs
from dae.core.access import record_access
from dae.core.errors import NotFound

from . import actions, queries
from .models import DestructionList, Item, ItemFile, Loan

LIMIT = 200


class ArchiveFileSerializer(serializers.ModelSerializer[ItemFile]):
    class Meta:
        model = ItemFile
        fields = ["seq", "role", "doc_code", "label", "name", "media_type", "size", "sha256", "destroyed"]


class ArchiveItemSerializer(serializers.ModelSerializer[Item]):
    kind_label = serializers.CharField(read_only=True)
    region = serializers.CharField(source="region_id", allow_null=True)

    class Meta:
        model = Item
        fields = ["id", "code", "kind", "kind_label", "title", "year", "retention", "category", "date_from",
                  "date_to", "responsible_post", "status", "region", "expires_on", "failed_reason", "archived_at"]


class ArchiveItemDetailSerializer(ArchiveItemSerializer):
    files = ArchiveFileSerializer(many=True, read_only=True)
    checks = serializers.SerializerMethodField()

    class Meta(ArchiveItemSerializer.Meta):
        fields = [*ArchiveItemSerializer.Meta.fields, "metadata", "metadata_sha256", "files", "checks"]

    def get_checks(self, item: Item) -> list[dict[str, Any]]:
        return [{"name": c.name, "passed": c.passed, "detail": c.detail}
                for c in item.checks.filter(attempt=item.attempts).order_by("id")]


class ArchiveLoanSerializer(serializers.ModelSerializer[Loan]):
    item_code = serializers.CharField(source="item.code", read_only=True)
    borrower = serializers.CharField(source="borrower.username", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Loan
        fields = ["id", "number", "item", "item_code", "borrower", "purpose", "days", "status", "requested_at",
                  "decided_at", "decision_note", "starts_on", "due_on", "returned_at", "overdue"]
        read_only_fields = ["item"]

    def get_overdue(self, loan: Loan) -> bool:
        return loan.is_overdue()


class LoanRequestSerializer(serializers.Serializer[Any]):
    item = serializers.IntegerField(min_value=1)
    purpose = serializers.CharField(max_length=300)
    days = serializers.IntegerField(min_value=1, max_value=actions.MAX_LOAN_DAYS)


class DecisionSerializer(serializers.Serializer[Any]):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class Items(APIView):
    @extend_schema(parameters=[OpenApiParameter("q", str, description="全文检索：题名、档号、元数据（多个词均须出现）"),
                               OpenApiParameter("kind", str), OpenApiParameter("status", str),
                               OpenApiParameter("year", int)],
                   responses=ArchiveItemSerializer(many=True))
    def get(self, request: Request) -> Response:
        qs = Item.objects.for_user(request.user).order_by("-year", "category", "item_no", "-id")
        for name in ("kind", "status"):
            value = request.query_params.get(name, "").strip()
            if value:
                qs = qs.filter(**{name: value[:40]})
        year = request.query_params.get("year", "").strip()
        if year:
            qs = qs.filter(year=inputs.year(year))
        text = request.query_params.get("q", "").strip()
        if text:
            qs = queries.search(qs, inputs.text(text, field="q", label="检索词", max_length=200))
        return Response(ArchiveItemSerializer(qs[:LIMIT], many=True).data)


class ItemDetail(APIView):
    @extend_schema(responses=ArchiveItemDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        item = queries.access_item_by_id(request, pk)
        if item.psn_no:
            record_access(request, item, psn_no=item.psn_no)
        return Response(ArchiveItemDetailSerializer(item).data)


class Loans(APIView):
    @extend_schema(responses=ArchiveLoanSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The archivist sees the loans of their regions; anyone else their own."""
        if can(request.user, "archives:loan_decide"):
            qs = Loan.objects.for_user(request.user)
        else:
            qs = Loan.objects.filter(borrower_id=request.user.pk)
        return Response(ArchiveLoanSerializer(qs.select_related("item", "borrower")[:LIMIT], many=True).data)

    @extend_schema(request=LoanRequestSerializer, responses={201: ArchiveLoanSerializer})
    def post(self, request: Request) -> Response:
        body = LoanRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = queries.access_item_by_id(request, body.validated_data["item"])
        loan = actions.do_request_loan(request.user, item, purpose=body.validated_data["purpose"],
                                       days=body.validated_data["days"])
        return Response(ArchiveLoanSerializer(loan).data, status=status.HTTP_201_CREATED)


class LoanDecide(APIView):
    @extend_schema(request=DecisionSerializer, responses=ArchiveLoanSerializer)
    def post(self, request: Request, pk: int) -> Response:
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        loan = queries.access_loan_by_id(request, pk)
        loan = actions.do_decide_loan(request.user, loan, approve=body.validated_data["approve"],
                                      note=body.validated_data["note"])
        return Response(ArchiveLoanSerializer(loan).data)


class LoanReturn(APIView):
    @extend_schema(request=None, responses=ArchiveLoanSerializer)
    def post(self, request: Request, pk: int) -> Response:
        loan = queries.access_loan_by_id(request, pk)
        if loan.borrower_id != request.user.pk and not can(request.user, "archives:loan_decide"):
            raise NotFound()
        return Response(ArchiveLoanSerializer(actions.do_return_loan(request.user, loan)).data)


class DestructionApprove(APIView):
    @extend_schema(request=DecisionSerializer, responses={200: dict})
    def post(self, request: Request, pk: int) -> Response:
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dl: DestructionList = queries.access_destruction_by_id(request, pk)
        dl = actions.do_approve_destruction(request.user, dl, approve=body.validated_data["approve"],
                                            note=body.validated_data["note"])
        return Response({"number": dl.number, "status": dl.status,
                         "manager": getattr(dl.manager_by, "username", None),
                         "supervisor": getattr(dl.supervisor_by, "username", None)})


api_urlpatterns = [
    path("archives/items", Items.as_view(), name="archive-items"),
    path("archives/items/<int:pk>", ItemDetail.as_view(), name="archive-item-detail"),
    path("archives/loans", Loans.as_view(), name="archive-loans"),
    path("archives/loans/<int:pk>/decide", LoanDecide.as_view(), name="archive-loan-decide"),
    path("archives/loans/<int:pk>/return", LoanReturn.as_view(), name="archive-loan-return"),
    path("archives/destructions/<int:pk>/approve", DestructionApprove.as_view(), name="archive-destruction-approve"),
]
