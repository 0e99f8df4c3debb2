"""Who is asking, for the pages: the user's post and the regions they may choose in a form."""

from __future__ import annotations

from django.http import HttpRequest

from dae.core.models import Region


def post_of(request: HttpRequest) -> str:
    """The post (岗位) of the user making the request ("" for none)."""
    return str(getattr(request.user, "post", ""))


def region_choices(request: HttpRequest) -> list[tuple[str, str]]:
    """(code, name) of the regions the user works for, for a region select."""
    codes = request.user.region_codes  # type: ignore[union-attr]
    return [(r.admdvs, str(r)) for r in Region.objects.filter(admdvs__in=codes)]
