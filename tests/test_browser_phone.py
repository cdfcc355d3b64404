"""The case manager on a phone (390 x 844): searches the case list, records a
contact on a case with "Kontakt erfassen" and saves it (checked in the
database over RPC), and opens the Wiedervorlage.

See tests/kim_browser.py for the set-up and the skips.
"""
import datetime as dt

from kim_browser import (
    PHONE, Session, skip_without_browser, visible)

pytestmark = skip_without_browser
PHONE_HEIGHT = int(PHONE.split(',')[1])


def by_name(session, name, root=None, selector='input, textarea, select'):
    "The visible input or button named name (sao names them by field)"
    return [e for e in visible(session.driver, selector, root)
        if e.get_attribute('name') == name]


def test_record_contact_on_phone(server, phone):
    session = Session(phone, server, 'fallmanager', phone=True)
    rpc = session.rpc
    cases = rpc.model('kim.case', 'search_read', [
            ('state', 'in', ['assessment', 'planning', 'implementation']),
            ('case_manager', '=', rpc.context.get('employee')),
            ], 0, 1, [('number', 'ASC')], ['number'])
    assert cases, 'the demo case manager has no open case'
    case = cases[0]
    subject = 'Hausbesuch Telefontest %s' % dt.datetime.now().strftime(
        '%H%M%S')
    try:
        session.login()
        session.close_dialogs()
        before = session.open_menu(session.menu_path('kim.case'))
        session.idle('the case list',
            condition=lambda d: session.tab_count() > before)

        # the search of the list shows at phone width
        search = session.wait(lambda d: visible(d,
                '#tabcontent > .tab-pane.active .filter-box input'),
            'no search field on the case list at phone width')[0]
        session.click(search)
        session.type(search, case['number'], enter=True)
        session.idle('search the case', condition=lambda d: any(
                case['number'] in r.text for r in session.rows()))
        assert len(session.rows()) == 1, [r.text for r in session.rows()]
        assert session.open_first_record('open the case')

        # the workflow buttons and "Kontakt erfassen" are on the first pages
        record = session.wait(lambda d: by_name(session, 'record_contact',
                session.tab_pane(), 'button'),
            'no button "Kontakt erfassen" on the case')[0]
        top = phone.execute_script(
            'return arguments[0].getBoundingClientRect().top'
            ' + window.scrollY', record)
        assert top < 2 * PHONE_HEIGHT, (
            'the case buttons start at %s px (the phone shows %s px)'
            % (top, PHONE_HEIGHT))
        session.click(record)
        dialog = session.idle('the contact form', condition=lambda d: visible(
                d, '.modal-dialog'))[-1]
        session.type(by_name(session, 'subject', dialog)[0], subject)
        # the default button of the wizard: Speichern
        save = visible(phone, '.modal-footer button.btn-primary', dialog)
        assert save and save[0].text.strip().lower() == 'speichern', [
            b.text for b in visible(phone, '.modal-footer button', dialog)]
        session.click(save[0])
        session.idle('save the contact', condition=lambda d: not visible(
                d, '.modal-dialog'))
        contacts = rpc.model('kim.case.contact', 'search_read', [
                ('case', '=', case['id']), ('subject', '=', subject)],
            0, None, None, ['state', 'channel', 'duration'])
        assert [(c['state'], c['channel']) for c in contacts] == [
            ('done', 'home_visit')], contacts
        # on a slow network the tab is closed while the case still reloads
        # after the wizard: it closes without asking to save
        count = session.tab_count()
        phone.execute_script("""
            var tab = Sao.Tab.tabs.get_current();
            tab.screen.group.reload([tab.screen.current_record.id]);
            jQuery('#tablist li.active button.close').click();""")
        session.clicks += 1
        session.idle('close the tab while the case reloads',
            condition=lambda d: session.tab_count() < count or visible(
                d, '.modal-dialog'))
        assert session.tab_count() < count, [
            d.text for d in visible(phone, '.modal-dialog')]

        # the Wiedervorlage
        before = session.open_menu(session.menu_path('kim.case.due'))
        session.idle('the Wiedervorlage',
            condition=lambda d: session.tab_count() > before)
        assert session.current() == 'tree', session.current()
        # the list loads after the tab: wait for its rows
        rows = session.wait(lambda d: session.rows(),
            'the Wiedervorlage shows rows')
        # the first tab lists the overdue items, highlighted
        assert all('danger' in (r.get_attribute('class') or '')
            for r in rows), [r.get_attribute('class') for r in rows]
        print('\nphone: %s clicks, %s keystrokes' % (
                session.clicks, session.keys))
    except Exception as e:
        raise AssertionError('%s (screenshot: %s)'
            % (e, session.screenshot())) from e
