"""The ``dae`` command: Django management commands plus the product's own sub-commands.

    dae demo [--persons N]     generate and load the demo city
    dae calc --rules F --input F [--trace]   trial calculation, JSON out
    dae serve [--port P]       run the development server
    dae serve --production     run gunicorn with the production settings (docs/deployment.md)
    dae <django command> …     any manage.py command (migrate, createsuperuser, …)
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dae.settings.dev")
    if args and args[0] == "calc":
        from dae.benefits.engine.cli import main as calc_main

        return calc_main(args[1:])
    from django.core.management import execute_from_command_line

    if args and args[0] == "serve" and "--production" in args:
        return serve_production([a for a in args[1:] if a != "--production"])
    if args and args[0] == "serve":
        args = ["runserver", *args[1:]]
    execute_from_command_line(["dae", *args])
    return 0


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
