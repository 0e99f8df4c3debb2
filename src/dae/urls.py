from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from dae.approvals.api import api_urlpatterns as approvals_api
from dae.archives.api import api_urlpatterns as archives_api
from dae.auditing.api import api_urlpatterns as auditing_api
from dae.bank.api import api_urlpatterns as bank_api
from dae.benefits.api import TrialCalculationView
from dae.catalog.api import (
    CatalogueItemViewSet,
    CodeMappingViewSet,
    DiagnosisViewSet,
    HospitalViewSet,
    MappingCheckView,
)
from dae.claims.api import AdjustmentViewSet, DeclarationViewSet, SettlementViewSet, feedback
from dae.core.openapi import SchemaView
from dae.credit.api import api_urlpatterns as credit_api
from dae.enrollment.api import EnrolmentViewSet, PersonViewSet, UnitViewSet, coverage
from dae.fund.api import api_urlpatterns as fund_api
from dae.imports.api import ImportBatchViewSet
from dae.inspection.api.urls import api_urlpatterns as inspection_api
from dae.ledger.api import api_urlpatterns as ledger_api
from dae.monitoring.api import api_urlpatterns as monitoring_api  # in-hospital monitoring (issue 23)
from dae.notices.api import NoticeViewSet, SmsOutboxViewSet
from dae.payments.api import api_urlpatterns as payments_api
from dae.reimbursement.api import ManualClaimViewSet, self_service
from dae.reports.api import api_urlpatterns as reports_api  # statistics and reports (issue 16)
from dae.service.api import api_urlpatterns as service_api  # 参保人服务 (issue 18)
from dae.web.api import EventViewSet, me
from dae.workdays.api import api_urlpatterns as workdays_api

router = SimpleRouter()
router.register("persons", PersonViewSet, basename="person")
router.register("units", UnitViewSet, basename="unit")
router.register("enrolments", EnrolmentViewSet, basename="enrolment")
router.register("imports", ImportBatchViewSet, basename="import")
router.register("hospitals", HospitalViewSet, basename="hospital")
router.register("catalogue-items", CatalogueItemViewSet, basename="catalogue-item")
router.register("code-mappings", CodeMappingViewSet, basename="code-mapping")
router.register("diagnoses", DiagnosisViewSet, basename="diagnosis")
router.register("settlements", SettlementViewSet, basename="settlement")
router.register("declarations", DeclarationViewSet, basename="declaration")
router.register("adjustments", AdjustmentViewSet, basename="adjustment")
router.register("events", EventViewSet, basename="event")
router.register("manual-claims", ManualClaimViewSet, basename="manual-claim")
router.register("notices", NoticeViewSet, basename="notice")
router.register("sms-outbox", SmsOutboxViewSet, basename="sms")

api_v1 = (
    [
        path("me", me, name="me"),
        path("coverage", coverage, name="coverage"),
        path("self-service", self_service, name="self-service"),
        path("payment-feedback", feedback, name="payment-feedback"),
        path("trial-calculations", TrialCalculationView.as_view(), name="trial-calculations"),
        path("mapping-checks", MappingCheckView.as_view(), name="mapping-checks"),
        *router.urls,
        *workdays_api,
        *ledger_api,
        *bank_api,
        *payments_api,
        *fund_api,
        *credit_api,
        *inspection_api,
        *auditing_api,
        *archives_api,
        *approvals_api,
        # in-hospital monitoring (issue 23)
        *monitoring_api,
        *service_api,  # 参保人服务 (issue 18)
        # statistics and reports (issue 16)
        *reports_api,
    ],
    "api",
)

urlpatterns = [
    path("", include("dae.web.urls")),
    path("accounts/", include("dae.accounts.urls")),
    path("enrollment/", include("dae.enrollment.urls")),
    path("imports/", include("dae.imports.urls")),
    path("dictionaries/", include("dae.dictionaries.urls")),
    path("catalog/", include("dae.catalog.urls")),
    path("claims/", include("dae.claims.urls")),
    path("reimbursement/", include("dae.reimbursement.urls")),
    path("notices/", include("dae.notices.urls")),
    path("benefits/", include("dae.benefits.urls")),
    path("workdays/", include("dae.workdays.urls")),
    path("ledger/", include("dae.ledger.urls")),
    path("bank/", include("dae.bank.urls")),
    path("payments/", include("dae.payments.urls")),
    path("fund/", include("dae.fund.urls")),
    path("credit/", include("dae.credit.urls")),
    path("inspection/", include("dae.inspection.urls")),
    path("audit/", include("dae.auditing.urls")),
    path("archives/", include("dae.archives.urls")),
    path("security/", include("dae.security.urls")),
    path("approvals/", include("dae.approvals.urls")),
    # 参保人服务 (issue 18)
    path("service/", include("dae.service.urls")),
    # statistics and reports (issue 16)
    path("reports/", include("dae.reports.urls")),
    path("", include("dae.ops.urls")),
    # in-hospital monitoring (issue 23)
    path("monitoring/", include("dae.monitoring.urls")),
    # fund forecasting and warnings (issue 17)
    path("forecast/", include("dae.forecast.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
    # exchange with the medical insurance platform (issue 22)
    path("exchange/", include("dae.exchange.urls")),
]

handler404 = "dae.core.api.not_found"
