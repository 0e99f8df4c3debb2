"""A separate process for the crash test: ``python -m tests.payments.crash_driver setup|pay``.

``setup`` migrates a fresh SQLite file and makes three approved March statements in region 220282 with money in
the spending account. ``pay`` carries the payment run forward from wherever it stopped — create the batch,
export the file, import the bank's result — the way finance would after a restart, then prints a JSON summary of
what was paid. With ``DAE_CRASH_AT`` set, the process dies at that point (``dae.core.crash``). The environment
gives the database (``DAE_DATABASE_URL``) and the upload folder (``DAE_CRASH_UPLOADS``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from decimal import Decimal
from pathlib import Path


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dae.settings.test")
    import django
    from django.conf import settings

    django.setup()
    settings.UPLOAD_DIR = Path(os.environ["DAE_CRASH_UPLOADS"])


def setup() -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from dae.catalog.models import Hospital
    from dae.claims.models import Settlement
    from dae.core.models import Region
    from dae.enrollment.models import Person
    from dae.ledger import entries
    from dae.ledger.actions import do_post_settlement_payable, do_post_simple
    from dae.payments.actions import do_approve_statement, do_build_statements

    call_command("migrate", verbosity=0)
    region = Region.objects.create(admdvs="220282", name="桦甸市")
    for n in (1, 2, 3):
        hospital = Hospital.objects.create(code=f"HA000{n}", name=f"桦甸医院{n}", level="05", region=region,
                                           bank_name="中国工商银行桦甸支行", bank_account=f"08110000000{n}")
        person = Person.objects.create(psn_no=f"PA000{n}", psn_cert_type="01", certno=f"22028219800101000{n}",
                                       psn_name=f"参保人{n}", gend="1", brdy=dt.date(1980, 1, 1), region=region)
        s = Settlement.objects.create(
            setl_id=f"S{n}", mdtrt_id=f"M{n}", psn_no=person.psn_no, person=person, hospital=hospital, region=region,
            med_type="21", adm_date=dt.date(2026, 3, 1), dscg_date=dt.date(2026, 3, 9),
            setl_time=timezone.make_aware(dt.datetime(2026, 3, 10, 10)), place_category="local",
            settle_way="direct", medfee_sumamt=Decimal("9000.00"), fulamt_ownpay_amt=Decimal("0.00"),
            overlmt_selfpay=Decimal("0.00"), preselfpay_amt=Decimal("0.00"), inscp_scp_amt=Decimal("9000.00"),
            hifob_pay=Decimal(f"{n}000.00"), computed_pay=Decimal(f"{n}000.00"), state="payable")
        do_post_settlement_payable(s, on=dt.date(2026, 3, 10), actor=None)
    for st in do_build_statements("220282", "2026-03", actor=None, on=dt.date(2026, 4, 2)):
        do_approve_statement(st, actor=None, on=dt.date(2026, 4, 3))
    do_post_simple(entries.SPENDING_BANK, entries.FUND_INCOME, amount=Decimal("100000.00"), on=dt.date(2026, 4, 1),
                         reference=("tests.funding", "220282"), key="crash-funding", region="220282",
                         description="拨入支出户", actor=None)


def _bank_result(batch: object) -> bytes:
    from tests.payments.flow import result_file

    return result_file(batch, day=dt.date(2026, 4, 11))  # type: ignore[arg-type]


def pay() -> None:
    from dae.core.crash import crash_point
    from dae.payments.actions import do_create_batch, do_export_batch, do_import_result
    from dae.payments.models import PaymentBatch, Statement

    open_batch = PaymentBatch.objects.exclude(status=PaymentBatch.Status.DONE).first()
    if open_batch is None and Statement.objects.filter(status=Statement.Status.APPROVED).exists():
        open_batch = do_create_batch("220282", "hospital", actor=None, on=dt.date(2026, 4, 10))
        crash_point("driver.created")
    if open_batch is not None and open_batch.status == PaymentBatch.Status.DRAFT:
        do_export_batch(open_batch, actor=None)
        crash_point("driver.exported")
    if open_batch is not None and open_batch.status == PaymentBatch.Status.EXPORTED:
        do_import_result(open_batch, name="result.csv", chunks=[_bank_result(open_batch)], actor=None)
        crash_point("driver.imported")
    print(json.dumps(summary(), ensure_ascii=False))


def summary() -> dict[str, object]:
    from django.db.models import Count

    from dae.claims.models import Settlement
    from dae.core.sums import fen_sum, yuan
    from dae.ledger.models import Leg, Transaction
    from dae.ledger.queries import trial_balance
    from dae.payments.models import PaymentBatch, PaymentOrder, Statement

    cash = yuan(Leg.objects.filter(account__code="100202", transaction__reference_type="payments.order")
                .aggregate(total=fen_sum("credit"))["total"])
    paid_orders = PaymentOrder.objects.filter(status="paid")
    return {
        "batches": PaymentBatch.objects.count(),
        "orders": PaymentOrder.objects.count(),
        "statements": dict(Statement.objects.values_list("hospital__code", "status")),
        "paid_orders_per_statement": {row["statement__hospital__code"]: row["n"] for row in
                                      paid_orders.values("statement__hospital__code").annotate(n=Count("id"))},
        "payment_postings": Transaction.objects.filter(reference_type="payments.order").count(),
        "paid_total": f'{yuan(paid_orders.aggregate(total=fen_sum("amount"))["total"]):.2f}',
        "cash_out": f"{cash:.2f}",
        "balanced": trial_balance().balanced,
        "settlements": dict(Settlement.objects.values_list("setl_id", "state")),
    }


if __name__ == "__main__":
    _django()
    {"setup": setup, "pay": pay}[sys.argv[1]]()
