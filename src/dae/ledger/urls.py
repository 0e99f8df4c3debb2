from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("", views.account_list, name="accounts"),
    path("trial-balance/", views.trial_balance, name="trial_balance"),
    path("accounts/<str:code>/", views.statement, name="statement"),
    path("transactions/", views.TransactionList.as_view(), name="transaction_list"),
    path("transactions/new/", views.entry_new, name="entry_new"),
    path("transactions/<int:pk>/", views.transaction_detail, name="transaction_detail"),
    path("transactions/<int:pk>/reverse/", views.transaction_reverse, name="transaction_reverse"),
]
