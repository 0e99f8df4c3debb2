"""统计信息系统 (statistics): the indicator registry computed on the column engine (``indicators.py``, pure Ibis, the
same expressions on DuckDB and PySpark), the tables read from the database (``tables.py``), the report families —
统计简报, 赔付报表, 明细清单, 即席查询 — their pages, API and Excel/PDF exports. See ``docs/statistics.md``.

It never writes business data: reports read; the only rows it keeps are saved pivot views."""
