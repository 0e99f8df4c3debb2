"""Trial calculation through the public JSON formats and ``dae calc``: national samples, errors, the CLI."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from dae.benefits.engine.cli import main
from dae.benefits.engine.errors import InputInvalid, RuleSetInvalid
from dae.benefits.engine.schemas import CALC_INPUT_SCHEMA, CALC_OUTPUT_SCHEMA, load_schema
from dae.benefits.engine.trial_io import calculate_from_json

from .helpers import ruleset_doc

RULES_2021 = [ruleset_doc(valid_from="2021-01-01")]
OUTPUT_VALIDATOR = Draft202012Validator(load_schema(CALC_OUTPUT_SCHEMA))

# national-interface.md A.1b: the Chongqing 2304 settlement stub, copied exactly.
SAMPLE_2304 = {
    "setl_id": "S2304",
    "psn_no": "P1",
    "mdtrt_id": "M1",
    "setl_time": "2021-08-27 09:58:41",
    "med_type": "21",
    "place_category": "local",
    "settle_way": "direct",
    "medfee_sumamt": "23442.46",
    "fulamt_ownpay_amt": "2533.97",
    "overlmt_selfpay": "1396.89",
    "preselfpay_amt": "703.44",
    "inscp_scp_amt": "18808.16",
}
# The 2305 cancel stub's amounts, and the settlement they reverse.
SAMPLE_2305_AMOUNTS = {
    "medfee_sumamt": "-3379.26",
    "fulamt_ownpay_amt": "-956.34",
    "overlmt_selfpay": "-186.31",
    "preselfpay_amt": "-197.22",
    "inscp_scp_amt": "-2039.39",
}
SETTLEMENT_2305_REVERSES = {
    "setl_id": "S2305",
    "psn_no": "P1",
    "setl_time": "2021-08-20 10:00:00",
    "place_category": "local",
    "settle_way": "direct",
    **{k: v.lstrip("-") for k, v in SAMPLE_2305_AMOUNTS.items()},
}


def doc(*settlements: dict[str, Any], persons: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"format_version": "1", "persons": persons or [{"psn_no": "P1"}], "settlements": list(settlements), **extra}


def run(input_doc: dict[str, Any], *, trace: bool = False, rules: list[dict[str, Any]] = RULES_2021) -> dict[str, Any]:
    output = calculate_from_json(rules, input_doc, trace=trace)
    OUTPUT_VALIDATOR.validate(output)
    return output


def errors(input_doc: Any) -> list[tuple[str, str, str]]:
    with pytest.raises(InputInvalid) as caught:
        calculate_from_json(RULES_2021, input_doc)
    return [(e.path, e.code, e.message_zh) for e in caught.value.errors]


def test_national_2304_sample_passes_the_totals_path_with_exactly_its_amounts() -> None:
    (result,) = run(doc(SAMPLE_2304))["settlements"]
    assert result["totals"] == {
        "medfee_sumamt": "23442.46",
        "fulamt_ownpay_amt": "2533.97",
        "overlmt_selfpay": "1396.89",
        "preselfpay_amt": "703.44",
        "inscp_scp_amt": "18808.16",
    }
    assert (result["eligible_amount"], result["dae_base"], result["hifob_pay"]) == ("18808.16", "0.00", "0.00")
    assert result["person_share"] == "23442.46"


def test_national_2304_sample_above_the_threshold() -> None:
    person = {"psn_no": "P1", "openings": [{"policy_year": 2021, "eligible_amount": "70000.00", "dae_base": "10000.00",
                                            "paid": "8500.00"}]}  # fmt: skip
    (result,) = run(doc(SAMPLE_2304, persons=[person]))["settlements"]
    # 18,808.16 x 0.85 = 15,986.936 -> 15,986.94; person share = 23,442.46 - 15,986.94.
    assert (result["dae_base"], result["payout_unrounded"], result["hifob_pay"]) == (
        "18808.16",
        "15986.9360",
        "15986.94",
    )
    assert result["person_share"] == "7455.52"
    assert result["cumulative_after"] == {"eligible_amount": "88808.16", "dae_base": "28808.16", "paid": "24486.94"}


def test_national_2305_cancel_with_negative_amounts_is_accepted_as_given() -> None:
    cancel = {"setl_id": "S2305", "psn_no": "P1", "mdtrt_id": "M9", **SAMPLE_2305_AMOUNTS}
    output = run(doc(SETTLEMENT_2305_REVERSES, SAMPLE_2304, cancellations=[cancel]))
    cancelled, kept = output["settlements"]
    assert cancelled == {
        "setl_id": "S2305",
        "psn_no": "P1",
        "status": "cancelled",
        "hifob_pay": "0.00",
        "cancellation": SAMPLE_2305_AMOUNTS,
    }
    assert kept["cumulative_before"]["eligible_amount"] == "0.00"  # the cancelled stay left the sums
    assert output["person_years"] == [
        {
            "psn_no": "P1",
            "policy_year": 2021,
            "settlement_count": 1,
            "opening": {"eligible_amount": "0.00", "dae_base": "0.00", "paid": "0.00"},
            "closing": {"eligible_amount": "18808.16", "dae_base": "0.00", "paid": "0.00"},
        }
    ]


def test_2305_cancel_that_does_not_mirror_the_settlement_is_refused() -> None:
    cancel = {"setl_id": "S2305", "psn_no": "P1", **SAMPLE_2305_AMOUNTS, "inscp_scp_amt": "-2039.38"}
    assert errors(doc(SETTLEMENT_2305_REVERSES, cancellations=[cancel]))[0][:2] == (
        "cancellations[0].medfee_sumamt",
        "identity_broken",
    )
    cancel = {"setl_id": "S2305", "psn_no": "P1", **{k: v.lstrip("-") for k, v in SAMPLE_2305_AMOUNTS.items()}}
    assert [e[1] for e in errors(doc(SETTLEMENT_2305_REVERSES, cancellations=[cancel]))] == [
        "cancel_amount_positive"
    ] * 5


def test_fee_lines_path_with_trace_and_lines_output() -> None:
    settlement = {
        "setl_id": "S1", "psn_no": "P1", "setl_time": "2021-05-01 10:00:00", "place_category": "local",
        "settle_way": "direct", "medfee_sumamt": "95.48",
        "fee_lines": [
            {"feedetl_sn": "1", "det_item_fee_sumamt": "100.00", "cnt": "10", "pric": "10", "med_list_codg": "X",
             "chrgitm_lv": "02", "med_chrgitm_type": "09"},
            {"feedetl_sn": "2", "init_feedetl_sn": "1", "det_item_fee_sumamt": "-10.00", "cnt": "-1", "pric": "10",
             "med_list_codg": "X", "chrgitm_lv": "02", "med_chrgitm_type": "09"},
            {"feedetl_sn": "3", "det_item_fee_sumamt": "5.48", "cnt": 1, "med_list_codg": "Y", "chrgitm_lv": "03",
             "med_chrgitm_type": "14"},
        ],
    }  # fmt: skip
    (result,) = run(doc(settlement), trace=True)["settlements"]
    assert result["totals"] == {"medfee_sumamt": "95.48", "fulamt_ownpay_amt": "5.48", "overlmt_selfpay": "0.00",
                                "preselfpay_amt": "9.00", "inscp_scp_amt": "81.00"}  # fmt: skip
    assert [(ln["feedetl_sn"], ln["refund_feedetl_sns"], ln["inscp_scp_amt"]) for ln in result["lines"]] == [
        ("1", ["2"], "81.00"),
        ("3", [], "0.00"),
    ]
    codes = [step["code"] for step in result["trace"]]
    assert codes[:3] == ["POLICY_YEAR", "RULESET_VERSION", "SETTLEMENT_TOTALS"]
    assert "ENTRY_THRESHOLD" in codes and codes[-1] == "CUMULATIVE"
    assert [s["code"] for s in result["lines"][0]["trace"]] == [
        "LINE_REFUND_NETTING", "LINE_OVER_PRICE_CAP", "LINE_FIRST_SELF_PAY"
    ]  # fmt: skip


def test_output_without_trace_has_no_trace_keys() -> None:
    (result,) = run(doc(SAMPLE_2304))["settlements"]
    assert "trace" not in result


def test_output_is_one_object_per_input_settlement_in_input_order() -> None:
    later = {**SAMPLE_2304, "setl_id": "LATER", "setl_time": "2021-12-01 10:00:00"}
    earlier = {**SAMPLE_2304, "setl_id": "EARLIER", "setl_time": "2021-01-05 10:00:00"}
    output = run(doc(later, earlier))
    assert [s["setl_id"] for s in output["settlements"]] == ["LATER", "EARLIER"]
    # ...while computed in time order: EARLIER first, so LATER sees its sums.
    assert output["settlements"][0]["cumulative_before"]["eligible_amount"] == "18808.16"


@pytest.mark.parametrize(
    ("change", "path", "code", "zh_fragment"),
    [
        ({"medfee_sumamt": 23442.46}, "settlements[0].medfee_sumamt", "type", "不能是带小数的 JSON 数值"),
        ({"medfee_sumamt": 23442.0}, "settlements[0].medfee_sumamt", "type", "不能是带小数的 JSON 数值"),
        ({"medfee_sumamt": "23442.460"}, "settlements[0].medfee_sumamt", "pattern", "最多两位小数"),
        ({"medfee_sumamt": "-1.00"}, "settlements[0].medfee_sumamt", "pattern", "不为负"),
        ({"setl_time": "2021-08-27"}, "settlements[0].setl_time", "pattern", "YYYY-MM-DD HH:MM:SS"),
        ({"setl_time": "2021-02-30 10:00:00"}, "settlements[0].setl_time", "invalid_datetime", "不是有效日期时间"),
        ({"place_category": "abroad"}, "settlements[0].place_category", "enum", "不在允许范围内"),
        ({"psn_no": "P9"}, "settlements[0].psn_no", "unknown_person", "未在 persons 中列出"),
        ({"medfee_sumamt": "23442.47"}, "settlements[0].medfee_sumamt", "identity_broken", "不等于"),
        (
            {"setl_time": "2020-12-31 10:00:00"},
            "settlements[0].setl_time",
            "no_ruleset_in_force",
            "没有生效的规则集版本",
        ),
        ({"colour": "red"}, "settlements[0].colour", "additionalProperties", "不认识的字段"),
    ],
)
def test_bad_input_names_the_field_in_chinese(change: dict[str, Any], path: str, code: str, zh_fragment: str) -> None:
    found = errors(doc({**SAMPLE_2304, **change}))
    assert found[0][:2] == (path, code)
    assert zh_fragment in found[0][2]


def test_missing_totals_without_fee_lines_are_each_reported_with_a_hint() -> None:
    settlement = {k: v for k, v in SAMPLE_2304.items() if k not in ("preselfpay_amt", "inscp_scp_amt")}
    found = errors(doc(settlement))
    assert [(p, c) for p, c, _ in found] == [
        ("settlements[0].inscp_scp_amt", "required"),
        ("settlements[0].preselfpay_amt", "required"),
    ]
    assert "未提供 fee_lines 时须提供医疗费总额及四项合计" in found[0][2]


def test_fee_lines_and_four_totals_together_are_refused() -> None:
    settlement = {
        **SAMPLE_2304,
        "fee_lines": [
            {
                "feedetl_sn": "1",
                "det_item_fee_sumamt": "1.00",
                "cnt": "1",
                "med_list_codg": "X",
                "chrgitm_lv": "01",
                "med_chrgitm_type": "01",
            }
        ],
    }
    found = errors(doc(settlement))
    assert [(p, c) for p, c, _ in found] == [("settlements[0]", "not")]
    assert "四项合计由明细计算" in found[0][2]


def test_declared_total_must_match_the_fee_lines() -> None:
    settlement = {"setl_id": "S1", "psn_no": "P1", "setl_time": "2021-05-01 10:00:00", "place_category": "local",
                  "settle_way": "direct", "medfee_sumamt": "2.00",
                  "fee_lines": [{"feedetl_sn": "1", "det_item_fee_sumamt": "1.00", "cnt": "1", "med_list_codg": "X",
                                 "chrgitm_lv": "01", "med_chrgitm_type": "01"}]}  # fmt: skip
    assert [(p, c) for p, c, _ in errors(doc(settlement))] == [
        ("settlements[0].medfee_sumamt", "declared_total_mismatch")
    ]


def test_all_errors_are_reported_together_and_nothing_is_returned() -> None:
    found = errors(doc({**SAMPLE_2304, "psn_no": "P9"}, {**SAMPLE_2304, "setl_id": "X", "medfee_sumamt": "1.00"}))
    assert [(p, c) for p, c, _ in found] == [
        ("settlements[0].psn_no", "unknown_person"),
        ("settlements[1].medfee_sumamt", "identity_broken"),
    ]


def test_rules_problems_are_a_ruleset_error() -> None:
    with pytest.raises(RuleSetInvalid) as caught:
        calculate_from_json([ruleset_doc(entry_threshold="-1")], doc(SAMPLE_2304))
    assert caught.value.errors[0].path == "rules[0].entry_threshold"


def test_input_schema_documents_the_amount_rule() -> None:
    schema = load_schema(CALC_INPUT_SCHEMA)
    assert schema["$defs"]["amount"]["type"] == ["string", "integer"]
    assert "binary float" in schema["description"]


# --- dae calc ---


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump(RULES_2021[0], allow_unicode=True), encoding="utf-8")
    good = tmp_path / "input.json"
    good.write_text(json.dumps(doc(SAMPLE_2304)), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc({**SAMPLE_2304, "medfee_sumamt": 23442.46})), encoding="utf-8")
    return {"rules": rules, "good": good, "bad": bad, "dir": tmp_path}


def test_cli_prints_the_output_document(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calc", "--rules", str(files["rules"]), "--input", str(files["good"])]) == 0
    output = json.loads(capsys.readouterr().out)
    OUTPUT_VALIDATOR.validate(output)
    assert output["settlements"][0]["hifob_pay"] == "0.00"
    assert "trace" not in output["settlements"][0]


def test_cli_trace_and_output_file(files: dict[str, Path]) -> None:
    target = files["dir"] / "out.json"
    assert (
        main(["--rules", str(files["rules"]), "--input", str(files["good"]), "--trace", "--output", str(target)]) == 0
    )
    output = json.loads(target.read_text(encoding="utf-8"))
    assert output["settlements"][0]["trace"][0]["code"] == "POLICY_YEAR"


def test_cli_reads_stdin(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(files["good"].read_text(encoding="utf-8")))
    assert main(["--rules", str(files["rules"]), "--input", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["format_version"] == "1"


def test_cli_bad_input_exits_2_with_a_json_error(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--rules", str(files["rules"]), "--input", str(files["bad"])]) == 2
    output = json.loads(capsys.readouterr().out)
    assert output["error"] == "input_invalid"
    assert output["errors"][0]["path"] == "settlements[0].medfee_sumamt"
    assert "Traceback" not in json.dumps(output)


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["--input", "x.json"], "usage"),
        (["--rules", "RULES", "--input", "NOWHERE.json"], "input_invalid"),
        (["--rules", "NOWHERE.yaml", "--input", "GOOD"], "ruleset_invalid"),
        (["--rules", "RULES", "--input", "NOT_JSON"], "input_invalid"),
    ],
)
def test_cli_usage_and_unreadable_files_exit_2(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], argv: list[str], error: str
) -> None:
    not_json = files["dir"] / "not.json"
    not_json.write_text("{ nope", encoding="utf-8")
    names = {"RULES": str(files["rules"]), "GOOD": str(files["good"]), "NOT_JSON": str(not_json)}
    assert main([names.get(a, a) for a in argv]) == 2
    assert json.loads(capsys.readouterr().out)["error"] == error


def test_cli_rule_errors_name_the_files(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    broken = copy.deepcopy(RULES_2021[0])
    broken["segments"][0]["ratio"] = "1.5"
    path = files["dir"] / "broken.yaml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    assert main(["--rules", str(path), "--input", str(files["good"])]) == 2
    output = json.loads(capsys.readouterr().out)
    assert output["errors"][0]["path"] == "rules[0].segments[0].ratio"
    assert output["rules_files"] == [str(path)]
