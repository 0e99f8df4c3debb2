"""The OpenAPI schema is generated once per process, language and format, and served from memory after that."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from dae.core import openapi
from tests.factories import make_user


@pytest.mark.django_db
def test_the_schema_is_generated_once_then_served_from_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openapi, "_SCHEMAS", {})
    calls: list[int] = []
    original = SchemaGenerator.get_schema

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    client = Client()
    client.force_login(make_user("it", username="schema-reader"))
    first = client.get("/api/schema/")
    second = client.get("/api/schema/")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and b"openapi:" in first.content
    assert b"/api/schema/" not in first.content  # the schema's own route stays out of it
    assert first["Content-Type"] == second["Content-Type"] and "openapi" in first["Content-Type"]
    assert len(calls) == 1
    as_json = client.get("/api/schema/?format=json")  # another format: generated once more, then kept too
    assert json.loads(as_json.content)["info"]["title"] == "dae API"
    client.get("/api/schema/?format=json")
    assert len(calls) == 2
