# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""The company of the steering work, so that its Kennzahlen (committee
meetings and decisions, topics, barrier reports) count per company.

The committee, the topic and the barrier report carry the company that runs
them (by default the user's current one); meetings and decisions belong to
the company of their committee. When the column is added to a database with
a single company, the existing records get that company.

The company attributes the work for the Kennzahlen only: who may read
committees, topics and barrier reports stays with the rules of kim_steering
(no company rule is added here)."""
from sql import Null

from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction


class SteeringCompanyMixin:
    """The company of a steering record (committee, topic, barrier report):
    set once, its parties read in that company"""
    __slots__ = ()
    company = fields.Many2One('company.company', "Company", required=True,
        ondelete='RESTRICT',
        states={
            'readonly': Eval('id', -1) >= 0,
            },
        help="The company (Kommunales Integrationszentrum) whose steering "
        "work this is; its Kennzahlen count it.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # parties are company-dependent: read them in the record's company
        for name in dir(cls):
            field = getattr(cls, name, None)
            if (isinstance(field, fields.Many2One)
                    and field.model_name == 'party.party'):
                field.context = dict(field.context or {},
                    company=Eval('company', -1))
                field.depends = set(field.depends or ()) | {'company'}

    @classmethod
    def __register__(cls, module):
        pool = Pool()
        Company = pool.get('company.company')
        super().__register__(module)
        table = cls.__table__()
        company = Company.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*company.select(company.id, limit=2))
        companies = cursor.fetchall()
        if len(companies) == 1:
            cursor.execute(*table.update([table.company], [companies[0][0]],
                    where=table.company == Null))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')


class Committee(SteeringCompanyMixin, metaclass=PoolMeta):
    __name__ = 'kim.committee'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # the actors who receive the decisions, read in the company
        field = cls.decision_parties
        field.context = dict(field.context or {}, company=Eval('company', -1))
        field.depends = set(field.depends or ()) | {'company'}


class Topic(SteeringCompanyMixin, metaclass=PoolMeta):
    __name__ = 'kim.topic'


class BarrierReport(SteeringCompanyMixin, metaclass=PoolMeta):
    __name__ = 'kim.barrier_report'


class BarrierReportFromCase(metaclass=PoolMeta):
    __name__ = 'kim.barrier_report.from_case'

    def do_report(self, action):
        # the report belongs to the company of the case
        with Transaction().set_context(company=self.record.company.id):
            return super().do_report(action)
