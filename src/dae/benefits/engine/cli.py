"""``dae calc``: the trial calculation from the command line, JSON in and JSON out.

    dae calc --rules FILE [--rules FILE2 ...] --input FILE|- [--trace] [--output FILE]

Exit 0 with the output document; exit 2 with a JSON error object (every field at fault, in Chinese and English)
when the rules, the input or the command line are wrong; exit 1 with a JSON error object if the engine itself
fails. Never a stack trace: this is the boundary where people read the result. Must never import Django.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from dae.benefits.engine.errors import DocumentInvalid, FieldError, InputInvalid
from dae.benefits.engine.rules import read_document
from dae.benefits.engine.trial_io import calculate_from_json

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2


class _UsageError(Exception):
    pass


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse would print usage text and exit; callers of ``dae calc`` expect a JSON error object.
        raise _UsageError(message)


def _parser() -> _ArgumentParser:
    parser = _ArgumentParser(prog="dae calc", description="大额赔付试算 / trial payout calculation")
    parser.add_argument("--rules", action="append", required=True, metavar="FILE", help="rule-set version (YAML/JSON)")
    parser.add_argument("--input", required=True, metavar="FILE", help="trial-calculation input (JSON), - for stdin")
    parser.add_argument("--trace", action="store_true", help="include the step-by-step trace")
    parser.add_argument("--output", metavar="FILE", help="write the result here instead of stdout")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``dae calc``; ``argv`` may start with ``calc`` (as passed on by the ``dae`` console script)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["calc"]:
        args = args[1:]
    try:
        options = _parser().parse_args(args)
    except _UsageError as exc:
        return _emit(_error_doc("usage", f"命令行参数错误: {exc}", f"bad command line: {exc}"), None, EXIT_BAD_INPUT)
    try:
        rules = [read_document(path) for path in options.rules]
        result = calculate_from_json(rules, _read_input(options.input), trace=options.trace)
    except DocumentInvalid as exc:
        # The error paths say rules[i]; rules_files says which file index i is.
        return _emit({**exc.to_doc(), "rules_files": list(options.rules)}, None, EXIT_BAD_INPUT)
    except Exception as exc:  # noqa: BLE001 - the process boundary: report as JSON, never a stack trace
        zh = f"计算引擎内部错误, 请联系管理员: {type(exc).__name__}"
        return _emit(_error_doc("internal_error", zh, f"internal engine error: {exc!r}"), None, EXIT_INTERNAL)
    return _emit(result, options.output, EXIT_OK)


def _read_input(path: str) -> Any:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputInvalid(
            [FieldError("$", "unreadable", f"输入文件无法读取: {exc}", f"input file cannot be read: {exc}")]
        ) from exc
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except ValueError as exc:
        raise InputInvalid(
            [FieldError("$", "invalid_json", f"输入不是有效的 JSON: {exc}", f"input is not valid JSON: {exc}")]
        ) from exc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _error_doc(code: str, zh: str, en: str) -> dict[str, Any]:
    return {"format_version": "1", "error": code, "errors": [FieldError("$", code, zh, en).to_doc()]}


def _emit(document: dict[str, Any], output: str | None, code: int) -> int:
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
