"""Backups: one encrypted archive with a manifest of digests; the restore drill restores it into a scratch
database and the restored ledger passes the trial balance recorded at backup time; a tampered archive does
not open; the masked copy (漂白) keeps no real name, ID number or account and the same trial balance."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections, transaction

from dae.catalog.models import Hospital
from dae.enrollment.models import Person
from dae.ledger import entries
from dae.ledger.actions import do_post_simple
from dae.ops.actions import do_mask_copy
from dae.ops.backup import (
    BackupError,
    close_alias,
    make_backup,
    open_alias,
    open_archive,
    restore_drill,
    scratch_database,
    trial_balance,
)

pytestmark = pytest.mark.django_db(transaction=True)

KEY = base64.b64decode("ZGFlLXRlc3QtYmFja3VwLWtleS0wMTIzNDU2Nzg5YWI=")


def _post(world: dict[str, Any]) -> None:
    with transaction.atomic():
        for i, amount in enumerate(("1200.50", "300.25")):
            do_post_simple(entries.SPENDING_BANK, entries.FUND_INCOME, amount=Decimal(amount),
                           on=dt.date(2026, 3, 2 + i), reference=("test.backup", i), key=f"backup-test-{i}",
                           region="220282", description="测试", actor=None)


def test_the_restore_drill_restores_a_backup_and_the_trial_balance_holds(
        world: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _post(world)
    upload = Path(settings.UPLOAD_DIR) / "drill-test" / "凭证.txt"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_text("发票原件 2026-03", encoding="utf-8")
    archive = make_backup(tmp_path, key=KEY)
    sealed = archive.read_bytes()
    assert sealed.startswith(b"DAEBAK1\n") and "发票原件".encode() not in sealed
    report = restore_drill(archive, key=KEY)
    with capsys.disabled():
        print(f"\n恢复演练 (restore drill, {report.vendor}): restore {report.restore_seconds:.2f}s, "
              f"total {report.seconds:.2f}s, {report.accounts} accounts")
    assert (report.balanced, report.matches_backup, report.accounts) == (True, True, 2)
    assert (report.debit_fen, report.credit_fen) == (150075, 150075)
    opened = open_archive(archive, tmp_path / "open", key=KEY) if (tmp_path / "open").mkdir() is None else None
    assert opened is not None
    assert opened.manifest["members"]["files/uploads/drill-test/凭证.txt"]
    assert opened.manifest["trial_balance"] == {"100202": [150075, 0], "4001": [0, 150075]}
    upload.unlink()


def test_the_drill_command_backs_up_restores_and_prints_its_time(
        world: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _post(world)
    monkeypatch.setenv("DAE_BACKUP_DIR", str(tmp_path))
    monkeypatch.setenv("DAE_BACKUP_KEY", base64.b64encode(KEY).decode())
    out = StringIO()
    call_command("restore_drill", "--backup", stdout=out)
    text = out.getvalue()
    assert "试算平衡 (trial balance) 2 个科目" in text and "(balanced: True)" in text
    assert "与备份时一致 (matches the backup): True" in text
    assert len(list(tmp_path.glob("dae-backup-*.daebak"))) == 1


def test_a_tampered_or_cut_archive_does_not_open(world: dict[str, Any], tmp_path: Path) -> None:
    archive = make_backup(tmp_path, key=KEY)
    data = bytearray(archive.read_bytes())
    data[40] ^= 1
    tampered = tmp_path / "tampered.daebak"
    tampered.write_bytes(bytes(data))
    (tmp_path / "a").mkdir()
    with pytest.raises(BackupError):
        open_archive(tampered, tmp_path / "a", key=KEY)
    cut = tmp_path / "cut.daebak"
    cut.write_bytes(archive.read_bytes()[:-10])
    (tmp_path / "b").mkdir()
    with pytest.raises(BackupError):
        open_archive(cut, tmp_path / "b", key=KEY)
    (tmp_path / "c").mkdir()
    with pytest.raises(BackupError):
        open_archive(archive, tmp_path / "c", key=bytes(32))


def test_the_masked_copy_has_no_real_name_id_or_account_and_the_same_trial_balance(
        world: dict[str, Any], tmp_path: Path) -> None:
    _post(world)
    real = {p.psn_no: (p.psn_name, p.certno) for p in Person.objects.all()}
    accounts = set(Hospital.objects.values_list("bank_account", flat=True))
    before = trial_balance("default")
    vendor = connections["default"].vendor
    with scratch_database(vendor, tmp_path, alias="target") as (_alias, cfg):
        counts = do_mask_copy(cfg)
        assert counts["persons"] == len(real) == 2
        open_alias("copy", cfg)
        try:
            copied = {p.psn_no: (p.psn_name, p.certno) for p in Person.objects.using("copy").all()}
            assert sorted(copied) == sorted(real)  # the same persons, every relation by psn_no kept
            for psn_no, (name, certno) in copied.items():
                assert name != real[psn_no][0] and certno != real[psn_no][1]
                assert name not in {n for n, _c in real.values()}
                assert len(certno) == 18 and certno[:6] == real[psn_no][1][:6]
            masked_accounts = set(Hospital.objects.using("copy").values_list("bank_account", flat=True))
            assert masked_accounts.isdisjoint(accounts) and len(masked_accounts) == len(accounts)
            assert trial_balance("copy") == before == {"100202": [150075, 0], "4001": [0, 150075]}
        finally:
            close_alias("copy")
