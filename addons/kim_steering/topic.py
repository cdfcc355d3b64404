# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""The Themenspeicher: topics that cluster barrier reports and go through
analysis, a committee's agenda and decision to implementation and review."""
from email.message import EmailMessage

from sql.aggregate import Count

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.kim_network.common import NumberedMixin, today
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.sendmail import sendmail_transactional
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .exceptions import TopicError
from .meeting import OPEN_TASK_STATES, from_address

BARRIER_KINDS = [
    ('interface', "Schnittstellenproblem"),
    ('gap', "Angebotslücke"),
    ('waiting_time', "Wartezeit"),
    ('duplicate', "Doppelstruktur"),
    ('information', "Informationsfluss"),
    ('legal', "Rechtliche Hürde"),
    ('funding', "Finanzierungslücke"),
    ('language', "Sprachbarriere"),
    ('other', "Sonstige"),
    ]
TOPIC_STATES = [
    ('collected', "Collected"),
    ('analysed', "Analysed"),
    ('on_agenda', "On the Agenda"),
    ('decided', "Decided"),
    ('implemented', "Implemented"),
    ('reviewed', "Reviewed"),
    ('dropped', "Dropped"),
    ]


class Topic(NumberedMixin, Workflow, ModelSQL, ModelView):
    __string__ = "Topic (Themenspeicher)"
    __name__ = 'kim.topic'
    _history = True

    number = fields.Char("Number", readonly=True)
    name = fields.Char("Topic", required=True)
    description = fields.Text("Description")
    kind = fields.Selection([(None, "")] + BARRIER_KINDS, "Kind", sort=False)
    handlungsfeld = fields.Many2One('kim.handlungsfeld', "Handlungsfeld",
        ondelete='RESTRICT')
    committee = fields.Many2One('kim.committee', "Committee",
        ondelete='RESTRICT', domain=[('state', '=', 'active')],
        help="The committee that deals with the topic.")
    state = fields.Selection(TOPIC_STATES, "State", readonly=True,
        required=True, sort=False)
    analysis = fields.Text("Analysis",
        help="The result of the analysis, e.g. of a Fallrekonstruktion: "
        "which structural problem lies behind the reports.")
    reports = fields.One2Many('kim.barrier_report', 'topic',
        "Barrier Reports",
        add_remove=[('topic', '=', None), ('state', '!=', 'draft')])
    report_count = fields.Function(fields.Integer("Reports"),
        'get_counts')
    case_count = fields.Function(fields.Integer("Cases",
            help="The number of distinct cases behind the reports."),
        'get_counts')
    agenda_items = fields.One2Many('kim.committee.agenda_item', 'topic',
        "Agenda Items", readonly=True)
    decisions = fields.One2Many('kim.committee.decision', 'topic',
        "Decisions", readonly=True)
    tasks = fields.One2Many('kim.committee.task', 'topic', "Tasks",
        readonly=True)
    themes = fields.One2Many('kim.case_reconstruction.theme', 'topic',
        "Themes of Case Reconstructions", readonly=True)
    feedback = fields.Text("Feedback to the Reporters",
        help="What is told to those who reported the barrier.")
    review_note = fields.Text("Review",
        states={'invisible': ~Eval('state').in_(['implemented', 'reviewed'])},
        help="Whether the change took effect on the case level.")
    review_date = fields.Date("Reviewed On", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.state, Index.Equality())))
        cls._order = [('number', 'DESC'), ('id', 'DESC')]
        cls._guard(initial='collected', protected={'review_date'})
        cls._transitions |= {
            ('collected', 'analysed'),
            ('analysed', 'collected'),
            ('collected', 'on_agenda'),
            ('analysed', 'on_agenda'),
            ('on_agenda', 'on_agenda'),
            ('decided', 'on_agenda'),
            ('on_agenda', 'analysed'),
            ('on_agenda', 'decided'),
            ('decided', 'implemented'),
            ('implemented', 'reviewed'),
            ('collected', 'dropped'),
            ('analysed', 'dropped'),
            ('dropped', 'collected'),
            }
        cls._buttons.update({
                'analyse': {
                    'invisible': ~Eval('state').in_(
                        ['collected', 'on_agenda']),
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'put_on_agenda': {
                    'invisible': ~Eval('state').in_(
                        ['collected', 'analysed', 'decided']),
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'decide': {
                    'invisible': Eval('state') != 'on_agenda',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'implement': {
                    'invisible': Eval('state') != 'decided',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'review': {
                    'invisible': Eval('state') != 'implemented',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'drop': {
                    'invisible': ~Eval('state').in_(['collected', 'analysed']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'collect': {
                    'invisible': ~Eval('state').in_(['analysed', 'dropped']),
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'send_feedback': {
                    'invisible': ~Eval('feedback'),
                    'icon': 'tryton-email',
                    'depends': ['feedback'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'collected'

    @classmethod
    def default_committee(cls):
        pool = Pool()
        Configuration = pool.get('kim.configuration')
        committee = Configuration(1).steering_committee
        return committee.id if committee else None

    def get_rec_name(self, name):
        if self.number:
            return '%s %s' % (self.number, self.name)
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR',
            ('number',) + tuple(clause[1:]),
            ('name',) + tuple(clause[1:]),
            ]

    @classmethod
    def get_counts(cls, topics, names):
        """Count the reports and the distinct cases behind them in SQL,
        without reading the restricted link to the cases"""
        pool = Pool()
        Report = pool.get('kim.barrier_report')
        Link = pool.get('kim.barrier_report.case')
        report = Report.__table__()
        link = Link.__table__()
        cursor = Transaction().connection.cursor()
        result = {n: {t.id: 0 for t in topics} for n in names}
        in_max = backend.MAX_QUERY_PARAMS
        for sub_ids in grouped_slice([t.id for t in topics], in_max):
            cursor.execute(*report.join(link, 'LEFT',
                    condition=link.report == report.id
                    ).select(
                    report.topic,
                    Count(report.id),
                    Count(link.case, distinct=True),
                    where=reduce_ids(report.topic, sub_ids)
                    & (report.state != 'draft'),
                    group_by=[report.topic]))
            for topic_id, reports, cases in cursor:
                if 'report_count' in names:
                    result['report_count'][topic_id] = reports
                if 'case_count' in names:
                    result['case_count'][topic_id] = cases
        return result

    @classmethod
    def _number_sequence(cls, config):
        return config.get_steering_sequence('topic_sequence')

    @classmethod
    def copy(cls, topics, default=None):
        default = default.copy() if default is not None else {}
        for name in ['reports', 'review_note']:
            default.setdefault(name, None)
        return super().copy(topics, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('collected')
    def collect(cls, topics):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('analysed')
    def analyse(cls, topics):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('on_agenda')
    def put_on_agenda(cls, topics):
        "Add the topic to the agenda of the committee's next meeting"
        pool = Pool()
        Meeting = pool.get('kim.committee.meeting')
        AgendaItem = pool.get('kim.committee.agenda_item')
        to_save = []
        for topic in topics:
            if not topic.committee:
                raise TopicError(gettext(
                        'kim_steering.msg_topic_no_committee',
                        topic=topic.rec_name))
            meeting = Meeting.next_meeting(topic.committee)
            if not meeting:
                raise TopicError(gettext(
                        'kim_steering.msg_topic_no_meeting',
                        topic=topic.rec_name,
                        committee=topic.committee.rec_name))
            if any(i.topic == topic for i in meeting.agenda_items):
                continue
            to_save.append(AgendaItem(meeting=meeting, kind='topic',
                    topic=topic, sequence=200,
                    title=topic.rec_name,
                    description='\n\n'.join(filter(None,
                            [topic.description, topic.analysis]))))
        AgendaItem.save(to_save)

    @classmethod
    @ModelView.button
    @Workflow.transition('decided')
    def decide(cls, topics):
        for topic in topics:
            if not topic.decisions:
                raise TopicError(gettext(
                        'kim_steering.msg_topic_no_decision',
                        topic=topic.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('implemented')
    def implement(cls, topics):
        for topic in topics:
            open_tasks = [t.rec_name for t in topic.tasks
                if t.state in OPEN_TASK_STATES]
            if open_tasks:
                raise TopicError(gettext(
                        'kim_steering.msg_topic_open_tasks',
                        topic=topic.rec_name, tasks=', '.join(open_tasks)))

    @classmethod
    @ModelView.button
    @Workflow.transition('reviewed')
    def review(cls, topics):
        cls.write(topics, {'review_date': today()})

    @classmethod
    @ModelView.button
    @Workflow.transition('dropped')
    def drop(cls, topics):
        pass

    @classmethod
    @ModelView.button
    def send_feedback(cls, topics):
        """Record the feedback of the topic on its reports that have none
        yet and send it to the reporters that have an e-mail address"""
        pool = Pool()
        Report = pool.get('kim.barrier_report')
        date = today()
        to_write = []
        for topic in topics:
            if not topic.feedback:
                raise TopicError(gettext(
                        'kim_steering.msg_topic_no_feedback',
                        topic=topic.rec_name))
            reports = [r for r in topic.reports
                if r.state == 'submitted' and not r.feedback]
            if reports:
                to_write.extend((reports, {
                            'feedback': topic.feedback,
                            'feedback_date': date,
                            }))
            for report in reports:
                email = report.reporter_email()
                if not email:
                    continue
                msg = EmailMessage()
                msg['Subject'] = gettext(
                    'kim_steering.msg_feedback_subject',
                    report=report.rec_name, topic=topic.rec_name)
                msg['From'] = (topic.committee and topic.committee.email
                    or from_address())
                msg['To'] = email
                msg.set_content(gettext('kim_steering.msg_feedback_body',
                        report=report.rec_name, topic=topic.rec_name,
                        feedback=topic.feedback))
                sendmail_transactional(msg['From'], [email], msg)
        if to_write:
            Report.write(*to_write)
            reports = sum(to_write[::2], [])
            Report.answer(reports)
