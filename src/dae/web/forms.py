"""Form styling in one place: every widget gets the Bootstrap class it needs, errors render inline."""

from __future__ import annotations

from typing import Any

from django import forms


class StyledFormMixin:
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select | forms.SelectMultiple) else "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
