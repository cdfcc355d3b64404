# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Assessment (Bedarfs- und Situationsanalyse) of a case: dated, signed and
repeatable, with one line per Handlungsfeld compared with the previous
assessment."""
from sql import Literal, Null
from sql.aggregate import Max
from sql.operators import Exists

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.modules.kim_network.common import format_date
from trytond.modules.kim_network.workflow import WorkflowGuard
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .case import check_case_open
from .client import form_action
from .exceptions import (
    AssessmentError, AssessmentReadOnlyError, AssessmentValidationError,
    CaseWorkflowError)

NEEDS = [
    ('none', "No Need"),
    ('some', "Some Need"),
    ('urgent', "Urgent Need"),
    ]
NEED_RANK = {'none': 0, 'some': 1, 'urgent': 2}
TRENDS = [
    (None, ""),
    ('new', "New"),
    ('improved', "Improved"),
    ('same', "Same"),
    ('worse', "Worse"),
    ]
DRAFT_ONLY = {
    'readonly': Eval('state') != 'draft',
    }


class Assessment(WorkflowGuard, Workflow, ModelSQL, ModelView):
    __string__ = "Assessment"
    __name__ = 'kim.case.assessment'
    _history = True
    case = fields.Many2One('kim.case', "Case", required=True,
        ondelete='CASCADE', states=DRAFT_ONLY)
    date = fields.Date("Date", required=True, states=DRAFT_ONLY,
        help="The day of the assessment conversation.")
    case_manager = fields.Many2One('company.employee', "Case Manager",
        ondelete='RESTRICT', states=DRAFT_ONLY)
    kind = fields.Function(fields.Selection([
                ('initial', "Initial Assessment"),
                ('reassessment', "Re-assessment"),
                ], "Kind"), 'get_kind')
    previous = fields.Function(fields.Many2One(
            'kim.case.assessment', "Previous Assessment",
            help="The last signed assessment of the case before this one."),
        'get_previous')
    interpreter_used = fields.Boolean("Interpreter Used", states=DRAFT_ONLY)
    interpreter_language = fields.Many2One('kim.language',
        "Interpreter Language", ondelete='RESTRICT',
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': ~Eval('interpreter_used'),
            'required': Bool(Eval('interpreter_used')),
            })
    lines = fields.One2Many('kim.case.assessment.line', 'assessment',
        "Handlungsfelder", states=DRAFT_ONLY)
    client_goals = fields.Text("Client's Own Goals", states=DRAFT_ONLY,
        help="The current goals as the client words them.")
    summary = fields.Text("Summary", states=DRAFT_ONLY,
        help="Status quo and perspective, summarised together with the "
        "client; the basis of the Hilfeplan.")
    next_assessment_date = fields.Date("Next Assessment",
        states=DRAFT_ONLY,
        help="When the re-assessment is planned (Wiedervorlage).")
    predecessor = fields.Many2One('kim.case.assessment', "Predecessor",
        readonly=True, ondelete='RESTRICT',
        help="The signed assessment this re-assessment continues.")
    signed_by = fields.Many2One('res.user', "Signed by", readonly=True,
        ondelete='RESTRICT')
    signed_date = fields.Date("Signed on", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('case')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t,
                    (t.case, Index.Equality()),
                    (t.state, Index.Equality()),
                    (t.date, Index.Range())),
                Index(t,
                    (t.next_assessment_date, Index.Range()),
                    where=t.state == 'done'),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._guard(initial='draft',
            protected={'signed_by', 'signed_date', 'predecessor'},
            final={'done': set()},
            final_message='kim_case.msg_assessment_done_readonly')
        cls._transitions |= {
            ('draft', 'done'),
            }
        cls._buttons.update({
                'sign': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'reassess': {
                    'invisible': Eval('state') != 'done',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_case_manager(cls):
        return Transaction().context.get('employee')

    @fields.depends('case', '_parent_case.case_manager')
    def on_change_case(self):
        if self.case and getattr(self.case, 'case_manager', None):
            self.case_manager = self.case.case_manager

    def get_rec_name(self, name):
        return '%s @ %s' % (self.case.rec_name, format_date(self.date))

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('case.rec_name',) + tuple(clause[1:])]

    @classmethod
    def get_previous(cls, assessments, name):
        "The last done assessment of the same case before each assessment"
        pool = Pool()
        Assessment = pool.get('kim.case.assessment')
        result = {}
        for assessment in assessments:
            previous = Assessment.search([
                    ('case', '=', assessment.case.id),
                    ('state', '=', 'done'),
                    ('id', '!=', assessment.id),
                    ['OR',
                        ('date', '<', assessment.date),
                        [('date', '=', assessment.date),
                            ('id', '<', assessment.id)],
                        ],
                    ], order=[('date', 'DESC'), ('id', 'DESC')], limit=1)
            result[assessment.id] = previous[0].id if previous else None
        return result

    def get_kind(self, name):
        return 'reassessment' if self.previous else 'initial'

    @classmethod
    def validate_fields(cls, assessments, field_names):
        super().validate_fields(assessments, field_names)
        cls.check_dates(assessments, field_names)

    @classmethod
    def check_dates(cls, assessments, field_names=None):
        today = Pool().get('ir.date').today()
        if field_names and not (
                field_names & {'date', 'next_assessment_date'}):
            return
        for assessment in assessments:
            if assessment.date and assessment.date > today:
                raise AssessmentValidationError(gettext(
                        'kim_case.msg_assessment_date_future',
                        assessment=assessment.rec_name,
                        date=assessment.date))
            if (assessment.next_assessment_date and assessment.date
                    and assessment.next_assessment_date < assessment.date):
                raise AssessmentValidationError(gettext(
                        'kim_case.msg_assessment_next_date_before',
                        assessment=assessment.rec_name,
                        date=assessment.date,
                        next_date=assessment.next_assessment_date))

    @classmethod
    def check_modification(cls, mode, assessments, values=None,
            external=False):
        super().check_modification(
            mode, assessments, values=values, external=external)
        if mode == 'write' and not (
                set(values) - {'state'} - cls._guard_protected):
            # the workflow moves on
            return
        if mode == 'delete':
            for assessment in assessments:
                if assessment.state == 'done':
                    raise AssessmentReadOnlyError(gettext(
                            'kim_case.msg_assessment_done_delete',
                            assessment=assessment.rec_name))
        check_case_open({a.case for a in assessments})

    @classmethod
    def copy(cls, assessments, default=None):
        pool = Pool()
        Date = pool.get('ir.date')
        default = default.copy() if default is not None else {}
        default.setdefault('date', Date.today())
        default.setdefault('next_assessment_date', None)
        return super().copy(assessments, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def sign(cls, assessments):
        "Sign the assessment: from now on it is read-only"
        pool = Pool()
        Date = pool.get('ir.date')
        for assessment in assessments:
            if not assessment.lines:
                raise AssessmentError(gettext(
                        'kim_case.msg_assessment_sign_no_lines',
                        assessment=assessment.rec_name))
        cls.check_dates(assessments)
        cls.write(assessments, {
                'signed_by': Transaction().user,
                'signed_date': Date.today(),
                })

    @classmethod
    @ModelView.button
    def reassess(cls, assessments):
        "Start a re-assessment from each signed assessment"
        cls.create_reassessments(assessments)

    @classmethod
    def create_reassessments(cls, assessments, default=None):
        """Copy each done assessment into a new draft of its case and return
        the drafts. A case may have only one draft assessment."""
        pool = Pool()
        Employee = pool.get('company.employee')
        drafts = cls.search([
                ('case', 'in', [a.case.id for a in assessments]),
                ('state', '=', 'draft'),
                ])
        for draft in drafts:
            raise AssessmentError(gettext(
                    'kim_case.msg_assessment_draft_exists',
                    case=draft.case.rec_name, assessment=draft.rec_name))
        new = []
        for assessment in assessments:
            if assessment.state != 'done':
                continue
            values = dict(default or {})
            values['predecessor'] = assessment.id
            case_manager = getattr(assessment.case, 'case_manager', None)
            if isinstance(case_manager, Employee):
                values.setdefault('case_manager', case_manager.id)
            new.extend(cls.copy([assessment], default=values))
        return new


class AssessmentLine(ModelSQL, ModelView):
    __string__ = "Assessment Line"
    __name__ = 'kim.case.assessment.line'
    _history = True
    assessment = fields.Many2One('kim.case.assessment', "Assessment",
        required=True, ondelete='CASCADE',
        states={
            'readonly': Eval('assessment_state') == 'done',
            })
    assessment_state = fields.Function(fields.Selection(
            'get_assessment_states', "Assessment State"),
        'on_change_with_assessment_state')
    handlungsfeld = fields.Many2One('kim.handlungsfeld', "Handlungsfeld",
        required=True, ondelete='RESTRICT',
        states={
            'readonly': Eval('assessment_state') == 'done',
            })
    need = fields.Selection(NEEDS, "Need", required=True, sort=False,
        states={
            'readonly': Eval('assessment_state') == 'done',
            })
    situation = fields.Text("Situation",
        states={
            'readonly': Eval('assessment_state') == 'done',
            },
        help="The current situation in this Handlungsfeld (status quo).")
    strengths = fields.Text("Resources",
        states={
            'readonly': Eval('assessment_state') == 'done',
            },
        help="Strengths and coping resources of the client and their "
        "network.")
    needs = fields.Text("Needs",
        states={
            'readonly': Eval('assessment_state') == 'done',
            },
        help="What support is missing.")
    client_view = fields.Text("Client's View",
        states={
            'readonly': Eval('assessment_state') == 'done',
            },
        help="How the client sees the situation and what they want.")
    need_previous = fields.Function(fields.Selection(
            [(None, "")] + NEEDS, "Previous Need",
            help="The need in this Handlungsfeld at the previous assessment."),
        'get_comparison')
    trend = fields.Function(fields.Selection(TRENDS, "Trend",
            help="How the need changed since the previous assessment."),
        'get_comparison')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('assessment')
        t = cls.__table__()
        cls._sql_constraints += [
            ('assessment_handlungsfeld_unique',
                Unique(t, t.assessment, t.handlungsfeld),
                'kim_case.msg_assessment_line_unique'),
            ]
        cls._order.insert(0, ('handlungsfeld', 'ASC'))

    @classmethod
    def default_need(cls):
        return 'none'

    @classmethod
    def get_assessment_states(cls):
        pool = Pool()
        Assessment = pool.get('kim.case.assessment')
        return Assessment.fields_get(['state'])['state']['selection']

    @fields.depends('assessment', '_parent_assessment.state')
    def on_change_with_assessment_state(self, name=None):
        if self.assessment:
            return self.assessment.state

    def get_rec_name(self, name):
        return self.handlungsfeld.rec_name

    @classmethod
    def get_comparison(cls, lines, names):
        result = {n: {l.id: None for l in lines} for n in names}
        previous = {}
        for line in lines:
            assessment = line.assessment
            if assessment not in previous:
                previous[assessment] = {
                    l.handlungsfeld: l.need
                    for l in (assessment.previous.lines
                        if assessment.previous else [])}
            before = previous[assessment]
            need_previous = before.get(line.handlungsfeld)
            if 'need_previous' in names:
                result['need_previous'][line.id] = need_previous
            if 'trend' in names:
                if not assessment.previous:
                    trend = None
                elif need_previous is None:
                    trend = 'new'
                elif NEED_RANK[line.need] < NEED_RANK[need_previous]:
                    trend = 'improved'
                elif NEED_RANK[line.need] > NEED_RANK[need_previous]:
                    trend = 'worse'
                else:
                    trend = 'same'
                result['trend'][line.id] = trend
        return result

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        pool = Pool()
        Assessment = pool.get('kim.case.assessment')
        assessments = Assessment.browse(list({l.assessment.id for l in lines}))
        for assessment in assessments:
            if assessment.state == 'done':
                raise AssessmentReadOnlyError(gettext(
                        'kim_case.msg_assessment_done_readonly',
                        record=assessment.rec_name))
        check_case_open({a.case for a in assessments})


class Case(metaclass=PoolMeta):
    __name__ = 'kim.case'
    assessments = fields.One2Many('kim.case.assessment', 'case',
        "Assessments")
    last_assessment = fields.Function(fields.Many2One(
            'kim.case.assessment', "Last Assessment",
            help="The last signed assessment."),
        'get_last_assessment')
    next_assessment_date = fields.Function(fields.Date("Next Assessment",
            help="The re-assessment planned by the last signed assessment."),
        'get_last_assessment')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'reassess': {
                    'invisible': (Eval('state').in_(
                            ['intake', 'closed', 'cancelled'])),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def get_last_assessment(cls, cases, names):
        pool = Pool()
        Assessment = pool.get('kim.case.assessment')
        assessment = Assessment.__table__()
        cursor = Transaction().connection.cursor()
        result = {n: {c.id: None for c in cases} for n in names}
        ids = [c.id for c in cases]
        # The latest done assessment per case: highest (date, id)
        latest = assessment.select(
            assessment.case, Max(assessment.date).as_('date'),
            where=(assessment.state == 'done')
            & assessment.case.in_(ids),
            group_by=[assessment.case])
        other = Assessment.__table__()
        cursor.execute(*other.join(latest,
                condition=(other.case == latest.case)
                & (other.date == latest.date)
                ).select(other.case, Max(other.id),
                where=other.state == 'done',
                group_by=[other.case]))
        last = dict(cursor)
        if 'last_assessment' in names:
            result['last_assessment'].update(last)
        if 'next_assessment_date' in names:
            for assessment in Assessment.browse(list(last.values())):
                result['next_assessment_date'][assessment.case.id] = (
                    assessment.next_assessment_date)
        return result

    def check_can_plan(self):
        pool = Pool()
        Assessment = pool.get('kim.case.assessment')
        super().check_can_plan()
        if not Assessment.search([
                    ('case', '=', self.id),
                    ('state', '=', 'done'),
                    ], limit=1):
            raise CaseWorkflowError(gettext(
                    'kim_case.msg_case_plan_no_assessment',
                    case=self.rec_name))

    @classmethod
    @ModelView.button
    def reassess(cls, cases):
        """Start a re-assessment from the last signed assessment, or a first
        assessment when there is none, and open it"""
        return form_action('kim_case', 'act_assessment_form',
            cls.create_assessments(cases))

    @classmethod
    def create_assessments(cls, cases):
        "Create and return a draft (re-)assessment for each case"
        pool = Pool()
        Assessment = pool.get('kim.case.assessment')
        check_case_open(cases)
        last = [c.last_assessment for c in cases if c.last_assessment]
        new = Assessment.create_reassessments(last)
        with_last = {a.case for a in last}
        first = [c for c in cases if c not in with_last]
        if first:
            drafts = Assessment.search([
                    ('case', 'in', [c.id for c in first]),
                    ('state', '=', 'draft'),
                    ], limit=1)
            for draft in drafts:
                raise AssessmentError(gettext(
                        'kim_case.msg_assessment_draft_exists',
                        case=draft.case.rec_name, assessment=draft.rec_name))
            new.extend(Assessment.create([{
                            'case': c.id,
                            'case_manager': (
                                c.case_manager.id
                                if getattr(c, 'case_manager', None)
                                else None),
                            } for c in first]))
        return new

    @classmethod
    def _due_sources(cls):
        return super()._due_sources() | {'kim.case.assessment'}

    @classmethod
    def _due_queries(cls):
        return super()._due_queries() + [cls._due_query_reassessment()]

    @classmethod
    def _due_query_reassessment(cls):
        "Re-assessments planned by the last signed assessment of each case"
        pool = Pool()
        Assessment = pool.get('kim.case.assessment')
        assessment = Assessment.__table__()
        newer = Assessment.__table__()
        return assessment.select(
            cls._due_id(
                assessment.id, assessment.case, 'reassessment').as_('id'),
            assessment.case.as_('case'),
            Literal('reassessment').as_('kind'),
            assessment.next_assessment_date.as_('date'),
            where=(assessment.state == 'done')
            & (assessment.next_assessment_date != Null)
            & ~Exists(newer.select(newer.id,
                    where=(newer.case == assessment.case)
                    & (newer.state == 'done')
                    & ((newer.date > assessment.date)
                        | ((newer.date == assessment.date)
                            & (newer.id > assessment.id))))))

    @classmethod
    def copy(cls, cases, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('assessments', None)
        return super().copy(cases, default=default)
