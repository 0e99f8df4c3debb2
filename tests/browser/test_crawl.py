"""Every post walks its own navigation in Chromium at 1280 px, and the first detail page linked from each list,
and every page must hold up as a bureau's business system:

- no HTTP error;
- no link to a page the post may not open (resolved against the permission matrix);
- no untranslated English on the Chinese pages (outside code fields: ``code``, ``pre``, ``.code``, ``kbd``);
- no raw dotted event name or object type (``claim.received``) and no dictionary code shown alone under a heading
  that is the code list's name (医疗类别 "21");
- no horizontal scrollbar on the page body.

The walk is generic — navigation from ``web.nav`` as each post sees it, detail pages from the lists' first row —
so pages other engineers add are walked too. Problems are collected for all pages and reported together.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from dae.accounts.permissions import rule_for
from dae.accounts.posts import Post
from dae.core.models import Event
from dae.dictionaries.models import Code, CodeList
from dae.web.names import EVENT_NAMES, OBJECT_KINDS

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

#: English that belongs on a Chinese page: product and format names, units
ALLOWED_ENGLISH = {"excel", "csv", "xlsx", "json", "yaml", "pdf", "api", "icd", "who", "id", "html", "sms", "ok",
                   "drg", "dip", "gb", "mb", "kb", "echarts", "utf", "gbk", "tab", "url", "it",
                   "microsoft", "google", "authenticator", "freeotp"}  # authenticator apps named on 双因素认证

#: collected in the page: visible text outside code fields, links, tables with their headers, width
PAGE_PROBE = """() => {
  const CHARTS_OUTSIDE = CHARTS_FN;
  const skip = "code, pre, kbd, samp, script, style, .code, textarea, [data-i18n-skip]";
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || parent.closest(skip)) continue;
    if (parent.closest("select") === null && parent.offsetParent === null && getComputedStyle(parent).position !== "fixed") continue;
    const t = node.textContent.trim();
    if (t) texts.push(t);
  }
  const links = [...document.querySelectorAll("a[href]")].map(a => a.getAttribute("href"));
  const tables = [...document.querySelectorAll("table")].map(table => {
    const heads = [...table.querySelectorAll("thead th")].map(th => th.innerText.trim());
    const rows = [...table.querySelectorAll("tbody tr")].slice(0, 30).map(tr =>
      [...tr.children].map(td => td.innerText.trim()));
    return {heads, rows};
  });
  const pairs = [...document.querySelectorAll("dl dt")].map(dt => [dt.innerText.trim(),
    dt.nextElementSibling ? dt.nextElementSibling.innerText.trim() : ""]);
  const first = document.querySelector("[data-testid=list-table] tbody tr a[href]");
  return {texts, links, tables, pairs, first: first ? first.getAttribute("href") : null,
          scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth,
          charts: CHARTS_OUTSIDE()};
}"""

#: charts (ECharts canvases) whose box leaves the main column: under the sidebar or past the right edge
CHARTS_PROBE = """() => {
  const main = document.querySelector("main");
  if (!main) return [];
  const box = main.getBoundingClientRect();
  return [...document.querySelectorAll("canvas")].filter(c => {
    const r = c.getBoundingClientRect();
    return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1);
  }).map(c => (c.closest("[id],[data-testid]") || c).getAttribute("data-testid") || c.closest("[id]")?.id || "chart");
}"""

TOKEN = re.compile(r"[A-Za-z0-9_]+")


def _english(text: str) -> str | None:
    """The first English word of ``text`` that is not an identifier (digits, underscores: a code), an allowed
    name or a short upper-case abbreviation."""
    for token in TOKEN.findall(text):
        if any(c.isdigit() or c == "_" for c in token) or len(token) < 2 or re.fullmatch(r"[IVXL]+", token):
            continue  # an identifier, or a chapter's Roman numeral
        if token.lower() in ALLOWED_ENGLISH or (token.isupper() and len(token) <= 4):
            continue
        return token
    return None


PAGE_PROBE = PAGE_PROBE.replace("CHARTS_FN", CHARTS_PROBE)


def _dotted_names() -> set[str]:
    names = set(EVENT_NAMES) | set(OBJECT_KINDS) | set(Event.objects.values_list("action", flat=True).distinct())
    return {n for n in names if "." in n}


def _codelists() -> dict[str, frozenset[str]]:
    """A code list's name (the heading a page would give it) → its codes."""
    lists: dict[str, set[str]] = {}
    names = dict(CodeList.objects.values_list("key", "name"))
    for key, code in Code.objects.values_list("codelist_id", "code"):
        lists.setdefault(names[key], set()).add(code)
    return {name: frozenset(codes) for name, codes in lists.items()}


def _may_open(post: str, href: str) -> tuple[bool, str]:
    path = urlsplit(href).path
    try:
        match = resolve(path)
    except Resolver404:
        return True, ""  # static files and the like: not a page of the matrix
    rule = rule_for(match.view_name)
    return (rule is not None and rule.allows(post, "GET")), match.view_name


