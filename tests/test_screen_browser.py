"""The companion pages in a real browser (headless Chromium): what a couple sees and
presses, while a real conversation runs beside it."""

import re

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import a_real_screenshot
from tests.screen_support import progress_pages, talking, to_the_floor

WAIT = 20


def fits_at_double_zoom(browser) -> bool:
    """At 200% zoom a 1280-pixel window lays out like a 640-pixel one: nothing may need
    scrolling sideways."""
    browser.set_window_size(640, 800)
    return browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth")


def caption(browser) -> str:
    """The newest caption (read in one step: the page rebuilds the list as it changes)."""
    return browser.execute_script(
        "var last = document.querySelector('#captions li:last-child');"
        "return last ? last.textContent : '';")


def wait_for_caption(browser, words: str) -> None:
    WebDriverWait(browser, WAIT).until(lambda b: words in caption(b),
                                       f"no caption with {words!r}")


def shown(browser, css: str) -> bool:
    return browser.find_element(By.CSS_SELECTOR, css).is_displayed()


def press(browser, name: str) -> None:
    button = browser.find_element(By.CSS_SELECTOR, f'button[data-press="{name}"]')
    WebDriverWait(browser, WAIT).until(lambda _: button.is_displayed(), f"no {name} button")
    button.click()


def test_captions_follow_the_conversation_and_buttons_move_it(browser, tmp_path):
    with talking(tmp_path) as talk:
        browser.get(talk.pages.address)
        wait_for_caption(browser, "calm minutes")
        talk.type("yes")
        wait_for_caption(browser, "feel safe")
        press(browser, "pause")
        WebDriverWait(browser, WAIT).until(
            lambda b: shown(b, 'button[data-press="resume"]'), "the pause button did nothing")
        assert talk.conversation.session.state["paused"]
        assert not shown(browser, 'button[data-press="pause"]')
        press(browser, "resume")
        WebDriverWait(browser, WAIT).until(
            lambda b: shown(b, 'button[data-press="pause"]'), "resume did nothing")
        assert not talk.conversation.session.state.get("paused")
        a_real_screenshot(browser, tmp_path / "talk.png")


def test_a_timed_phase_shows_a_countdown_that_runs(browser, tmp_path):
    with talking(tmp_path, "honest-check-in") as talk:
        browser.get(talk.pages.address)
        to_the_floor(talk, lambda done: WebDriverWait(browser, WAIT).until(lambda _: done()))
        wait_for_caption(browser, "Sam, you have the floor")
        WebDriverWait(browser, WAIT).until(lambda b: shown(b, "#timer"), "no countdown")
        first = browser.find_element(By.ID, "timer-text").text
        assert re.fullmatch(r"[12]:\d\d", first), first
        assert browser.find_element(By.ID, "speaker").text == "Sam"
        assert browser.find_element(By.ID, "listener").text == "Alex"
        WebDriverWait(browser, WAIT).until(
            lambda b: b.find_element(By.ID, "timer-text").text != first, "the clock stood still")
        a_real_screenshot(browser, tmp_path / "timed.png")
        assert fits_at_double_zoom(browser)
        press(browser, "done")
        WebDriverWait(browser, WAIT).until(lambda b: not shown(b, "#timer"),
                                           "the countdown stayed after we're done")


def test_a_safety_stop_shows_the_lines_and_quick_exit_blanks_the_page(browser, tmp_path):
    disclosure = "i keep thinking everyone would be better off without me"
    with talking(tmp_path) as talk:
        browser.get(talk.pages.address)
        wait_for_caption(browser, "calm minutes")
        talk.type(disclosure)
        WebDriverWait(browser, WAIT).until(lambda b: shown(b, "#safety"), "no crisis lines")
        links = [a.get_attribute("href") for a in
                 browser.find_elements(By.CSS_SELECTOR, "#contacts a")]
        assert "tel:988" in links and "sms:88788?body=START" in links
        assert "better off" not in browser.page_source
        assert "calm minutes" not in browser.execute_script(
            "return document.getElementById('captions').textContent")
        a_real_screenshot(browser, tmp_path / "safety.png")
        browser.find_element(By.ID, "quick-exit").click()
        WebDriverWait(browser, WAIT).until(lambda b: b.current_url == "about:blank",
                                           "quick exit left the page up")
        assert browser.find_element(By.TAG_NAME, "body").text == ""
        browser.back()
        assert not browser.current_url.startswith(talk.pages.base)  # nothing to go back to


def test_the_progress_page_lists_what_earlier_sessions_agreed(browser, tmp_path):
    pages = progress_pages(tmp_path)
    try:
        browser.get(pages.address)
        page = browser.find_element(By.TAG_NAME, "main").text
        assert "I will phone when I am running late" in page
        assert "I will make Sam's coffee on Mondays" in page
        chart = browser.find_element(By.CSS_SELECTOR, "svg[role=img]")
        assert chart.is_displayed() and chart.size["width"] > 300
        a_real_screenshot(browser, tmp_path / "progress.png")
        assert fits_at_double_zoom(browser)
    finally:
        pages.stop()
