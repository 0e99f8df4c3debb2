from django.urls import path

from . import views

app_name = "credit"

urlpatterns = [
    path("", views.PartyList.as_view(), name="party_list"),
    path("parties/<int:pk>/", views.party_detail, name="party_detail"),
    path("parties/<int:pk>/list/", views.party_listing, name="party_listing"),
    path("parties/<int:pk>/delist/", views.party_delisting, name="party_delisting"),
    path("listings/new/", views.listing_new, name="listing_new"),
    path("violations/new/", views.violation_new, name="violation_new"),
    path("settings/", views.settings_view, name="settings"),
    path("screenings/", views.screening_list, name="screening_list"),
    path("screenings/<int:pk>/", views.screening_detail, name="screening_detail"),
    path("screenings/results/<int:pk>/", views.screening_result, name="screening_result"),
]
