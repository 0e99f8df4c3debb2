"""``dae audit_quality``: the loaded demo's audit findings against the planted ground truth — per rule the planted
cases, how many were found (recall), the findings, and the false positives with their reasons (precision)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dae.auditing.demo import stored_findings
from dae.auditing.models import AuditRun


class Command(BaseCommand):
    help = "演示数据的审核查全率与查准率 (recall and precision of the audit on the loaded demo city)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--runs", nargs="*", type=int, help="审核批次编号（默认：演示年度的全部批次）")

    def handle(self, *args: Any, **options: Any) -> None:
        from dae.demo.audit_data import format_scores, read_truth, score
        from dae.demo.loader import truth_path

        path = truth_path()
        if not path.exists():
            raise CommandError(f"找不到埋点真值文件 {path}，请先运行 dae demo (no ground truth: run dae demo first)")
        truth = read_truth(path)
        ids = options.get("runs") or list(
            AuditRun.objects.filter(
                scope=AuditRun.Scope.YEAR, month=str(truth.year), status=AuditRun.Status.DONE
            ).values_list("pk", flat=True)
        )
        if not ids:
            raise CommandError(f"没有 {truth.year} 年度的审核批次 (no audit run of the demo year)")
        self.stdout.write(
            f"审核批次 (runs): {', '.join(map(str, ids))}; 重新生成演示城市以解释误报 (regenerating the city) …"
        )
        scores = score(stored_findings(ids), truth.city(), truth.planted)
        self.stdout.write(format_scores(scores))
        missed = [s.rule_id for s in scores if s.planted and s.found < s.planted]
        if missed:
            raise CommandError(f"以下规则未找全埋点 (planted cases missed): {', '.join(missed)}")
