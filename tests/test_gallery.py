"""The chart gallery opens in headless Chromium: every image loads, no console error, both languages."""
from __future__ import annotations

import shutil


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_gallery_images_load_without_console_errors_in_both_languages(materialized):
    from playwright.sync_api import sync_playwright

    outputs, _ = materialized
    index = outputs / "charts" / "index.html"
    assert index.is_file()
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(index.as_uri())
        for lang in ("fr", "nl"):
            page.click(f"nav button[data-set={lang}]")
            page.wait_for_load_state("load")
            figures = page.locator(f"figure[data-lang={lang}]")
            assert figures.count() >= 3
            for i in range(figures.count()):
                img = figures.nth(i).locator("img")
                img.scroll_into_view_if_needed()
                page.wait_for_function("img => img.complete", arg=img.element_handle())
                assert img.evaluate("img => img.naturalWidth") > 0, img.get_attribute("src")
                assert img.get_attribute("alt")
                assert figures.nth(i).is_visible()
            hidden = page.locator(f"figure[data-lang={'nl' if lang == 'fr' else 'fr'}]")
            assert not hidden.first.is_visible()
        browser.close()
    assert errors == []
