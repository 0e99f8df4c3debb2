"""The ``dae`` command: Django management commands plus the product's own sub-commands.

    dae demo [--persons N]     generate and load the demo city
    dae calc --rules F --input F [--trace]   trial calculation, JSON out
    dae import KIND FILE --user U   import a file as the import page does (roster, catalogue, ICD-10, mapping,
                                    declaration, bank statement)
    dae serve [--port P]       run the development server
    dae serve --production     run gunicorn with the production settings (docs/deployment.md)
    dae <django command> …     any manage.py command (migrate, createsuperuser, …)
    dae --help / dae help [COMMAND]   every command with a line of help / one command's help
"""

from __future__ import annotations

import os
import sys

#: the product's own commands first, in the order an operator meets them
PRODUCT_COMMANDS = ("demo", "serve", "import", "calc", "db_worker", "audit_quality")
CALC_HELP = "大额赔付试算，JSON 输入输出 (trial payout calculation, JSON in and out)"
SERVE_HELP = "启动网页服务；--production 以生产配置运行 gunicorn (run the web server; --production: gunicorn)"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dae.settings.dev")
    if not args or args[0] in ("--help", "-h") or args == ["help"]:
        print(overview())
        return 0
    if args[0] == "help" and args[1:2] == ["calc"] or args[0] == "calc" and args[1:2] in (["--help"], ["-h"]):
        from dae.benefits.engine.cli import _parser

        print(_parser().format_help())
        return 0
    if args[0] == "calc":
        from dae.benefits.engine.cli import main as calc_main

        return calc_main(args[1:])
    from django.core.management import execute_from_command_line

    if args[0] == "serve" and "--production" in args:
        return serve_production([a for a in args[1:] if a != "--production"])
    if args[0] == "serve":
        args = ["runserver", *args[1:]]
    elif args[0] == "help" and args[1:2] == ["serve"]:
        args = ["help", "runserver"]
    execute_from_command_line(["dae", *args])
    return 0


def command_lines() -> list[tuple[str, str, str]]:
    """Every command as (group, name, first line of its help): the product's, then Django's by app."""
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    lines: list[tuple[str, str, str]] = [("dae", "calc", CALC_HELP), ("dae", "serve", SERVE_HELP)]
    for name, app in sorted(get_commands().items(), key=lambda item: (item[1], item[0])):
        try:
            text = str(load_command_class(app, name).help or "").strip().splitlines()
        except (ImportError, AttributeError) as exc:  # a broken third-party command: say so, list the rest
            text = [f"(无法加载 cannot load: {exc})"]
        group = "dae" if app.startswith("dae") else app.rsplit(".", 1)[-1]
        lines.append((group, name, text[0] if text else ""))
    order = {name: i for i, name in enumerate(PRODUCT_COMMANDS)}
    return sorted(lines, key=lambda x: (x[0] != "dae", order.get(x[1], len(order)) if x[0] == "dae" else 0,
                                        x[0], x[1]))


def overview() -> str:
    out = ["用法 (usage): dae <命令 command> [选项 options]    dae help <命令> 查看某一命令的说明 (one command's help)", ""]
    group = None
    for name_group, name, text in command_lines():
        if name_group != group:
            group = name_group
            out.append("[本系统 dae]" if group == "dae" else f"[{group}]")
        out.append(f"  {name:<28} {text}")
    return "\n".join(out)


def serve_production(extra: list[str]) -> int:
    """Replace this process with gunicorn (``dae/ops/gunicorn.conf.py``); ``dae collectstatic`` runs at deploy."""
    from pathlib import Path

    os.environ["DJANGO_SETTINGS_MODULE"] = os.environ.get("DAE_SETTINGS", "dae.settings.production")
    config = Path(__file__).with_name("ops") / "gunicorn.conf.py"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    os.execv(str(gunicorn), [str(gunicorn), "-c", str(config), *extra, "dae.wsgi:application"])
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main())
