"""The day's final hash of a log chain (日志链存证), recorded by the daily job as an archival item: kept outside
the chain, it shows later whether the chain was truncated or rewritten after that day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from dae.archives.registry import ItemKind, Record, register
from dae.core.logchain import CHAINS


@dataclass(frozen=True)
class ChainDay:
    chain: str
    day: dt.date
    last_seq: int
    last_hash: str
    rows_that_day: int
    verification: str

    @property
    def key(self) -> str:
        return f"{self.chain}:{self.day.isoformat()}"


def build_day(cd: ChainDay) -> Record:
    label = CHAINS[cd.chain].label
    sections = [{"title": "日末存证", "rows": [
        ("日志", label), ("日期", cd.day.isoformat()), ("当日新增行数", cd.rows_that_day),
        ("日末行序号", cd.last_seq), ("日末行摘要（SHA-256）", cd.last_hash), ("全链校验结果", cd.verification)]}]
    return Record(
        title=f"{label}哈希链日末存证 {cd.day.isoformat()}", year=cd.day.year, date_from=cd.day, date_to=cd.day,
        region_id=None, template="archives/record.html", context={"sections": sections},
        metadata={"chain": cd.chain, "day": cd.day.isoformat(), "last_seq": cd.last_seq, "last_hash": cd.last_hash,
                  "rows_that_day": cd.rows_that_day, "verification": cd.verification},
        events=[("core.logchain_day", cd.key)], required=[("record", _("业务记录"))],
    )


register(ItemKind(
    key="log_anchor", label=_("日志链存证"), category="RZ", retention="D30", post="it",
    object_type="core.logchain_day", closed=None, build=build_day,  # type: ignore[arg-type]
    key_of=lambda cd: cd.key,
))
