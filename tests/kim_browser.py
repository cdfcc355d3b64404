"""Helpers of the browser tests: headless Chromium drives sao against a small
demo database served by trytond.

The module-scoped fixture ``server`` builds (or reuses) the database
kim_browser in var/browser-test with tools/demo.sh build at a small scale and
serves it on a free port of 127.0.0.1; ``browser`` (``phone`` for a phone held
upright) starts Chromium with its browser log. :class:`Session` logs a user in
and does what the user does (menus, lists, forms, tabs, buttons) while it
counts the clicks and keystrokes and fails on an uncaught browser error, an
error dialog or a processing indicator still shown after 10 s; screenshots of
failures go to var/browser-test.

The tests are skipped (with the reason) when KIM_BROWSER_TEST=skip, when
Chromium or its driver (Debian: chromium, chromium-driver) is missing, when
the web client is not built (make sao) or when selenium is not installed.
Environment: KIM_CHROMIUM, KIM_CHROMEDRIVER (paths), KIM_BROWSER_DB_PATH
(default var/browser-test), KIM_BROWSER_KEEP_SCREENSHOTS=1, KIM_BROWSER_URL
(use a running server of kim_browser), KIM_BROWSER_DEBUG=1 (print the waits).
"""
import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAO = ROOT / '.sao' / 'package' / 'dist' / 'tryton-sao.js'
DB = 'kim_browser'
DB_PATH = Path(os.environ.get('KIM_BROWSER_DB_PATH')
    or ROOT / 'var' / 'browser-test')
PASSWORD = 'demo-KIM-2026'
ROLES = ['fallmanager', 'fachaufsicht', 'datenschutz', 'koordination',
    'finanzen', 'gremium']
CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu',
    '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
    '--disable-dev-shm-usage', '--lang=de-DE']
DESKTOP = '1400,1000'
# a phone held upright (CSS pixels)
PHONE = '390,844'
TIMEOUT = 30
# the longest a processing indicator may stay
PROCESSING_LIMIT = 10
# how long the client must be without request to count as idle (s)
QUIET = 0.15


def _which(env, *candidates):
    for path in [os.environ.get(env)] + list(candidates):
        if not path:
            continue
        found = shutil.which(path) if os.sep not in path else path
        if found and os.access(found, os.X_OK):
            return found
    return None


CHROMIUM = _which('KIM_CHROMIUM', '/usr/bin/chromium', 'chromium',
    'chromium-browser')
CHROMEDRIVER = _which('KIM_CHROMEDRIVER', '/usr/bin/chromedriver',
    'chromedriver')


def _skip_reason():
    if os.environ.get('KIM_BROWSER_TEST') == 'skip':
        return "KIM_BROWSER_TEST=skip (the browser test runs in one pass only)"
    if not CHROMIUM:
        return ("no Chromium (apt-get install chromium chromium-driver, "
            "or set KIM_CHROMIUM)")
    if not CHROMEDRIVER:
        return ("no chromedriver (apt-get install chromium-driver, "
            "or set KIM_CHROMEDRIVER)")
    if not SAO.exists():
        return "the web client is not built: run 'make sao' (%s missing)" % (
            SAO.relative_to(ROOT))
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -c constraints.txt " \
            "-e '.[test]')"
    return None


