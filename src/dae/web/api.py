from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from dae.core.api import ScopedViewSetMixin
from dae.core.models import Event


class EventSerializer(serializers.ModelSerializer[Event]):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = Event
        fields = ["id", "at", "actor", "action", "object_type", "object_id", "region", "before", "after", "note"]


class EventViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Event]):
    """事件日志 (event log), read-only, in the caller's regions."""

    queryset = Event.objects.all()
    serializer_class = EventSerializer
    lookup_field = "pk"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("actor")


class MeSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    post = serializers.CharField()
    regions = serializers.ListField(child=serializers.CharField())
    hospital = serializers.CharField(allow_null=True)


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The caller: username, post, regions and hospital."""
    user: Any = request.user
    hospital = user.hospital.code if user.hospital_id else None
    return Response({"username": user.username, "post": user.post, "regions": user.region_codes,
                     "hospital": hospital})
