"""The test support for real-browser tests: Debian's headless Chromium driven by Selenium
against a Flask page served on loopback, and the screenshot check."""

import urllib.error
import urllib.request

import pytest
from flask import Flask, jsonify
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.common.selenium_manager import SeleniumManager
from selenium.webdriver.support.ui import WebDriverWait

from tests import browser as support
from tests.browser import a_real_screenshot, check_screenshot, serving, start_chromium

PAGE = """<!doctype html>
<html lang="en"><head><title>Press</title></head>
<body style="font: 32px sans-serif">
<p id="status">Not pressed yet</p>
<button id="press" type="button">Press</button>
<script>
document.getElementById("press").addEventListener("click", async () => {
  const response = await fetch("press", {method: "POST"});
  const {presses} = await response.json();
  document.getElementById("status").textContent = `Presses: ${presses}`;
});
</script>
</body></html>"""


def press_app() -> tuple[Flask, list[str]]:
    presses: list[str] = []
    app = Flask(__name__)
    app.add_url_rule("/", "page", lambda: PAGE)

    @app.post("/press")
    def press():
        presses.append("press")
        return jsonify(presses=len(presses))

    return app, presses


def test_a_click_in_chromium_posts_to_the_app_and_changes_the_page(monkeypatch, tmp_path):
    def no_selenium_manager(*args: object) -> dict:
        raise AssertionError("Selenium Manager ran")

    # Started as the fixture starts it, but with Selenium Manager refused: it never runs.
    monkeypatch.setattr(SeleniumManager, "binary_paths", no_selenium_manager)
    app, presses = press_app()
    driver = start_chromium(tmp_path / "profile")
    try:
        with serving(app) as address:
            driver.get(address)
            status = driver.find_element(By.ID, "status")
            assert status.text == "Not pressed yet"
            driver.find_element(By.ID, "press").click()
            WebDriverWait(driver, 10).until(lambda _: status.text != "Not pressed yet")
            assert status.text == "Presses: 1"
            assert presses == ["press"]
            shot = a_real_screenshot(driver, tmp_path / "shots" / "press.png")
        assert shot == tmp_path / "shots" / "press.png"
        assert driver.execute_script("return [innerWidth, innerHeight]") == [1280, 800]
    finally:
        driver.quit()


def test_a_screenshot_of_an_empty_page_fails_the_check(browser, tmp_path):
    browser.get("about:blank")
    with pytest.raises(AssertionError, match=r"blank\.png is blank"):
        a_real_screenshot(browser, tmp_path / "blank.png")


def test_a_picture_of_another_size_fails_the_check(tmp_path):
    picture = Image.new("RGB", (1280, 799), "white")
    picture.putpixel((10, 10), (0, 0, 0))
    picture.save(tmp_path / "short.png")
    with pytest.raises(AssertionError, match="1280x799 pixels, not 1280x800"):
        check_screenshot(tmp_path / "short.png")


def test_without_chromium_the_tests_fail_naming_the_debian_packages(monkeypatch, tmp_path):
    monkeypatch.setattr(support, "CHROMIUM", tmp_path / "no-chromium")
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium chromium-driver"):
        start_chromium(tmp_path / "profile")


def test_the_app_is_served_on_loopback_only_while_the_block_runs():
    app, _ = press_app()
    with serving(app) as address:
        assert address.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(address, timeout=5) as response:
            assert b"Not pressed yet" in response.read()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(address, timeout=5)