SKIP_REASON = _skip_reason()
skip_without_browser = pytest.mark.skipif(
    SKIP_REASON is not None, reason=SKIP_REASON or '')


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _env(port=None):
    env = {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_') and k not in ('DB_NAME', 'DB_CACHE')}
    env.update({
            'KIM_DEMO_DB': DB,
            'KIM_DEMO_DB_PATH': str(DB_PATH),
            'KIM_DEMO_ARGS': '--scale 0.1',
            'KIM_DEMO_PASSWORD': PASSWORD,
            })
    if port:
        env['KIM_DEMO_LISTEN'] = '127.0.0.1:%s' % port
    return env


class RPC:
    "A minimal JSON-RPC client of the served database"

    def __init__(self, url):
        self.url = url
        self.auth = None
        self.context = {}

    def call(self, method, *params, database=True):
        url = self.url + ('/%s/rpc/' % DB if database else '/rpc/')
        request = urllib.request.Request(url, data=json.dumps({
                    'id': 1, 'method': method, 'params': list(params),
                    }).encode(), headers={'Content-Type': 'application/json'})
        if self.auth:
            request.add_header('Authorization', self.auth)
        with urllib.request.urlopen(request, timeout=60) as response:
            result = json.loads(response.read())
        if result.get('error'):
            raise RuntimeError('%s: %s' % (method, result['error']))
        return result['result']

    def login(self, login, password=PASSWORD):
        user_id, session, _ = self.call('common.db.login', login,
            {'password': password}, 'de')
        self.auth = 'Session ' + base64.b64encode(
            ('%s:%s:%s' % (login, user_id, session)).encode()).decode()
        self.context = self.call(
            'model.res.user.get_preferences', True, {})
        return self

    def model(self, model, method, *args):
        "Call method of model with the user's context"
        return self.call('model.%s.%s' % (model, method), *args, self.context)


def serve():
    """Build the small demo database and serve it; yield the base URL
    (KIM_BROWSER_URL: a server of the database kim_browser already running)"""
    if os.environ.get('KIM_BROWSER_URL'):
        yield os.environ['KIM_BROWSER_URL'].rstrip('/')
        return
    build = subprocess.run([str(ROOT / 'tools' / 'demo.sh'), 'build'],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, (
        'tools/demo.sh build failed:\n' + build.stdout[-3000:]
        + build.stderr[-3000:])
    port = _free_port()
    serve_log = DB_PATH / ('%s.serve.log' % DB)
    log = open(serve_log, 'w')
    process = subprocess.Popen([str(ROOT / 'tools' / 'demo.sh'), 'serve'],
        cwd=ROOT, env=_env(port), stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL)
    url = 'http://127.0.0.1:%s' % port
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                RPC(url).call('common.server.version', database=False)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise AssertionError('the server did not start:\n'
                        + serve_log.read_text()[-3000:])
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def start_browser(name, size=DESKTOP):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix='kim-chromium-')
    for flag in CHROMIUM_FLAGS + [
            '--window-size=' + size, '--user-data-dir=' + profile]:
        options.add_argument(flag)
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    if size != DESKTOP:
        # a phone: its screen and touch (Chromium keeps windows wider)
        width, height = map(int, size.split(','))
        options.add_experimental_option('mobileEmulation', {
                'deviceMetrics': {
                    'width': width, 'height': height, 'pixelRatio': 3,
                    'touch': True},
                })
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(TIMEOUT)
    driver.kim_profile = profile
    DB_PATH.mkdir(parents=True, exist_ok=True)
    driver.kim_screenshot = str(DB_PATH / ('%s.png' % ''.join(
                c if c.isalnum() or c in '-_.' else '_' for c in name)))
    return driver


def stop_browser(driver):
    if os.environ.get('KIM_BROWSER_KEEP_SCREENSHOTS'):
        driver.save_screenshot(driver.kim_screenshot)
    driver.quit()
    shutil.rmtree(driver.kim_profile, ignore_errors=True)


def visible(driver, selector, root=None):
    from selenium.webdriver.common.by import By
    return [e for e in (root or driver).find_elements(
            By.CSS_SELECTOR, selector) if e.is_displayed()]


# Installed in the page: counts the requests of sao and records the errors
# the page does not catch
_PROBE = """
if (!window.__kim) {
    window.__kim = {pending: 0, last: Date.now(), errors: [], rpc: []};
    var log = function(line) {
        window.__kim.rpc.push(new Date().toISOString().slice(11, 23)
            + ' ' + line);
        window.__kim.rpc.splice(0, window.__kim.rpc.length - 60);
    };
    jQuery(document).ajaxSend(function(event, xhr, settings) {
        window.__kim.pending += 1; window.__kim.last = Date.now();
        log('> ' + String(settings.data || settings.url).slice(0, 600));
    }).ajaxComplete(function(event, xhr) {
        window.__kim.pending -= 1; window.__kim.last = Date.now();
        log('< ' + String(xhr.responseText).slice(0, 600));
    });
    window.addEventListener('error', function(e) {
        window.__kim.errors.push('Uncaught ' + e.message);
    });
    window.addEventListener('unhandledrejection', function(e) {
        var r = e.reason;
        if (r && (r.stack || r.message)) {
            window.__kim.errors.push(
                'Unhandled rejection ' + (r.stack || r.message));
        }
    });
}
return true;
"""
_STATE = """
var k = window.__kim;
if (!k) { return null; }
var processing = jQuery('#processing').is(':visible');
// a dialog that is hidden keeps its backdrop until its fade ends; then
// Bootstrap fires hidden.bs.modal, where sao removes a wizard and reloads
// the record of the tab below: a backdrop without its dialog is work to come
var closing = jQuery('.modal-backdrop').length
    > jQuery('.modal').filter(':visible').length;
if (closing) { k.last = Date.now(); }
return [k.pending + (closing ? 1 : 0), Date.now() - k.last, processing,
    k.errors.splice(0), closing];
"""
# browser log lines that are no error of the product
_LOG_IGNORED = ('favicon.ico', 'custom.js', 'custom.css', '/locale/')


class BrowserError(AssertionError):
    pass


# The records of the current tab with modified fields (the one2many children
# included): {"model id": [field, ...]}
_MODIFIED = """
var tab = Sao.Tab.tabs.get_current();
var result = {};
function walk(group) {
    (group || []).forEach(function(record) {
        var keys = Object.keys(record.modified_fields);
        if (keys.length) {
            result[record.model.name + ' ' + record.id] = keys;
        }
        Object.keys(record._values || {}).forEach(function(name) {
            var value = record._values[name];
            if (value && value.model && value.forEach) {
                walk(value);
            }
        });
    });
}
if (tab && tab.screen) {
    walk(tab.screen.group);
}
return result;
"""

# The current record of the current tab has every field of its view loaded
_LOADED = """
var tab = Sao.Tab.tabs.get_current();
var view = tab && tab.screen && tab.screen.current_view;
var record = tab && tab.screen && tab.screen.current_record;
if (!view || view.view_type != 'form' || !record) {
    return true;
}
return Object.keys(view.widgets).every(function(name) {
    return !(name in record.model.fields) || record._loaded[name];
});
"""


class Session:
    """A user at the web client: every step waits until the client is idle
    and fails on what a user would see as an error"""

    def __init__(self, driver, url, user, phone=False):
        self.driver = driver
        self.url = url
        self.user = user
        self.phone = phone
        self.clicks = 0
        self.keys = 0
        self.rpc = RPC(url).login(user)

    # -- checks --
    def errors(self):
        "The uncaught errors of the page and its severe log lines"
        found = []
        state = self.driver.execute_script(_STATE)
        if state:
            found.extend(state[3])
        for entry in self.driver.get_log('browser'):
            if entry.get('level') != 'SEVERE':
                continue
            message = entry.get('message', '')
            if any(i in message for i in _LOG_IGNORED):
                continue
            found.append(message)
        for text in self.driver.execute_script("""
                return jQuery('.error-dialog .modal-body, '
                    + '.warning-dialog .modal-body').filter(':visible')
                    .map(function() { return jQuery(this).text(); }).get();
                """):
            if text.strip():
                found.append('dialog: ' + text.strip()[:500])
        return found

    def check(self, what):
        found = self.errors()
        if found:
            raise BrowserError('%s: %s' % (what, ' | '.join(found)))

    def idle(self, what, timeout=PROCESSING_LIMIT, condition=None):
        """Wait until no request is pending (and condition holds); fail on an
        error or when the client still works after timeout seconds"""
        started = time.monotonic()
        deadline = started + timeout
        try:
            return self._idle(what, deadline, timeout, condition)
        finally:
            if os.environ.get('KIM_BROWSER_DEBUG'):
                print('  %.2f s %s' % (time.monotonic() - started, what))

    def _idle(self, what, deadline, timeout, condition):
        from selenium.common.exceptions import WebDriverException
        while True:
            state = self.driver.execute_script(_STATE)
            if state is None:
                self.driver.execute_script(_PROBE)
                state = [0, 0, False, [], False]
            pending, quiet, processing, errors, closing = state
            if errors:
                raise BrowserError('%s: %s' % (what, ' | '.join(errors)))
            if not pending and quiet >= QUIET * 1000 and not processing:
                self.check(what)
                if condition is None:
                    return True
                try:
                    result = condition(self.driver)
                except WebDriverException:
                    result = None
                if result:
                    return result
            if time.monotonic() > deadline:
                self.check(what)
                # the processing indicator fails at once; the requests
                # sao runs without it get the longer limit
                if processing or time.monotonic() > deadline - timeout + max(
                        timeout, TIMEOUT):
                    raise BrowserError('%s: %s after %s s' % (what,
                            'the processing indicator is still shown'
                            if processing else 'a dialog\'s backdrop stays'
                            ' without its dialog' if closing
                            else 'still waiting',
                            round(time.monotonic() - deadline + timeout)))
            time.sleep(0.05)

    def wait(self, condition, what, timeout=TIMEOUT):
        "Wait for condition (without the idle rule)"
        from selenium.common.exceptions import WebDriverException
        deadline = time.monotonic() + timeout
        while True:
            try:
                result = condition(self.driver)
            except WebDriverException:
                result = None
            if result:
                return result
            self.check(what)
            if time.monotonic() > deadline:
                raise BrowserError('%s (after %s s)' % (what, timeout))
            time.sleep(0.05)

    def screenshot(self, suffix=''):
        path = self.driver.kim_screenshot
        if suffix:
            path = path[:-4] + '-' + ''.join(c if c.isalnum() else '_'
                for c in suffix) + '.png'
        self.driver.save_screenshot(path)
        # the last requests of the client and their answers, for the cause
        try:
            calls = self.driver.execute_script(
                'return window.__kim ? window.__kim.rpc : []')
        except Exception:
            calls = []
        if calls:
            with open(path[:-4] + '.rpc.log', 'w') as log:
                log.write('\n'.join(calls) + '\n')
        return path

    # -- user actions (counted) --
    def click(self, element, what='click'):
        from selenium.common.exceptions import (
            ElementClickInterceptedException)
        self.driver.execute_script(
            'arguments[0].scrollIntoView({block: "center"})', element)
        try:
            element.click()
        except ElementClickInterceptedException:
            # a tooltip or the processing indicator: try again when idle
            self.idle(what)
            element.click()
        self.clicks += 1

    def double_click(self, element):
        from selenium.webdriver.common.action_chains import ActionChains
        self.driver.execute_script(
            'arguments[0].scrollIntoView({block: "center"})', element)
        ActionChains(self.driver).double_click(element).perform()
        self.clicks += 2

    def type(self, element, text, enter=False):
        from selenium.webdriver.common.keys import Keys
        element.send_keys(text + (Keys.ENTER if enter else ''))
        self.keys += len(text) + bool(enter)

    def press(self, element, key):
        element.send_keys(key)
        self.keys += 1

    # -- the client --
    def login(self):
        from selenium.webdriver.common.by import By
        driver = self.driver
        driver.get(self.url + '/')
        self.wait(lambda d: visible(d, 'input#login'), 'no login dialog')
        driver.execute_script(_PROBE)
        database = driver.find_element(By.ID, 'database')
        if database.is_displayed() and database.is_enabled() and (
                database.get_attribute('value') != DB):
            database.clear()
            database.send_keys(DB)
        self.type(driver.find_element(By.ID, 'login'), self.user, enter=True)
        password = self.wait(
            lambda d: visible(d, 'input[type=password]'),
            'no password prompt')[0]
        self.type(password, PASSWORD, enter=True)
        self.idle('the login of %s' % self.user, timeout=TIMEOUT,
            condition=lambda d: visible(d, '#menu div.column-char'))
        # the counts start with the user logged in
        self.clicks = self.keys = 0

    def menu_tree(self):
        """The menu entries of the user as {id: (name, parent, action)}, as
        the server gives them to the web client"""
        menus = self.rpc.model('ir.ui.menu', 'search_read', [], 0, None,
            None, ['name', 'parent', 'action', 'complete_name'])
        return {m['id']: m for m in menus}

    def menu_path(self, model):
        """The ids from the root of the first menu entry (in the order of the
        menu) that opens a window of model"""
        menus = self.menu_tree()
        windows = {}
        for menu in menus.values():
            if (menu['action'] or '').startswith('ir.action.act_window,'):
                windows[int(menu['action'].split(',')[1])] = menu
        actions = self.rpc.model('ir.action.act_window', 'search_read', [
                ('id', 'in', list(windows)), ('res_model', '=', model)],
            0, None, None, ['res_model'])
        found = sorted((windows[a['id']] for a in actions),
            key=lambda m: m['complete_name'])
        assert found, 'no menu entry of %s for %s' % (model, self.user)
        path = [found[0]['id']]
        while menus[path[0]]['parent']:
            path.insert(0, menus[path[0]]['parent'])
        return path

    def show_menu(self):
        "On a phone the menu is behind the navbar toggle"
        if not visible(self.driver, '#menu div.column-char'):
            toggle = visible(self.driver,
                '.navbar-toggle, [data-target="#menu"], '
                'button[aria-controls="menu"]')
            if toggle:
                self.click(toggle[0])
            self.wait(lambda d: visible(d, '#menu div.column-char'),
                'the menu does not show')

    def menu_row(self, menu_id):
        "The element of the menu entry menu_id once its parent is expanded"
        return self.driver.execute_script("""
            var id = arguments[0];
            var screen = Sao.main_menu_screen;
            if (!screen || !screen.current_view) { return null; }
            function find(rows) {
                for (var i = 0; i < rows.length; i++) {
                    var row = rows[i];
                    if (row.record && row.record.id == id) { return row; }
                    var found = find(row.rows || []);
                    if (found) { return found; }
                }
                return null;
            }
            var row = find(screen.current_view.rows || []);
            if (!row) { return null; }
            var cell = row.el.find('div.column-char');
            return cell.length ? cell[0] : null;
            """, menu_id)

    def open_menu(self, path):
        """Click the menu entries of path (ids from the root) one after the
        other; return the tab or dialog it opened"""
        self.show_menu()
        before = self.tab_count()
        for i, menu_id in enumerate(path):
            row = self.wait(lambda d: self.menu_row(menu_id),
                'the menu entry %s does not show' % menu_id,
                timeout=PROCESSING_LIMIT)
            if i < len(path) - 1:
                if self.driver.execute_script("""
                        var id = arguments[0];
                        var found = null;
                        (function find(rows) {
                            rows.forEach(function(r) {
                                if (r.record && r.record.id == id) {
                                    found = r; }
                                find(r.rows || []); });
                        })(Sao.main_menu_screen.current_view.rows);
                        return found && found.is_expanded();
                        """, menu_id):
                    continue
            self.click(row)
            self.idle('menu entry %s' % menu_id)
        return before

    def tab_count(self):
        return self.driver.execute_script('return Sao.Tab.tabs.length')

    def current(self):
        """The view type of the current tab: tree, form, calendar, graph,
        board, or None"""
        return self.driver.execute_script("""
            var tab = Sao.Tab.tabs.get_current();
            if (!tab) { return null; }
            if (!tab.screen) { return 'board'; }
            var view = tab.screen.current_view;
            return view ? view.view_type : null;
            """)

    def tab_pane(self):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(
            By.CSS_SELECTOR, '#tabcontent > .tab-pane.active')

    def close_tab(self):
        from selenium.webdriver.common.by import By
        button = self.driver.find_element(
            By.CSS_SELECTOR, '#tablist li.active button.close')
        count = self.tab_count()
        # a form closes by writing its widgets into the record: a record
        # still reloading (after a wizard) would get the empty widgets' values
        self.idle('the form is loaded before closing',
            condition=lambda d: d.execute_script(_LOADED))
        before = self.modified()
        self.driver.execute_script('arguments[0].click()', button)
        self.clicks += 1
        try:
            self.idle('close the tab',
                condition=lambda d: self.tab_count() < count)
        except BrowserError as e:
            raise BrowserError('%s (modified before: %s, now: %s)' % (
                    e, before, self.modified())) from e

    def modified(self):
        "The modified fields of the records of the current tab, by record"
        return self.driver.execute_script(_MODIFIED)

    def close_dialogs(self):
        "Cancel the open dialogs (wizards, first login)"
        from selenium.webdriver.common.by import By
        for _ in range(5):
            dialogs = self.driver.execute_script(
                "return jQuery('.modal-dialog').filter(':visible').toArray()")
            if not dialogs:
                return
            for button in dialogs[-1].find_elements(
                    By.CSS_SELECTOR, '.modal-footer button'):
                if button.is_displayed() and button.text.strip().lower() in {
                        'abbrechen', 'cancel', 'schließen', 'close', 'ok'}:
                    self.click(button)
                    break
            else:
                from selenium.webdriver.common.action_chains import (
                    ActionChains)
                from selenium.webdriver.common.keys import Keys
                ActionChains(self.driver).send_keys(Keys.ESCAPE).perform()
                self.keys += 1
            self.idle('close the dialog')

    def rows(self):
        "The visible rows of the list in the current tab"
        return self.driver.execute_script("""
            return jQuery('#tabcontent > .tab-pane.active .treeview tbody tr')
                .filter(':visible').filter(function() {
                    return jQuery(this).find('td div.cell').length;
                }).toArray();""")

    def open_first_record(self, what):
        "Open the first row of the list in the current tab (double click)"
        # a cell of the first row without link (a link opens the linked
        # record) and without input or button
        cell = self.driver.execute_script("""
            var row = jQuery(
                '#tabcontent > .tab-pane.active .treeview tbody tr')
                .filter(':visible').filter(function() {
                    return jQuery(this).find('td div.cell').length;
                }).first();
            var cells = row.children('td').filter(':visible').filter(
                function() {
                    var td = jQuery(this);
                    return td.find('div.cell').length
                        && !td.find('input, button').length;
                });
            var plain = cells.filter(function() {
                return !jQuery(this).find('a').length; });
            return (plain.length ? plain : cells).get(0) || null;""")
        if not cell:
            return False
        if self.phone:
            # a tap selects the row, the switch button shows its form
            from selenium.webdriver.common.by import By
            self.click(cell)
            self.click(self.tab_pane().find_element(
                    By.CSS_SELECTOR, 'button#switch_'))
        else:
            self.double_click(cell)
        # a list without form stays (or shows its next view, a calendar)
        clicked = time.monotonic()
        self.idle(what, condition=lambda d: self.current() != 'tree'
            or time.monotonic() - clicked > 1)
        return self.current() == 'form'

    def walk_notebook(self, what):
        """Click every page of the notebooks of the form in the current tab,
        the nested ones too; return the page labels"""
        seen = []
        while True:
            link = self.driver.execute_script("""
                var seen = arguments[0];
                return jQuery('#tabcontent > .tab-pane.active '
                    + '.form-notebook > .nav-tabs > li > a').filter(':visible')
                    .filter(function() {
                        return seen.indexOf(jQuery(this).attr('href')) < 0;
                    }).get(0) || null;""", [h for _, h in seen])
            if not link:
                return [s[0] for s in seen]
            seen.append((link.text.strip(), link.get_dom_attribute('href')))
            self.click(link)
            self.idle('%s, page %s' % (what, seen[-1][0]))

    def button(self, label, root=None):
        "The visible button with label (its text or title)"
        for button in visible(self.driver, 'button, a.btn',
                root or self.tab_pane()):
            text = (button.text or '').strip()
            # sao writes the labels of buttons in capitals (CSS)
            if text.lower() == label.lower() or (
                    button.get_attribute('title') == label):
                return button
        return None
