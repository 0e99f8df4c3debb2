"""``python -m dae.exchange.simulator DATA.json [--port 8765]``: serve the platform simulator from a data set
until interrupted (``scripts/demo`` starts it beside dae)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from .server import PlatformSimulator


def main() -> None:
    parser = argparse.ArgumentParser(description="医保平台模拟器")
    parser.add_argument("data", type=Path, help="data set (JSON: persons, settlements)")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    simulator = PlatformSimulator(json.loads(args.data.read_text(encoding="utf-8")), port=args.port)
    print(f"platform simulator on {simulator.start()}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        simulator.stop()


if __name__ == "__main__":
    main()
