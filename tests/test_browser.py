"""Smoke test of the web client: headless Chromium drives sao against a small
demo database served by trytond.

It builds (or reuses) the database kim_browser in var/browser-test with
tools/demo.sh build at a small scale, serves it on a free port of 127.0.0.1,
logs in through the login dialog, opens KIM > Directory > Organisations from
the menu and looks for an organisation the generator always creates, as admin
and as the demo user koordination; the case manager opens KIM > Cases > Cases
and sees case numbers, the coordination has no Cases menu and the server
refuses it the cases.

Skipped (with the reason) when KIM_BROWSER_TEST=skip, when Chromium or its
driver (Debian: chromium, chromium-driver) is missing, when the web client is
not built (make sao) or when selenium is not installed.
Environment: KIM_CHROMIUM, KIM_CHROMEDRIVER (paths), KIM_BROWSER_DB_PATH
(default var/browser-test), KIM_BROWSER_KEEP_SCREENSHOTS=1.
"""
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAO = ROOT / '.sao' / 'package' / 'dist' / 'tryton-sao.js'
DB = 'kim_browser'
DB_PATH = Path(os.environ.get('KIM_BROWSER_DB_PATH')
    or ROOT / 'var' / 'browser-test')
PASSWORD = 'demo-KIM-2026'
# created by data/demo_network/ whatever the scale
ORGANISATION = 'Kommunales Integrationszentrum Kreis Musterland'
# (xml id, labels to fall back on when the server cannot tell)
MENU_PATH = [
    ('kim_network.menu_kim', ['KIM']),
    ('kim_network.menu_directory', ['Verzeichnis', 'Directory']),
    ('kim_network.menu_organisation_form', ['Organisationen',
            'Organisations']),
    ]
CASE_MENU_PATH = [
    ('kim_network.menu_kim', ['KIM']),
    ('kim_case.menu_cases', ['Fälle', 'Cases']),
    ('kim_case.menu_case_form', ['Fälle', 'Cases']),
    ]
# the numbers of the cases (KIM-YYYY-NNNNN)
CASE_NUMBER = 'KIM-20'
CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu',
    '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
    '--disable-dev-shm-usage']
DESKTOP = '1400,1000'
# a phone held upright (CSS pixels)
PHONE = '390,844'
TIMEOUT = 30


# the shared set-up of the browser tests (tests/kim_browser.py)
from kim_browser import (  # noqa: E402
    CHROMEDRIVER, CHROMIUM, RPC, SKIP_REASON)

pytestmark = pytest.mark.skipif(
    SKIP_REASON is not None, reason=SKIP_REASON or '')


@pytest.fixture
def browser(request):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix='kim-chromium-')
    size = getattr(request, 'param', DESKTOP)
    for flag in CHROMIUM_FLAGS + [
            '--window-size=' + size, '--user-data-dir=' + profile]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(TIMEOUT)
    driver.kim_screenshot = str(DB_PATH / ('%s.png' % request.node.name))
    try:
        yield driver
    finally:
        if os.environ.get('KIM_BROWSER_KEEP_SCREENSHOTS'):
            driver.save_screenshot(driver.kim_screenshot)
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _wait(driver, condition, message, timeout=TIMEOUT):
    from selenium.common.exceptions import WebDriverException
    deadline = time.monotonic() + timeout
    while True:
        errors = [e.text.strip() for e in _visible(
                driver, '.modal-dialog .alert-danger') if e.text.strip()]
        if errors:
            raise AssertionError('%s: the web client shows an error: %s'
                % (message, ' / '.join(errors)))
        try:
            result = condition(driver)
            if result:
                return result
        except WebDriverException:
            pass
        if time.monotonic() > deadline:
            raise AssertionError('%s (after %s s)' % (message, timeout))
        time.sleep(0.2)


def _visible(driver, selector):
    from selenium.webdriver.common.by import By
    return [e for e in driver.find_elements(By.CSS_SELECTOR, selector)
        if e.is_displayed()]


def menu_labels(url, login, path=MENU_PATH):
    """The labels of the menu path in the user's language, as the server
    translates them (the German translation may change)"""
    labels = []
    try:
        rpc = RPC(url)
        rpc.login(login, PASSWORD)
        language = rpc.call('model.res.user.get_preferences', True, {}).get(
            'language')
        context = {'language': language} if language else {}
        for xml_id, fallback in path:
            module, fs_id = xml_id.split('.')
            data = rpc.call('model.ir.model.data.search_read', [
                    ('module', '=', module), ('fs_id', '=', fs_id)],
                0, 1, None, ['db_id'], context)
            menu, = rpc.call('model.ir.ui.menu.read', [data[0]['db_id']],
                ['name'], context)
            labels.append([menu['name']] + fallback)
    except Exception:
        labels = [fallback for _, fallback in path]
    return labels


def login(driver, url, user):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    driver.get(url + '/')
    _wait(driver, lambda d: _visible(d, 'input#login'),
        'no login dialog')
    database = driver.find_element(By.ID, 'database')
    if database.is_displayed() and database.is_enabled() and (
            database.get_attribute('value') != DB):
        database.clear()
        database.send_keys(DB)
    driver.find_element(By.ID, 'login').send_keys(user)
    driver.find_element(By.ID, 'login').send_keys(Keys.ENTER)
    password = _wait(driver,
        lambda d: _visible(d, 'input[type=password]'),
        'no password prompt')[0]
    password.send_keys(PASSWORD)
    password.send_keys(Keys.ENTER)
    _wait(driver, lambda d: _visible(d, '#menu div.column-char'),
        'no menu after the login of %s' % user)
    close_dialogs(driver)


