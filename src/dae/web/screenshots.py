"""The README's screenshots: the ten most used pages at 1280 px, taken in Chromium from a running demo city
(``scripts/screenshots`` builds a small one, serves it and calls ``python -m dae.web.screenshots URL DIR``).

Each shot logs in as the post that uses the page and waits for the page's own content (and its chart) before
taking the picture, so the PNGs show the product as a person sees it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "dae-demo-2026"  # the demo log-ins' password (dae.demo.users)


@dataclass(frozen=True)
class Shot:
    name: str
    user: str
    path: str  # a path, or "first:<list path>" for the first detail page of that list
    wait: str = "main h1"
    full_page: bool = False


SHOTS = (
    Shot("01-home-clerk", "clerk", "/", "[data-testid=work-counters]"),
    Shot("02-settlements", "clerk", "/claims/settlements/?sort=-hifob_pay", "[data-testid=list-totals]"),
    Shot("03-settlement-detail", "clerk", "first:/claims/settlements/?sort=-hifob_pay",
         "[data-testid=settlement-amounts]"),
    Shot("04-declarations", "clerk", "/claims/declarations/", "[data-testid=list-table]"),
    Shot("05-manual-claims", "clerk", "/reimbursement/?state=all", "[data-testid=list-table]"),
    Shot("06-findings", "reviewer", "/audit/findings/", "[data-testid=finding-chart] canvas"),
    Shot("07-statements", "finance", "/payments/statements/", "[data-testid=list-totals]"),
    Shot("08-fund-dashboard", "finance", "/fund/", "main canvas"),
    Shot("09-ruleset-form", "manager", "first:/benefits/rulesets/", "main h1"),
    Shot("10-event-log", "manager", "/events/", "[data-testid=list-table]"),
)


def take(base: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    executable = os.environ.get("DAE_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for shot in SHOTS:
            context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", shot.user)
            page.fill("input[name=password]", PASSWORD)
            page.click("[data-testid=login-submit]")
            page.wait_for_selector("[data-testid=work-counters]")
            path = shot.path
            if path.startswith("first:"):
                page.goto(base + path[len("first:"):])
                path = page.locator("[data-testid=list-table] tbody tr a[href]").first.get_attribute("href") or "/"
            page.goto(base + path)
            page.wait_for_selector(shot.wait)
            page.wait_for_timeout(600)  # charts animate in
            target = out / f"{shot.name}.png"
            page.screenshot(path=str(target), full_page=shot.full_page)
            written.append(target)
            print(f"  {target}")
            context.close()
        browser.close()
    return written


if __name__ == "__main__":
    take(sys.argv[1].rstrip("/"), Path(sys.argv[2]))
