# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Hilfeplan (Zielvereinbarung / Integrationsvereinbarung): versioned plans
agreed with the client, their goals per Handlungsfeld and the measures with
who does what by when."""
from collections import defaultdict

from sql import Literal, Null
from sql.aggregate import Max

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.modules.kim_network.common import today
from trytond.modules.kim_network.workflow import (
    ScannedSignatureMixin, WorkflowGuard)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .case import check_case_open
from .document import ClientDocumentReport
from .exceptions import (
    CaseWorkflowError, PlanError, PlanReadOnlyError, PlanValidationError,
    PlanWarning)

GOAL_STATUSES = [
    ('open', "Open"),
    ('achieved', "Achieved"),
    ('partly_achieved', "Partly Achieved"),
    ('not_achieved', "Not Achieved"),
    ('dropped', "Dropped"),
    ]
ATTAINMENT_HELP = ("The degree of goal attainment at review on a 5-step "
    "scale: 1 not at all, 2 little, 3 partly, 4 mostly, 5 fully.")
MEASURE_STATUSES = [
    ('planned', "Planned"),
    ('in_progress', "In Progress"),
    ('done', "Done"),
    ('cancelled', "Cancelled"),
    ]
RESPONSIBLES = [
    ('client', "Client"),
    ('case_manager', "Case Manager"),
    ('partner', "Network Partner"),
    ]
# What may still change once a plan is agreed (monitoring and review)
PLAN_REVIEW_FIELDS = {'goals', 'review_date', 'review_note'}
GOAL_REVIEW_FIELDS = {'status', 'attainment', 'review_note', 'measures'}
MEASURE_REVIEW_FIELDS = {'status', 'feedback'}

DRAFT_ONLY = {
    'readonly': Eval('state') != 'draft',
    }
PLAN_DRAFT_ONLY = {
    'readonly': Eval('plan_state') != 'draft',
    }
PLAN_REVIEW = {
    'readonly': Eval('plan_state') == 'superseded',
    }


class Plan(ScannedSignatureMixin, WorkflowGuard, Workflow, ModelSQL,
        ModelView):
    __string__ = "Hilfeplan"
    __name__ = 'kim.case.plan'
    _history = True
    case = fields.Many2One('kim.case', "Case", required=True,
        ondelete='CASCADE', states=DRAFT_ONLY)
    version = fields.Integer("Version", readonly=True,
        help="Plans are continued (fortgeschrieben) in numbered versions.")
    predecessor = fields.Many2One('kim.case.plan', "Predecessor",
        readonly=True, ondelete='RESTRICT',
        domain=[('case', '=', Eval('case', -1))],
        help="The version this plan revises.")
    successor = fields.Function(fields.Many2One('kim.case.plan', "Successor",
            help="The version that revises this plan."),
        'get_successor')
    assessment = fields.Many2One('kim.case.assessment', "Assessment",
        ondelete='RESTRICT',
        domain=[
            ('case', '=', Eval('case', -1)),
            ('state', '=', 'done'),
            ],
        states=DRAFT_ONLY,
        help="The assessment the plan is based on.")
    main_goal = fields.Text("Hauptziel",
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') != 'draft',
            },
        help="The main goal agreed with the client.")
    revision_reason = fields.Text("Reason for Revision",
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': ~Eval('predecessor'),
            })
    agreement_date = fields.Date("Agreed on",
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') != 'draft',
            },
        help="The day the client agreed to and signed the plan; attach the "
        "scan of the signed plan.")
    interpreter_used = fields.Boolean("Interpreter Used", states=DRAFT_ONLY)
    interpreter_language = fields.Many2One('kim.language',
        "Interpreter Language", ondelete='RESTRICT',
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': ~Eval('interpreter_used'),
            'required': Bool(Eval('interpreter_used')),
            })
    goals = fields.One2Many('kim.case.plan.goal', 'plan', "Goals",
        states={
            'readonly': Eval('state') == 'superseded',
            })
    review_date = fields.Date("Next Review",
        states={
            'readonly': Eval('state') == 'superseded',
            },
        help="When the plan is reviewed with the client (Wiedervorlage).")
    review_note = fields.Text("Monitoring Notes",
        states={
            'readonly': Eval('state') == 'superseded',
            })
    goal_attainment = fields.Function(fields.Float("Goal Attainment",
            digits=(2, 1),
            help="The mean attainment (1 to 5) of the rated goals."),
        'get_attainment')
    goals_achieved = fields.Function(fields.Float("Goals Achieved",
            digits=(1, 2),
            help="The share of goals achieved, dropped goals left out."),
        'get_attainment')
    state = fields.Selection([
            ('draft', "Draft"),
            ('agreed', "Agreed"),
            ('superseded', "Superseded"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('case')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t,
                    (t.case, Index.Equality()),
                    (t.state, Index.Equality())),
                Index(t, (t.predecessor, Index.Equality())),
                })
        cls._order = [('case', 'ASC'), ('version', 'DESC'), ('id', 'DESC')]
        cls._guard(initial='draft',
            protected={'predecessor'},
            assigned={'version'},
            final={
                'agreed': PLAN_REVIEW_FIELDS,
                'superseded': set(),
                },
            final_message='kim_case.msg_plan_readonly')
        cls._transitions |= {
            ('draft', 'agreed'),
            ('agreed', 'superseded'),
            }
        cls._buttons.update({
                'agree': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'revise': {
                    'invisible': Eval('state') != 'agreed',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_interpreter_used(cls):
        return False

    @fields.depends('case', 'assessment', '_parent_case.last_assessment')
    def on_change_case(self):
        "The plan is based on the last signed assessment of the case"
        if self.case and not self.assessment:
            self.assessment = getattr(self.case, 'last_assessment', None)

    def get_rec_name(self, name):
        return '%s v%s' % (self.case.rec_name, self.version or '')

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('case.rec_name',) + tuple(clause[1:])]

    @classmethod
    def get_successor(cls, plans, name):
        successors = cls.search([
                ('predecessor', 'in', [p.id for p in plans]),
                ])
        result = {p.id: None for p in plans}
        result.update({s.predecessor.id: s.id for s in successors})
        return result

    @classmethod
    def get_attainment(cls, plans, names):
        result = {n: {p.id: None for p in plans} for n in names}
        for plan in plans:
            goals = [g for g in plan.goals if g.status != 'dropped']
            rated = [g.attainment for g in goals if g.attainment]
            if 'goal_attainment' in names and rated:
                result['goal_attainment'][plan.id] = round(
                    sum(rated) / len(rated), 1)
            if 'goals_achieved' in names and goals:
                result['goals_achieved'][plan.id] = round(
                    len([g for g in goals if g.status == 'achieved'])
                    / len(goals), 2)
        return result

    @classmethod
    def validate_fields(cls, plans, field_names):
        super().validate_fields(plans, field_names)
        if field_names is None or 'agreement_date' in field_names:
            today = Pool().get('ir.date').today()
            for plan in plans:
                if plan.agreement_date and plan.agreement_date > today:
                    raise PlanValidationError(gettext(
                            'kim_case.msg_plan_agreement_date_future',
                            plan=plan.rec_name, date=plan.agreement_date))

    @classmethod
    def validate(cls, plans):
        super().validate(plans)
        cls.check_current(plans)

    @classmethod
    def check_current(cls, plans, new=None):
        """Exactly one current version per case: at most one agreed plan and
        at most one draft, which then revises the agreed plan.
        new is a list of values of plans about to be created."""
        pool = Pool()
        Case = pool.get('kim.case')
        new = new or []
        case_ids = {p.case.id for p in plans} | {
            v['case'] for v in new if v.get('case')}
        current = cls.search([
                ('case', 'in', list(case_ids)),
                ('state', '!=', 'superseded'),
                ], order=[('version', 'ASC'), ('id', 'ASC')])
        by_case = defaultdict(list)
        for plan in current:
            by_case[plan.case.id].append((plan.id,
                    plan.state, plan.predecessor.id if plan.predecessor
                    else None, plan))
        for values in new:
            if values.get('case'):
                by_case[values['case']].append((None,
                        values.get('state') or 'draft',
                        values.get('predecessor'), None))
        for case_id, case_plans in by_case.items():
            agreed = [p for p in case_plans if p[1] == 'agreed']
            drafts = [p for p in case_plans if p[1] == 'draft']
            if (len(agreed) > 1 or len(drafts) > 1
                    or (agreed and drafts
                        and (agreed[0][0] is None
                            or drafts[0][2] != agreed[0][0]))):
                existing = [p[3] for p in case_plans if p[3]]
                raise PlanValidationError(gettext(
                        'kim_case.msg_plan_current_exists',
                        case=Case(case_id).rec_name,
                        plan=existing[0].rec_name if existing else ''))

    @classmethod
    def check_modification(cls, mode, plans, values=None, external=False):
        super().check_modification(
            mode, plans, values=values, external=external)
        if mode == 'delete':
            for plan in plans:
                if plan.state != 'draft':
                    raise PlanReadOnlyError(gettext(
                            'kim_case.msg_plan_delete', plan=plan.rec_name))
        check_case_open({p.case for p in plans})

    @classmethod
    def preprocess_values(cls, mode, values):
        "Number the version and refuse a second current plan, before writing"
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('case'):
            if not values.get('version'):
                plan = cls.__table__()
                cursor = Transaction().connection.cursor()
                cursor.execute(*plan.select(Max(plan.version),
                        where=plan.case == values['case']))
                values['version'] = (cursor.fetchone()[0] or 0) + 1
            cls.check_current([], new=[values])
        return values

    @classmethod
    def copy(cls, plans, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('agreement_date', None)
        default.setdefault('revision_reason', None)
        default.setdefault('review_note', None)
        return super().copy(plans, default=default)

    def check_agreement(self):
        if not self.main_goal:
            raise PlanError(gettext(
                    'kim_case.msg_plan_main_goal_required',
                    plan=self.rec_name))
        if not self.agreement_date:
            raise PlanError(gettext(
                    'kim_case.msg_plan_agreement_date_required',
                    plan=self.rec_name))
        if not self.goals:
            raise PlanError(gettext(
                    'kim_case.msg_plan_no_goals', plan=self.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('agreed')
    def agree(cls, plans):
        "The client agreed to the plan: it replaces the previous version"
        for plan in plans:
            plan.check_agreement()
        cls.check_scanned(plans, 'kim_plan_no_scan',
            'kim_case.msg_plan_no_scan', exception=PlanWarning)
        cls.validate_fields(plans, {'agreement_date'})
        to_supersede = cls.search([
                ('case', 'in', [p.case.id for p in plans]),
                ('state', '=', 'agreed'),
                ('id', 'not in', [p.id for p in plans]),
                ])
        cls.supersede(to_supersede)

    @classmethod
    @Workflow.transition('superseded')
    def supersede(cls, plans):
        pass

    @classmethod
    @ModelView.button
    def revise(cls, plans):
        "Copy each agreed plan into a new draft version"
        cls.create_revisions(plans)

    @classmethod
    def create_revisions(cls, plans, default=None):
        for plan in plans:
            if plan.state != 'agreed':
                raise PlanError(gettext(
                        'kim_case.msg_plan_revise_not_agreed',
                        plan=plan.rec_name,
                        state=plan.state_string))
        new = []
        for plan in plans:
            values = dict(default or {})
            values['predecessor'] = plan.id
            new.extend(cls.copy([plan], default=values))
        return new


class PlanGoal(sequence_ordered(), ModelSQL, ModelView):
    __string__ = "Hilfeplan Goal"
    __name__ = 'kim.case.plan.goal'
    _history = True
    plan = fields.Many2One('kim.case.plan', "Hilfeplan", required=True,
        ondelete='CASCADE', states=PLAN_DRAFT_ONLY)
    plan_state = fields.Function(fields.Selection(
            'get_plan_states', "Plan State"),
        'on_change_with_plan_state')
    handlungsfeld = fields.Many2One('kim.handlungsfeld', "Handlungsfeld",
        required=True, ondelete='RESTRICT', states=PLAN_DRAFT_ONLY)
    description = fields.Text("Goal", required=True, states=PLAN_DRAFT_ONLY,
        help="The Teilziel, worded so that it can be checked.")
    indicator = fields.Char("Indicator", states=PLAN_DRAFT_ONLY,
        help="How the client and the case manager see that the goal is "
        "reached.")
    target_date = fields.Date("Target Date", states=PLAN_DRAFT_ONLY)
    status = fields.Selection(GOAL_STATUSES, "Status", required=True,
        sort=False, states=PLAN_REVIEW)
    attainment = fields.Integer("Attainment", states=PLAN_REVIEW,
        help=ATTAINMENT_HELP)
    review_note = fields.Text("Review Note", states=PLAN_REVIEW)
    measures = fields.One2Many('kim.case.plan.measure', 'goal', "Measures",
        states=PLAN_REVIEW)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.plan, Index.Equality())))

    @classmethod
    def default_status(cls):
        return 'open'

    @classmethod
    def get_plan_states(cls):
        pool = Pool()
        Plan = pool.get('kim.case.plan')
        return Plan.fields_get(['state'])['state']['selection']

    @fields.depends('plan', '_parent_plan.state')
    def on_change_with_plan_state(self, name=None):
        if self.plan:
            return self.plan.state

    def get_rec_name(self, name):
        description = (self.description or '').splitlines()
        return description[0][:80] if description else str(self.id)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('description',) + tuple(clause[1:])]

    @classmethod
    def validate_fields(cls, goals, field_names):
        super().validate_fields(goals, field_names)
        if field_names is None or 'attainment' in field_names:
            for goal in goals:
                if (goal.attainment is not None
                        and not 1 <= goal.attainment <= 5):
                    raise PlanValidationError(gettext(
                            'kim_case.msg_goal_attainment_range',
                            goal=goal.rec_name))

    @classmethod
    def preprocess_values(cls, mode, values):
        "Refuse goals without Handlungsfeld before anything is written"
        values = super().preprocess_values(mode, values)
        if ((mode == 'create' or 'handlungsfeld' in values)
                and not values.get('handlungsfeld')):
            raise PlanValidationError(gettext(
                    'kim_case.msg_goal_handlungsfeld_required',
                    goal=(values.get('description') or '').strip()[:80]))
        return values

    @classmethod
    def check_modification(cls, mode, goals, values=None, external=False):
        super().check_modification(
            mode, goals, values=values, external=external)
        for goal in goals:
            plan = goal.plan
            if plan.state == 'draft':
                continue
            if mode == 'create':
                raise PlanReadOnlyError(gettext(
                        'kim_case.msg_plan_readonly', record=plan.rec_name))
            allowed = GOAL_REVIEW_FIELDS if plan.state == 'agreed' else set()
            if mode == 'delete' or set(values) - allowed:
                raise PlanReadOnlyError(gettext(
                        'kim_case.msg_goal_readonly',
                        goal=goal.rec_name, plan=plan.rec_name))
        check_case_open({g.plan.case for g in goals})


class PlanMeasure(sequence_ordered(), ModelSQL, ModelView):
    __string__ = "Hilfeplan Measure"
    __name__ = 'kim.case.plan.measure'
    _history = True
    goal = fields.Many2One('kim.case.plan.goal', "Goal", required=True,
        ondelete='CASCADE', states=PLAN_DRAFT_ONLY)
    plan_state = fields.Function(fields.Selection(
            'get_plan_states', "Plan State"),
        'on_change_with_plan_state')
    name = fields.Char("What", required=True, states=PLAN_DRAFT_ONLY,
        help="The step to be taken.")
    responsible = fields.Selection(RESPONSIBLES, "Who", required=True,
        sort=False, states=PLAN_DRAFT_ONLY)
    responsible_string = responsible.translated('responsible')
    organisation = fields.Many2One('party.party', "Partner Organisation",
        ondelete='RESTRICT',
        domain=[('kim_organisation_type', '!=', None)],
        states={
            'readonly': Eval('plan_state') != 'draft',
            'invisible': Eval('responsible') != 'partner',
            })
    service = fields.Many2One('kim.service', "Service", ondelete='RESTRICT',
        domain=[
            If(Bool(Eval('organisation')),
                ('organisation', '=', Eval('organisation', -1)),
                ()),
            ],
        states={
            'readonly': Eval('plan_state') != 'draft',
            'invisible': Eval('responsible') != 'partner',
            },
        help="The offer from the directory (Angebot) the client is "
        "referred to.")
    due_date = fields.Date("Due Date", states=PLAN_DRAFT_ONLY)
    status = fields.Selection(MEASURE_STATUSES, "Status", required=True,
        sort=False, states=PLAN_REVIEW)
    feedback = fields.Text("Feedback", states=PLAN_REVIEW,
        help="Feedback (Rückmeldung) on progress, e.g. from the partner.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('goal')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.goal, Index.Equality())),
                Index(t,
                    (t.due_date, Index.Range()),
                    where=t.status.in_(['planned', 'in_progress'])),
                })

    @classmethod
    def default_status(cls):
        return 'planned'

    @classmethod
    def default_responsible(cls):
        return 'client'

    @classmethod
    def get_plan_states(cls):
        pool = Pool()
        Plan = pool.get('kim.case.plan')
        return Plan.fields_get(['state'])['state']['selection']

    @fields.depends('goal', '_parent_goal.plan_state')
    def on_change_with_plan_state(self, name=None):
        if self.goal:
            return self.goal.plan_state

    @fields.depends('service', 'organisation')
    def on_change_service(self):
        if self.service:
            self.organisation = self.service.organisation

    @classmethod
    def validate_fields(cls, measures, field_names):
        super().validate_fields(measures, field_names)
        if field_names is None or field_names & {
                'responsible', 'organisation', 'service'}:
            for measure in measures:
                if (measure.responsible == 'partner'
                        and not measure.organisation
                        and not measure.service):
                    raise PlanValidationError(gettext(
                            'kim_case.msg_measure_partner_required',
                            measure=measure.rec_name))

    @classmethod
    def check_modification(cls, mode, measures, values=None, external=False):
        super().check_modification(
            mode, measures, values=values, external=external)
        for measure in measures:
            plan = measure.goal.plan
            if plan.state == 'draft':
                continue
            if mode == 'create':
                raise PlanReadOnlyError(gettext(
                        'kim_case.msg_plan_readonly', record=plan.rec_name))
            allowed = (MEASURE_REVIEW_FIELDS if plan.state == 'agreed'
                else set())
            if mode == 'delete' or set(values) - allowed:
                raise PlanReadOnlyError(gettext(
                        'kim_case.msg_measure_readonly',
                        measure=measure.rec_name, plan=plan.rec_name))
        check_case_open({m.goal.plan.case for m in measures})


class PlanReport(ClientDocumentReport):
    "The Hilfeplan the client signs, in the client's language beside German"
    __string__ = "Hilfeplan"
    __name__ = 'kim.case.plan'
    _kim_document = 'plan'

    @classmethod
    def _kim_record_language(cls, plan):
        client = plan.case.client
        return client.kim_get_document_language() if client else None


class PlanCaseReport(PlanReport):
    "The current Hilfeplan printed from its case"
    __string__ = "Hilfeplan"
    __name__ = 'kim.case.plan.case'

    @classmethod
    def _get_records(cls, ids, model, data):
        pool = Pool()
        Case = pool.get('kim.case')
        cases = Case.browse(ids)
        plans = [c.current_plan.id for c in cases if c.current_plan]
        if not plans:
            raise PlanError(gettext('kim_case.msg_case_print_no_plan',
                    case=cases[0].rec_name if cases else ''))
        return super()._get_records(plans, 'kim.case.plan', data)


class PlanAgreeStart(ModelView):
    __string__ = "Agree Hilfeplan"
    __name__ = 'kim.case.plan.agree.start'
    plan = fields.Many2One('kim.case.plan', "Hilfeplan", readonly=True)
    agreement_date = fields.Date("Agreed on", required=True,
        help="The day the client agreed to and signed the plan.")
    implement = fields.Boolean("Start Implementation",
        help="Move the case on from planning to implementation.")


class PlanAgree(Wizard):
    "Agree the draft Hilfeplan of a case with the client in one step"
    __string__ = "Agree Hilfeplan"
    __name__ = 'kim.case.plan.agree'
    start = StateView('kim.case.plan.agree.start',
        'kim_case.plan_agree_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Agreed with Client", 'agree', 'tryton-ok',
                default=True),
            ])
    agree = StateTransition()

    def _plan(self):
        "The draft plan of the case (or the plan) the wizard runs on"
        pool = Pool()
        Plan = pool.get('kim.case.plan')
        if self.model.__name__ == 'kim.case.plan':
            plan = self.record
        else:
            plans = Plan.search([
                    ('case', '=', self.record.id),
                    ('state', '=', 'draft'),
                    ], limit=1)
            plan = plans[0] if plans else None
        if not plan or plan.state != 'draft':
            raise PlanError(gettext('kim_case.msg_plan_agree_no_draft',
                    case=self.record.rec_name))
        return plan

    def default_start(self, fields):
        plan = self._plan()
        return {
            'plan': plan.id,
            'agreement_date': plan.agreement_date or today(),
            'implement': plan.case.state == 'planning',
            }

    def transition_agree(self):
        pool = Pool()
        Plan = pool.get('kim.case.plan')
        plan = self._plan()
        plan.agreement_date = self.start.agreement_date
        if not plan.assessment:
            plan.assessment = getattr(plan.case, 'last_assessment', None)
        plan.save()
        Plan.agree([plan])
        if (getattr(self.start, 'implement', False)
                and plan.case.state == 'planning'):
            Case = pool.get('kim.case')
            Case.implement([Case(plan.case.id)])
        return 'end'


class Case(metaclass=PoolMeta):
    __name__ = 'kim.case'
    plans = fields.One2Many('kim.case.plan', 'case', "Hilfepläne")
    current_plan = fields.Function(fields.Many2One('kim.case.plan',
            "Current Hilfeplan",
            help="The agreed plan in force, or the draft when none is "
            "agreed yet."),
        'get_current_plan')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'agree_plan': {
                    'invisible': ~Eval('state').in_(
                        ['planning', 'implementation']),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @classmethod
    @ModelView.button_action('kim_case.wizard_plan_agree')
    def agree_plan(cls, cases):
        pass

    @classmethod
    def get_current_plan(cls, cases, name):
        pool = Pool()
        Plan = pool.get('kim.case.plan')
        result = {c.id: None for c in cases}
        plans = Plan.search([
                ('case', 'in', [c.id for c in cases]),
                ('state', 'in', ['draft', 'agreed']),
                ], order=[('version', 'ASC')])
        for plan in plans:
            # the agreed plan wins over a draft revision
            if plan.state == 'agreed' or not result[plan.case.id]:
                result[plan.case.id] = plan.id
        return result

    def check_can_implement(self):
        super().check_can_implement()
        plan = self.current_plan
        if not plan or plan.state != 'agreed':
            raise CaseWorkflowError(gettext(
                    'kim_case.msg_case_implement_no_plan',
                    case=self.rec_name))

    @classmethod
    def get_goal_attainment(cls, cases, name):
        "The goal attainment of the current plan of each case"
        return cls._goal_attainment(
            cls.get_current_plan(cases, 'current_plan'))

    @classmethod
    def _goal_attainment(cls, current):
        "{case id: goal attainment} of {case id: current plan id}"
        Plan = Pool().get('kim.case.plan')
        result = dict.fromkeys(current)
        plans = Plan.browse(sorted({p for p in current.values() if p}))
        attainment = Plan.get_attainment(
            plans, ['goal_attainment'])['goal_attainment']
        for case_id, plan_id in current.items():
            if plan_id is not None:
                result[case_id] = attainment[plan_id]
        return result

    @classmethod
    def _due_sources(cls):
        return super()._due_sources() | {
            'kim.case.plan', 'kim.case.plan.goal', 'kim.case.plan.measure'}

    @classmethod
    def _due_queries(cls):
        return super()._due_queries() + [cls._due_query_measure()]

    @classmethod
    def _due_query_measure(cls):
        "Open measures of the agreed Hilfepläne by their due date"
        pool = Pool()
        Plan = pool.get('kim.case.plan')
        Goal = pool.get('kim.case.plan.goal')
        Measure = pool.get('kim.case.plan.measure')
        plan = Plan.__table__()
        goal = Goal.__table__()
        measure = Measure.__table__()
        return (measure
            .join(goal, condition=measure.goal == goal.id)
            .join(plan, condition=goal.plan == plan.id)
            .select(
                cls._due_id(measure.id, plan.case, 'measure').as_('id'),
                plan.case.as_('case'),
                Literal('measure').as_('kind'),
                measure.due_date.as_('date'),
                where=measure.status.in_(['planned', 'in_progress'])
                & (measure.due_date != Null)
                & (plan.state == 'agreed')))

    @classmethod
    def copy(cls, cases, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('plans', None)
        return super().copy(cases, default=default)
