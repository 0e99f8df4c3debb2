"""The trial-calculation page: enter or upload a person's settlements, see each payout explained, print it."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext

from dae.core.errors import DaeError, InvalidInput

from .codes import Code
from .forms import AMOUNT_FIELDS, TrialHeaderForm, TrialRowFormSet
from .trial import run_trial

MAX_UPLOAD = 2 * 1024 * 1024


def _regions(user: Any) -> list[tuple[str, str]]:
    return [(r.admdvs, str(r)) for r in user.regions.order_by("admdvs")]


def _rows_to_input(psn_no: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    settlements = []
    for row in rows:
        item = {"setl_id": row["setl_id"], "psn_no": psn_no,
                "setl_time": row["setl_time"].strftime("%Y-%m-%d %H:%M:%S"),
                "adm_date": row["adm_date"].isoformat(), "dscg_date": row["dscg_date"].isoformat(),
                "place_category": row["place_category"], "settle_way": row["settle_way"]}
        item.update({name: f"{row[name]:.2f}" for name in AMOUNT_FIELDS})
        settlements.append(item)
    return {"format_version": "1", "persons": [{"psn_no": psn_no}], "settlements": settlements}


def _read_upload(upload: Any) -> Any:
    if upload.size > MAX_UPLOAD:
        raise InvalidInput(gettext("文件过大（上限 2 MB）"), code=Code.UPLOAD_TOO_LARGE)
    try:
        return json.loads(upload.read().decode("utf-8"), parse_float=str)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(gettext("文件不是有效的 UTF-8 JSON：%(e)s") % {"e": exc}, code=Code.UPLOAD_NOT_JSON) from exc


def _initial_rows() -> list[dict[str, Any]]:
    return [{"setl_id": "S0001", "setl_time": "2026-03-10T10:00", "adm_date": "2026-03-01",
             "dscg_date": "2026-03-10", "place_category": "local", "settle_way": "direct",
             "medfee_sumamt": "120000.00", "fulamt_ownpay_amt": "5000.00", "overlmt_selfpay": "0.00",
             "preselfpay_amt": "5000.00", "inscp_scp_amt": "110000.00"}]


def trial(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    header = TrialHeaderForm(request.POST or None, request.FILES or None, regions=_regions(user))
    rows = TrialRowFormSet(request.POST or None, initial=None if request.method == "POST" else _initial_rows(),
                           prefix="s")
    context: dict[str, Any] = {"title": gettext("试算"), "header": header, "rows": rows}
    if request.method == "POST" and header.is_valid():
        upload = header.cleaned_data.get("upload")
        try:
            if upload:
                input_doc = _read_upload(upload)
            elif rows.is_valid():
                input_doc = _rows_to_input(header.cleaned_data["psn_no"], [f.cleaned_data for f in rows.forms])
            else:
                input_doc = None
            if input_doc is not None:
                context["output"] = run_trial(user, input_doc, region=header.cleaned_data["region"], trace=True)
                context["input_json"] = json.dumps(input_doc, ensure_ascii=False)
                context["region"] = header.cleaned_data["region"]
        except DaeError as error:
            context["error"] = error
    return render(request, "benefits/trial.html", context)


def trial_pdf(request: HttpRequest) -> HttpResponse:
    """The same calculation rendered as a printable PDF (WeasyPrint)."""
    from weasyprint import HTML

    try:
        input_doc = json.loads(request.POST.get("input_json", ""), parse_float=str)
    except json.JSONDecodeError as exc:
        raise InvalidInput(gettext("试算输入不是有效的 JSON"), code=Code.TRIAL_INPUT_INVALID) from exc
    output = run_trial(request.user, input_doc, region=request.POST.get("region") or None, trace=True)
    html = render_to_string("benefits/trial_pdf.html", {"output": output, "user": request.user}, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="trial-calculation.pdf"'
    return response
