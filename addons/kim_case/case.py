# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"The case of a client and its case-management cycle."
import datetime

from sql import Cast, Literal, Null, Select, Union, With

from trytond import backend
from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Workflow, fields)
from trytond.model.modelsql import convert_from
from trytond.modules.kim_network.common import (
    NumberedMixin, format_date, rec_name_domain, relation, today, Unnest)
from trytond.modules.kim_network.workflow import WorkflowGuard
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction, without_check_access

from .access import rule_context
from .exceptions import (
    CaseClosedError, CaseValidationError, CaseWorkflowError)

OPEN_STATES = ['intake', 'assessment', 'planning', 'implementation',
    'closing']
_CLOSED = Eval('state').in_(['closed', 'cancelled'])
_READONLY = {'readonly': _CLOSED}

INDICATION_ANSWERS = [
    (None, ""),
    ('yes', "Yes"),
    ('no', "No"),
    ('unclear', "Unclear"),
    ]
INDICATION_STATES = {
    'readonly': Eval('state') != 'intake',
    }
CLOSING_STATES = {
    'readonly': Eval('state') != 'closing',
    'invisible': ~Eval('state').in_(['closing', 'closed']),
    }
# Offsets of the kinds in the ids of kim.case.due rows (below DUE_SLOTS)
DUE_KINDS = {
    'review': 0,
    'residence_document': 1,
    'rechtskreis_change': 2,
    'reassessment': 3,
    'measure': 4,
    'plan_review': 5,
    'consent_expiry': 6,
    'referral_answer': 7,
    'conference_task': 8,
    'contact_rhythm': 9,
    'duldung_no_expiry': 10,
    'adulthood': 11,
    'residence_25a': 12,
    'residence_25b': 13,
    'case_duration': 14,
    }
DUE_SLOTS = 32
DUE_KIND_SELECTION = [
    ('review', "Wiedervorlage"),
    ('measure', "Measure"),
    ('plan_review', "Hilfeplan Review"),
    ('reassessment', "Re-assessment"),
    ('consent_expiry', "Consent Expires"),
    ('referral_answer', "Referral without Answer"),
    ('conference_task', "Fallkonferenz Task"),
    ('contact_rhythm', "Contact Due (Agreed Rhythm)"),
    ('residence_document', "Residence Document Expires"),
    ('duldung_no_expiry', "Duldung without Expiry Date"),
    ('adulthood', "18th Birthday (UMA)"),
    ('residence_25a', "Waiting Time § 25a AufenthG"),
    ('residence_25b', "Waiting Time § 25b AufenthG"),
    ('case_duration', "Case Duration Limit"),
    ('rechtskreis_change', "Rechtskreis Change"),
    ]
# Kinds that inform about an event or a chance rather than a date to meet:
# never overdue, never escalated
DUE_INFORMATIVE_KINDS = {
    'rechtskreis_change', 'adulthood', 'residence_25a', 'residence_25b'}


def _employee():
    return Transaction().context.get('employee')


def check_case_open(cases):
    "Refuse changes to the records of closed cases"
    for case in cases:
        if case.state == 'closed':
            raise CaseClosedError(gettext(
                    'kim_case.msg_case_closed_readonly', record=case.rec_name))


def age_on(birth, date):
    "Age in years on date of a person born on birth (None if unknown)"
    if not birth:
        return None
    return date.year - birth.year - (
        (date.month, date.day) < (birth.month, birth.day))


class Team(DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Case Team"
    __name__ = 'kim.case.team'
    name = fields.Char("Name", required=True)
    company = fields.Many2One('company.company', "Company", required=True,
        ondelete='CASCADE')
    kommunen = fields.Many2Many('kim.case.team-kim.kommune', 'team',
        'kommune', "Kommunen",
        help="The Kommunen whose clients the team serves.")
    members = fields.Many2Many('kim.case.team-company.employee', 'team',
        'employee', "Members",
        domain=[('company', '=', Eval('company', -1))])
    supervisor = fields.Many2One('company.employee', "Supervision",
        ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))],
        help="The employee in charge of the Fachaufsicht of the team.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')


TeamKommune = relation('TeamKommune', 'kim.case.team-kim.kommune',
    "Case Team - Kommune", 'team', 'kim.case.team', 'kommune', 'kim.kommune')
TeamEmployee = relation('TeamEmployee', 'kim.case.team-company.employee',
    "Case Team - Employee",
    'team', 'kim.case.team', 'employee', 'company.employee')


