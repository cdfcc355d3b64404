# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"Helpers for the tests of the KIM modules"
import importlib
import os
from contextlib import contextmanager

from proteus import Model
from proteus.config import get_config

from trytond.pool import Pool
from trytond.transaction import Transaction


def create_user(login, groups, company=None, employees=(), **values):
    """Create a user in the groups given by (module, xml id) pairs, working
    for the company and as the employees (the first is the current one),
    with the other values of res.user given"""
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    values = {
        'login': login,
        'name': login,
        'groups': [('add', [ModelData.get_id(m, x) for m, x in groups])],
        **values,
        }
    if company:
        values['companies'] = [('add', [company.id])]
        values['company'] = company.id
    if employees:
        values['employees'] = [('add', [e.id for e in employees])]
        values['employee'] = employees[0].id
    user, = User.create([values])
    return user


CASE_GROUPS = [
    ('kim_case', 'group_case_manager'),
    ('kim_case', 'group_case_supervisor'),
    ]


def add_groups(user_id, groups=CASE_GROUPS):
    """Add the user (by default the administrator, as with_transaction runs
    as id 1) to the groups given by (module, xml id) pairs: the case groups
    unless told otherwise, as the administrator reads no case content"""
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    User.write([User(user_id)], {
            'groups': [('add', [ModelData.get_id(m, x) for m, x in groups])],
            })


@contextmanager
def as_user(user):
    "Run as the user with access rights and record rules checked"
    with Transaction().set_user(user.id), \
            Transaction().set_context(_check_access=True):
        yield


def load_german(module):
    "Load the German translation of the module into the test database"
    pool = Pool()
    Lang = pool.get('ir.lang')
    Translation = pool.get('ir.translation')
    lang, = Lang.search([('code', '=', 'de')])
    lang.translatable = True
    lang.save()
    package = importlib.import_module('trytond.modules.%s' % module)
    path = os.path.join(
        os.path.dirname(package.__file__), 'locale', 'de.po')
    Translation.translation_import('de', module, path)


def create_organisation(name, type_code='SONSTIGE', **values):
    pool = Pool()
    Party = pool.get('party.party')
    OrganisationType = pool.get('kim.organisation_type')
    type_, = OrganisationType.search([('code', '=', type_code)])
    party, = Party.create([dict(
                name=name, kim_organisation_type=type_.id, **values)])
    return party


def attach_scan(record, name="scan.pdf"):
    "Attach a (synthetic) scan of the signed form to the record"
    Attachment = Pool().get('ir.attachment')
    attachment, = Attachment.create([{
                'resource': str(record),
                'name': name,
                'type': 'data',
                'data': b'%PDF-1.4 synthetic scan',
                }])
    return attachment


def give_consent(client, purposes=('case_management',), recipients=(),
        handlungsfelder=(), signed_date=None, **values):
    """Record a consent of the client with the scan of the form attached and
    give it (as the button does); return it"""
    pool = Pool()
    Consent = pool.get('kim.consent')
    Date = pool.get('ir.date')
    consent, = Consent.create([dict({
                    'client': client.id,
                    'purposes': list(purposes),
                    'recipients': [('add', [r.id for r in recipients])],
                    'handlungsfelder': [
                        ('add', [h.id for h in handlungsfelder])],
                    'signed_date': signed_date or Date.today(),
                    }, **values)])
    attach_scan(consent)
    Consent.give([consent])
    return consent


def codes(model, *codes):
    "Return the records of the code list model with the codes"
    Model = Pool().get(model)
    records = Model.search([('code', 'in', codes)])
    assert len(records) == len(codes), (model, codes)
    by_code = {r.code: r for r in records}
    return [by_code[c] for c in codes]


def scenario_test_case(name, path):
    """Return a unittest TestCase class with one test per scenario_*.rst file
    beside path, so that both unittest and pytest run the proteus scenarios
    (pytest ignores the load_tests protocol of core modules)."""
    import unittest

    from trytond.tests.test_tryton import load_doc_tests

    suite = load_doc_tests(
        name, path, unittest.TestLoader(), unittest.TestSuite(), None)

    def flatten(suite):
        for test in suite:
            if isinstance(test, unittest.TestSuite):
                yield from flatten(test)
            else:
                yield test

    def make_test(doc_case):
        def test(self):
            result = unittest.TestResult()
            doc_case.run(result)
            problems = result.failures + result.errors
            if problems:
                self.fail('\n'.join(trace for _, trace in problems))
        test.__doc__ = doc_case._dt_test.name
        return test

    attributes = {}
    for doc_case in flatten(suite):
        scenario = os.path.splitext(
            os.path.basename(doc_case._dt_test.filename))[0]
        attributes['test_' + scenario] = make_test(doc_case)
    return type('ScenarioTestCase', (unittest.TestCase,), attributes)


