# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Barrier reports (Meldebogen): integration barriers reported from cases or
by partners, pseudonymised. The link to the case lives in a separate model
that only case management and Fachaufsicht can read."""
import re

from sql.aggregate import Count

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.kim_case.access import readable_ids
from trytond.modules.kim_network.common import (
    NumberedMixin, relation, today)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateAction, StateView, Wizard

from .exceptions import BarrierReportError, BarrierReportValidationError
from .topic import BARRIER_KINDS

REPORTER_KINDS = [
    ('case_management', "Case Management"),
    ('partner', "Network Partner"),
    ('coordination', "Coordination"),
    ]
_READONLY = {'readonly': Eval('state') != 'draft'}


def identifying_words(case):
    "The words of a case that must not appear in a pseudonymised text"
    words = set()
    client = case.client
    for part in re.split(r'[\s,.;:()/-]+', client.name or ''):
        if len(part) >= 3:
            words.add(part.lower())
    if case.number:
        words.add(case.number.lower())
    return words


def contains_identifying(text, case):
    text = (text or '').lower()
    return any(re.search(r'(?<!\w)%s(?!\w)' % re.escape(w), text)
        for w in identifying_words(case))


class BarrierReport(NumberedMixin, Workflow, ModelSQL, ModelView):
    __string__ = "Barrier Report (Meldebogen)"
    __name__ = 'kim.barrier_report'
    _rec_name = 'number'
    _history = True

    number = fields.Char("Number", readonly=True)
    date = fields.Date("Date", required=True, states=_READONLY)
    reporter_kind = fields.Selection(REPORTER_KINDS, "Reported By",
        required=True, states=_READONLY)
    reporter_user = fields.Many2One('res.user', "Recorded By", readonly=True,
        ondelete='RESTRICT')
    reporter = fields.Many2One('party.party', "Reporter",
        ondelete='RESTRICT', states=_READONLY,
        help="The organisation or person who reported the barrier, e.g. an "
        "external partner that cooperates with the KIM.")
    description = fields.Text("Description", required=True,
        states=_READONLY,
        help="The barrier described without the name, address, dates of "
        "birth or numbers of the client (pseudonymised).")
    handlungsfeld = fields.Many2One('kim.handlungsfeld', "Handlungsfeld",
        required=True, ondelete='RESTRICT', states=_READONLY)
    rechtskreise = fields.Many2Many('kim.barrier_report-kim.rechtskreis',
        'report', 'rechtskreis', "Rechtskreise", states=_READONLY)
    kommune = fields.Many2One('kim.kommune', "Kommune", ondelete='RESTRICT',
        states=_READONLY)
    kind = fields.Selection(BARRIER_KINDS, "Kind", required=True,
        sort=False, states=_READONLY)
    addressee = fields.Many2One('party.party', "Addressee",
        ondelete='RESTRICT', states=_READONLY,
        domain=[('kim_organisation_type', '!=', None)],
        help="The organisation that could remove the barrier.")
    topic = fields.Many2One('kim.topic', "Topic", ondelete='SET NULL',
        states={'readonly': Eval('state') == 'draft'})
    feedback = fields.Text("Feedback",
        states={'readonly': Eval('state') == 'answered'},
        help="The feedback (Rückmeldung) given to the reporter.")
    feedback_date = fields.Date("Feedback On",
        states={'readonly': Eval('state') == 'answered'})
    state = fields.Selection([
            ('draft', "Draft"),
            ('submitted', "Submitted"),
            ('answered', "Answered"),
            ], "State", readonly=True, required=True, sort=False)
    from_case = fields.Function(fields.Boolean("From a Case",
            help="The report comes from a case; only case management and "
            "Fachaufsicht see which one."),
        'get_from_case')
    case = fields.Function(fields.Many2One('kim.case', "Case",
            states=_READONLY),
        'get_case', setter='set_case')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.topic, Index.Equality())),
                Index(t, (t.state, Index.Equality())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._guard(initial='draft', protected={'reporter_user'})
        cls._transitions |= {
            ('draft', 'submitted'),
            ('submitted', 'draft'),
            ('submitted', 'answered'),
            ('answered', 'submitted'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': ((Eval('state') != 'submitted')
                        | Bool(Eval('topic'))),
                    'icon': 'tryton-back',
                    'depends': ['state', 'topic'],
                    },
                'submit': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'answer': {
                    'invisible': ((Eval('state') != 'submitted')
                        | ~Eval('feedback')),
                    'icon': 'tryton-ok',
                    'depends': ['state', 'feedback'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'answered',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_date(cls):
        return today()

    @classmethod
    def default_reporter_kind(cls):
        return 'case_management'

    @classmethod
    def default_reporter_user(cls):
        return Transaction().user or None

    @classmethod
    def default_kind(cls):
        return 'interface'

    def get_rec_name(self, name):
        return self.number or '(%s)' % self.id

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR',
            ('number',) + tuple(clause[1:]),
            ('description',) + tuple(clause[1:]),
            ]

    def reporter_email(self):
        "The address of the reporter (not of whoever recorded the report)"
        if self.reporter:
            return self.reporter.email
        if self.reporter_user:
            return self.reporter_user.email

    @classmethod
    def get_from_case(cls, reports, name):
        "Whether a case stands behind the report (one SQL query, no ids)"
        pool = Pool()
        Link = pool.get('kim.barrier_report.case')
        link = Link.__table__()
        cursor = Transaction().connection.cursor()
        result = {r.id: False for r in reports}
        in_max = backend.MAX_QUERY_PARAMS
        for sub_ids in grouped_slice([r.id for r in reports], in_max):
            cursor.execute(*link.select(link.report, Count(link.id),
                    where=reduce_ids(link.report, sub_ids),
                    group_by=[link.report]))
            for report_id, count in cursor:
                result[report_id] = bool(count)
        return result

    @classmethod
    def get_case(cls, reports, name):
        "The case of the reports, read through the restricted link model"
        pool = Pool()
        Link = pool.get('kim.barrier_report.case')
        ModelAccess = pool.get('ir.model.access')
        result = {r.id: None for r in reports}
        # getters run without access check: apply the record rules of the
        # link (own reports for case managers) explicitly
        if not ModelAccess.check('kim.barrier_report.case', 'read',
                raise_exception=False):
            return result
        with Transaction().set_context(
                _check_access=bool(Transaction().user)):
            links = Link.search([('report', 'in', [r.id for r in reports])])
        for link in links:
            result[link.report.id] = link.case.id
        return result

    @classmethod
    def set_case(cls, reports, name, value):
        pool = Pool()
        Link = pool.get('kim.barrier_report.case')
        Link.delete(Link.search([('report', 'in', [r.id for r in reports])]))
        if value:
            Link.save([Link(report=r, case=value) for r in reports])

    @classmethod
    def validate_fields(cls, reports, field_names):
        super().validate_fields(reports, field_names)
        if field_names is None or 'description' in field_names:
            pool = Pool()
            Link = pool.get('kim.barrier_report.case')
            by_id = {r.id: r for r in reports}
            with without_check_access():
                links = Link.search([('report', 'in', list(by_id))])
                for link in links:
                    by_id[link.report.id].check_pseudonymised(link.case)

    def check_pseudonymised(self, case):
        if contains_identifying(self.description, case):
            raise BarrierReportValidationError(gettext(
                    'kim_steering.msg_report_identifying',
                    report=self.rec_name))

    @classmethod
    def _number_sequence(cls, config):
        return config.get_steering_sequence('barrier_report_sequence')

    @classmethod
    def copy(cls, reports, default=None):
        default = default.copy() if default is not None else {}
        # the case (a Function field) is not copied: its link model is not
        for name in ['topic', 'feedback', 'feedback_date']:
            default.setdefault(name, None)
        return super().copy(reports, default=default)

    @classmethod
    def check_modification(cls, mode, reports, values=None, external=False):
        pool = Pool()
        Link = pool.get('kim.barrier_report.case')
        Case = pool.get('kim.case')
        super().check_modification(
            mode, reports, values=values, external=external)
        if (mode == 'write' and external
                and values and 'description' in values):
            # the pseudonymisation check would tell who the client is:
            # only users who read the case change the description
            with without_check_access():
                links = Link.search(
                    [('report', 'in', [r.id for r in reports])])
                readable = readable_ids(Case, [l.case.id for l in links])
                for link in links:
                    if link.case.id not in readable:
                        raise BarrierReportError(gettext(
                                'kim_steering.msg_report_description_case',
                                report=link.report.rec_name))
        if mode == 'delete':
            for report in reports:
                if report.state != 'draft':
                    raise BarrierReportError(gettext(
                            'kim_steering.msg_report_delete',
                            report=report.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, reports):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    def submit(cls, reports):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('answered')
    def answer(cls, reports):
        date = today()
        for report in reports:
            if not report.feedback:
                raise BarrierReportError(gettext(
                        'kim_steering.msg_report_no_feedback',
                        report=report.rec_name))
            if not report.feedback_date:
                report.feedback_date = date
        cls.save(reports)

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    def reopen(cls, reports):
        pass


BarrierReportRechtskreis = relation('BarrierReportRechtskreis',
    'kim.barrier_report-kim.rechtskreis', "Barrier Report - Rechtskreis",
    'report', 'kim.barrier_report', 'rechtskreis', 'kim.rechtskreis')


class BarrierReportCase(ModelSQL):
    """The only place that knows which case a barrier report comes from.
    Readable by case management (own reports) and Fachaufsicht only."""
    __string__ = "Barrier Report - Case"
    __name__ = 'kim.barrier_report.case'
    report = fields.Many2One('kim.barrier_report', "Barrier Report",
        required=True, ondelete='CASCADE')
    case = fields.Many2One('kim.case', "Case", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('report_unique', Unique(t, t.report),
                'kim_steering.msg_report_case_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.case, Index.Equality())))

    @classmethod
    def validate_fields(cls, links, field_names):
        super().validate_fields(links, field_names)
        for link in links:
            link.report.check_pseudonymised(link.case)


class BarrierReportFromCaseStart(ModelView):
    __string__ = "Report a Barrier from a Case"
    __name__ = 'kim.barrier_report.from_case.start'
    description = fields.Text("Description", required=True,
        help="Describe the barrier without the name, address, dates of "
        "birth or numbers of the client.")
    handlungsfeld = fields.Many2One('kim.handlungsfeld', "Handlungsfeld",
        required=True)
    rechtskreise = fields.Many2Many('kim.rechtskreis', None, None,
        "Rechtskreise")
    kommune = fields.Many2One('kim.kommune', "Kommune")
    kind = fields.Selection(BARRIER_KINDS, "Kind", required=True,
        sort=False)
    addressee = fields.Many2One('party.party', "Addressee",
        domain=[('kim_organisation_type', '!=', None)])


class BarrierReportFromCase(Wizard):
    __string__ = "Report a Barrier from a Case"
    __name__ = 'kim.barrier_report.from_case'
    start = StateView('kim.barrier_report.from_case.start',
        'kim_steering.barrier_report_from_case_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Report", 'report', 'tryton-ok', default=True),
            ])
    report = StateAction('kim_steering.act_barrier_report_form')

    def default_start(self, fields):
        case = self.record
        return {
            'kommune': case.kommune.id if case.kommune else None,
            'rechtskreise': [r.id for r in case.rechtskreise],
            'kind': 'interface',
            }

    def do_report(self, action):
        pool = Pool()
        Report = pool.get('kim.barrier_report')
        Link = pool.get('kim.barrier_report.case')
        case = self.record
        if contains_identifying(self.start.description, case):
            raise BarrierReportValidationError(gettext(
                    'kim_steering.msg_report_identifying', report=''))
        report = Report(
            reporter_kind='case_management',
            description=self.start.description,
            handlungsfeld=self.start.handlungsfeld,
            rechtskreise=self.start.rechtskreise,
            kommune=self.start.kommune,
            kind=self.start.kind,
            addressee=self.start.addressee)
        report.save()
        Link(report=report, case=case).save()
        Report.submit([report])
        return action, {'res_id': [report.id]}


class Case(metaclass=PoolMeta):
    __name__ = 'kim.case'
    barrier_reports = fields.Function(fields.Many2Many(
            'kim.barrier_report', None, None, "Meldebögen", readonly=True,
            help="The barrier reports raised from the case, with their "
            "state and the committee's answer (Rückmeldung); only those "
            "the user reads."),
        'get_barrier_reports')

    @classmethod
    def get_barrier_reports(cls, cases, name):
        "The reports of the cases, read through the restricted link model"
        pool = Pool()
        Link = pool.get('kim.barrier_report.case')
        Report = pool.get('kim.barrier_report')
        ModelAccess = pool.get('ir.model.access')
        result = {c.id: [] for c in cases}
        # getters run without access check: apply the access and the record
        # rules of the link and of the reports explicitly
        for model in ['kim.barrier_report.case', 'kim.barrier_report']:
            if not ModelAccess.check(model, 'read', raise_exception=False):
                return result
        with Transaction().set_context(
                _check_access=bool(Transaction().user)):
            links = Link.search([('case', 'in', [c.id for c in cases])])
            if not links:
                return result
            readable = {r.id for r in Report.search([
                        ('id', 'in', [l.report.id for l in links]),
                        ])}
        reports = {}
        for link in links:
            if link.report.id in readable:
                reports.setdefault(link.case.id, []).append(link.report)
        for case_id, case_reports in reports.items():
            result[case_id] = [r.id for r in sorted(case_reports,
                    key=lambda r: (r.date, r.id), reverse=True)]
        return result

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'report_barrier': {
                    'invisible': Eval('state') == 'cancelled',
                    'icon': 'tryton-add',
                    'depends': ['state'],
                    },
                })

    @classmethod
    @ModelView.button_action('kim_steering.wizard_barrier_report_from_case')
    def report_barrier(cls, cases):
        pass