def _check(post: str, url: str, status: int, probe: dict[str, Any], dotted: set[str],
           codelists: dict[str, frozenset[str]]) -> list[str]:
    problems = []
    where = f"[{post}] {url}"
    if status >= 400:
        problems.append(f"{where}: HTTP {status}")
    for href in probe["links"]:
        if not href or href.startswith(("#", "javascript:", "mailto:", "http://", "https://")) or "export=" in href:
            continue
        if href.startswith("?"):
            href = urlsplit(url).path + href
        allowed, view = _may_open(post, href)
        if not allowed:
            problems.append(f"{where}: links to {href} ({view}), which this post may not open")
    for text in probe["texts"]:
        word = _english(text)
        if word is not None:
            problems.append(f"{where}: English text {word!r} in “{text[:80]}”")
        for name in dotted:
            if re.search(rf"(?<![\w.]){re.escape(name)}(?![\w.])", text):
                problems.append(f"{where}: raw name {name!r} in “{text[:80]}”")
    for table in probe["tables"]:
        for index, head in enumerate(table["heads"]):
            codes = codelists.get(head)
            if not codes:
                continue
            for row in table["rows"]:
                if index < len(row) and row[index] in codes:
                    problems.append(f"{where}: column {head} shows the code {row[index]!r} without its name")
                    break
    for head, value in probe["pairs"]:
        if value in codelists.get(head, ()):
            problems.append(f"{where}: {head} shows the code {value!r} without its name")
    if probe["scroll"] > probe["width"]:
        problems.append(f"{where}: horizontal scrollbar ({probe['scroll']} > {probe['width']} px)")
    for chart in probe.get("charts", []):
        problems.append(f"{where}: chart {chart} leaves its grid at {probe['width']} px")
    return problems


#: static files fetched once per worker: the test server sends no cache headers, and a page's stylesheets and
#: scripts are the same on every page (this keeps the walk within its time budget)
_STATIC: dict[str, tuple[int, dict[str, str], bytes]] = {}


def _cached_static(route: Any) -> None:
    url = route.request.url
    if url not in _STATIC:
        response = route.fetch()
        _STATIC[url] = (response.status, response.headers, response.body())
    status, headers, body = _STATIC[url]
    route.fulfill(status=status, headers=headers, body=body)


def _visit(page: Any, base: str, post: str, path: str, dotted: set[str], codelists: dict[str, frozenset[str]],
           problems: list[str]) -> str | None:
    """Render the page in Chromium and check everything; return the first detail link of its list."""
    response = page.goto(base + path, wait_until="domcontentloaded")
    probe: dict[str, Any] = page.evaluate(PAGE_PROBE)
    problems.extend(_check(post, path, response.status if response else 0, probe, dotted, codelists))
    if page.locator("canvas").count():  # a page with charts: they must stay in their grid at 1920 px too
        page.set_viewport_size({"width": 1920, "height": 1000})
        page.wait_for_timeout(200)
        wide = page.evaluate(f"({CHARTS_PROBE})()")
        width = page.evaluate("document.documentElement.clientWidth")
        problems.extend(f"[{post}] {path}: chart {chart} leaves its grid at {width} px" for chart in wide)
        page.set_viewport_size({"width": 1280, "height": 800})
    first: str | None = probe["first"]
    return first


HREF = re.compile(r'href="([^"]*)"')
FIRST_ROW_LINK = re.compile(r'data-testid="list-table".*?<tbody>.*?href="([^"]*)"', re.S)
TAG = re.compile(r"<(script|style|code|pre)[^>]*>.*?</\1>|<[^>]+>", re.S)


def _visit_light(page: Any, base: str, post: str, path: str, dotted: set[str], problems: list[str]) -> str | None:
    """A page another post with the same navigation and scope has already had rendered and checked in full: fetch it
    as this post and check what differs between posts — the answer and the links (buttons follow the matrix)."""
    response = page.request.get(base + path)
    html = response.text()
    probe = {"links": [h.replace("&amp;", "&") for h in HREF.findall(html)], "texts": [], "tables": [],
             "pairs": [], "scroll": 0, "width": 0}
    problems.extend(_check(post, path, response.status, probe, set(), {}))
    text = TAG.sub(" ", html)
    for name in dotted:
        if re.search(rf"(?<![\w.]){re.escape(name)}(?![\w.])", text):
            problems.append(f"[{post}] {path}: raw name {name!r}")
    found = FIRST_ROW_LINK.search(html)
    return found.group(1).replace("&amp;", "&") if found else None


#: pages rendered and checked in full in this worker, by (path, scope kind, navigation)
_FULLY_CHECKED: set[tuple[str, str, tuple[str, ...]]] = set()


@pytest.mark.parametrize("post", [p.value for p in Post])
def test_every_page_of_each_posts_navigation_holds_up(post: str, audit_world: dict[str, Any], live_server: Any,
                                                      browser: Any) -> None:
    from dae.accounts.posts import scope_kind

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    context.route("**/static/**", _cached_static)
    page = context.new_page()
    page.set_default_timeout(30_000)
    base = live_server.url
    dotted, codelists = _dotted_names(), _codelists()
    problems: list[str] = []
    try:
        login(page, base, post)
        nav = tuple(a.get_attribute("href") for a in page.locator("[data-testid=sidenav] a.nav-link").all())
        seen: set[str] = set()
        queue = ["/", *nav]
        while queue:
            path = queue.pop(0)
            if path in seen or not path.startswith("/"):
                continue
            seen.add(path)
            key = (path, scope_kind(post), nav)
            if key in _FULLY_CHECKED:
                first = _visit_light(page, base, post, path, dotted, problems)
            else:
                first = _visit(page, base, post, path, dotted, codelists, problems)
                _FULLY_CHECKED.add(key)
            if first and path in nav:  # the first detail page of each list of the navigation
                queue.insert(0, first)
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
