"""The OpenAPI schema view: drf-spectacular's, with the rendered schema kept per process."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView

#: The rendered OpenAPI schema by (language, API version, media type): the routes do not change while a process runs,
#: and generating and rendering the schema costs about a second of CPU per request.
_SCHEMAS: dict[tuple[str, str, str], tuple[bytes, str, str]] = {}


class SchemaView(SpectacularAPIView):
    """``/api/schema/``: drf-spectacular's view, the rendered schema kept per process (it is the same for every
    reader: ``SERVE_PUBLIC``)."""

    @extend_schema(exclude=True)  # the schema's own route is not in the schema (SERVE_INCLUDE_SCHEMA)
    def get(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        language = (request.GET.get("lang") if settings.USE_I18N else "") or translation.get_language() or ""
        version = self.api_version or request.version or self._get_version_parameter(request) or ""
        key = (language, str(version), str(request.accepted_media_type))
        hit = _SCHEMAS.get(key)
        if hit is None:
            response = super().get(request, *args, **kwargs)
            response.accepted_renderer = request.accepted_renderer
            response.accepted_media_type = request.accepted_media_type
            response.renderer_context = self.get_renderer_context()
            response.render()
            hit = _SCHEMAS.setdefault(key, (response.content, response["Content-Type"],
                                            response["Content-Disposition"]))
        return HttpResponse(hit[0], content_type=hit[1], headers={"Content-Disposition": hit[2]})
