"""The ``dae`` command: Django management commands plus the product's own sub-commands.

    dae demo [--persons N]     generate and load the demo city
    dae calc --rules F --input F [--trace]   trial calculation, JSON out
    dae serve [--port P]       run the web server
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

    if args and args[0] == "serve":
        args = ["runserver", *args[1:]]
    execute_from_command_line(["dae", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
