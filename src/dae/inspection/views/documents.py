"""The page that shows one kept document (a scan, a photo, a PDF) inline, to whoever may read its owner."""

from __future__ import annotations

from urllib.parse import quote

from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from dae.core.errors import InvalidInput
from dae.core.scoping import get_scoped_or_404

from .. import queries
from ..codes import Code
from ..models import Document


def document(request: HttpRequest, pk: int) -> HttpResponse:
    """A document as stored (shown inline: images as thumbnails, PDFs in the browser)."""
    doc = queries.documents_for(request.user).filter(pk=pk).first()
    if doc is None:
        get_scoped_or_404(Document, request, pk=pk)  # logs an attempt outside scope, then 404
        raise Http404()
    try:
        handle = open(doc.path, "rb")  # FileResponse closes it
    except FileNotFoundError:
        raise InvalidInput("附件文件已不存在，请联系信息技术岗", code=Code.FILE_MISSING) from None
    response = FileResponse(handle, content_type=doc.content_type)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(doc.name)}"
    return response


