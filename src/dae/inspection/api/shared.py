"""What the inspection API's parts share: the date format, the list limit, amounts as strings, the document
serializer and the upload input."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ..models import Document

DATE_FORMATS = ["%Y-%m-%d"]


LIMIT = 500


def optional_money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


class InspectionDocumentSerializer(serializers.ModelSerializer[Document]):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "name", "kind", "content_type", "size", "sha256", "note", "finding", "uploaded_at", "url"]

    def get_url(self, obj: Document) -> str:
        return f"/inspection/documents/{obj.pk}/"


class InspectionUploadInput(serializers.Serializer[Any]):
    file = serializers.FileField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    finding = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="巡查问题 id（仅现场巡查；留空则属于整次巡查）"
    )
