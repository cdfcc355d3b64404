"""Every demo role walks the web client as its users do: log in, open every
menu entry, every list, the first record's form and each of its pages.

A step fails on an uncaught browser error (the page's errors and the
browser log), an error dialog, or a processing indicator still shown after
10 s; every failure of a role is reported with a screenshot in
var/browser-test. See tests/kim_browser.py for the set-up and the skips.

To hold the time of the suite on a small machine, the form and pages of an
action are walked by the first role that opens it; the others open its menu
entry and list. KIM_BROWSER_WALK=full walks the forms for every role.
"""
import os
import time

import pytest

from kim_browser import (
    ROLES, Session, skip_without_browser)

pytestmark = skip_without_browser
# the actions whose first record and form pages were walked
WALKED = set()


def menu_paths(session):
    """The menu entries with an action as (path of ids, name, action), in
    the order of the menu"""
    menus = session.menu_tree()
    entries = []
    for menu in menus.values():
        if not menu['action']:
            continue
        path, parent = [menu['id']], menu['parent']
        while parent:
            if parent not in menus:
                break
            path.insert(0, parent)
            parent = menus[parent]['parent']
        else:
            entries.append((path, menu['complete_name'], menu['action']))
    entries.sort(key=lambda e: e[1])
    return entries


def walk_entry(session, path, name, action, form=True):
    """Open the menu entry, its list, and (if form) its first record and each
    form page"""
    kind = action.split(',')[0]
    before = session.open_menu(path)
    if kind == 'ir.action.wizard':
        session.idle(name, condition=lambda d: session.tab_count() > before
            or session.driver.find_elements('css selector', '.modal-dialog'))
        if session.tab_count() > before:
            session.close_tab()
        else:
            session.close_dialogs()
        return
    if kind != 'ir.action.act_window':
        return
    session.idle(name, condition=lambda d: session.tab_count() > before)
    if form:
        if session.current() == 'tree':
            session.open_first_record(name + ', first record')
        if session.current() == 'form':
            session.walk_notebook(name)
    session.close_tab()
    session.close_dialogs()


@pytest.mark.parametrize('user', ROLES)
def test_role_walk(server, browser, user):
    session = Session(browser, server, user)
    start = time.monotonic()
    failures = []
    try:
        session.login()
        session.close_dialogs()
    except Exception as e:
        raise AssertionError('%s: %s (screenshot: %s)'
            % (user, e, session.screenshot())) from e
    entries = menu_paths(session)
    assert entries, 'no menu entry for %s' % user
    timings = []
    for path, name, action in entries:
        started = time.monotonic()
        form = (action not in WALKED
            or os.environ.get('KIM_BROWSER_WALK') == 'full')
        WALKED.add(action)
        try:
            walk_entry(session, path, name, action, form=form)
        except Exception as e:
            shot = session.screenshot(str(len(failures)))
            failures.append('%s: %s (screenshot: %s)' % (
                    name, str(e).splitlines()[0][:600], shot))
            # start the next entry from a clean client
            try:
                session.errors()
                session.close_dialogs()
                while session.tab_count():
                    session.close_tab()
                    session.close_dialogs()
            except Exception:
                session.login()
        timings.append((time.monotonic() - started, name))
    slowest = ', '.join('%s %.1f s' % (n, t)
        for t, n in sorted(timings, reverse=True)[:3])
    print('\n%s: %s entries in %.1f s (slowest: %s)' % (
            user, len(entries), time.monotonic() - start, slowest))
    assert not failures, '%s:\n%s' % (user, '\n'.join(failures))