class Case(NumberedMixin, Workflow, ModelSQL, ModelView):
    __string__ = "KIM Case"
    __name__ = 'kim.case'
    _rec_name = 'number'
    _history = True

    number = fields.Char("Number", readonly=True,
        help="Assigned from the case sequence of the KIM configuration.")
    company = fields.Many2One('company.company', "Company", required=True,
        ondelete='RESTRICT',
        states={'readonly': _CLOSED | Eval('number', False)})
    client = fields.Many2One('party.party', "Client", required=True,
        ondelete='RESTRICT', states=_READONLY,
        domain=[('kim_client', '=', True)],
        context={
            'kim_client': True,
            'company': Eval('company', -1),
            },
        depends={'company'})
    household_members = fields.Many2Many('kim.case-party.party.household',
        'case', 'party', "Involved Household Members", states=_READONLY,
        domain=[('id', '!=', Eval('client', -1))],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Members of the household or family the case also covers.")
    case_manager = fields.Many2One('company.employee', "Case Manager",
        ondelete='RESTRICT',
        states={
            'readonly': _CLOSED,
            'required': ~Eval('state').in_(['intake', 'cancelled']),
            },
        domain=[('company', '=', Eval('company', -1))],
        help="The Fallmanager*in who holds the case responsibility "
        "(Fallverantwortung).")
    team = fields.Many2One('kim.case.team', "Team", ondelete='RESTRICT',
        states=_READONLY,
        domain=[('company', '=', Eval('company', -1))])
    kommune = fields.Many2One('kim.kommune', "Kommune", required=True,
        ondelete='RESTRICT', states=_READONLY,
        help="The Kommune responsible for the case; "
        "by default the client's Kommune of residence.")
    access_channel = fields.Many2One('kim.access_channel', "Access Channel",
        ondelete='RESTRICT', states=_READONLY,
        help="How the client came to the integration management.")
    referring_organisation = fields.Many2One('party.party',
        "Referring Organisation", ondelete='RESTRICT', states=_READONLY,
        domain=[('kim_organisation_type', '!=', None)],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    referring_person = fields.Char("Referring Person", states=_READONLY)
    target_groups = fields.Many2Many('kim.case-kim.target_group', 'case',
        'target_group', "Target Groups", states=_READONLY)
    rechtskreise = fields.Many2Many('kim.case-kim.rechtskreis', 'case',
        'rechtskreis', "Rechtskreise Involved", states=_READONLY,
        help="The benefit domains whose offices take part in the case.")
    depth = fields.Selection([
            ('clearing', "Erstberatung/Clearing"),
            ('referral', "Verweisberatung"),
            ('case_management', "Case Management"),
            ], "Depth", required=True, states=_READONLY,
        help="Erstberatung/Clearing only, Verweisberatung to a responsible "
        "service, or full rechtskreisübergreifendes Case Management.")
    opened_date = fields.Date("Opened On", required=True, states=_READONLY)
    next_review = fields.Date("Wiedervorlage", states=_READONLY,
        help="The date the case is due for its next review.")
    followup_due = fields.Boolean("Follow-up Due", readonly=True,
        help="Set by the daily scheduled job while the case has due or "
        "overdue items in the Wiedervorlage list.")
    state = fields.Selection([
            ('intake', "Intake"),
            ('assessment', "Assessment"),
            ('planning', "Planning"),
            ('implementation', "Implementation"),
            ('closing', "Closing"),
            ('closed', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    # Indication check (DGCC criteria) at intake
    indication_complex_needs = fields.Selection(INDICATION_ANSWERS,
        "Complex Needs in Several Life Areas", states=INDICATION_STATES)
    indication_several_providers = fields.Selection(INDICATION_ANSWERS,
        "Several Providers Involved", states=INDICATION_STATES)
    indication_standard_routes_fail = fields.Selection(INDICATION_ANSWERS,
        "Standard Routes Fail", states=INDICATION_STATES,
        help="The usual services alone do not solve the problem.")
    indication_lacks_resources = fields.Selection(INDICATION_ANSWERS,
        "Client Lacks Resources to Steer Alone", states=INDICATION_STATES)
    indication_voluntary = fields.Selection(INDICATION_ANSWERS,
        "Client Agrees Voluntarily", states=INDICATION_STATES)
    indication_decision = fields.Selection([
            (None, ""),
            ('case_management', "Case Management"),
            ('referral', "Verweisberatung"),
            ('no_further_need', "No Further Need"),
            ], "Decision", states=INDICATION_STATES)
    indication_decided_by = fields.Many2One('company.employee',
        "Decided By", ondelete='RESTRICT',
        states={
            'readonly': Eval('state') != 'intake',
            'required': Bool(Eval('indication_decision')),
            })
    indication_date = fields.Date("Decided On",
        states={
            'readonly': Eval('state') != 'intake',
            'required': Bool(Eval('indication_decision')),
            })
    indication_reason = fields.Text("Reason", states=INDICATION_STATES)

    # Client data shown on the case
    client_age = fields.Function(fields.Integer("Age"), 'get_client_data')
    client_residence_status = fields.Function(fields.Many2One(
            'kim.residence_status_type', "Residence Status"),
        'get_client_data')
    client_document_expiry = fields.Function(fields.Date(
            "Document Expires On"), 'get_client_data')
    client_rechtskreis = fields.Function(fields.Many2One(
            'kim.rechtskreis', "Rechtskreis"), 'get_client_data')
    client_mediation_language = fields.Function(fields.Many2One(
            'kim.language', "Sprachmittlung"), 'get_client_data')

    events = fields.One2Many('kim.case.event', 'case', "Events",
        states=_READONLY)

    # Closing
    closing_reason = fields.Many2One('kim.closing_reason', "Closing Reason",
        ondelete='RESTRICT',
        states={
            'readonly': ~Eval('state').in_(['intake', 'closing']),
            'invisible': ~Eval('state').in_(['intake', 'closing', 'closed']),
            'required': Eval('state') == 'closed',
            })
    closing_date = fields.Date("Closed On",
        states={
            'readonly': ~Eval('state').in_(['intake', 'closing']),
            'invisible': ~Eval('state').in_(['closing', 'closed']),
            'required': Eval('state') == 'closed',
            })
    closing_evaluation = fields.Text("Closing Evaluation",
        states=CLOSING_STATES,
        help="The evaluation of the whole process together with the client: "
        "effectiveness, gaps in the offers, room for improvement.")
    goal_attainment = fields.Function(fields.Float(
            "Goal Attainment", digits=(2, 1),
            help="The mean attainment (1 to 5) of the rated goals of the "
            "Hilfeplan."),
        'get_goal_attainment')
    short_case = fields.Boolean("Short Case", readonly=True,
        help="An Erstberatung closed directly from intake with information "
        "or a referral (Kurzberatung).")

    predecessor = fields.Many2One('kim.case', "Earlier Case",
        ondelete='RESTRICT', readonly=True,
        help="The closed case this case reopens.")
    successors = fields.One2Many('kim.case', 'predecessor', "Later Cases",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('opened_date', 'DESC'), ('id', 'DESC')]
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality()),
                    where=t.state.in_(OPEN_STATES)),
                Index(t, (t.client, Index.Equality())),
                # the rules of case managers (own cases, cases of their
                # teams) with the state of the list's tabs and counters
                Index(t, (t.case_manager, Index.Equality()),
                    (t.state, Index.Equality())),
                Index(t, (t.team, Index.Equality()),
                    (t.state, Index.Equality())),
                # the order of the case list
                Index(t, (t.opened_date, Index.Range()),
                    (t.id, Index.Range())),
                Index(t, (t.number, Index.Similarity())),
                Index(t, (t.next_review, Index.Range()),
                    where=t.state.in_(OPEN_STATES)),
                })
        cls._guard(initial='intake',
            protected={'predecessor', 'short_case', 'followup_due'},
            final={'closed': set()},
            final_message='kim_case.msg_case_closed_readonly')
        cls._transitions |= {
            ('intake', 'assessment'),
            ('assessment', 'planning'),
            ('planning', 'implementation'),
            ('implementation', 'planning'),
            ('closing', 'implementation'),
            ('intake', 'closing'),
            ('assessment', 'closing'),
            ('planning', 'closing'),
            ('implementation', 'closing'),
            ('intake', 'closed'),
            ('closing', 'closed'),
            ('intake', 'cancelled'),
            ('assessment', 'cancelled'),
            ('cancelled', 'intake'),
            }
        cls._buttons.update({
                'assess': {
                    'invisible': ((Eval('state') != 'intake')
                        | Eval('indication_decision').in_(
                            ['referral', 'no_further_need'])),
                    'icon': 'tryton-forward',
                    'depends': ['state', 'indication_decision'],
                    },
                'plan': {
                    'invisible': ~Eval('state').in_(
                        ['assessment', 'implementation']),
                    'icon': If(Eval('state') == 'implementation',
                        'tryton-back', 'tryton-forward'),
                    'depends': ['state'],
                    },
                'implement': {
                    'invisible': ~Eval('state').in_(['planning', 'closing']),
                    'icon': If(Eval('state') == 'closing',
                        'tryton-back', 'tryton-forward'),
                    'depends': ['state'],
                    },
                'to_close': {
                    'invisible': ~Eval('state').in_(
                        ['intake', 'assessment', 'planning',
                            'implementation']),
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': ~(
                        (Eval('state') == 'closing')
                        | ((Eval('state') == 'intake')
                            & Eval('indication_decision').in_(
                                ['referral', 'no_further_need']))),
                    'icon': 'tryton-ok',
                    'depends': ['state', 'indication_decision'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['intake', 'assessment']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'closed',
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'intake'

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_case_manager(cls):
        return _employee()

    @classmethod
    def default_opened_date(cls):
        return today()

    @classmethod
    def default_depth(cls):
        return 'clearing'

    @classmethod
    def default_followup_due(cls):
        return False

    @classmethod
    def default_short_case(cls):
        return False

    @fields.depends('client', 'kommune')
    def on_change_client(self):
        if self.client and self.client.kim_residence_kommune:
            self.kommune = self.client.kim_residence_kommune

    @fields.depends('team', 'kommune')
    def on_change_team(self):
        if self.team and not self.kommune and len(self.team.kommunen) == 1:
            self.kommune, = self.team.kommunen

    @fields.depends('indication_decision', 'indication_decided_by',
        'indication_date', 'depth')
    def on_change_indication_decision(self):
        if self.indication_decision:
            if not self.indication_decided_by and _employee():
                self.indication_decided_by = _employee()
            if not self.indication_date:
                self.indication_date = today()
            self.depth = {
                'case_management': 'case_management',
                'referral': 'referral',
                'no_further_need': 'clearing',
                }[self.indication_decision]

    @classmethod
    def get_rec_name(cls, cases, name):
        # number and client name of all cases in one query (the case list
        # and the Wiedervorlage show a hundred at once)
        pool = Pool()
        Party = pool.get('party.party')
        result = {}
        stored = []
        for case in cases:
            if (case.id is None or case.id < 0
                    or Transaction().context.get('_datetime')):
                number = case.number or '(%s)' % case.id
                result[case.id] = ('%s - %s' % (number, case.client.rec_name)
                    if case.client else number)
            else:
                stored.append(case.id)
        table = cls.__table__()
        party = Party.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(stored, backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.join(party, 'LEFT',
                    condition=table.client == party.id
                    ).select(table.id, table.number, table.client,
                    party.name, party.code,
                    where=reduce_ids(table.id, list(sub_ids))))
            for id_, number, client, name_, code in cursor:
                number = number or '(%s)' % id_
                result[id_] = ('%s - %s' % (
                        number, Party._kim_rec_name(name_, code))
                    if client is not None else number)
        return result

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'number', 'client.rec_name')

    @classmethod
    def get_client_data(cls, cases, names):
        pool = Pool()
        Party = pool.get('party.party')
        result = {n: {c.id: None for c in cases} for n in names}
        date = Transaction().context.get('date') or today()
        case = cls.__table__()
        party = Party.__table__()
        cursor = Transaction().connection.cursor()
        clients = {}
        in_max = backend.MAX_QUERY_PARAMS
        for sub_ids in grouped_slice([c.id for c in cases], in_max):
            cursor.execute(*case.join(party,
                    condition=case.client == party.id
                    ).select(case.id, party.id, party.kim_birth_date,
                    party.kim_language_mediation,
                    party.kim_mediation_language,
                    where=reduce_ids(case.id, list(sub_ids))))
            for case_id, *client in cursor:
                clients[case_id] = client
        current = Party.kim_current({c[0] for c in clients.values()}, date)
        for case_id, (client, birth, mediation, language) in clients.items():
            values = {
                'client_age': age_on(birth, date),
                'client_residence_status': current[client]['status'],
                'client_document_expiry': (
                    current[client]['document_expiry']),
                'client_rechtskreis': current[client]['rechtskreis'],
                'client_mediation_language': (
                    language if mediation else None),
                }
            for name in names:
                result[name][case_id] = values[name]
        return result

    # Hooks for extensions (consent, assessment and Hilfeplan)
    def check_can_assess(self):
        "Raise a UserError if the case cannot leave intake for assessment"

    def check_can_plan(self):
        "Raise a UserError if the case cannot move to planning"

    def check_can_implement(self):
        "Raise a UserError if the case cannot move to implementation"

    @classmethod
    def get_goal_attainment(cls, cases, name):
        "Return the goal attainment (mean rating 1 to 5) or None per case"
        return {c.id: None for c in cases}

    @classmethod
    def _due_id(cls, source_id, case_id, kind):
        """Return the SQL expression of the id of a kim.case.due row
        for the record source_id of the kind on the case."""
        return ((Cast(source_id, cls.__bigint()) * (2 ** 24) + case_id)
            * DUE_SLOTS + DUE_KINDS[kind])

    @staticmethod
    def __bigint():
        from trytond import backend
        return backend.Database().sql_type('BIGINT').base

    @classmethod
    def _due_sources(cls):
        """Return the names of the models whose records the queries of
        _due_queries read: a change of one of their records clears the
        cached items of kim.case.due (DueSourceMixin). Extensions that add a
        query add its models."""
        return {'kim.case', 'kim.case.event', 'kim.client.residence_status',
            'kim.residence_status_type', 'kim.configuration'}

    @classmethod
    def _due_queries(cls):
        """Return the python-sql queries of the rows of kim.case.due.
        Each query selects the columns id (see _due_id), case, kind (a
        Literal) and date; kim.case.due restricts each to the readable cases
        and to the horizon of its kind (unless the kind is in
        CaseDue._own_horizon_kinds), and the union to open cases.
        Extensions append their queries."""
        pool = Pool()
        Status = pool.get('kim.client.residence_status')
        Event = pool.get('kim.case.event')
        Configuration = pool.get('kim.configuration')
        config = Configuration(1)
        date = Transaction().context.get('date') or today()
        case = cls.__table__()
        case2 = cls.__table__()
        status = Status.__table__()
        event = Event.__table__()
        StatusType = pool.get('kim.residence_status_type')
        status_type = StatusType.__table__()
        cursor = Transaction().connection.cursor()

        review = case.select(
            cls._due_id(case.id, case.id, 'review').as_('id'),
            case.id.as_('case'),
            Literal('review').as_('kind'),
            case.next_review.as_('date'),
            where=(case.next_review != Null)
            & case.state.in_(OPEN_STATES))
        document = status.join(case2,
            condition=status.client == case2.client
            ).select(
            cls._due_id(status.id, case2.id, 'residence_document').as_('id'),
            case2.id.as_('case'),
            Literal('residence_document').as_('kind'),
            status.document_expiry.as_('date'),
            where=(status.document_expiry != Null)
            & ((status.valid_to == Null) | (status.valid_to >= date))
            & case2.state.in_(OPEN_STATES))
        # the horizon of the residence status type, else the configuration's
        cursor.execute(*status_type.select(
                status_type.id, status_type.due_horizon,
                where=status_type.due_horizon != Null))
        by_horizon = {}
        for type_id, days in cursor:
            by_horizon.setdefault(days, []).append(type_id)
        default = date + datetime.timedelta(
            days=config.get_due_kind_horizon('residence_document'))
        horizon = status.document_expiry <= default
        if by_horizon:
            horizon &= ~status.status_type.in_(
                [i for ids in by_horizon.values() for i in ids])
        for days, type_ids in by_horizon.items():
            horizon |= (status.status_type.in_(type_ids)
                & (status.document_expiry
                    <= date + datetime.timedelta(days=days)))
        document.where &= horizon
        since = date - datetime.timedelta(
            days=config.get_rechtskreis_change_days())
        rechtskreis = event.select(
            cls._due_id(event.id, event.case, 'rechtskreis_change').as_('id'),
            event.case.as_('case'),
            Literal('rechtskreis_change').as_('kind'),
            event.date.as_('date'),
            where=(event.type == 'rechtskreis_change')
            & (event.date >= since) & (event.date <= date))
        return [review, document, rechtskreis]

    @classmethod
    def validate_fields(cls, cases, field_names):
        super().validate_fields(cases, field_names)
        for case in cases:
            case.check_dates(field_names)

    def check_dates(self, field_names=None):
        date = today()
        if field_names is None or field_names & {'opened_date'}:
            if self.opened_date and self.opened_date > date:
                raise CaseValidationError(gettext(
                        'kim_case.msg_case_opened_future',
                        case=self.rec_name, date=self.opened_date))
        if field_names is None or field_names & {
                'opened_date', 'closing_date'}:
            if self.closing_date:
                if self.opened_date and self.closing_date < self.opened_date:
                    raise CaseValidationError(gettext(
                            'kim_case.msg_case_closing_before_opened',
                            case=self.rec_name,
                            closing_date=self.closing_date,
                            opened_date=self.opened_date))
                if self.closing_date > date:
                    raise CaseValidationError(gettext(
                            'kim_case.msg_case_closing_future',
                            case=self.rec_name, date=self.closing_date))
        if field_names is None or field_names & {
                'opened_date', 'indication_date'}:
            if self.indication_date:
                if self.indication_date > date:
                    raise CaseValidationError(gettext(
                            'kim_case.msg_case_indication_future',
                            case=self.rec_name, date=self.indication_date))
                if self.opened_date and (
                        self.indication_date < self.opened_date):
                    raise CaseValidationError(gettext(
                            'kim_case.msg_case_indication_before_opened',
                            case=self.rec_name))
        if field_names is None or field_names & {
                'client', 'household_members'}:
            if self.client in (self.household_members or []):
                raise CaseValidationError(gettext(
                        'kim_case.msg_case_client_household',
                        case=self.rec_name))

    @classmethod
    def check_modification(cls, mode, cases, values=None, external=False):
        super().check_modification(
            mode, cases, values=values, external=external)
        if mode == 'delete':
            check_case_open(cases)
            for case in cases:
                if case.state not in {'intake', 'cancelled'}:
                    raise CaseWorkflowError(gettext(
                            'kim_case.msg_case_delete',
                            case=case.rec_name))

    @classmethod
    def _number_sequence(cls, config):
        return config.get_case_sequence()

    @classmethod
    def copy(cls, cases, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('events', None)
        default.setdefault('opened_date', today())
        default.setdefault('next_review', None)
        for name in ['complex_needs', 'several_providers',
                'standard_routes_fail', 'lacks_resources', 'voluntary',
                'decision', 'decided_by', 'date', 'reason']:
            default.setdefault('indication_' + name, None)
        default.setdefault('closing_reason', None)
        default.setdefault('closing_date', None)
        default.setdefault('closing_evaluation', None)
        default.setdefault('successors', None)
        # the referrals, handovers and conferences (CaseLinkMixin) of other
        # modules stay with the original case
        pool = Pool()
        for name, field in cls._fields.items():
            if (isinstance(field, fields.One2Many)
                    and issubclass(pool.get(field.model_name), CaseLinkMixin)):
                default.setdefault(name, None)
        return super().copy(cases, default=default)

    @classmethod
    def _log_events(cls, cases, type_, description, date=None):
        pool = Pool()
        Event = pool.get('kim.case.event')
        if date is None:
            date = today()
        Event.save([Event(case=c, date=date, type=type_,
                    description=description, automatic=True)
                for c in cases])

    @classmethod
    def _log_state(cls, cases, state):
        if cases:
            states = dict(cls.fields_get(['state'])['state']['selection'])
            cls._log_events(cases, 'state_change', gettext(
                    'kim_case.msg_event_state', state=states[state]))

    @classmethod
    @ModelView.button
    @Workflow.transition('assessment')
    def assess(cls, cases):
        for case in cases:
            case.check_indication()
            if not case.case_manager:
                raise CaseWorkflowError(gettext(
                        'kim_case.msg_case_no_case_manager',
                        case=case.rec_name))
            case.check_can_assess()
            case.depth = 'case_management'
        cls.save(cases)
        cls._log_state(cases, 'assessment')

    def check_indication(self):
        "Check the indication decision allows case management"
        if self.indication_decision != 'case_management':
            raise CaseWorkflowError(gettext(
                    'kim_case.msg_case_indication_required',
                    case=self.rec_name))
        if self.indication_voluntary == 'no':
            raise CaseWorkflowError(gettext(
                    'kim_case.msg_case_indication_not_voluntary',
                    case=self.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('planning')
    def plan(cls, cases):
        for case in cases:
            case.check_can_plan()
        cls._log_state(cases, 'planning')

    @classmethod
    @ModelView.button
    @Workflow.transition('implementation')
    def implement(cls, cases):
        for case in cases:
            case.check_can_implement()
        cls._log_state(cases, 'implementation')

    @classmethod
    @ModelView.button
    @Workflow.transition('closing')
    def to_close(cls, cases):
        cls._log_state(cases, 'closing')

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, cases):
        date = today()
        for case in cases:
            if not case.closing_reason:
                raise CaseWorkflowError(gettext(
                        'kim_case.msg_case_closing_reason',
                        case=case.rec_name))
            if case.state == 'intake':
                case.short_case = True
                if case.indication_decision == 'case_management':
                    raise CaseWorkflowError(gettext(
                            'kim_case.msg_case_short_case_management',
                            case=case.rec_name))
            if not case.closing_date:
                case.closing_date = date
            case.followup_due = False
        cls.save(cases)
        handovers = [c for c in cases if c.closing_reason.handover]
        if handovers:
            for case in handovers:
                cls._log_events([case], 'handover', case.closing_reason.name,
                    date=case.closing_date)
        cls._log_state(cases, 'closed')

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, cases):
        cls._log_state(cases, 'cancelled')

    @classmethod
    @ModelView.button
    @Workflow.transition('intake')
    def draft(cls, cases):
        cls._log_state(cases, 'intake')

    @classmethod
    @ModelView.button_action('kim_case.act_case_reopened')
    def reopen(cls, cases):
        "Open a new case that continues each closed case"
        new_cases = cls._reopen(cases)
        return {
            'res_id': [c.id for c in new_cases],
            'views': [(None, 'form'), (None, 'tree')],
            }

    @classmethod
    def _reopen(cls, cases):
        for case in cases:
            if case.state != 'closed':
                raise CaseWorkflowError(gettext(
                        'kim_case.msg_case_reopen_closed',
                        case=case.rec_name))
        new_cases = []
        for case in cases:
            new_case = cls(
                company=case.company,
                client=case.client,
                household_members=case.household_members,
                case_manager=case.case_manager or _employee(),
                team=case.team,
                kommune=case.client.kim_residence_kommune or case.kommune,
                target_groups=case.target_groups,
                rechtskreise=case.rechtskreise,
                depth=case.depth,
                predecessor=case,
                )
            new_cases.append(new_case)
        cls.save(new_cases)
        for case, new_case in zip(cases, new_cases):
            cls._log_events([new_case], 'reopened', gettext(
                    'kim_case.msg_event_reopened', case=case.rec_name))
        return new_cases

    @classmethod
    def flag_due(cls, date=None):
        """Set followup_due on the open cases that have items due on date
        (or overdue) in the Wiedervorlage list and clear it on the others.
        Return the flagged cases."""
        pool = Pool()
        Due = pool.get('kim.case.due')
        if date is None:
            date = today()
        cursor = Transaction().connection.cursor()
        with Transaction().set_context(date=date):
            from_, due, where = Due.select_from([('date', '<=', date)])
            cursor.execute(*from_.select(due.case, where=where,
                    group_by=[due.case]))
        due_ids = {case for case, in cursor}
        flagged = cls.search([
                ('state', 'in', OPEN_STATES),
                ('followup_due', '=', True),
                ])
        flagged_ids = {c.id for c in flagged}
        to_clear = [c for c in flagged if c.id not in due_ids]
        to_flag = cls.browse(sorted(due_ids - flagged_ids))
        to_write = []
        if to_clear:
            to_write.extend((to_clear, {'followup_due': False}))
        if to_flag:
            to_write.extend((to_flag, {'followup_due': True}))
        if to_write:
            cls.write(*to_write)
        return cls.browse(sorted(due_ids))


CaseHouseholdMember = relation('CaseHouseholdMember',
    'kim.case-party.party.household', "Case - Household Member",
    'case', 'kim.case', 'party', 'party.party')
CaseTargetGroup = relation('CaseTargetGroup', 'kim.case-kim.target_group',
    "Case - Target Group", 'case', 'kim.case',
    'target_group', 'kim.target_group')
CaseRechtskreis = relation('CaseRechtskreis', 'kim.case-kim.rechtskreis',
    "Case - Rechtskreis", 'case', 'kim.case', 'rechtskreis', 'kim.rechtskreis')


class CaseEvent(WorkflowGuard, ModelSQL, ModelView):
    __string__ = "Case Event"
    __name__ = 'kim.case.event'
    case = fields.Many2One('kim.case', "Case", required=True,
        ondelete='CASCADE')
    date = fields.Date("Date", required=True,
        states={'readonly': Bool(Eval('automatic'))})
    type = fields.Selection([
            ('state_change', "State Change"),
            ('rechtskreis_change', "Rechtskreis Change"),
            ('residence_status_change', "Residence Status Change"),
            ('handover', "Handover"),
            ('case_manager_change', "Change of Case Manager"),
            ('referral', "Referral"),
            ('conference', "Case Conference"),
            ('reopened', "Reopened"),
            ('note', "Note"),
            ], "Type", required=True,
        states={'readonly': Bool(Eval('automatic'))})
    description = fields.Text("Description",
        states={'readonly': Bool(Eval('automatic'))})
    employee = fields.Many2One('company.employee', "Employee",
        ondelete='SET NULL', states={'readonly': Bool(Eval('automatic'))})
    automatic = fields.Boolean("Automatic", readonly=True,
        help="Recorded by the system, e.g. on a state change.")
    type_string = type.translated('type')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('case')
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.case, Index.Equality())),
                Index(t, (t.date, Index.Range()),
                    where=t.type == 'rechtskreis_change'),
                })
        # only the system records automatic events
        cls._guard(protected={'automatic'})

    @classmethod
    def default_date(cls):
        return today()

    @classmethod
    def default_type(cls):
        return 'note'

    @classmethod
    def default_employee(cls):
        return _employee()

    @classmethod
    def default_automatic(cls):
        return False

    def get_rec_name(self, name):
        return '%s %s' % (format_date(self.date), self.type_string or '')

    @classmethod
    def check_modification(cls, mode, events, values=None, external=False):
        super().check_modification(
            mode, events, values=values, external=external)
        check_case_open({e.case for e in events})
        for event in events:
            if external and mode != 'create' and event.automatic:
                raise CaseWorkflowError(gettext(
                        'kim_case.msg_event_automatic',
                        case=event.case.rec_name))


