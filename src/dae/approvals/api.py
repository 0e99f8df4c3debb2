"""API: the approver's work list and the decision on a pending action."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dae.core.api import validated

from .actions import do_decide, pending_for
from .models import PendingAction
from .queries import access_pending_by_id


class PendingSerializer(serializers.ModelSerializer[PendingAction]):
    class Meta:
        model = PendingAction
        fields = ["id", "kind", "region", "amount", "object_type", "object_id", "summary", "approver_post", "status",
                  "requested_by", "requested_at", "decided_by", "decided_at", "reason"]


class DecisionInput(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=["approve", "refuse"])
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class PendingList(ListAPIView[PendingAction]):
    """待审批事项: the actions waiting for the requesting user's post, in their scope, not their own."""

    serializer_class = PendingSerializer

    def get_queryset(self) -> Any:
        return pending_for(self.request.user)


class Decide(APIView):
    @extend_schema(request=DecisionInput, responses={200: PendingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        data = validated(DecisionInput(data=request.data), "审批信息有误")
        pending = access_pending_by_id(request, pk)
        decided = do_decide(request.user, pending.pk, approve=data["decision"] == "approve",
                            reason=data.get("reason", ""))
        return Response(PendingSerializer(decided).data)


api_urlpatterns = [
    path("approvals", PendingList.as_view(), name="approvals"),
    path("approvals/<int:pk>/decision", Decide.as_view(), name="approval-decision"),
]
