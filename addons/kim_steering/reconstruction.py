# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Fallrekonstruktion and Planungskonferenz: a session on a pseudonymised
timeline of a case (relative days, kinds, Handlungsfelder and organisation
types only), the actor and user perspectives and the cross-case and
generative themes that result, linked to topics of the Themenspeicher."""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields, sequence_ordered)
from trytond.modules.kim_network.common import NumberedMixin, today
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .exceptions import ReconstructionError

STEP_KINDS = [
    ('case', "Case"),
    ('event', "Event"),
    ('contact', "Contact"),
    ('plan', "Hilfeplan"),
    ('measure', "Measure"),
    ]
_DONE = {'readonly': Eval('state') == 'done'}


def _selection_label(Model, field, value):
    return dict(Model.fields_get([field])[field]['selection']).get(value, '')


class CaseReconstruction(NumberedMixin, Workflow, ModelSQL, ModelView):
    __string__ = "Fallrekonstruktion"
    __name__ = 'kim.case_reconstruction'
    _rec_name = 'number'
    _history = True

    number = fields.Char("Number", readonly=True)
    name = fields.Char("Title", required=True, states=_DONE,
        help="A neutral title, e.g. 'Young adult, recognition of a "
        "qualification' – never the client's name.")
    kind = fields.Selection([
            ('reconstruction', "Fallrekonstruktion"),
            ('planning_conference', "Planungskonferenz"),
            ], "Kind", required=True, states=_DONE)
    date = fields.Date("Date", required=True, states=_DONE)
    committee = fields.Many2One('kim.committee', "Committee",
        ondelete='RESTRICT', states=_DONE,
        help="The working group, Qualitätszirkel or Fallkonferenz-Runde "
        "that holds the session.")
    meeting = fields.Many2One('kim.committee.meeting', "Meeting",
        ondelete='SET NULL', states=_DONE,
        domain=[('committee', '=', Eval('committee', -1))])
    moderator = fields.Many2One('party.party', "Moderation",
        ondelete='RESTRICT', states=_DONE)
    presentation = fields.Text("Case Presentation", states=_DONE,
        help="Fallvorstellung, pseudonymised.")
    actor_perspectives = fields.Text("Actor Perspectives", states=_DONE,
        help="Each actor's view, the mandate of their office and their role.")
    user_perspective = fields.Text("User Perspective", states=_DONE,
        help="The life situation, expectations and self-perception of the "
        "client as the users of the services see it (reconstructed).")
    findings = fields.Text("Reconstruction", states=_DONE,
        help="The structural elements that the case shows.")
    steps = fields.One2Many('kim.case_reconstruction.step', 'reconstruction',
        "Timeline", states=_DONE)
    themes = fields.One2Many('kim.case_reconstruction.theme',
        'reconstruction', "Themes")
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ], "State", readonly=True, required=True, sort=False)
    case = fields.Function(fields.Many2One('kim.case', "Case",
            states=_DONE),
        'get_case', setter='set_case')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._guard(initial='draft')
        cls._transitions |= {
            ('draft', 'done'),
            ('done', 'draft'),
            }
        cls._buttons.update({
                'generate_timeline': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'done',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_kind(cls):
        return 'reconstruction'

    @classmethod
    def default_date(cls):
        return today()

    def get_rec_name(self, name):
        return '%s %s' % (self.number or '', self.name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR',
            ('number',) + tuple(clause[1:]),
            ('name',) + tuple(clause[1:]),
            ]

    @classmethod
    def get_case(cls, reconstructions, name):
        pool = Pool()
        Link = pool.get('kim.case_reconstruction.case')
        ModelAccess = pool.get('ir.model.access')
        result = {r.id: None for r in reconstructions}
        # the link shows only to those who may read cases, whatever the
        # caller's context: not even the administrator sees it otherwise
        with Transaction().set_context(
                _check_access=bool(Transaction().user)):
            if not ModelAccess.check('kim.case_reconstruction.case', 'read',
                    raise_exception=False):
                return result
            links = Link.search([
                    ('reconstruction', 'in', [r.id for r in reconstructions]),
                    ])
            # and only the cases the user reads (a case manager reads the
            # cases of their teams, not every reconstructed case)
            Case = pool.get('kim.case')
            readable = {c.id for c in Case.search([
                        ('id', 'in', list({l.case.id for l in links})),
                        ])}
        for link in links:
            if link.case.id in readable:
                result[link.reconstruction.id] = link.case.id
        return result

    @classmethod
    def set_case(cls, reconstructions, name, value):
        pool = Pool()
        Link = pool.get('kim.case_reconstruction.case')
        Link.delete(Link.search([
                    ('reconstruction', 'in', [r.id for r in reconstructions]),
                    ]))
        if value:
            Link.save([Link(reconstruction=r, case=value)
                    for r in reconstructions])

    @classmethod
    def _number_sequence(cls, config):
        return config.get_steering_sequence('reconstruction_sequence')

    @classmethod
    def copy(cls, reconstructions, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('themes', None)
        return super().copy(reconstructions, default=default)

    @classmethod
    @ModelView.button
    def generate_timeline(cls, reconstructions):
        """Replace the timeline by the pseudonymised steps of the case.
        Needs read access to the case."""
        pool = Pool()
        Step = pool.get('kim.case_reconstruction.step')
        to_delete, to_save = [], []
        for reconstruction in reconstructions:
            case = reconstruction.case
            if not case:
                raise ReconstructionError(gettext(
                        'kim_steering.msg_reconstruction_no_case',
                        reconstruction=reconstruction.rec_name))
            to_delete.extend(reconstruction.steps)
            for sequence, values in enumerate(timeline(case), 1):
                to_save.append(Step(reconstruction=reconstruction,
                        sequence=sequence, **values))
        Step.delete(to_delete)
        Step.save(to_save)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, reconstructions):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, reconstructions):
        pass


def timeline(case):
    """Return the pseudonymised steps of case as a list of dictionaries
    (day, kind, label, handlungsfeld, organisation_type), sorted by day.
    Only codes and relative days are taken: no free text, no names, no
    dates, no numbers."""
    pool = Pool()
    Case = pool.get('kim.case')
    Event = pool.get('kim.case.event')
    Contact = pool.get('kim.case.contact')
    Plan = pool.get('kim.case.plan')
    Measure = pool.get('kim.case.plan.measure')
    origin = case.opened_date
    steps = []

    def day(date):
        if isinstance(date, dt.datetime):
            date = date.date()
        return (date - origin).days if date and origin else None

    def add(date, kind, label, handlungsfeld=None, organisation_type=None):
        steps.append({
                'day': day(date),
                'kind': kind,
                'label': label,
                'handlungsfeld': handlungsfeld,
                'organisation_type': organisation_type,
                })

    add(origin, 'case', gettext('kim_steering.msg_step_opened',
            depth=_selection_label(Case, 'depth', case.depth)))
    referring = case.referring_organisation
    if referring and referring.kim_organisation_type:
        add(origin, 'case', gettext('kim_steering.msg_step_referred'),
            organisation_type=referring.kim_organisation_type.id)

    for event in Event.search([('case', '=', case.id)],
            order=[('date', 'ASC'), ('id', 'ASC')]):
        if event.type == 'note':
            continue
        add(event.date, 'event', _selection_label(Event, 'type', event.type))

    for contact in Contact.search([
                ('case', '=', case.id),
                ('state', '=', 'done'),
                ], order=[('start', 'ASC'), ('id', 'ASC')]):
        label = gettext('kim_steering.msg_step_contact',
            channel=_selection_label(Contact, 'channel', contact.channel))
        if contact.interpreter_used:
            label += ' ' + gettext('kim_steering.msg_step_interpreter')
        handlungsfelder = list(contact.handlungsfelder)
        types = [p.kim_organisation_type for p in contact.participant_parties
            if p.kim_organisation_type]
        add(contact.start, 'contact', label,
            handlungsfeld=handlungsfelder[0].id if handlungsfelder else None,
            organisation_type=types[0].id if types else None)

    for plan in Plan.search([('case', '=', case.id)],
            order=[('version', 'ASC')]):
        if plan.agreement_date:
            add(plan.agreement_date, 'plan', gettext(
                    'kim_steering.msg_step_plan', version=plan.version))
        for goal in plan.goals:
            for measure in goal.measures:
                org = measure.organisation
                label = gettext('kim_steering.msg_step_measure',
                    responsible=_selection_label(
                        Measure, 'responsible', measure.responsible),
                    status=_selection_label(
                        Measure, 'status', measure.status))
                add(measure.due_date or plan.agreement_date, 'measure',
                    label,
                    handlungsfeld=(goal.handlungsfeld.id
                        if goal.handlungsfeld else None),
                    organisation_type=(org.kim_organisation_type.id
                        if org and org.kim_organisation_type else None))
    if case.closing_date:
        add(case.closing_date, 'case', gettext('kim_steering.msg_step_closed'))
    steps.sort(key=lambda s: (s['day'] is None, s['day'] or 0))
    return steps


class ReconstructionCase(ModelSQL):
    """The case a reconstruction is built from; readable by case management
    and Fachaufsicht only."""
    __string__ = "Fallrekonstruktion - Case"
    __name__ = 'kim.case_reconstruction.case'
    reconstruction = fields.Many2One('kim.case_reconstruction',
        "Fallrekonstruktion", required=True, ondelete='CASCADE')
    case = fields.Many2One('kim.case', "Case", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('reconstruction_unique', Unique(t, t.reconstruction),
                'kim_steering.msg_reconstruction_case_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.case, Index.Equality())))


class ReconstructionStep(sequence_ordered(), ModelSQL, ModelView):
    __string__ = "Fallrekonstruktion Step"
    __name__ = 'kim.case_reconstruction.step'
    _kim_signed_fields = {'day'}
    reconstruction = fields.Many2One('kim.case_reconstruction',
        "Fallrekonstruktion", required=True, ondelete='CASCADE')
    day = fields.Integer("Day",
        help="Days since the case was opened (negative before).")
    kind = fields.Selection(STEP_KINDS, "Kind", required=True)
    label = fields.Char("Step", required=True)
    handlungsfeld = fields.Many2One('kim.handlungsfeld', "Handlungsfeld",
        ondelete='RESTRICT')
    organisation_type = fields.Many2One('kim.organisation_type',
        "Organisation Type", ondelete='RESTRICT')
    comment = fields.Text("Comment",
        help="What the session noticed at this step.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('reconstruction')


class ReconstructionTheme(ModelSQL, ModelView):
    __string__ = "Fallrekonstruktion Theme"
    __name__ = 'kim.case_reconstruction.theme'
    reconstruction = fields.Many2One('kim.case_reconstruction',
        "Fallrekonstruktion", required=True, ondelete='CASCADE')
    name = fields.Char("Theme", required=True)
    kind = fields.Selection([
            ('cross_case', "Cross-case Theme (fallübergreifend)"),
            ('generative', "Generative Theme"),
            ], "Kind", required=True)
    description = fields.Text("Description")
    handlungsfeld = fields.Many2One('kim.handlungsfeld', "Handlungsfeld",
        ondelete='RESTRICT')
    topic = fields.Many2One('kim.topic', "Topic", ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('reconstruction')
        cls._buttons.update({
                'create_topic': {
                    'invisible': Bool(Eval('topic')),
                    'icon': 'tryton-add',
                    'depends': ['topic'],
                    },
                })

    @classmethod
    def default_kind(cls):
        return 'cross_case'

    @classmethod
    @ModelView.button
    def create_topic(cls, themes):
        "Put each theme into the Themenspeicher as a new topic"
        pool = Pool()
        Topic = pool.get('kim.topic')
        themes = [t for t in themes if not t.topic]
        topics = [Topic(name=t.name, description=t.description,
                handlungsfeld=t.handlungsfeld, state='analysed',
                analysis=t.reconstruction.findings) for t in themes]
        Topic.save(topics)
        for theme, topic in zip(themes, topics):
            theme.topic = topic
        cls.save(themes)
