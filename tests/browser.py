"""A real headless Chromium for tests of the local pages, driven through Selenium, and a
Flask app served on loopback for the length of a test.

The fixture `browser` (registered for every test file by tests/conftest.py) gives a fresh
browser for each test; `a_real_screenshot` saves what it shows and checks the picture;
`serving(app)` serves a Flask app and gives its address.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from screen.server import serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WIDTH, HEIGHT = 1280, 800

# Without the networking flags Chromium keeps calling services it cannot reach (updates,
# sync, field trials); QUIC probes likewise. Even with them it still looks up a few hosts
# (sign-in, the default search engine, hints), so every name but loopback's resolves to
# nothing. Headless needs no sandbox here and no GPU.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    f"--window-size={WIDTH},{HEIGHT}",
    "--force-device-scale-factor=1",
)


def start_chromium(profile: Path) -> webdriver.Chrome:
    """Debian's Chromium through Debian's ChromeDriver, with an empty profile in `profile`.

    Both paths are given, so Selenium Manager (which would look for, or download, a driver
    and a browser) never runs."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if missing:
        pytest.fail(
            f"The browser tests need Debian's Chromium and its WebDriver ({', '.join(missing)} "
            "is missing): apt-get install chromium chromium-driver (./dev test installs them)",
            pytrace=False,
        )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        # Headless Chromium keeps room for a toolbar it does not draw, so the page would get
        # less than the window: grow the window until the page itself has 1280x800.
        extra_width, extra_height = driver.execute_script(
            "return [outerWidth - innerWidth, outerHeight - innerHeight]"
        )
        if extra_width or extra_height:
            driver.set_window_size(WIDTH + extra_width, HEIGHT + extra_height)
    except BaseException:
        driver.quit()
        raise
    return driver


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """A headless Chromium showing 1280x800 pixels, closed after the test."""
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    driver = start_chromium(profile)
    try:
        yield driver
    finally:
        driver.quit()


def a_real_screenshot(driver: webdriver.Chrome, path: Path) -> Path:
    """Saves what the browser shows as a PNG at `path` and checks that it is a real picture
    of a page: 1280x800 pixels, and more than one colour. Raises AssertionError if not."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not driver.save_screenshot(str(path)):
        raise AssertionError(f"the browser could not write a screenshot to {path}")
    check_screenshot(path)
    return path


def check_screenshot(path: Path) -> None:
    """Raises AssertionError unless `path` is a 1280x800 PNG of more than one colour."""
    # Pillow decodes the PNG's pixels (the standard library reads only its header).
    with Image.open(path) as picture:
        if picture.format != "PNG":
            raise AssertionError(f"{path} is {picture.format}, not a PNG")
        if picture.size != (WIDTH, HEIGHT):
            raise AssertionError(
                f"{path} is {picture.size[0]}x{picture.size[1]} pixels, not {WIDTH}x{HEIGHT}"
            )
        bands = picture.convert("RGB").getextrema()
    if all(low == high for low, high in bands):
        colour = tuple(low for low, _ in bands)
        raise AssertionError(f"{path} is blank: every pixel is the colour {colour}")


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serves `app` as the product serves its pages (loopback, a free port, a thread of its
    own) until the block ends; gives the address, "http://127.0.0.1:PORT"."""
    pages = serve(app, token="", port=0)
    try:
        yield pages.base
    finally:
        pages.stop()
