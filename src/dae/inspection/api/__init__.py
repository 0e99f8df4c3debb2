"""API of inspection (稽核) under ``/api/v1/inspection/…``: the monthly re-review samples (draw, replay check,
items with their three comparisons, completion), the sampling settings, on-site inspections (create, findings,
documents, submit, return, confirm → deductions), remote investigations (create, assign, result, feedback) and
their statistics. The same actions as the pages; refusals answer ``{"code", "message", "details"}``. Amounts are
decimal strings both ways; a JSON number with a fraction is refused (it would be a float). Documents are uploaded
as ``multipart/form-data`` (field ``file``). The modules follow the nouns (``samples``, ``inspections``, ``investigations``; ``shared``);
the routes are listed in ``urls.api_urlpatterns``."""
