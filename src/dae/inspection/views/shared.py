"""What the inspection pages share: a form's errors in one line, a form run through one action with its
refusal shown as a message, an action posted without a form, an upload read in chunks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext

from dae.core.errors import DaeError


def form_errors(form: Any) -> str:
    return "；".join(str(e) for field in form.errors.values() for e in field)


def run_form(request: HttpRequest, form: Any, run: Callable[[dict[str, Any]], Any], done: str) -> Any:
    """Run ``run`` on a valid form; a refusal (or an invalid form) becomes an error message. Returns the result or
    None."""
    if not form.is_valid():
        messages.error(request, gettext("请检查填写的内容：%(e)s") % {"e": form_errors(form)})
        return None
    try:
        result = run(form.cleaned_data)
    except DaeError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, done)
    return result


def post_action(request: HttpRequest, run: Callable[[], Any], done: str) -> None:
    """On a POST, run one action without a form: its refusal becomes an error message, else ``done`` a success."""
    if request.method != "POST":
        return
    try:
        run()
    except DaeError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)


def upload_chunks(upload: Any) -> Any:
    return upload.chunks() if upload is not None else iter(())