class SMTPSink:
    """A minimal SMTP server on 127.0.0.1 that keeps the messages it
    receives (as email.message.EmailMessage) in ``messages``; use it as a
    context manager, it points ``[email] uri`` of the configuration to
    itself and back"""

    def __init__(self):
        import socket
        import threading
        self.messages = []
        self.envelopes = []
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(('127.0.0.1', 0))
        self._socket.listen(5)
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        from trytond.config import config
        self._previous = config.get('email', 'uri')
        config.set('email', 'uri', 'smtp://127.0.0.1:%s' % self.port)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        from trytond.config import config
        self._stop.set()
        self._thread.join(5)
        self._socket.close()
        if self._previous is not None:
            config.set('email', 'uri', self._previous)

    def _serve(self):
        import socket
        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except socket.timeout:
                continue
            with conn:
                conn.settimeout(5)
                self._session(conn.makefile('rwb'))

    def _session(self, stream):
        import email
        import email.policy

        def reply(line):
            stream.write(line.encode() + b'\r\n')
            stream.flush()
        reply('220 127.0.0.1 sink')
        sender, recipients = None, []
        while True:
            line = stream.readline()
            if not line:
                return
            command = line.decode('latin-1').strip()
            verb = command[:4].upper()
            if verb in {'EHLO', 'HELO'}:
                reply('250 127.0.0.1')
            elif verb == 'MAIL':
                sender, recipients = command[10:].strip('<> '), []
                reply('250 OK')
            elif verb == 'RCPT':
                recipients.append(command[8:].strip('<> '))
                reply('250 OK')
            elif verb == 'DATA':
                reply('354 go on')
                data = []
                while True:
                    chunk = stream.readline()
                    if chunk in {b'.\r\n', b'.\n', b''}:
                        break
                    if chunk.startswith(b'..'):
                        chunk = chunk[1:]
                    data.append(chunk)
                self.envelopes.append((sender, recipients))
                self.messages.append(email.message_from_bytes(b''.join(data),
                        policy=email.policy.default))
                reply('250 OK')
            elif verb == 'QUIT':
                reply('221 bye')
                return
            else:
                reply('250 OK')


def phone_layout(html, width=390, height=844):
    """Render the html in headless Chromium at a phone's size (CSS pixels)
    and return {'width', 'scroll_width', 'buttons': [(text, width,
    height)], 'font_size'}; None when Chromium, its driver or selenium is
    missing (KIM_CHROMIUM, KIM_CHROMEDRIVER name them)"""
    import base64
    import shutil
    chromium = os.environ.get('KIM_CHROMIUM') or shutil.which('chromium') \
        or shutil.which('chromium-browser')
    driver_path = os.environ.get('KIM_CHROMEDRIVER') \
        or shutil.which('chromedriver')
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        return None
    if not chromium or not driver_path:
        return None
    import tempfile
    profile = tempfile.mkdtemp(prefix='kim-chromium-')
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ['--headless', '--no-sandbox', '--disable-gpu',
            '--disable-dev-shm-usage', '--no-first-run',
            '--disable-background-networking',
            '--user-data-dir=' + profile]:
        options.add_argument(flag)
    options.add_experimental_option('mobileEmulation', {
            'deviceMetrics': {
                'width': width, 'height': height, 'pixelRatio': 3.0},
            })
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.get('data:text/html;charset=utf-8;base64,'
            + base64.b64encode(html.encode('utf-8')).decode())
        return driver.execute_script('''
            var buttons = [];
            document.querySelectorAll('button').forEach(function (b) {
                var r = b.getBoundingClientRect();
                buttons.push([b.textContent, r.width, r.height]);
            });
            return {
                width: window.innerWidth,
                scroll_width: document.documentElement.scrollWidth,
                buttons: buttons,
                font_size: parseFloat(getComputedStyle(
                    document.body).fontSize),
            };''')
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class FreshDatabaseMixin:
    """A test class on a database of its own: `modules` are activated on a
    dropped database and the database is dropped afterwards. activate_module
    keeps the first database it activates for a set of modules as that set's
    cache for the rest of the run: activated on what an earlier test class
    left, the cache would carry that class's records into every later one"""
    modules = None

    @classmethod
    def setUpClass(cls):
        from trytond.tests.test_tryton import activate_module, drop_db
        super().setUpClass()
        drop_db()
        activate_module(cls.modules)

    @classmethod
    def tearDownClass(cls):
        from trytond.tests.test_tryton import drop_db
        super().tearDownClass()
        drop_db()


