from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("mine/", views.my_notices, name="mine"),
    path("mine/<int:pk>/read/", views.mark_read, name="mark_read"),
    path("", views.NoticeList.as_view(), name="notice_list"),
    path("outbox/", views.Outbox.as_view(), name="outbox"),
]