def close_dialogs(driver, wait=1.5):
    """Cancel what opens at the first login (module configuration wizard)"""
    from selenium.webdriver.common.by import By
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        for dialog in _visible(driver, '.modal-dialog'):
            for button in dialog.find_elements(By.CSS_SELECTOR, 'button'):
                if button.is_displayed() and button.text.strip().lower() in {
                        'abbrechen', 'cancel'}:
                    button.click()
                    deadline = time.monotonic() + wait
                    break
        time.sleep(0.2)


def open_menu(driver, labels):
    "Click the menu entries one after the other, each by one of its labels"
    clicked = []
    for names in labels:
        def entry(d):
            # a submenu may carry the name of its parent: never click a
            # parent twice
            for element in _visible(d, '#menu div.column-char'):
                if element.text.strip() in names and element not in clicked:
                    return element
        element = _wait(driver, entry, 'no menu entry %s; the menu shows %s'
            % (' / '.join(names), [e.text for e in _visible(
                        driver, '#menu div.column-char')]))
        clicked.append(element)
        element.click()


def check_list(driver, url, user, path=MENU_PATH, text=ORGANISATION):
    "Open the list of the menu path as user and look for text in it"
    from selenium.webdriver.common.by import By
    try:
        login(driver, url, user)
        open_menu(driver, menu_labels(url, user, path))
        _wait(driver, lambda d: text in d.find_element(By.ID, 'tabs').text,
            'the list of %s does not show %r' % (user, text))
    except Exception as e:
        driver.save_screenshot(driver.kim_screenshot)
        raise AssertionError('%s\n(screenshot: %s)'
            % (e, driver.kim_screenshot)) from e


def test_admin_sees_directory(server, browser):
    check_list(browser, server, 'admin')


def test_koordination_sees_directory(server, browser):
    check_list(browser, server, 'koordination')


def test_fallmanager_sees_cases(server, browser):
    check_list(browser, server, 'fallmanager', CASE_MENU_PATH, CASE_NUMBER)


def test_koordination_sees_no_cases(server, browser):
    "Coordination: no Cases menu, and the server refuses the cases"
    try:
        login(browser, server, 'koordination')
        kim, cases, _ = menu_labels(server, 'koordination', CASE_MENU_PATH)
        _, directory, _ = menu_labels(server, 'koordination')
        open_menu(browser, [kim])

        def kim_entries(d):
            entries = [e.text.strip()
                for e in _visible(d, '#menu div.column-char')]
            if set(directory) & set(entries):
                return entries
        entries = _wait(browser, kim_entries,
            'the KIM menu of koordination does not open')
        assert not set(cases) & set(entries), entries
    except Exception as e:
        browser.save_screenshot(browser.kim_screenshot)
        raise AssertionError('%s\n(screenshot: %s)'
            % (e, browser.kim_screenshot)) from e
    rpc = RPC(server)
    rpc.login('koordination', PASSWORD)
    with pytest.raises(RuntimeError, match='(?i)access|zugriff'):
        rpc.call('model.kim.case.search', [], 0, 10, None, {})


@pytest.mark.parametrize('browser', [PHONE], indirect=True)
def test_fallmanager_sees_cases_on_phone(server, browser):
    "The case manager works on a phone: the same menu and list"
    check_list(browser, server, 'fallmanager', CASE_MENU_PATH, CASE_NUMBER)


BOARD_MENU_PATH = [
    ('kim_network.menu_kim', ['KIM']),
    ('kim_reporting.menu_indicators', ['Kennzahlen']),
    ('kim_reporting.menu_board', ['Lenkungsgruppen-Übersicht',
            'Lenkungsgruppe Board']),
    ]


@pytest.mark.parametrize('user', ['koordination', 'finanzen'])
def test_board_shows_numbers(server, browser, user):
    """Coordination and finance open the Lenkungsgruppe board of the demo
    and see its Kennzahlen: the names and the numbers of the lines the
    server gives them"""
    rpc = RPC(server)
    rpc.login(user, PASSWORD)
    lines = rpc.call('model.kim.indicator.report.line.search_read',
        [('report.on_board', '=', True)], 0, 200, None,
        ['indicator.rec_name', 'display'], {})
    shown = [(line['indicator.']['rec_name'], line['display'])
        for line in lines if line.get('display') and any(
            c.isdigit() for c in line['display'])]
    assert shown, 'no board line with a number for %s' % user
    from selenium.webdriver.common.by import By
    try:
        login(browser, server, user)
        open_menu(browser, menu_labels(server, user, BOARD_MENU_PATH))

        def numbers(d):
            text = d.find_element(By.ID, 'tabs').text
            return [(name, value) for name, value in shown
                if name in text and value in text]
        _wait(browser, numbers, 'the board of %s shows none of %s'
            % (user, shown[:5]))
    except Exception as e:
        browser.save_screenshot(browser.kim_screenshot)
        raise AssertionError('%s\n(screenshot: %s)'
            % (e, browser.kim_screenshot)) from e
