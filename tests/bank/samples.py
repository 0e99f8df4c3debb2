"""URL samples for the permission-matrix walk: a statement whose one line matched the ledger's sample posting."""

from __future__ import annotations

import hashlib
from typing import Any

from dae.bank.actions import do_import_statement
from dae.bank.models import BankStatement, Match
from tests.ledger.samples import samples_for as ledger_samples

CSV = "交易日期,银行流水号,收支方向,金额,摘要\n2026-03-02,MATRIX-1,付,10.00,经办费用\n".encode()


def samples_for(name: str, world: dict[str, Any]) -> dict[str, str]:
    ledger_samples(name, world)  # the chart and a 10.00 payment from 100202 on 2026-03-02
    statement = BankStatement.objects.filter(sha256=hashlib.sha256(CSV).hexdigest()).first()
    if statement is None:
        statement = do_import_statement(region=world["regions"][0].pk, account="100202", file_name="matrix.csv",
                                     content=CSV, actor=world["users"]["finance"]).statement
    line = statement.lines.get()
    match = Match.objects.get(line=line)
    pk = {"bank:line_match": line.pk, "bank:match_undo": match.pk, "api:bank-match-undo": match.pk}.get(name,
                                                                                                    statement.pk)
    return {"pk": str(pk)}