class CaseDue(ModelSQL, ModelView):
    __string__ = "Case Wiedervorlage"
    __name__ = 'kim.case.due'
    case = fields.Many2One('kim.case', "Case", readonly=True)
    client = fields.Many2One('party.party', "Client", readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    case_manager = fields.Many2One('company.employee', "Case Manager",
        readonly=True)
    team = fields.Many2One('kim.case.team', "Team", readonly=True)
    company = fields.Many2One('company.company', "Company", readonly=True)
    kind = fields.Selection(DUE_KIND_SELECTION, "Kind", readonly=True,
        sort=False)
    date = fields.Date("Date", readonly=True)
    overdue = fields.Function(fields.Boolean("Overdue"),
        'get_status', searcher='search_overdue')
    escalated = fields.Function(fields.Boolean("Escalated",
            help="Overdue for longer than the KIM configuration allows: "
            "the item shows in the Fachaufsicht's list."),
        'get_status', searcher='search_escalated')
    mine = fields.Function(fields.Boolean("Mine"),
        'get_mine', searcher='search_mine')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def select_from(cls, domain):
        """Return the FROM of the items of domain, the table query in it and
        the condition, to select their columns in one query: reading the
        records in batches would compute the table query once per batch"""
        tables, expression = cls.search_domain(domain)
        return convert_from(None, tables), tables[None][0], expression

    @classmethod
    def _readable_cases(cls):
        """Return the query of the ids of the cases the user of the
        transaction reads, or None when the access is not checked"""
        pool = Pool()
        Case = pool.get('kim.case')
        Rule = pool.get('ir.rule')
        domain = Rule.domain_get('kim.case', mode='read')
        if not domain:
            return None
        transaction = Transaction()
        with transaction.set_user(0, set_context=True), \
                without_check_access():
            return Case.search(domain, order=[], query=True)

    # The items a user sees on a day, computed once and kept until a record
    # they derive from changes (DueSourceMixin clears the cache; trytond
    # passes the clearing on to the other server processes) or for the
    # duration at most. Kept on PostgreSQL, which takes them back as arrays;
    # lists longer than _items_cached_max (a Fachaufsicht's) are computed at
    # each call.
    _items_cache = Cache('kim.case.due.items', context=False,
        duration=datetime.timedelta(minutes=10))
    _items_cached_max = 5000
    _items_columns = [
        ('id', 'BIGINT'), ('case', 'INTEGER'), ('client', 'INTEGER'),
        ('case_manager', 'INTEGER'), ('team', 'INTEGER'),
        ('company', 'INTEGER'), ('kind', 'VARCHAR'), ('date', 'DATE')]

    @classmethod
    def clear_items_cache(cls):
        "Forget the cached items (after a change of what they derive from)"
        cls._items_cache.clear()

    @classmethod
    def _items_key(cls):
        """The key of the items of the transaction (the cache is per
        database): the user, the day, the company and the rule of the cases
        the user reads (with the assignments it was computed from); for the
        user's own list the employees"""
        transaction = Transaction()
        context = transaction.context
        domain = Pool().get('ir.rule').domain_get('kim.case', mode='read')
        mine = context.get('kim_due_mine')
        return (transaction.user,
            str(context.get('date') or today()), context.get('company'),
            repr(domain) if domain else None,
            tuple(sorted(cls._user_employees())) if mine else None)

    @classmethod
    def table_query(cls):
        if backend.name != 'postgresql':
            return cls._items_query()
        key = cls._items_key()
        rows = cls._items_cache.get(key)
        if rows is None:
            query = cls._items_query()
            cursor = Transaction().connection.cursor()
            cursor.execute(*query.select(
                    *(getattr(query, name) for name, _ in cls._items_columns),
                    limit=cls._items_cached_max + 1))
            rows = cursor.fetchall()
            if len(rows) > cls._items_cached_max:
                rows = False
            else:
                rows = cls._items_arrays(rows)
            cls._items_cache.set(key, rows)
        if rows is False:
            return cls._items_query()
        return Select([
                Unnest(Cast(Literal(array), type_ + '[]')).as_(name)
                for array, (name, type_) in zip(rows, cls._items_columns)])

    @classmethod
    def _items_arrays(cls, rows):
        """The columns of rows as PostgreSQL array literals: sent as one
        text each, not dumped element by element at each query (the values
        are numbers, dates and the kinds' codes)"""
        return tuple(
            '{%s}' % ','.join('NULL' if v is None else str(v) for v in column)
            for column in zip(*rows)) if rows else (
            ('{}',) * len(cls._items_columns))

    @classmethod
    def _items_query(cls):
        "The query that computes the items the transaction's user reads"
        pool = Pool()
        Case = pool.get('kim.case')
        Configuration = pool.get('kim.configuration')
        config = Configuration(1)
        date = Transaction().context.get('date') or today()
        case = Case.__table__()
        queries = Case._due_queries()
        # restrict every part to the user's cases inside the query, so that
        # the database reads only their rows: the readable cases and, for
        # the list of the user's own cases (context kim_due_mine), the cases
        # in their charge
        # the cases are selected once, in a common table expression that
        # every part reads (the database plans the rule's query once, not
        # once per part)
        restriction = None
        readable = cls._readable_cases()
        mine = Transaction().context.get('kim_due_mine')
        if readable is not None or mine:
            allowed = Case.__table__()
            where = allowed.state.in_(OPEN_STATES)
            if readable is not None:
                where &= allowed.id.in_(readable)
            if mine:
                where &= allowed.case_manager.in_(
                    list(cls._user_employees()) or [None])
            restriction = With('id', query=allowed.select(
                    allowed.id, where=where))
        for query in queries:
            columns = {getattr(c, 'output_name', None): c.expression
                for c in query.columns}
            if restriction is not None:
                query.where &= columns['case'].in_(
                    restriction.select(restriction.id))
            # the horizon of the kind
            kind = columns['kind'].value
            if kind not in cls._own_horizon_kinds:
                query.where &= columns['date'] <= date + datetime.timedelta(
                    days=config.get_due_kind_horizon(kind))
        union = Union(*queries, all_=True)
        return union.join(case, condition=union.case == case.id).select(
            union.id.as_('id'),
            union.case.as_('case'),
            case.client.as_('client'),
            case.case_manager.as_('case_manager'),
            case.team.as_('team'),
            case.company.as_('company'),
            union.kind.as_('kind'),
            union.date.as_('date'),
            where=case.state.in_(OPEN_STATES),
            with_=[restriction] if restriction is not None else None)

    # Kinds that inform about a past event rather than a date to meet
    _informative_kinds = DUE_INFORMATIVE_KINDS
    # Kinds whose queries apply their horizon themselves
    _own_horizon_kinds = {
        'residence_document', 'rechtskreis_change', 'duldung_no_expiry'}

    @classmethod
    def get_status(cls, dues, names):
        "overdue and escalated, with one look-up of the date and the limit"
        status = cls._status_on(Transaction().context.get('date') or today())
        result = {name: {} for name in names}
        for due in dues:
            overdue, escalated = status(due.kind, due.date)
            if 'overdue' in result:
                result['overdue'][due.id] = overdue
            if 'escalated' in result:
                result['escalated'][due.id] = escalated
        return result

    @classmethod
    def _status_on(cls, date):
        """Return the function (kind, due date) -> (overdue, escalated) of
        the items on date (the rule that search_overdue and
        search_escalated give as domains)"""
        limit = date - datetime.timedelta(days=cls._escalation_days())

        def status(kind, due_date):
            overdue = bool(due_date and due_date < date
                and kind not in cls._informative_kinds)
            return overdue, overdue and due_date < limit
        return status

    @classmethod
    def search_overdue(cls, name, clause):
        date = Transaction().context.get('date') or today()
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [
                ('date', '<', date),
                ('kind', 'not in', list(cls._informative_kinds)),
                ]
        return ['OR',
            ('date', '>=', date),
            ('kind', 'in', list(cls._informative_kinds)),
            ]

    @classmethod
    def _escalation_days(cls):
        Configuration = Pool().get('kim.configuration')
        return Configuration(1).get_escalation_days()

    @classmethod
    def search_escalated(cls, name, clause):
        date = Transaction().context.get('date') or today()
        limit = date - datetime.timedelta(days=cls._escalation_days())
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [
                ('date', '<', limit),
                ('kind', 'not in', list(cls._informative_kinds)),
                ]
        return ['OR',
            ('date', '>=', limit),
            ('kind', 'in', list(cls._informative_kinds)),
            ]

    @classmethod
    def _user_employees(cls):
        """The employees an administrator assigned to the user and the
        current employee of the context (a filter, not a rule)"""
        employees = set(rule_context()['employees'])
        if Transaction().context.get('employee'):
            employees.add(Transaction().context['employee'])
        return employees

    @classmethod
    def _kim_access_log_path(cls):
        return ''

    @classmethod
    def _kim_access_log_records(cls, ids):
        "The reads of due items are logged as reads of their cases"
        return {'kim.case': sorted({
                    (i // DUE_SLOTS) % (2 ** 24) for i in ids})}

    def get_mine(self, name):
        return bool(self.case_manager
            and self.case_manager.id in self._user_employees())

    @classmethod
    def search_mine(cls, name, clause):
        _, operator, value = clause
        employees = list(cls._user_employees())
        if (operator == '=') == bool(value):
            return [('case_manager', 'in', employees)]
        return ['OR',
            ('case_manager', 'not in', employees),
            ('case_manager', '=', None),
            ]


class CaseLinkMixin:
    """A record of a case (referral, handover, conference...): its client and
    company come from the case, and access follows the case."""
    __slots__ = ()
    client = fields.Function(fields.Many2One('party.party', "Client",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'}),
        'on_change_with_client', searcher='search_client')
    company = fields.Function(fields.Many2One('company.company', "Company"),
        'on_change_with_company')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('case')

    @fields.depends('case', '_parent_case.client')
    def on_change_with_client(self, name=None):
        if self.case and self.case.client:
            return self.case.client.id

    @classmethod
    def search_client(cls, name, clause):
        return [('case.client' + clause[0][len(name):],) + tuple(clause[1:])]

    @fields.depends('case', '_parent_case.company')
    def on_change_with_company(self, name=None):
        if self.case and self.case.company:
            return self.case.company.id
