"""The README's pictures of the companion pages, taken by the browser tests' own code:
the talk page in a timed phase and the progress page, at 1280x800.

    .venv/bin/python tools/screen_pictures.py [FOLDER]   (default: docs/)

Needs Debian's chromium and chromium-driver, as the browser tests do."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import a_real_screenshot, start_chromium  # noqa: E402
from tests.screen_support import progress_pages, talking, to_the_floor  # noqa: E402


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        (work / "profile").mkdir()
        browser = start_chromium(work / "profile")
        try:
            with talking(work, "honest-check-in") as talk:
                browser.get(talk.pages.address)
                to_the_floor(talk, lambda done: WebDriverWait(browser, 20).until(
                    lambda _: done()))
                WebDriverWait(browser, 20).until(
                    lambda b: b.find_element(By.ID, "timer").is_displayed())
                a_real_screenshot(browser, folder / "screen-talk.png")
            pages = progress_pages(work)
            try:
                browser.get(pages.address)
                a_real_screenshot(browser, folder / "screen-progress.png")
            finally:
                pages.stop()
        finally:
            browser.quit()
    print(f"wrote {folder / 'screen-talk.png'} and {folder / 'screen-progress.png'}")


if __name__ == "__main__":
    main()
