from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from dae.core.api import ScopedViewSetMixin
from dae.core.errors import InvalidInput

from .actions import do_start_import
from .models import ImportBatch


class ImportBatchSerializer(serializers.ModelSerializer[ImportBatch]):
    region = serializers.CharField(source="region_id", read_only=True, allow_null=True)
    job = serializers.IntegerField(source="job_id", read_only=True, allow_null=True)
    problems = serializers.SerializerMethodField()

    class Meta:
        model = ImportBatch
        fields = ["id", "kind", "file_name", "fmt", "sha256", "size", "status", "region", "job", "rows_total",
                  "rows_bad", "rows_new", "rows_changed", "rows_same", "rows_ignored", "same_as", "note",
                  "created_at", "finished_at", "problems"]

    def get_problems(self, batch: ImportBatch) -> list[dict[str, Any]]:
        """The first 1,000 problems (the Excel report has all)."""
        rows = batch.problems.values("row_no", "column", "value", "reason")[:1000]
        return list(rows)


class ImportUploadSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    region = serializers.CharField(required=False, allow_blank=True)
    file = serializers.FileField()


class ImportBatchViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[ImportBatch]):
    """导入批次: upload a file (multipart: kind, region, file) and follow its validation and load."""

    queryset = ImportBatch.objects.all()
    serializer_class = ImportBatchSerializer
    parser_classes = [MultiPartParser, FormParser]
    lookup_field = "pk"

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-id")

    @extend_schema(request=ImportUploadSerializer, responses={202: ImportBatchSerializer})
    def create(self, request: Request) -> Response:
        body = ImportUploadSerializer(data=request.data)
        if not body.is_valid():
            raise InvalidInput(details=body.errors)
        upload = body.validated_data["file"]
        batch = do_start_import(body.validated_data["kind"], user=request.user, file_name=upload.name,
                             chunks=upload.chunks(), region_id=body.validated_data.get("region") or None)
        return Response(ImportBatchSerializer(batch).data, status=202)
