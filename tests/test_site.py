"""The web site: pages written from the package, built by MkDocs in strict mode, and looked at in Chromium.

The page tests run everywhere. The browser tests (marker ``browser``) need Chromium from the
distribution's packages and the ``site`` and ``browser`` extras; ``.ci/run`` runs them in a step
of their own (``pytest -m browser``) and they write screenshots to ``build/screenshots/``.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlparse
from urllib.request import urlopen

import pytest

import powdata
from powdata.release.metadata import downloads
from tests.conftest import ROOT

SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site's Markdown pages, written once for the module (no MkDocs needed)."""
    from powdata.site import write_pages

    out = tmp_path_factory.mktemp("site")
    write_pages(out)
    return out


def _ids(text: str) -> set[str]:
    return set(re.findall(r"\{#([a-z0-9-]+)\}", text))


class TestPages:
    def test_a_page_per_indicator_read_from_the_data(self, pages: Path) -> None:
        """Every indicator in the data has its page and its entry in the navigation; no other page is there."""
        ids = set(powdata.load("indicators")["indicator_id"])
        written = {p.stem for p in (pages / "docs" / "indicators").glob("*.md")} - {"index"}
        assert written == ids
        nav = json.loads((pages / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
        (section,) = [n["Indicators"] for n in nav if "Indicators" in n]
        assert {next(iter(e.values())) for e in section} == {f"indicators/{i}.md" for i in ids} | {
            "indicators/index.md"
        }

    def test_every_figure_has_its_anchor_and_every_quotation(self, pages: Path) -> None:
        """Each observation (variants too) has an anchor named by its id on its indicator's page, with its excerpts."""
        obs = powdata.load("observations")
        quotes = powdata.load("quotes")
        for ind, rows in obs.groupby("indicator_id"):
            text = (pages / "docs" / "indicators" / f"{ind}.md").read_text(encoding="utf-8")
            assert set(rows["observation_id"]) <= _ids(text)
        text = (pages / "docs" / "indicators" / "foreign-pows-held.md").read_text(encoding="utf-8")
        section = text.split("{#foreign-pows-held-2025-12-03}", 1)[1].split("\n### ", 1)[0]
        for excerpt in quotes.loc[quotes["observation_id"] == "foreign-pows-held-2025-12-03", "excerpt"]:
            assert excerpt in section

    def test_statements_in_order_and_readings_labelled(self, pages: Path) -> None:
        """An indicator page lists its statements oldest first; a reading is in a box titled as a reading."""
        text = (pages / "docs" / "indicators" / "foreign-share-of-pows-by-period.md").read_text(encoding="utf-8")
        order = re.findall(r"\{#(foreign-share-of-pows-[0-9-]+)\}", text)
        assert order == list(powdata.series("foreign-share-of-pows-by-period")["observation_id"])
        assert text.count('!!! warning "A reading, not what the texts state"') == len(order)

    def test_landing_page_has_the_dataset_json_ld_and_the_latest_figures(self, pages: Path) -> None:
        """The landing page embeds the schema.org Dataset and links every latest figure to its anchor."""
        text = (pages / "docs" / "index.md").read_text(encoding="utf-8")
        block = text.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
        doc = json.loads(block)
        assert doc["@type"] == "Dataset" and doc["version"] == powdata.descriptor()["version"]
        for r in powdata.latest().itertuples():
            assert f"indicators/{r.indicator_id}.md#{r.observation_id}" in text
        for heading in ("## Scope", "## Latest figures", "## Get it", "## Cite it", "## Licence", "## Updates"):
            assert heading in text

    def test_every_download_the_metadata_names_is_written(self, pages: Path) -> None:
        """Each download in the JSON-LD distribution is a file on the site, and the zip is the release."""
        for d in downloads(powdata.descriptor()):
            assert (pages / "docs" / d.path).stat().st_size > 0
        version = powdata.descriptor()["version"]
        csv = pages / "docs" / "downloads" / version / "observations.csv"
        assert csv.read_bytes() == (ROOT / "data" / "observations.csv").read_bytes()

    def test_no_invented_address(self, pages: Path) -> None:
        """The site names no repository or documentation address the descriptor does not have."""
        config = json.loads((pages / "mkdocs.yml").read_text(encoding="utf-8"))
        assert ("site_url" in config) == bool(powdata.descriptor().get("homepage"))
        text = (pages / "docs" / "index.md").read_text(encoding="utf-8")
        assert "no public repository or documentation address yet" in text or powdata.descriptor().get("homepage")


# ---------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site built by `powdata site` (strict), served on 127.0.0.1 for the module."""
    from powdata.site import build_site

    out = build_site(tmp_path_factory.mktemp("built"))
    handler = functools.partial(_QuietHandler, directory=str(out / "html"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the test reports what fails, not every request
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from the distribution's packages, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    exe = os.environ.get("POWDATA_CHROMIUM") or shutil.which("chromium") or CHROMIUM  # CI may name its own
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


def _open(browser: Any, url: str, errors: list[str]) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda m: errors.append(f"{url}: console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{url}: page error: {e}"))
    page.on("requestfailed", lambda r: errors.append(f"{url}: request failed: {r.url}"))
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 200, url
    return page


@pytest.mark.browser
class TestInChromium:
    def test_every_page_loads_every_link_resolves_every_chart_renders(self, served: str, browser: Any) -> None:
        """Crawled from the landing page: no console error, each internal link and anchor resolves, each image draws."""
        errors: list[str] = []
        seen: set[str] = set()
        todo = [served]
        anchors: list[tuple[str, str, str]] = []
        files: set[str] = set()
        images: dict[str, int] = {}
        while todo:
            url = todo.pop()
            if url in seen:
                continue
            seen.add(url)
            page = _open(browser, url, errors)
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            broken = page.evaluate(
                "() => Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
            )
            assert broken == [], f"{url}: images that do not render: {broken}"
            images[url] = page.evaluate("() => document.querySelectorAll('article img').length")
            page.close()
            for href in hrefs:
                target, frag = urldefrag(urljoin(url, href))
                if urlparse(target).netloc != urlparse(served).netloc:
                    continue
                if frag:
                    anchors.append((url, target, frag))
                if target.endswith("/") or target.endswith(".html"):
                    todo.append(target)
                else:
                    files.add(target)
        assert errors == []
        inds = powdata.load("indicators")
        obs = powdata.load("observations")
        assert {f"{served}indicators/{i}/" for i in inds["indicator_id"]} <= seen
        # an indicator has its chart exactly when it is a quantity (not a rank) and a text dates one of its statements
        dated = set(obs.loc[obs["as_of"].notna(), "indicator_id"])
        charted = {i for i, u in zip(inds["indicator_id"], inds["unit"], strict=True) if u != "rank" and i in dated}
        assert len(charted) >= len(inds) // 2
        drawn = {i for i in inds["indicator_id"] if images[f"{served}indicators/{i}/"] > 0}
        assert drawn == charted
        for f in sorted(files):
            with urlopen(f) as r:  # the test's own server on 127.0.0.1
                assert r.status == 200 and r.read(1), f
        missing = []
        by_page: dict[str, list[str]] = {}
        for _src, target, frag in anchors:
            by_page.setdefault(target, []).append(frag)
        for target, frags in by_page.items():
            page = _open(browser, target, errors)
            ids = set(page.evaluate("() => Array.from(document.querySelectorAll('[id]')).map(e => e.id)"))
            page.close()
            missing += [f"{target}#{f}" for f in frags if f not in ids]
        assert missing == [] and errors == []

    def test_a_figure_anchor_shows_its_quotation(self, served: str, browser: Any) -> None:
        """Opening a figure's address scrolls to it, and the quotation that follows is its excerpt, verbatim."""
        oid = "foreign-pows-held-2025-12-03"
        errors: list[str] = []
        page = _open(browser, f"{served}indicators/foreign-pows-held/#{oid}", errors)
        shown = page.evaluate(
            """id => {
                const h = document.getElementById(id);
                const box = h.getBoundingClientRect();
                let n = h.nextElementSibling, quotes = [];
                while (n && !/^H[1-3]$/.test(n.tagName)) {
                    if (n.tagName === 'BLOCKQUOTE') quotes.push(n.innerText.trim());
                    n = n.nextElementSibling;
                }
                return {top: box.top, bottom: box.bottom, height: window.innerHeight, quotes: quotes};
            }""",
            oid,
        )
        assert 0 <= shown["top"] < shown["height"] and shown["bottom"] <= shown["height"]
        q = powdata.load("quotes")
        assert shown["quotes"] == list(q.loc[q["observation_id"] == oid, "excerpt"])
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "figure-anchor.png"))
        page.close()
        assert errors == []

    def test_screenshots_of_the_landing_and_an_indicator_page(self, served: str, browser: Any) -> None:
        """The landing page shows its title and latest figures, an indicator page its chart; both are saved."""
        errors: list[str] = []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page = _open(browser, served, errors)
        assert "Latest figures" in page.inner_text("article")
        ld = page.evaluate("() => document.querySelector('script[type=\"application/ld+json\"]').textContent")
        assert json.loads(ld)["@type"] == "Dataset"
        page.screenshot(path=str(SCREENSHOTS / "landing.png"))
        page.close()
        page = _open(browser, f"{served}indicators/foreign-share-of-pows-by-period/", errors)
        width = page.evaluate("() => document.querySelector('article img').getBoundingClientRect().width")
        assert width > 400
        page.screenshot(path=str(SCREENSHOTS / "indicator.png"))
        page.close()
        assert errors == []
        for name in ("landing.png", "indicator.png"):
            assert (SCREENSHOTS / name).read_bytes().startswith(b"\x89PNG")


class TestCommand:
    def test_powdata_site_writes_the_pages(self, tmp_path: Path) -> None:
        """`powdata site PACKAGE --to DIR --no-html` writes the pages and the MkDocs configuration, and says where."""
        from tests.conftest import run_cli, small_package

        small = small_package(tmp_path / "pkg")
        r = run_cli("site", str(small), "--to", str(tmp_path / "s"), "--no-html")
        assert r.returncode == 0 and "wrote" in r.stdout, r.stderr
        assert (tmp_path / "s" / "docs" / "index.md").is_file() and (tmp_path / "s" / "mkdocs.yml").is_file()

    def test_without_mkdocs_it_names_the_extra(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without MkDocs, building the HTML says which extra to install instead of failing deep inside."""
        import importlib.util

        from powdata.errors import MissingExtraError
        from powdata.site import build_html

        real = importlib.util.find_spec
        monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "mkdocs" else real(name, *a))
        with pytest.raises(MissingExtraError, match=r"pip install 'powdata\[site\]'"):
            build_html(tmp_path)

    def test_never_clears_a_folder_it_did_not_write(self, tmp_path: Path) -> None:
        """A folder holding other files is refused, untouched; a folder the command wrote before is rewritten."""
        from powdata.errors import PowdataError
        from powdata.site import write_pages
        from tests.conftest import small_package

        small = small_package(tmp_path / "pkg")  # a few charts: this is about folders, not the data
        mine = tmp_path / "mine"
        (mine / "docs").mkdir(parents=True)
        (mine / "docs" / "mine.md").write_text("keep me", encoding="utf-8")
        with pytest.raises(PowdataError, match="expected an empty folder or one `powdata site` wrote before"):
            write_pages(mine, path=small)
        assert (mine / "docs" / "mine.md").read_text(encoding="utf-8") == "keep me"
        out = tmp_path / "site"
        write_pages(out, path=small)
        (out / "docs" / "stale.md").write_text("old page", encoding="utf-8")
        write_pages(out, path=small)
        assert not (out / "docs" / "stale.md").exists() and (out / "docs" / "index.md").is_file()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small valid package for the module; each test edits its own copy."""
    from tests.conftest import small_package

    return small_package(tmp_path_factory.mktemp("small") / "pkg")


class TestHostilePackage:
    """`powdata site PATH` reads a package it may not trust: no write outside --to, no read outside the package."""

    def _copy(self, small: Path, tmp_path: Path) -> Path:
        pkg = tmp_path / "pkg"
        shutil.copytree(small, pkg)
        return pkg

    def test_a_git_ref_is_refused_in_one_line(self, tmp_path: Path) -> None:
        """A site from `git:REF` would mix the ref's tables with the working tree's zip: refused, nothing written."""
        from tests.conftest import clean_failure, run_cli

        r = run_cli("site", "git:HEAD", "--to", str(tmp_path / "s"), "--no-html")
        clean_failure(r.returncode, r.stderr, exit_code=2)
        assert "check the ref out first" in r.stderr and not (tmp_path / "s").exists()

    def test_a_version_that_climbs_out_is_refused_before_anything_is_written(self, small: Path, tmp_path: Path) -> None:
        """The version names the downloads' folder: '../../x' is refused in one line, nothing written anywhere."""
        from tests.conftest import clean_failure, run_cli

        pkg = self._copy(small, tmp_path)
        desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
        desc["version"] = "../../../../escaped"
        (pkg / "datapackage.json").write_text(json.dumps(desc, indent=2), encoding="utf-8")
        r = run_cli("site", str(pkg), "--to", str(tmp_path / "out" / "s"), "--no-html")
        clean_failure(r.returncode, r.stderr, exit_code=2)
        assert "semantic version" in r.stderr
        assert not (tmp_path / "out").exists() and not list(tmp_path.rglob("escaped"))

    def test_a_changelog_linked_out_of_the_package_is_not_published(self, small: Path, tmp_path: Path) -> None:
        """A CHANGELOG.md symlinked to a file outside the package is refused, not copied into the site."""
        from tests.conftest import clean_failure, run_cli

        pkg = self._copy(small, tmp_path)
        secret = tmp_path / "secret.md"
        secret.write_text("# x\n\nSECRET-OUTSIDE\n", encoding="utf-8")
        (pkg / "CHANGELOG.md").symlink_to(secret)
        r = run_cli("site", str(pkg), "--to", str(tmp_path / "s"), "--no-html")
        clean_failure(r.returncode, r.stderr, exit_code=2)
        assert "outside the package folder" in r.stderr
        assert not any("SECRET-OUTSIDE" in p.read_text(encoding="utf-8") for p in tmp_path.glob("s/**/*.md"))

    def test_a_changelog_that_is_not_utf8_is_one_line(self, small: Path, tmp_path: Path) -> None:
        """A CHANGELOG.md that is not UTF-8 is one line naming it, not an internal error."""
        from tests.conftest import clean_failure, run_cli

        pkg = self._copy(small, tmp_path)
        (pkg / "CHANGELOG.md").write_bytes(b"# Changelog\n\xff\xfe\n")
        r = run_cli("site", str(pkg), "--to", str(tmp_path / "s"), "--no-html")
        clean_failure(r.returncode, r.stderr, exit_code=2)
        assert "CHANGELOG.md" in r.stderr and "UTF-8" in r.stderr

    def test_a_failure_midway_leaves_the_last_site_whole(self, small: Path, tmp_path: Path) -> None:
        """A build that fails after its pages (a schema linked out of the package, caught writing the zip)
        leaves the site written before as it was, and no half-written folder beside it."""
        from powdata.errors import PowdataError
        from powdata.site import write_pages

        pkg = self._copy(small, tmp_path)
        out = tmp_path / "site"
        write_pages(out, path=pkg)
        before = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
        outside = tmp_path / "outside.json"
        outside.write_text("{}", encoding="utf-8")
        (pkg / "schemas" / "areas.json").unlink()
        (pkg / "schemas" / "areas.json").symlink_to(outside)
        with pytest.raises(PowdataError):
            write_pages(out, path=pkg)
        after = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
        assert after == before
