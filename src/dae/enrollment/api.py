from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from dae.core.access import record_access
from dae.core.api import ScopedViewSetMixin

from .models import Person


class PersonSerializer(serializers.ModelSerializer[Person]):
    certno = serializers.CharField(source="masked_certno", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)
    emp_no = serializers.CharField(source="unit.emp_no", read_only=True, default=None)

    class Meta:
        model = Person
        fields = ["psn_no", "psn_name", "psn_cert_type", "certno", "gend", "brdy", "region", "emp_no"]


class PersonViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Person]):
    """参保人 (insured persons) in the caller's regions. Certificate numbers are masked; each read is logged."""

    queryset = Person.objects.select_related("unit")
    serializer_class = PersonSerializer
    lookup_field = "psn_no"
    log_access = True

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("unit").order_by("psn_no")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        record_access(request, person)
        return Response(self.get_serializer(person).data)
