from __future__ import annotations

from rest_framework import serializers, viewsets

from dae.core.api import ScopedViewSetMixin

from .models import Hospital


class HospitalSerializer(serializers.ModelSerializer[Hospital]):
    region = serializers.CharField(source="region_id", read_only=True)

    class Meta:
        model = Hospital
        fields = ["code", "name", "level", "kind", "region", "status"]


class HospitalViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Hospital]):
    """定点医疗机构 (designated hospitals) in the caller's scope."""

    queryset = Hospital.objects.all()
    serializer_class = HospitalSerializer
    lookup_field = "code"
