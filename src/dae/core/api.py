"""API glue shared by every app: the exception handler that renders ``DaeError`` as ``{code, message, details}``,
the bounded JSON parser, serializer validation as ``InvalidInput``, and the choice of the caller's pooling
regions. Amounts are read by ``core.inputs.AmountField`` (bounded decimal strings both ways)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions as drf_exceptions
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .codes import CoreCode
from .errors import DaeError, InvalidInput
from .inputs import InputCode

#: The largest JSON body the API reads (a declaration of a month goes as a file, not as a body this size).
JSON_BODY_MAX = 8 * 1024 * 1024


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser through the one input layer: a body larger than ``JSON_BODY_MAX`` or nested deeper than
    ``core.inputs.JSON_MAX_DEPTH`` is refused before it is parsed; NaN/Infinity are refused; a number with a
    fraction stays a float, which amount fields refuse (amounts are strings). Every error is ``InvalidInput``
    (400) with a Chinese message."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        from .inputs import json_document

        data = stream.read(JSON_BODY_MAX + 1) if stream is not None else b""
        if not data:
            raise InvalidInput("请求内容为空", code=CoreCode.EMPTY_BODY,
                               details=[{"path": "body", "message": "请求内容为空"}])
        return json_document(data, max_bytes=JSON_BODY_MAX, decimals=False)


def validated(serializer: serializers.Serializer[Any], message: str) -> dict[str, Any]:
    """The serializer's data, or ``InvalidInput(message)`` with the field errors as details."""
    if not serializer.is_valid():
        raise InvalidInput(message, details=serializer.errors)
    return dict(serializer.validated_data)


def chosen_regions(request: Request, chosen: str | None = None) -> list[str]:
    """The region asked for (``chosen``, else the ``region`` query parameter) as a one-item list, or all the
    caller's regions when none is asked for; a region that is not the caller's is refused."""
    codes = list(request.user.region_codes)
    chosen = (chosen if chosen is not None else request.query_params.get("region", "")).strip()
    if chosen and chosen not in codes:
        raise InvalidInput(f"统筹区 {chosen} 不在本人的统筹区内", code=InputCode.INVALID_REGION)
    return [chosen] if chosen else codes


def one_region(request: Request, chosen: str | None = None) -> str:
    """The region asked for (``chosen``, else ``?region=``), else the first of the caller's regions."""
    regions = sorted(chosen_regions(request, chosen))
    if not regions:
        raise InvalidInput("本人没有统筹区", code=InputCode.INVALID_REGION)
    return regions[0]


_DRF_CODES = {
    drf_exceptions.NotAuthenticated: ("not_authenticated", "请先登录"),
    drf_exceptions.AuthenticationFailed: ("authentication_failed", "用户名或密码错误"),
    drf_exceptions.PermissionDenied: ("permission_denied", "当前岗位无权执行此操作"),
    drf_exceptions.NotFound: ("not_found", "记录不存在或无权访问"),
    drf_exceptions.MethodNotAllowed: ("method_not_allowed", "不支持该请求方法"),
    drf_exceptions.ParseError: ("parse_error", "请求内容无法解析"),
    drf_exceptions.ValidationError: ("invalid_input", "输入有误，请检查后重试"),
    drf_exceptions.Throttled: ("throttled", "请求过于频繁，请稍后再试"),
    drf_exceptions.UnsupportedMediaType: ("unsupported_media_type", "不支持的内容类型"),
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DaeError):
        if exc.status == 403:
            _record_refused(context)
        return Response(exc.as_dict(), status=exc.status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == 403:
        _record_refused(context)
    code, message = "error", "请求失败"
    for klass, (c, m) in _DRF_CODES.items():
        if isinstance(exc, klass):
            code, message = c, m
            break
    details = response.data if isinstance(exc, drf_exceptions.ValidationError) else None
    response.data = {"code": code, "message": message, "details": details}
    return response


def _record_refused(context: dict[str, Any]) -> None:
    from .access import record_refused

    request = context.get("request")
    if request is not None:
        record_refused(request)  # the DRF request: its user is who authenticated (session, basic or token)


class ScopedViewSetMixin:
    """Every API view starts from the user's scope; a row outside it answers 404 and is logged as an attempt."""

    lookup_field: str
    request: Any
    #: True for persons' data: each row of a list page read by staff is written to the access log.
    log_access = False

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)  # type: ignore[misc]
        if self.log_access and page is not None:
            from .access import record_access_many

            record_access_many(self.request, list(page))
        return page

    def get_queryset(self) -> Any:
        return self.queryset.model._default_manager.for_user(self.request.user)  # type: ignore[attr-defined]

    def get_object(self) -> Any:
        from .scoping import get_scoped_or_404

        lookup = {self.lookup_field: self.kwargs[self.lookup_field]}  # type: ignore[attr-defined]
        return get_scoped_or_404(self.queryset.model, self.request, **lookup)  # type: ignore[attr-defined]


def not_found(request: Any, exception: Exception | None = None) -> Any:
    """The project's 404 (``handler404``): JSON ``{code, message, details}`` for an API path that matches no
    route (e.g. an id with a dot), the error page otherwise — the same answer as a missing row."""
    from django.http import JsonResponse
    from django.shortcuts import render

    from .errors import NotFound

    error = NotFound()
    if request.path.startswith("/api/"):
        return JsonResponse(error.as_dict(), status=404)
    return render(request, "web/error.html", {"error": error}, status=404)


#: The error answers every operation may give, in the one shape ``{code, message, details}``.
ERROR_ANSWERS = {
    "400": "输入有误（code 说明原因，details 列出字段）",
    "401": "未登录",
    "403": "当前岗位无权执行此操作",
    "404": "记录不存在或不在本人范围内",
    "409": "当前状态不允许此操作",
}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {"nullable": True}},
    "required": ["code", "message", "details"],
}


def postprocess_schema(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Makes the OpenAPI schema true to the answers (a drf-spectacular post-processing hook): every operation
    documents its error answers (and 413 where it takes an upload) in the one error shape, and an uploaded file
    is a binary string, not a URI."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            answers = dict(ERROR_ANSWERS)
            if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
                answers["413"] = "上传文件过大"
            for status, description in answers.items():
                operation["responses"].setdefault(status, {"description": description, "content": error})
    for component in result["components"]["schemas"].values():
        for name, prop in component.get("properties", {}).items():
            if name not in ("next", "previous") and prop.get("format") == "uri":
                prop["format"] = "binary"
            items = prop.get("items", {})
            if isinstance(items, dict) and items.get("format") == "uri":
                items["format"] = "binary"
    return result

