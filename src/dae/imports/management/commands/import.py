"""``dae import KIND FILE``: the import pages' door for scripts — the same importers, checks, all-or-nothing load
and problem report as the page, run in this process with a progress bar.

    dae import roster names.xlsx --user clerk --region 220282
    dae import catalogue catalogue.csv --user manager
    dae import declaration 2025-12.json --user clerk
    dae import bank statement.csv --user finance --region 220282 --account 100202

KIND is a registered import kind (``roster``, ``roster_1101``, ``catalogue``, ``code_mapping``,
``icd10_extension``; the short names ``icd10`` and ``mapping`` also work), ``declaration`` (a hospital's monthly
declaration, JSON) or ``bank`` (a bank statement). The acting user's post must be allowed to do the same on the
page. The exit status is 0 when the file was loaded, 1 when it was refused (each problem printed, and written to
``--report`` as Excel when given), 2 for a bad command line.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dae.accounts.models import User
from dae.accounts.permissions import can
from dae.bank.actions import do_import_statement
from dae.claims.actions import do_submit_declaration
from dae.core.errors import DaeError, PermissionDenied
from dae.core.jobs import jobs_inline
from dae.imports import registry
from dae.imports.actions import do_start_import
from dae.imports.framework import problems_workbook
from dae.imports.models import ImportBatch

ALIASES = {"icd10": "icd10_extension", "mapping": "code_mapping", "bank_statement": "bank"}
SPECIAL = ("declaration", "bank")


class Bar:
    """A one-line progress bar on stderr (only redrawn when the percentage or message changes)."""

    def __init__(self, out: Any) -> None:
        self.out = out
        self.last: tuple[int, str] = (-1, "")

    def __call__(self, done: int, total: int, message: str) -> None:
        percent = 100 * done // total if total else 0
        if (percent, message) == self.last:
            return
        self.last = (percent, message)
        filled = "#" * (percent * 30 // 100)
        self.out.write(f"\r[{filled:<30}] {percent:>3}% {done:>9,}/{total:,} {message[:40]:<40}")
        self.out.flush()

    def close(self) -> None:
        if self.last[0] >= 0:
            self.out.write("\n")


class Command(BaseCommand):
    help = "导入文件（参保名单、目录、ICD-10、对码、月结申报、银行对账单），与页面相同的校验、全部或全不导入和错误报告 " \
           "(import a file: the same checks, all-or-nothing load and problem report as the import page)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", help="导入类型 (import kind): roster, roster_1101, catalogue, code_mapping|mapping, "
                                         "icd10_extension|icd10, declaration, bank")
        parser.add_argument("file", help="文件路径 (file path): .csv .xlsx .json")
        parser.add_argument("--user", required=True, help="以此用户身份导入，按其岗位检查权限 (acting user name)")
        parser.add_argument("--region", default="", help="统筹区代码 (pooling region), e.g. 220282")
        parser.add_argument("--account", default="100202", help="银行账户科目 (bank: 100201 收入户 / 100202 支出户)")
        parser.add_argument("--report", default="", help="被拒绝时把错误报告写入此 Excel 文件 (write the problem report)")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = ALIASES.get(options["kind"], options["kind"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 (no such file): {path}")
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"没有此用户或已停用 (no such active user): {options['user']}")
        try:
            if kind == "declaration":
                ok = self._declaration(user, path)
            elif kind == "bank":
                ok = self._bank(user, path, options)
            else:
                ok = self._import(kind, user, path, options)
        except DaeError as exc:
            self._problems(exc)
            sys.exit(1)
        if not ok:
            sys.exit(1)

    # -- the import framework's kinds ------------------------------------------------------------------------
    def _import(self, kind: str, user: Any, path: Path, options: dict[str, Any]) -> bool:
        registry.get(kind)  # an unknown kind is refused with the list of kinds
        bar = Bar(self.stderr)
        with path.open("rb") as fh, jobs_inline(bar):
            batch = do_start_import(kind, user=user, file_name=path.name, chunks=iter(lambda: fh.read(1 << 20), b""),
                                 region_id=options["region"] or None)
        bar.close()
        batch.refresh_from_db()
        if batch.status == ImportBatch.Status.LOADED:
            self.stdout.write(f"已导入 (loaded) #{batch.pk}: 共 {batch.rows_total} 行，新增 {batch.rows_new}，"
                              f"变更 {batch.rows_changed}，无变化 {batch.rows_same}，忽略 {batch.rows_ignored}")
            return True
        problems = list(batch.problems.values_list("row_no", "column", "value", "reason"))
        self.stderr.write(f"未导入 (refused) #{batch.pk}: {batch.note}")
        for row_no, column, value, reason in problems:
            self.stderr.write(f"  第 {row_no} 行 [{column}] {value!s:.40}：{reason}")
        if options["report"]:
            Path(options["report"]).write_bytes(problems_workbook(batch))
            self.stderr.write(f"错误报告 (problem report): {options['report']}")
        return False

    # -- declarations and bank statements --------------------------------------------------------------------
    def _declaration(self, user: Any, path: Path) -> bool:
        bar = Bar(self.stderr)
        with path.open("rb") as fh, jobs_inline(bar):
            declaration, created = do_submit_declaration(user, file_name=path.name,
                                                         chunks=iter(lambda: fh.read(1 << 20), b""))
        bar.close()
        declaration.refresh_from_db()
        if not created:
            self.stdout.write(f"此申报已提交过 (already submitted): #{declaration.pk}，状态 {declaration.get_status_display()}")
        self.stdout.write(f"月结申报 #{declaration.pk} {declaration.month}: {declaration.get_status_display()}，"
                          f"通过 {declaration.accepted}，金额有差异 {declaration.differing}，拒绝 {declaration.rejected}")
        return declaration.status != "failed"

    def _bank(self, user: Any, path: Path, options: dict[str, Any]) -> bool:
        if not can(user, "bank:statement_upload"):
            raise PermissionDenied("当前岗位不能导入银行对账单")
        if not options["region"]:
            raise CommandError("请用 --region 指定统筹区 (bank statements need --region)")
        imported = do_import_statement(region=options["region"], account=options["account"], file_name=path.name,
                                    content=path.read_bytes(), actor=user)
        self.stdout.write(f"已导入银行对账单 #{imported.statement.pk}: {imported.statement.line_count} 笔流水，"
                          f"附言匹配 {imported.matched.memo}，金额日期匹配 {imported.matched.amount_date}，"
                          f"重复 {imported.duplicates}")
        return True

    def _problems(self, exc: DaeError) -> None:
        self.stderr.write(f"未导入 (refused): {exc.message}")
        for detail in exc.details if isinstance(exc.details, list) else []:
            if isinstance(detail, dict):
                where = detail.get("row") or detail.get("path") or ""
                self.stderr.write(f"  {where} {detail.get('column', '')} {detail.get('message') or detail.get('reason', '')}")
