"""One computed report → its formats. The page, the JSON answer, the Excel workbook and the PDF all read the
same structure from ``queries``; nothing here computes a figure, so the formats cannot disagree.

Excel goes through ``core.exports`` (Chinese sheet names, yuan formats, frozen header, text kept as text) with
a sheet of definitions and the data version; the PDF is the print template rendered by WeasyPrint with the
charts as inline SVG (``charts.py``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from dae.core.exports import ExportColumn, xlsx_bytes

from . import charts
from .queries import Figure


def _d(v: Any) -> Decimal | None:
    return v if isinstance(v, Decimal) else (None if v is None else Decimal(str(v)))


def figure_rows(figs: list[Figure]) -> list[list[Any]]:
    return [[f.zh, f.unit, _d(f.value) if f.value is not None else ("无数据" if f.status == "no_data" else "—"),
             _d(f.last_year), _d(f.previous), _yoy(f.yoy), _yoy(f.pop)] for f in figs]


def _yoy(v: Decimal | None) -> Any:
    return v if v is not None else "—"


FIGURE_COLUMNS = [ExportColumn("指标", width=22), ExportColumn("单位", width=8), ExportColumn("本期", "money"),
                  ExportColumn("上年同期", "money"), ExportColumn("上期", "money"), ExportColumn("同比(%)", "money", 10),
                  ExportColumn("环比(%)", "money", 10)]


def _definitions(report: dict[str, Any]) -> tuple[str, list[ExportColumn], list[list[Any]]]:
    rows = [[r["zh"], r["en"], r["unit"], r["definition_zh"], r["definition_en"]] for r in report["definitions"]]
    rows.append(["数据版本", "data version", "", report["version"], ""])
    return ("指标定义", [ExportColumn("指标", width=20), ExportColumn("Indicator", width=22), ExportColumn("单位", width=6),
                     ExportColumn("定义", width=60), ExportColumn("Definition", width=60)], rows)


def header(title: str, report: dict[str, Any], user: Any) -> list[str]:
    return [title, f"统计期: {report['period'].label}  数据版本: {report['version']}",
            f"导出人: {getattr(user, 'username', '')}  导出时间: {timezone.localtime():%Y-%m-%d %H:%M}"]


def monthly_xlsx(report: dict[str, Any], user: Any) -> bytes:
    pay = report["payments"]
    pay_rows = [[r["hospital"], r["region"], r["month"], r["settlements"], r["accepted"], r["supplements"],
                 r["recoveries"], r["deductions"], r["net"], r["due"], r["paid_on"], "按期" if r["on_time"] else "逾期"]
                for r in pay["rows"]]
    pay_cols = [ExportColumn("医疗机构", width=24), ExportColumn("统筹区"), ExportColumn("结算月份", width=10),
                ExportColumn("结算笔数", "int", 10), ExportColumn("确认应付", "money"), ExportColumn("补付", "money"),
                ExportColumn("追回", "money"), ExportColumn("扣款", "money"), ExportColumn("本期实付", "money"),
                ExportColumn("支付期限", "date", 12), ExportColumn("支付日期", "date", 12), ExportColumn("进度", width=8)]
    pay_rows.append(["合计", "", "", "", pay["accepted"], pay["supplements"], pay["recoveries"], pay["deductions"],
                     pay["net"], "", "", ""])
    rev = report["reviews"]
    rev_rows = [["病历复审份数", rev["reviewed"]], ["存在违规", rev["non_compliant"]], ["不予支付金额", rev["not_payable"]],
                ["现场巡查 (已确认)", rev["inspections"]], ["巡查发现问题", rev["findings"]], ["异地协查 (新受理)", rev["investigations"]]]
    ded = report["deductions"]
    ded_rows = [[r["kind"], r["count"], r["amount"]] for r in ded["by_kind"]] + [["合计", "", ded["total"]]]
    hosp_rows = [[r["hospital"], r.get("payout_amount"), r.get("payout_episodes"), r.get("admissions"),
                  r.get("cost_per_stay"), r.get("total_cost")] for r in report["hospitals"]]
    return xlsx_bytes([
        ("主要指标", FIGURE_COLUMNS, figure_rows(report["key"]) + figure_rows(report["finance"])),
        ("费用支付", pay_cols, pay_rows),
        ("病历审核与稽核", [ExportColumn("项目", width=24), ExportColumn("数值", "money")], rev_rows),
        ("扣款", [ExportColumn("类型", width=16), ExportColumn("笔数", "int"), ExportColumn("金额", "money")], ded_rows),
        ("医疗机构", [ExportColumn("医疗机构", width=24), ExportColumn("大额赔付金额", "money"), ExportColumn("赔付人次", "money"),
                  ExportColumn("住院人次", "money"), ExportColumn("次均住院费用", "money"), ExportColumn("医疗费用总额", "money")],
         hosp_rows),
        _definitions(report),
    ], header_lines=header("病历审核和费用支付月报表", report, user))


def brief_xlsx(report: dict[str, Any], user: Any) -> bytes:
    series_rows = [[label, pay, adm] for (label, pay), (_l, adm) in
                   zip(report["payout_series"], report["admission_series"], strict=True)]
    return xlsx_bytes([
        ("统计简报", FIGURE_COLUMNS, figure_rows(report["key"])),
        ("近12个月", [ExportColumn("月份", width=10), ExportColumn("大额赔付金额", "money"), ExportColumn("住院人次", "money")],
         series_rows),
        _definitions(report),
    ], header_lines=header("统计简报", report, user))


def pivot_xlsx(table: dict[str, Any], version: str, user: Any) -> bytes:
    ind = table["indicator"]
    cols = [ExportColumn("分组", width=28)] + [ExportColumn(c["name"], "money") for c in table["columns"]]
    rows = [[r["name"], *[(c.value if c is not None and c.value is not None else "—") for c in r["cells"]]]
            for r in table["rows"]]
    defs = ("指标定义", [ExportColumn("项目", width=12), ExportColumn("内容", width=80)],
            [["指标", ind.zh], ["定义", ind.definition_zh], ["Definition", ind.definition_en], ["数据版本", version]])
    return xlsx_bytes([("即席查询", cols, rows), defs],
                      header_lines=[f"即席查询: {ind.zh}", f"统计期: {table['period'].label}  数据版本: {version}",
                                    f"导出人: {getattr(user, 'username', '')}"])


def brief_charts(report: dict[str, Any]) -> dict[str, str]:
    labels = [p[5:] + "月" if len(p) == 7 else p for p, _v in report["payout_series"]]
    return {
        "payout": charts.bar_chart(labels, [("大额赔付金额 (元)", [v for _p, v in report["payout_series"]])],
                                   title="近12个月大额赔付金额"),
        "admissions": charts.bar_chart(labels, [("住院人次", [v for _p, v in report["admission_series"]])],
                                       title="近12个月住院人次", line=True),
    }


def hospital_chart(report: dict[str, Any]) -> str:
    top = report["hospitals"][:10]
    return charts.bar_chart([r["hospital"][:6] for r in top], [("大额赔付金额 (元)", [r.get("payout_amount") for r in top])],
                            title="赔付金额前10位医疗机构", width=720)


def pdf(request: HttpRequest, template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "pdf": True}, request=request)
    return bytes(HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf())


def pdf_document(template: str, context: dict[str, Any]) -> bytes:
    """The PDF of a print template outside a request (a background export job): the print templates use no
    request, their charts are inline SVG and their style inline."""
    from weasyprint import HTML

    return bytes(HTML(string=render_to_string(template, {**context, "pdf": True})).write_pdf())


def evaluation_xlsx(evaluation: Any, sheet: Any, rows: list[Any], user: Any) -> bytes:
    """The evaluation's sheet: one row per hospital (its code as text), each criterion's value and points, the
    computed total, the adjustment and its reason, the final total and the grade; a second sheet names the
    criteria, weights and bands, the sheet's digest and the data version."""
    cols = [ExportColumn("医疗机构", width=24), ExportColumn("医疗机构编码", width=14)]
    for c in sheet:
        cols += [ExportColumn(f"{c.zh}{'(' + c.unit + ')' if c.unit else ''}", width=14),
                 ExportColumn(f"{c.zh} 得分", "money", 10)]
    cols += [ExportColumn("计算得分", "money", 10), ExportColumn("调整分", "money", 10),
             ExportColumn("调整理由", width=30), ExportColumn("最终得分", "money", 10), ExportColumn("考核等级", width=10)]
    out = []
    for r in rows:
        line: list[Any] = [r.hospital.name, r.hospital.code]
        for c in sheet:
            line += [r.values.get(c.id) or "无法计量", _d(r.points.get(c.id))]
        line += [r.total, r.adjustment, r.reason, r.final_total, r.grade_name]
        out.append(line)
    criteria = [[c.zh, str(c.weight), ("不低于 " if c.higher else "不超过 ")
                 + "；".join(f"{a}{c.unit}→{b}" for a, b in c.bands)] for c in sheet]
    criteria += [["考核表摘要", "", evaluation.sheet_digest], ["数据版本", "", evaluation.data_version]]
    head = [f"{evaluation.year} 年度定点医疗机构考核 · {evaluation.region.name}",
            f"状态: {evaluation.get_status_display()}  数据版本: {evaluation.data_version}",
            f"导出人: {getattr(user, 'username', '')}  导出时间: {timezone.localtime():%Y-%m-%d %H:%M}"]
    return xlsx_bytes([("考核得分", cols, out),
                       ("考核表", [ExportColumn("考核项目", width=30), ExportColumn("权重", width=8),
                                ExportColumn("评分档次", width=60)], criteria)], header_lines=head)
