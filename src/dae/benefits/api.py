from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .trial import run_trial

_EXAMPLE = {
    "format_version": "1",
    "persons": [{"psn_no": "P1"}],
    "settlements": [{
        "setl_id": "S1", "psn_no": "P1", "setl_time": "2026-03-10 10:00:00", "adm_date": "2026-03-01",
        "dscg_date": "2026-03-10", "med_type": "21", "place_category": "local", "settle_way": "direct",
        "medfee_sumamt": "120000.00", "fulamt_ownpay_amt": "5000.00", "overlmt_selfpay": "0.00",
        "preselfpay_amt": "5000.00", "inscp_scp_amt": "110000.00",
    }],
}


class TrialCalculationView(APIView):
    """试算: compute 大额 payouts for the settlements given, with the caller's region's published rules.

    The body is a calc-input document (format 1, `schemas/calc-input.schema.json`, see docs/payout.md); the answer
    is a calc-output document with one object per settlement, amounts as decimal strings. Nothing is stored.
    """

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter("region", str, description="统筹区 admdvs (default: the caller's first region)"),
            OpenApiParameter("trace", bool, description="include the step-by-step trace (default true)"),
        ],
        examples=[OpenApiExample("one stay above the entry threshold", value=_EXAMPLE, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        trace = request.query_params.get("trace", "true").lower() not in ("0", "false", "no")
        output = run_trial(request.user, request.data, region=request.query_params.get("region"), trace=trace)
        return Response(output)
