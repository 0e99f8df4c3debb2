from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from dae.benefits.api import TrialCalculationView
from dae.catalog.api import HospitalViewSet
from dae.claims.api import SettlementViewSet
from dae.enrollment.api import PersonViewSet, UnitViewSet, coverage
from dae.imports.api import ImportBatchViewSet
from dae.web.api import EventViewSet, me
from dae.workdays.api import api_urlpatterns as workdays_api

router = SimpleRouter()
router.register("persons", PersonViewSet, basename="person")
router.register("units", UnitViewSet, basename="unit")
router.register("imports", ImportBatchViewSet, basename="import")
router.register("hospitals", HospitalViewSet, basename="hospital")
router.register("settlements", SettlementViewSet, basename="settlement")
router.register("events", EventViewSet, basename="event")

api_v1 = (
    [
        path("me", me, name="me"),
        path("coverage", coverage, name="coverage"),
        path("trial-calculations", TrialCalculationView.as_view(), name="trial-calculations"),
        *router.urls,
        *workdays_api,
    ],
    "api",
)

urlpatterns = [
    path("", include("dae.web.urls")),
    path("accounts/", include("dae.accounts.urls")),
    path("enrollment/", include("dae.enrollment.urls")),
    path("imports/", include("dae.imports.urls")),
    path("catalog/", include("dae.catalog.urls")),
    path("claims/", include("dae.claims.urls")),
    path("benefits/", include("dae.benefits.urls")),
    path("workdays/", include("dae.workdays.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]
