"""Dictionary pages: every code list, and one list's codes with the manager's edit forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from dae.core.errors import DaeError, PermissionDenied

from .actions import do_add_code, do_update_code
from .models import Code, CodeList


def codelist_list(request: HttpRequest) -> HttpResponse:
    lists = CodeList.objects.annotate(n=Count("codes")).order_by("key")
    return render(request, "dictionaries/codelist_list.html", {"title": _("数据字典"), "lists": lists})


def codelist_detail(request: HttpRequest, key: str) -> HttpResponse:
    user: Any = request.user
    codelist = get_object_or_404(CodeList, key=key)
    if request.method == "POST":
        if user.post != "manager":
            raise PermissionDenied()
        try:
            if request.POST.get("op") == "add":
                do_add_code(user, codelist, request.POST.get("code", ""), request.POST.get("name", ""),
                            request.POST.get("name_en", ""))
            else:
                item = get_object_or_404(Code, codelist=codelist, pk=request.POST.get("id"))
                do_update_code(user, item, name=request.POST.get("name", ""),
                               name_en=request.POST.get("name_en", ""), active=request.POST.get("active") == "on")
        except DaeError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存"))
        return redirect("dictionaries:codelist_detail", key=codelist.key)
    return render(request, "dictionaries/codelist_detail.html", {
        "title": codelist.name, "codelist": codelist, "codes": codelist.codes.all(),
        "can_edit": user.post == "manager"})
