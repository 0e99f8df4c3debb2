from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dae.core.api import ScopedViewSetMixin
from dae.core.errors import PermissionDenied

from .actions import do_mark_read
from .models import Notice, SmsMessage


class NoticeSerializer(serializers.ModelSerializer[Notice]):
    region = serializers.CharField(source="region_id", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Notice
        fields = ["id", "psn_no", "region", "claim_ref", "kind", "kind_label", "amount", "basis_text", "created_at",
                  "is_read", "read_at"]


class SmsMessageSerializer(serializers.ModelSerializer[SmsMessage]):
    phone = serializers.CharField(source="masked_phone", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)

    class Meta:
        model = SmsMessage
        fields = ["id", "psn_no", "phone", "text", "status", "backend", "provider_ref", "error", "region",
                  "created_at", "sent_at", "notice"]


class NoticeViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Notice]):
    """通知: an insured person's own notices (approved / paid, amount and calculation basis); staff see those of
    their regions. ``POST …/{id}/read`` marks one's own notice read."""

    queryset = Notice.objects.all()
    serializer_class = NoticeSerializer
    lookup_field = "pk"
    log_access = True

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-created_at", "-id")

    @extend_schema(request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"], url_path="read", url_name="read")
    def read(self, request: Request, pk: str) -> Response:
        notice = self.get_object()
        if notice.psn_no != getattr(request.user, "psn_no", ""):
            raise PermissionDenied()
        return Response(NoticeSerializer(do_mark_read(request.user, notice)).data)


class SmsOutboxViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet[SmsMessage]):
    """短信发件箱: every SMS written for the caller's regions, with its status (phone numbers masked)."""

    queryset = SmsMessage.objects.all()
    serializer_class = SmsMessageSerializer
    lookup_field = "pk"
    log_access = True

    def get_queryset(self) -> Any:
        qs = super().get_queryset().order_by("-created_at", "-id")
        status = self.request.query_params.get("status")
        return qs.filter(status=status) if status else qs
