# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Client documents in the client's language: the Hilfeplan, the
information sheet on case management and data protection, the consent form
and the progress summary, printed with German beside the client's language;
and the record of the documents handed out to the client.

The fixed texts of the documents are data: one JSON file per language in
``report/texts`` (see ``report/texts/README.rst``). An office extends or
corrects them without touching the module with a directory of its own,
named in the server configuration::

    [kim]
    document_texts = /etc/kim/texts

Its files (``<code>.json``) add languages and override the shipped texts key
by key. The entries the case manager types (goals, measures, names) are
printed as recorded, in German."""
import json
import os
import unicodedata

from genshi.core import Markup

from trytond import config
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.kim_network.common import PageStyleMixin, today
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.report import Report
from trytond.tools import file_open
from trytond.transaction import Transaction
from trytond.wizard import (
    Button, StateReport, StateTransition, StateView, Wizard)

from .exceptions import DocumentError

TEXTS_DIR = os.path.join(os.path.dirname(__file__), 'report', 'texts')
SECTIONS = ('common', 'plan', 'info', 'progress', 'consent')
KINDS = [
    ('plan', "Hilfeplan"),
    ('info', "Information on Case Management and Data Protection"),
    ('consent', "Consent Form (Schweigepflichtentbindung)"),
    ('progress', "Progress Summary (Measures and Achievements)"),
    ]
# the report printed for each kind of document
KIND_REPORTS = {
    'plan': 'kim.case.plan',
    'info': 'kim.case.info_sheet',
    'consent': 'kim.consent',
    'progress': 'kim.case.progress',
    }
GERMAN = 'de'


def text_dirs():
    "The directories of the text files: the shipped one, then the office's"
    dirs = [TEXTS_DIR]
    extra = config.get('kim', 'document_texts', default=None)
    if extra:
        dirs.append(extra)
    return dirs


def load_texts():
    """Return {code: {section: {key: text}}} of every language file; the
    files of a later directory extend and override the earlier ones key by
    key"""
    languages = {}
    for directory in text_dirs():
        if not os.path.isdir(directory):
            continue
        for name in sorted(os.listdir(directory)):
            if not name.endswith('.json'):
                continue
            with open(os.path.join(directory, name), encoding='utf-8') as file:
                data = json.load(file)
            target = languages.setdefault(name[:-len('.json')].lower(), {})
            for section, values in data.items():
                if isinstance(values, dict):
                    target.setdefault(section, {}).update(values)
    return languages


def _code(language):
    "The lower-case code of a kim.language, a code or None"
    code = getattr(language, 'code', language)
    return code.strip().lower().replace('-', '_') if code else None


def text_language(language, texts=None):
    """Return the code of the text file for language (a kim.language or a
    code): its own code, the code before '_' or a language whose file names
    it among its aliases (Dari 'prs' prints with 'fa'); None if there is
    no file"""
    if texts is None:
        texts = load_texts()
    code = _code(language)
    if not code:
        return None
    for candidate in [code, code.split('_')[0]]:
        if candidate in texts:
            return candidate
    for file_code, data in texts.items():
        aliases = {_code(a) for a in data.get('_meta', {}).get('aliases', [])}
        if code in aliases or code.split('_')[0] in aliases:
            return file_code
    return None


def available_codes(texts=None):
    "The codes of kim.language that have document texts (aliases included)"
    if texts is None:
        texts = load_texts()
    codes = set(texts)
    for data in texts.values():
        codes.update(
            _code(a) for a in data.get('_meta', {}).get('aliases', []))
    return sorted(c for c in codes if c)


def document_texts(document, language=None, texts=None):
    """Return the texts of document ('plan', 'info', 'consent', 'progress')
    in language (kim.language, code or None for German) as a dict: the keys
    of the document and of 'common', and

    - 'lang', 'dir' ('ltr' or 'rtl'): of the client's language,
    - 'language_name': its name in itself,
    - 'reviewed': whether a sworn translator reviewed the file,
    - 'bilingual': whether German is printed beside it,
    - 'de': the same dict in German.

    A key missing in the language falls back to German."""
    if texts is None:
        texts = load_texts()
    german = _section(texts.get(GERMAN, {}), document)
    code = text_language(language, texts) or GERMAN
    data = texts.get(code, {})
    meta = data.get('_meta', {})
    result = dict(german)
    result.update(_section(data, document))
    german.update({
            'lang': GERMAN,
            'dir': 'ltr',
            'language_name': german.get('language_name', "Deutsch"),
            'bilingual': False,
            'reviewed': True,
            })
    result.update({
            'lang': code,
            'dir': 'rtl' if meta.get('direction') == 'rtl' else 'ltr',
            'language_name': (
                meta.get('name') or result.get('language_name') or code),
            'bilingual': code != GERMAN,
            'reviewed': bool(meta.get('reviewed', code == GERMAN)),
            'de': german,
            })
    german['de'] = german
    return result


def _section(data, document):
    section = dict(data.get('common', {}))
    section.update(data.get(document, {}))
    return section


def text_direction(text):
    "'rtl' or 'ltr' by the first strong character of text (dir=auto)"
    for char in text or '':
        direction = unicodedata.bidirectional(char)
        if direction in {'R', 'AL'}:
            return 'rtl'
        elif direction == 'L':
            return 'ltr'
    return 'ltr'


def isolate(texts, values):
    """The values to fill into a text of texts, each in a bidi isolate
    (FSI ... PDI) in a right-to-left text so that a German name or a date
    keeps its order"""
    if texts.get('dir') != 'rtl':
        return values
    return {k: '\u2068%s\u2069' % v for k, v in values.items()}


def format_date(date):
    "The German date format of the documents (the same for all languages)"
    return date.strftime('%d.%m.%Y') if date else ''


def document_style():
    "The style sheet of the client documents (report/document.css)"
    with file_open('kim_case/report/document.css') as css:
        return Markup(css.read())


class ClientDocumentReport(PageStyleMixin, Report):
    """A client document printed in the client's language beside German.

    The language is data['kim_language'] (id or code of a kim.language,
    given by the hand-out wizard), else what _kim_record_language returns
    for the record (the client's language of documents)."""
    __slots__ = ()
    _kim_document = None

    @classmethod
    def _kim_record_language(cls, record):
        "The kim.language (or None) a record prints in by default"
        return None

    @classmethod
    def _kim_language(cls, data):
        pool = Pool()
        Language = pool.get('kim.language')
        value = (data or {}).get('kim_language')
        if isinstance(value, int):
            return Language(value)
        return value or None

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Company = pool.get('company.company')
        Configuration = pool.get('kim.configuration')
        context = super().get_context(records, header, data)
        context['document_style'] = document_style()
        texts = load_texts()
        chosen = cls._kim_language(data)

        def record_texts(record, document=None):
            language = chosen
            if language is None and record is not None:
                language = cls._kim_record_language(record)
            return document_texts(
                document or cls._kim_document, language, texts=texts)

        context['texts'] = record_texts
        context['first'] = record_texts(records[0] if records else None)
        context['text_direction'] = text_direction
        context['isolate'] = isolate
        context['fmt_date'] = format_date
        context['today'] = today()
        company_id = Transaction().context.get('company')
        context['company'] = Company(company_id) if company_id else None
        context['configuration'] = Configuration(1)
        return context


class CaseDocumentReport(ClientDocumentReport):
    "A client document of a case (kim.case)"
    __slots__ = ()

    @classmethod
    def _kim_record_language(cls, case):
        return case.client.kim_get_document_language() if case.client else None

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['case_company'] = lambda case: (
            case.company or context['company'])
        return context


class InfoSheetReport(CaseDocumentReport):
    __string__ = "Information on Case Management and Data Protection"
    __name__ = 'kim.case.info_sheet'
    _kim_document = 'info'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        configuration = context['configuration']
        context['retention_months'] = configuration.get_months(
            'retention_months')
        return context


class ProgressReport(CaseDocumentReport):
    __string__ = "Progress Summary"
    __name__ = 'kim.case.progress'
    _kim_document = 'progress'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['progress'] = cls.progress
        return context

    @classmethod
    def progress(cls, case):
        """Return (goals, measures) to show: the goals achieved or partly
        achieved and the measures done or in progress of the case's agreed
        plans, the latest version of a goal or measure carried over from
        one version to the next"""
        goals, measures = {}, {}
        plans = sorted((p for p in case.plans if p.state != 'draft'),
            key=lambda p: p.version or 0)
        for plan in plans:
            for goal in plan.goals:
                key = (goal.handlungsfeld.id if goal.handlungsfeld else None,
                    goal.description)
                if goal.status in {'achieved', 'partly_achieved'}:
                    goals[key] = goal
                else:
                    goals.pop(key, None)
                for measure in goal.measures:
                    mkey = (key, measure.name)
                    if measure.status in {'done', 'in_progress'}:
                        measures[mkey] = measure
                    else:
                        measures.pop(mkey, None)
        return list(goals.values()), list(measures.values())


class Document(ModelSQL, ModelView):
    __string__ = "Handed-out Document"
    __name__ = 'kim.case.document'
    case = fields.Many2One('kim.case', "Case", required=True,
        ondelete='CASCADE', readonly=True)
    kind = fields.Selection(KINDS, "Document", required=True, readonly=True)
    kind_string = kind.translated('kind')
    language = fields.Many2One('kim.language', "Language", readonly=True,
        ondelete='RESTRICT',
        help="The client's language printed beside German; empty for "
        "German only.")
    date = fields.Date("Handed out on", required=True, readonly=True)
    employee = fields.Many2One('company.employee', "Handed out by",
        ondelete='RESTRICT', readonly=True)
    document = fields.Reference("Printed Record", selection=[
            (None, ''),
            ('kim.case.plan', "Hilfeplan"),
            ('kim.consent', "Consent"),
            ], readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('case')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.case, Index.Equality())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return today()

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        "A handover is evidence: a client changes no record of it"
        super().check_modification(
            mode, records, values=values, external=external)
        if mode == 'write' and external:
            raise DocumentError(gettext('kim_case.msg_document_readonly'))

    @classmethod
    def default_employee(cls):
        return Transaction().context.get('employee')

    def get_rec_name(self, name):
        return '%s %s' % (self.kind_string, format_date(self.date))


class Case(metaclass=PoolMeta):
    __name__ = 'kim.case'
    documents = fields.One2Many('kim.case.document', 'case',
        "Handed-out Documents", readonly=True,
        help="The documents handed out to the client (Aushändigen).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'hand_out': {
                    'invisible': ~Eval('client'),
                    'depends': ['client'],
                    },
                })

    @classmethod
    @ModelView.button_action('kim_case.wizard_document_hand_out')
    def hand_out(cls, cases):
        pass

    @classmethod
    def copy(cls, cases, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('documents', None)
        return super().copy(cases, default=default)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    kim_document_language = fields.Many2One('kim.language',
        "Language of Documents", ondelete='RESTRICT',
        states={
            'invisible': ~Eval('kim_client'),
            },
        help="The language the client's documents are printed in beside "
        "German. Empty: the Sprachmittlung language, else the native "
        "language, when there are texts in it.")

    def kim_get_document_language(self):
        """Return the kim.language the client's documents print in beside
        German (None: German only): the language of documents, else the
        Sprachmittlung language, else a native language, the first one
        that has texts"""
        texts = load_texts()
        candidates = [self.kim_document_language]
        if self.kim_language_mediation:
            candidates.append(self.kim_mediation_language)
        candidates.extend(l.language for l in self.kim_client_languages
            if l.level == 'native')
        for language in candidates:
            if language and text_language(language, texts) not in {
                    None, GERMAN}:
                return language
            elif language and _code(language) == GERMAN:
                return None
        return None


class Company(metaclass=PoolMeta):
    __name__ = 'company.company'
    kim_data_protection_officer = fields.Text("Data Protection Officer",
        help="Name and contact (address, phone, e-mail) of the "
        "organisation's data protection officer, printed on the "
        "information sheet for clients.")


class Configuration(metaclass=PoolMeta):
    __name__ = 'kim.configuration'
    joint_controller = fields.Char("Joint Controller (Land)",
        help="The body of the Land that runs the KIM case database under "
        "joint controllership (Art. 26 GDPR), printed on the information "
        "sheet for clients; leave empty to leave that section out.")

    @classmethod
    def default_joint_controller(cls):
        return ("Land Nordrhein-Westfalen, Ministerium für Kinder, Jugend, "
            "Familie, Gleichstellung, Flucht und Integration")


class HandOutStart(ModelView):
    __string__ = "Hand Out Document"
    __name__ = 'kim.case.document.hand_out.start'
    case = fields.Many2One('kim.case', "Case", readonly=True)
    client = fields.Many2One('party.party', "Client", readonly=True)
    kind = fields.Selection(KINDS, "Document", required=True)
    language = fields.Many2One('kim.language', "Language",
        domain=[('code', 'in', Eval('available_codes', []))],
        help="The client's language printed beside German; empty for "
        "German only.")
    available_codes = fields.MultiSelection('get_codes', "Languages",
        readonly=True)
    plan = fields.Many2One('kim.case.plan', "Hilfeplan",
        domain=[('case', '=', Eval('case', -1))],
        states={
            'invisible': Eval('kind') != 'plan',
            'required': Eval('kind') == 'plan',
            })
    consent = fields.Many2One('kim.consent', "Consent",
        domain=[('client', '=', Eval('client', -1))],
        states={
            'invisible': Eval('kind') != 'consent',
            'required': Eval('kind') == 'consent',
            })
    date = fields.Date("Handed out on", required=True)
    record = fields.Boolean("Record the Handover",
        help="Record on the case that the document was handed out to the "
        "client. Leave unticked to print only.")

    @classmethod
    def get_codes(cls):
        return [(c, c) for c in available_codes()]

    @fields.depends('kind', 'case', 'client', 'plan', 'consent')
    def on_change_kind(self):
        pool = Pool()
        Consent = pool.get('kim.consent')
        if self.kind == 'plan' and not self.plan and self.case:
            self.plan = self.case.current_plan
        elif self.kind == 'consent' and not self.consent and self.client:
            consents = Consent.search([
                    ('client', '=', self.client.id),
                    ('state', 'in', ['draft', 'given']),
                    ], limit=1)
            self.consent = consents[0] if consents else None


class HandOut(Wizard):
    """Aushändigen: print a client document in the client's language beside
    German and record on the case that it was handed out"""
    __string__ = "Hand Out Document"
    __name__ = 'kim.case.document.hand_out'
    start = StateView('kim.case.document.hand_out.start',
        'kim_case.document_hand_out_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'hand_out', 'tryton-print', default=True),
            ])
    hand_out = StateTransition()
    print_plan = StateReport('kim.case.plan')
    print_info = StateReport('kim.case.info_sheet')
    print_consent = StateReport('kim.consent')
    print_progress = StateReport('kim.case.progress')

    def default_start(self, fields):
        case = self.record
        if case is None:
            return {}
        client = case.client
        language = client.kim_get_document_language() if client else None
        return {
            'case': case.id,
            'client': client.id if client else None,
            'kind': 'info',
            'language': language.id if language else None,
            'available_codes': available_codes(),
            'date': today(),
            'record': True,
            }

    def _document(self):
        if self.start.kind == 'plan':
            return self.start.plan
        elif self.start.kind == 'consent':
            return self.start.consent

    def transition_hand_out(self):
        pool = Pool()
        Document = pool.get('kim.case.document')
        case = self.record
        document = self._document()
        if self.start.kind in {'plan', 'consent'} and (document is None
                or (self.start.kind == 'plan' and document.case != case)
                or (self.start.kind == 'consent'
                    and document.client != case.client)):
            raise DocumentError(gettext(
                    'kim_case.msg_document_not_of_case',
                    case=case.rec_name))
        language = self.start.language
        if language and text_language(language) is None:
            raise DocumentError(gettext(
                    'kim_case.msg_document_no_texts',
                    language=language.rec_name))
        if self.start.record:
            Document.create([{
                        'case': case.id,
                        'kind': self.start.kind,
                        'language': language.id if language else None,
                        'date': self.start.date,
                        'document': str(document) if document else None,
                        }])
        return 'print_' + self.start.kind

    def _data(self, record):
        language = self.start.language
        return {
            'model': record.__name__,
            'id': record.id,
            'ids': [record.id],
            # 'de' prints German only, without a client's language
            'kim_language': language.id if language else GERMAN,
            }

    def do_print_plan(self, action):
        return action, self._data(self.start.plan)

    def do_print_info(self, action):
        return action, self._data(self.record)

    def do_print_consent(self, action):
        return action, self._data(self.start.consent)

    def do_print_progress(self, action):
        return action, self._data(self.record)
