from django.urls import path

from . import views

app_name = "bank"

urlpatterns = [
    path("", views.StatementList.as_view(), name="statement_list"),
    path("statements/upload/", views.statement_upload, name="statement_upload"),
    path("statements/template.csv", views.statement_template, name="statement_template"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("unmatched/", views.unmatched, name="unmatched"),
    path("match/", views.match_run, name="match_run"),
    path("lines/<int:pk>/match/", views.line_match, name="line_match"),
    path("matches/<int:pk>/undo/", views.match_undo, name="match_undo"),
    path("notes/", views.note_add, name="note_add"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("day-close/", views.day_close, name="day_close"),
]
