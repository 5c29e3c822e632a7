"""Every test, and every program a test starts, keeps its cached book in a folder of its
own instead of the user's cache directory. The `browser` fixture (tests/browser.py) is
there for every test file."""

import os

import pytest

pytest_plugins = ("tests.browser",)


@pytest.fixture(autouse=True, scope="session")
def _cache_dir_of_this_run(tmp_path_factory):
    os.environ["COUPLECARE_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
