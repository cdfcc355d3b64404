# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Evaluations of the cooperation agreements: the findings, a result and
the follow-up tasks of each evaluation with the partners; recording one
moves the last and next evaluation dates of the agreement."""
from dateutil.relativedelta import relativedelta

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.kim_network.common import today
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

RESULTS = [
    (None, ""),
    ('continue', "Continue Unchanged"),
    ('adjust', "Continue with Changes"),
    ('renegotiate', "Renegotiate"),
    ('terminate', "Terminate"),
    ]


class AgreementEvaluation(ModelSQL, ModelView):
    __string__ = "Cooperation Evaluation"
    __name__ = 'kim.cooperation_agreement.evaluation'
    agreement = fields.Many2One('kim.cooperation_agreement',
        "Cooperation Agreement", required=True, ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    participants = fields.Text("Participants",
        help="Who took part in the evaluation (organisations, functions).")
    findings = fields.Text("Findings",
        help="What works, what does not: the findings of the evaluation.")
    result = fields.Selection(RESULTS, "Result", sort=False,
        help="How the cooperation goes on.")
    result_string = result.translated('result')
    tasks = fields.One2Many('kim.cooperation_agreement.evaluation.task',
        'evaluation', "Follow-up Tasks")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('agreement')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.agreement, Index.Equality()),
                (t.date, Index.Range())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return today()

    def get_rec_name(self, name):
        return '%s (%s)' % (self.agreement.rec_name,
            self.date.strftime('%d.%m.%Y') if self.date else '')

    @classmethod
    def on_modification(cls, mode, evaluations, field_names=None):
        super().on_modification(mode, evaluations, field_names=field_names)
        if mode in {'create', 'write'}:
            cls._update_agreements({e.agreement for e in evaluations})

    @classmethod
    def _update_agreements(cls, agreements):
        "The last evaluation of each agreement sets its evaluation dates"
        pool = Pool()
        Agreement = pool.get('kim.cooperation_agreement')
        to_save = []
        for agreement in agreements:
            evaluations = cls.search([('agreement', '=', agreement.id)],
                order=[('date', 'DESC')], limit=1)
            if not evaluations:
                continue
            date = evaluations[0].date
            if agreement.last_evaluation and agreement.last_evaluation > date:
                continue
            agreement.last_evaluation = date
            agreement.evaluation_due = False
            if agreement.evaluation_interval:
                agreement.next_evaluation = date + relativedelta(
                    months=agreement.evaluation_interval)
            to_save.append(agreement)
        Agreement.save(to_save)


class AgreementEvaluationTask(ModelSQL, ModelView):
    __string__ = "Follow-up Task of an Evaluation"
    __name__ = 'kim.cooperation_agreement.evaluation.task'
    evaluation = fields.Many2One('kim.cooperation_agreement.evaluation',
        "Evaluation", required=True, ondelete='CASCADE')
    name = fields.Char("Task", required=True)
    responsible = fields.Many2One('party.party', "Responsible",
        ondelete='RESTRICT')
    due_date = fields.Date("Due Date")
    done = fields.Boolean("Done")
    done_date = fields.Date("Done On",
        states={
            'invisible': ~Eval('done'),
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('evaluation')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.evaluation, Index.Equality())))
        cls._order = [('done', 'ASC'), ('due_date', 'ASC NULLS LAST'),
            ('id', 'ASC')]

    @fields.depends('done', 'done_date')
    def on_change_done(self):
        if self.done and not self.done_date:
            self.done_date = today()
        elif not self.done:
            self.done_date = None


class Agreement(metaclass=PoolMeta):
    __name__ = 'kim.cooperation_agreement'
    evaluations = fields.One2Many('kim.cooperation_agreement.evaluation',
        'agreement', "Evaluations",
        states={
            'readonly': Eval('state') != 'signed',
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._guard(final={'signed': {'evaluations'}})

    @classmethod
    def copy(cls, agreements, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('evaluations', None)
        return super().copy(agreements, default=default)

    @classmethod
    @ModelView.button
    def evaluate(cls, agreements):
        """Record an evaluation of today (findings, result and follow-up
        tasks are filled in on it)"""
        pool = Pool()
        Evaluation = pool.get('kim.cooperation_agreement.evaluation')
        super().evaluate(agreements)
        date = today()
        Evaluation.save([Evaluation(agreement=a, date=date)
                for a in agreements
                if not any(e.date == date for e in a.evaluations)])


class DirectoryCheckMixin:
    "A directory entry that is checked regularly by the coordination"
    __slots__ = ()
    kim_last_checked = fields.Date("Last Checked",
        help="When the coordination last checked that the entry is "
        "correct (contact, offer, opening hours).")
    kim_check_due = fields.Function(fields.Boolean("Check Due",
            help="Not checked within the interval of the configuration."),
        'get_kim_check_due', searcher='search_kim_check_due')

    @classmethod
    def _check_limit(cls):
        pool = Pool()
        Configuration = pool.get('kim.configuration')
        months = Configuration(1).check_interval_months or 12
        return today() - relativedelta(months=months)

    def get_kim_check_due(self, name):
        return (not self.kim_last_checked
            or self.kim_last_checked <= self._check_limit())

    @classmethod
    def search_kim_check_due(cls, name, clause):
        _, operator, value = clause
        limit = cls._check_limit()
        due = ['OR',
            ('kim_last_checked', '=', None),
            ('kim_last_checked', '<=', limit),
            ]
        if (operator == '=') == bool(value):
            return due
        return [('kim_last_checked', '>', limit)]

    @classmethod
    @ModelView.button
    def mark_checked(cls, records):
        "Record that the entries were checked today"
        cls.write(records, {'kim_last_checked': today()})

    @classmethod
    def copy(cls, records, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('kim_last_checked', None)
        return super().copy(records, default=default)


class Party(DirectoryCheckMixin, metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'mark_checked': {
                    'invisible': ~Eval('kim_organisation_type'),
                    'icon': 'tryton-ok',
                    'depends': ['kim_organisation_type'],
                    },
                })


class Service(DirectoryCheckMixin, metaclass=PoolMeta):
    __name__ = 'kim.service'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'mark_checked': {
                    'icon': 'tryton-ok',
                    },
                })

    @classmethod
    def remind_directory_checks(cls):
        """Remind the coordination of the organisations and services not
        checked within the interval (scheduled yearly)"""
        pool = Pool()
        Party = pool.get('party.party')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Notification = pool.get('res.notification')
        from trytond.i18n import gettext
        organisations = Party.search([
                ('kim_organisation_type', '!=', None),
                ('kim_check_due', '=', True),
                ])
        services = cls.search([('kim_check_due', '=', True)])
        if not organisations and not services:
            return []
        group = ModelData.get_id('kim_network', 'group_kim_coordination')
        users = User.search([('groups', '=', group)])
        notifications = []
        for model, records in [('party.party', organisations),
                (cls.__name__, services)]:
            if not records:
                continue
            label = gettext('kim_network.msg_directory_check_due',
                count=len(records))
            notifications.extend({
                    'user': u.id,
                    'label': label,
                    'model': model,
                    'records': str([r.id for r in records]),
                    } for u in users)
        return Notification.create(notifications)
