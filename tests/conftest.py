"""The fixtures of the browser tests: the demo served once per test module
and a headless Chromium per test (desktop or phone-sized)"""
import pytest

from kim_browser import DESKTOP, PHONE, serve, start_browser, stop_browser


@pytest.fixture(scope='module')
def server():
    "Build the small demo database and serve it; yield the base URL"
    yield from serve()


def _browser(request, size):
    driver = start_browser(request.node.name, size)
    try:
        yield driver
    finally:
        stop_browser(driver)


@pytest.fixture
def browser(request):
    "Chromium at desktop size"
    yield from _browser(request, DESKTOP)


@pytest.fixture
def phone(request):
    "Chromium at the size of a phone held upright"
    yield from _browser(request, PHONE)
