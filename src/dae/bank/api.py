"""API of bank reconciliation: statement upload and reads, lines, unmatched items, the balance reconciliation,
matches (manual match, undo, matching on demand), notes and day closes. Finance writes; manager and supervisor
read (permission_matrix.yaml). The routes are listed in ``api_urlpatterns`` and included in ``dae.urls``' API
list. Amounts are decimal strings."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dae.core import inputs
from dae.core.api import BoundedJSONParser, chosen_regions, validated
from dae.core.errors import InvalidInput
from dae.core.inputs import FUND_MAX, AmountField, BoundedDateField
from dae.core.scoping import get_scoped_or_404
from dae.ledger.entries import CASH_ACCOUNTS
from dae.ledger.models import DayClose, Leg

from . import actions, queries, rules
from .codes import Code
from .models import BankLine, BankStatement, Match, Note

DATE_PARAM = OpenApiParameter("date", OpenApiTypes.DATE, description="截至日期 YYYY-MM-DD（默认今天）")
REGION_PARAM = OpenApiParameter("region", str, description="统筹区代码（默认：本人所有统筹区）")
ACCOUNT_PARAM = OpenApiParameter("account", str, description="银行存款科目 100201 / 100202（默认：两者）")


def _accounts(request: Request) -> list[Any]:
    chosen = request.query_params.get("account", "").strip()
    if chosen and chosen not in CASH_ACCOUNTS:
        raise InvalidInput(f"银行存款科目应为 {' 或 '.join(CASH_ACCOUNTS)}", code=Code.NOT_CASH_ACCOUNT)
    return queries.cash_accounts([chosen] if chosen else CASH_ACCOUNTS)


# -- statements and lines -----------------------------------------------------------------------------------

class StatementSerializer(serializers.ModelSerializer[BankStatement]):
    region = serializers.CharField(source="region_id")
    account = serializers.CharField(source="account.code")
    imported_by = serializers.CharField(source="imported_by.username", default=None)
    opening_balance = AmountField(maximum=FUND_MAX, minimum=-FUND_MAX, allow_null=True)
    closing_balance = AmountField(maximum=FUND_MAX, minimum=-FUND_MAX, allow_null=True)

    class Meta:
        model = BankStatement
        fields = ["id", "region", "account", "period_from", "period_to", "file_name", "sha256", "encoding",
                  "line_count", "opening_balance", "closing_balance", "imported_by", "imported_at"]


class UploadSerializer(serializers.Serializer[Any]):
    region = serializers.CharField(max_length=6)
    account = serializers.ChoiceField(choices=list(CASH_ACCOUNTS))
    file = serializers.FileField()
    period_from = BoundedDateField(input_formats=["%Y-%m-%d"], required=False, allow_null=True)
    period_to = BoundedDateField(input_formats=["%Y-%m-%d"], required=False, allow_null=True)


class ImportedSerializer(serializers.Serializer[Any]):
    statement = StatementSerializer()
    duplicates = serializers.IntegerField()
    matched_memo = serializers.IntegerField(source="matched.memo")
    matched_amount_date = serializers.IntegerField(source="matched.amount_date")


class StatementListUpload(generics.ListAPIView[BankStatement]):
    """银行对账单 of the caller's regions (``?region=``, ``?account=``). POST (finance, multipart: region, account,
    file, optional period_from / period_to) imports and matches one statement: 201; a bad row answers 400
    ``bad_statement`` with every problem in ``details`` (row, column, value, reason); the same file twice 409."""

    serializer_class = StatementSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        statements = (BankStatement.objects.for_user(self.request.user).select_related("account", "imported_by")
                      .filter(region_id__in=chosen_regions(self.request)).order_by("-period_to", "-id"))
        account = self.request.query_params.get("account", "").strip()
        return statements.filter(account__code=account) if account else statements

    @extend_schema(parameters=[REGION_PARAM, ACCOUNT_PARAM], responses={200: StatementSerializer(many=True)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=UploadSerializer, responses={201: ImportedSerializer})
    def post(self, request: Request) -> Response:
        data = validated(UploadSerializer(data=request.data), "对账单上传参数有误")
        chosen_regions(request, data["region"])
        upload = data["file"]
        imported = actions.do_import_statement(region=data["region"], account=data["account"], file_name=upload.name,
                                            content=upload.read(), actor=request.user,
                                            period_from=data.get("period_from"), period_to=data.get("period_to"))
        return Response(ImportedSerializer(imported).data, status=status.HTTP_201_CREATED)


class StatementDetail(APIView):
    @extend_schema(responses={200: StatementSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(StatementSerializer(get_scoped_or_404(BankStatement, request, pk=pk)).data)


class LineSerializer(serializers.ModelSerializer[BankLine]):
    amount = AmountField(maximum=FUND_MAX)
    balance = AmountField(maximum=FUND_MAX, minimum=-FUND_MAX, allow_null=True)
    leg = serializers.SerializerMethodField()
    transaction = serializers.SerializerMethodField()
    rule = serializers.SerializerMethodField()

    class Meta:
        model = BankLine
        fields = ["id", "seq", "date", "serial", "direction", "amount", "counterparty", "counterparty_account",
                  "memo", "balance", "state", "leg", "transaction", "rule"]

    def _match(self, line: BankLine) -> Match | None:
        try:
            return line.match  # type: ignore[no-any-return]
        except Match.DoesNotExist:
            return None

    def get_leg(self, line: BankLine) -> int | None:
        match = self._match(line)
        return match.leg_id if match else None

    def get_transaction(self, line: BankLine) -> int | None:
        match = self._match(line)
        return match.leg.transaction_id if match else None

    def get_rule(self, line: BankLine) -> str | None:
        match = self._match(line)
        return match.rule if match else None


class StatementLines(generics.ListAPIView[BankLine]):
    """The lines of one statement in file order, with state (unmatched / matched / duplicate) and their match."""

    serializer_class = LineSerializer

    def get_queryset(self) -> Any:
        statement = get_scoped_or_404(BankStatement, self.request, pk=self.kwargs["pk"])
        return statement.lines.select_related("match__leg").order_by("seq")


# -- unmatched items and the balance reconciliation ---------------------------------------------------------

class ItemSerializer(serializers.Serializer[Any]):
    side = serializers.CharField(help_text="bank：银行已记、账面未记；book：账面已记、银行未记")
    id = serializers.IntegerField(help_text="银行流水 id（bank）或账面分录 id（book）")
    region = serializers.CharField()
    account = serializers.CharField()
    date = BoundedDateField()
    direction = serializers.CharField()
    amount = AmountField(maximum=FUND_MAX)
    text = serializers.CharField()
    reference = serializers.CharField()
    transaction = serializers.IntegerField(allow_null=True)
    age = serializers.IntegerField(help_text="账龄（天）")
    bucket = serializers.CharField(help_text="0-7 / 8-30 / 31-90 / over-90")
    kind = serializers.CharField(help_text="long 长款 / short 短款")
    note = serializers.CharField()


class UnmatchedView(APIView):
    """未达账项 at the end of ``date``, with totals by aging bucket and 长款 / 短款."""

    @extend_schema(parameters=[DATE_PARAM, REGION_PARAM, ACCOUNT_PARAM], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        result = queries.unmatched(chosen_regions(request), _accounts(request), inputs.as_of(request.query_params))
        return Response({
            "date": result.on.isoformat(), "count": len(result.items), "long_total": f"{result.long_total:.2f}",
            "short_total": f"{result.short_total:.2f}",
            "buckets": [{**b, "long": f"{b['long']:.2f}", "short": f"{b['short']:.2f}"} for b in result.buckets()],
            "items": ItemSerializer(result.items, many=True).data})


def _money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


class ReconciliationView(APIView):
    """余额调节表 per bank account at the end of ``date``; ``agree`` is null when the bank gave no balance."""

    @extend_schema(parameters=[DATE_PARAM, REGION_PARAM, ACCOUNT_PARAM], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        on = inputs.as_of(request.query_params)
        tables = []
        for region in chosen_regions(request):
            for account in _accounts(request):
                rec = queries.reconciliation(region, account, on)
                tables.append({"region": region, "account": account.code, "bank_balance": _money(rec.bank_balance),
                               "book_balance": _money(rec.book_balance), "bank_in": _money(rec.bank_in),
                               "bank_out": _money(rec.bank_out), "book_in": _money(rec.book_in),
                               "book_out": _money(rec.book_out), "adjusted_bank": _money(rec.adjusted_bank),
                               "adjusted_book": _money(rec.adjusted_book), "difference": _money(rec.difference),
                               "agree": rec.agree})
        return Response({"date": on.isoformat(), "accounts": tables})


# -- matches and notes ------------------------------------------------------------------------------------

class MatchSerializer(serializers.ModelSerializer[Match]):
    region = serializers.CharField(source="region_id")
    serial = serializers.CharField(source="line.serial")
    transaction = serializers.IntegerField(source="leg.transaction_id")
    amount = AmountField(maximum=FUND_MAX, source="line.amount")
    matched_by = serializers.CharField(source="matched_by.username", default=None)

    class Meta:
        model = Match
        fields = ["id", "region", "line", "serial", "leg", "transaction", "amount", "rule", "reason", "matched_by",
                  "matched_at"]


class ManualMatchSerializer(serializers.Serializer[Any]):
    line = serializers.IntegerField()
    leg = serializers.IntegerField()
    reason = serializers.CharField(max_length=300)


class MatchListCreate(generics.ListAPIView[Match]):
    """对账匹配 in the caller's regions, newest first (``?rule=memo|amount_date|manual``). POST (finance) pairs a
    bank line with a ledger leg by hand: same region, account, direction and amount, with a reason; 201."""

    serializer_class = MatchSerializer
    parser_classes = [BoundedJSONParser, FormParser]

    def get_queryset(self) -> Any:
        matches = (Match.objects.for_user(self.request.user).select_related("line", "leg", "matched_by")
                   .filter(region_id__in=chosen_regions(self.request)).order_by("-matched_at", "-id"))
        rule = self.request.query_params.get("rule", "").strip()
        return matches.filter(rule=rule) if rule else matches

    @extend_schema(parameters=[REGION_PARAM], responses={200: MatchSerializer(many=True)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ManualMatchSerializer, responses={201: MatchSerializer})
    def post(self, request: Request) -> Response:
        data = validated(ManualMatchSerializer(data=request.data), "请填写银行流水、账面分录和手工匹配原因")
        line = get_scoped_or_404(BankLine, request, pk=data["line"])
        match = actions.do_match_manually(line=line, leg_id=data["leg"], reason=data["reason"], actor=request.user)
        return Response(MatchSerializer(match).data, status=status.HTTP_201_CREATED)


class MatchReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300)


class MatchUndo(APIView):
    """撤销手工匹配 (finance) with a reason: the line and the leg are unmatched again. 409 for an automatic match."""

    parser_classes = [BoundedJSONParser, FormParser]

    @extend_schema(request=MatchReasonSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request, pk: int) -> Response:
        match = get_scoped_or_404(Match, request, pk=pk)
        data = validated(MatchReasonSerializer(data=request.data), "请填写撤销原因")
        line = match.line_id
        actions.do_unmatch(match=match, reason=data["reason"], actor=request.user)
        return Response({"line": line, "state": BankLine.State.UNMATCHED})


class MatchRunSerializer(serializers.Serializer[Any]):
    region = serializers.CharField(max_length=6)
    account = serializers.ChoiceField(choices=list(CASH_ACCOUNTS))
    window = serializers.IntegerField(min_value=0, max_value=31, required=False, default=rules.MATCH_WINDOW_DAYS)


class MatchRun(APIView):
    """重新匹配 (finance): the rules again over an account's unmatched lines; answers the new pairs by rule."""

    parser_classes = [BoundedJSONParser, FormParser]

    @extend_schema(request=MatchRunSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        data = validated(MatchRunSerializer(data=request.data), "请填写统筹区和银行存款科目")
        chosen_regions(request, data["region"])
        counts = actions.do_run_matching(region=data["region"], account=data["account"], actor=request.user,
                                      window=data["window"])
        return Response({"memo": counts.memo, "amount_date": counts.amount_date, "total": counts.total})


class NoteInputSerializer(serializers.Serializer[Any]):
    line = serializers.IntegerField(required=False)
    leg = serializers.IntegerField(required=False)
    text = serializers.CharField(max_length=300)


class NoteSerializer(serializers.ModelSerializer[Note]):
    region = serializers.CharField(source="region_id")
    noted_by = serializers.CharField(source="noted_by.username", default=None)

    class Meta:
        model = Note
        fields = ["id", "region", "line", "leg", "text", "noted_by", "noted_at"]


class NoteCreate(APIView):
    """备注 (finance) on an unmatched bank line (``line``) or ledger leg (``leg``); 201."""

    parser_classes = [BoundedJSONParser, FormParser]

    @extend_schema(request=NoteInputSerializer, responses={201: NoteSerializer})
    def post(self, request: Request) -> Response:
        data = validated(NoteInputSerializer(data=request.data), "请填写备注和未达账项")
        if bool(data.get("line")) == bool(data.get("leg")):
            raise InvalidInput("请只填写银行流水（line）或账面分录（leg）中的一项", code=Code.NO_ITEM)
        line = get_scoped_or_404(BankLine, request, pk=data["line"]) if data.get("line") else None
        leg = get_scoped_or_404(Leg, request, pk=data["leg"]) if data.get("leg") else None
        note = actions.do_add_note(text=data["text"], actor=request.user, line=line, leg=leg)
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


# -- day closes ---------------------------------------------------------------------------------------------

class DayCloseSerializer(serializers.ModelSerializer[DayClose]):
    region = serializers.CharField(source="region_id")
    closed_by = serializers.CharField(source="closed_by.username", default=None)

    class Meta:
        model = DayClose
        fields = ["id", "region", "day", "closed_by", "closed_at", "note", "unmatched_count"]


class CloseSerializer(serializers.Serializer[Any]):
    region = serializers.CharField(max_length=6)
    day = BoundedDateField(input_formats=["%Y-%m-%d"])
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DayCloseListCreate(generics.ListAPIView[DayClose]):
    """日清日结 of the caller's regions, latest day first. POST (finance) closes one day: 201; refused (409) when
    an earlier day with cash movements is open (``close_in_order``), a statement is missing (``not_reconciled``)
    or the day is already closed (``already_closed``)."""

    serializer_class = DayCloseSerializer
    parser_classes = [BoundedJSONParser, FormParser]

    def get_queryset(self) -> Any:
        return (DayClose.objects.for_user(self.request.user).select_related("closed_by")
                .filter(region_id__in=chosen_regions(self.request)).order_by("-day", "region_id"))

    @extend_schema(parameters=[REGION_PARAM], responses={200: DayCloseSerializer(many=True)})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=CloseSerializer, responses={201: DayCloseSerializer})
    def post(self, request: Request) -> Response:
        data = validated(CloseSerializer(data=request.data), "请填写统筹区和日结日期")
        chosen_regions(request, data["region"])
        closed = actions.do_close_day(data["region"], data["day"], actor=request.user, note=data["note"])
        return Response(DayCloseSerializer(closed).data, status=status.HTTP_201_CREATED)


api_urlpatterns = [
    path("bank/statements", StatementListUpload.as_view(), name="bank-statements"),
    path("bank/statements/<int:pk>", StatementDetail.as_view(), name="bank-statement-detail"),
    path("bank/statements/<int:pk>/lines", StatementLines.as_view(), name="bank-statement-lines"),
    path("bank/unmatched", UnmatchedView.as_view(), name="bank-unmatched"),
    path("bank/reconciliation", ReconciliationView.as_view(), name="bank-reconciliation"),
    path("bank/matches", MatchListCreate.as_view(), name="bank-matches"),
    path("bank/matches/<int:pk>/undo", MatchUndo.as_view(), name="bank-match-undo"),
    path("bank/match-runs", MatchRun.as_view(), name="bank-match-runs"),
    path("bank/notes", NoteCreate.as_view(), name="bank-notes"),
    path("bank/day-closes", DayCloseListCreate.as_view(), name="bank-day-closes"),
]
