from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from dae.benefits.api import TrialCalculationView
from dae.catalog.api import HospitalViewSet
from dae.claims.api import SettlementViewSet
from dae.enrollment.api import PersonViewSet
from dae.web.api import EventViewSet, me

router = SimpleRouter()
router.register("persons", PersonViewSet, basename="person")
router.register("hospitals", HospitalViewSet, basename="hospital")
router.register("settlements", SettlementViewSet, basename="settlement")
router.register("events", EventViewSet, basename="event")

api_v1 = (
    [
        path("me", me, name="me"),
        path("trial-calculations", TrialCalculationView.as_view(), name="trial-calculations"),
        *router.urls,
    ],
    "api",
)

urlpatterns = [
    path("", include("dae.web.urls")),
    path("accounts/", include("dae.accounts.urls")),
    path("enrollment/", include("dae.enrollment.urls")),
    path("catalog/", include("dae.catalog.urls")),
    path("claims/", include("dae.claims.urls")),
    path("benefits/", include("dae.benefits.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]
