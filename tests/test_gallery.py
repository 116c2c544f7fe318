"""The chart gallery in headless Chromium: large previews that open full size, filters, both
languages, every image loaded, the kit downloadable, no console error."""
from __future__ import annotations

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_gallery_previews_filters_and_enlargement_without_console_errors(materialized):
    from playwright.sync_api import sync_playwright

    outputs, _ = materialized
    index = outputs / "charts" / "index.html"
    assert index.is_file() and (outputs / "charts" / "kit.zip").is_file()
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(index.as_uri())
        for lang in ("fr", "nl"):
            page.click(f".lang button[data-set={lang}]")
            figures = page.locator(f"figure[data-lang={lang}]")
            assert figures.count() >= 10
            for i in range(figures.count()):
                img = figures.nth(i).locator("img")
                img.scroll_into_view_if_needed()
                page.wait_for_function("img => img.complete", arg=img.element_handle())
                assert img.evaluate("img => img.naturalWidth") > 1000, img.get_attribute("src")
                assert img.evaluate("img => img.getBoundingClientRect().width") >= 500
                assert img.get_attribute("alt")
            caption = figures.first.locator("figcaption").inner_text()
            alt = figures.first.locator("img").get_attribute("alt")
            assert alt not in caption  # the alt text once, on the image
            assert page.locator(f"figure[data-lang={'nl' if lang == 'fr' else 'fr'}]").first \
                .is_visible() is False
        page.click(".lang button[data-set=fr]")
        shown = int(page.inner_text("#count"))
        page.select_option("#f-family", "budget")
        budget = int(page.inner_text("#count"))
        assert 0 < budget < shown
        assert page.locator("figure[data-lang=fr]:visible").count() == budget
        page.select_option("#f-family", "")
        page.select_option("#f-entity", "capac")
        assert int(page.inner_text("#count")) == 1
        page.select_option("#f-entity", "")
        page.select_option("#f-year", "2013")
        assert 0 < int(page.inner_text("#count")) < shown
        page.select_option("#f-year", "")
        page.locator("figure[data-lang=fr] button.enlarge").first.click()
        assert page.locator("dialog#zoom").evaluate("d => d.open")
        assert page.locator("#zoomed").evaluate("i => i.naturalWidth") > 1000
        page.click("#close")
        assert not page.locator("dialog#zoom").evaluate("d => d.open")
        browser.close()
    assert errors == []