class PartnerLinkTestMixin(FreshDatabaseMixin):
    """The set-up of the tests of the partner link pages: a fresh database
    with `module` activated and German loaded (the pages are German), a
    generous rate limit per address, a test client of the WSGI application;
    the tests commit, so the database is dropped afterwards"""
    module = None

    @classmethod
    def setUpClass(cls):
        from trytond.config import config
        from trytond.tests.test_tryton import DB_NAME
        cls.modules = cls.module
        super().setUpClass()
        if not config.has_section('kim'):
            config.add_section('kim')
        config.set('kim', 'partner_link_max_ip', '1000')
        with Transaction().start(DB_NAME, 0) as transaction:
            for module in ['kim_network', cls.module]:
                load_german(module)
            transaction.commit()

    def setUp(self):
        from trytond.protocols.wrappers import Response
        from trytond.wsgi import app
        from werkzeug.test import Client
        super().setUp()
        self.client = Client(app, Response)

    def committed(self):
        "A transaction of the root user in German, to commit or read"
        from trytond.tests.test_tryton import DB_NAME
        return Transaction().start(DB_NAME, 0, context={'language': 'de'})


# The set-up of the proteus scenarios (scenario_*.rst): as the tools of the
# core modules, each function works on the configuration given or on the
# current one of proteus and returns the records it created.

def get_code(model, code, config=None):
    "Return the record of the code list model with the code"
    Record = Model.get(model, config=config)
    record, = Record.find([('code', '=', code)])
    return record


def create_kommune(name="Nordstadt", ags='05999001', config=None,
        **values):
    "Create and return a Kommune of the Kreis"
    Kommune = Model.get('kim.kommune', config=config)
    kommune = Kommune(name=name, ags=ags, **values)
    kommune.save()
    return kommune


def create_network_organisation(name, type_code=None, config=None,
        **values):
    """Create and return an organisation of the network of the type with
    the code (by default the first organisation type)"""
    Party = Model.get('party.party', config=config)
    OrganisationType = Model.get('kim.organisation_type', config=config)
    if type_code:
        type_ = get_code('kim.organisation_type', type_code, config=config)
    else:
        type_ = OrganisationType.find([], limit=1)[0]
    organisation = Party(name=name, kim_organisation_type=type_, **values)
    organisation.save()
    return organisation


def sign_agreement(office, partners, handlungsfelder=(),
        name="Kooperation Jobcenter", type='statutory_cm', config=None,
        **values):
    """Create a cooperation agreement of the office with the partners that
    allows sharing data on the Handlungsfelder, sign it and return it"""
    Agreement = Model.get('kim.cooperation_agreement', config=config)
    Party = Model.get('party.party', config=config)
    Handlungsfeld = Model.get('kim.handlungsfeld', config=config)
    agreement = Agreement(name=name, type=type, office=office, **values)
    agreement.partners.extend([Party(p.id) for p in partners])
    agreement.shared_handlungsfelder.extend(
        [Handlungsfeld(h.id) for h in handlungsfelder])
    agreement.click('sign')
    return agreement


def create_employee(name, company=None, config=None):
    "Create and return an employee of the company (the only one by default)"
    Party = Model.get('party.party', config=config)
    Employee = Model.get('company.employee', config=config)
    Company = Model.get('company.company', config=config)
    if company is None:
        company, = Company.find()
    employee = Employee(party=Party(name=name), company=company)
    employee.party.save()
    employee.save()
    return employee


def work_as(employee, config=None, **values):
    """Make the current user work as the employee (assigned and current),
    with the other values of res.user given; reload the preferences into
    the context and return the user"""
    if config is None:
        config = get_config()
    User = Model.get('res.user', config=config)
    user = User(config.user)
    user.employees.append(employee)
    user.employee = employee
    for name, value in values.items():
        setattr(user, name, value)
    user.save()
    config._context = User.get_preferences(True, config.context)
    return user
