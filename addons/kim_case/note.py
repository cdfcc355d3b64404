# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Notes on a case; confidential notes are for the case manager in charge
and the Fachaufsicht only (record rule in access.xml)."""
import datetime

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.kim_network.common import format_date
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .case import check_case_open


class Note(ModelSQL, ModelView):
    __string__ = "Case Note"
    __name__ = 'kim.case.note'
    _history = True
    case = fields.Many2One('kim.case', "Case", required=True,
        ondelete='CASCADE')
    date = fields.DateTime("Date", required=True)
    author = fields.Many2One('company.employee', "Author",
        ondelete='RESTRICT')
    subject = fields.Char("Subject")
    text = fields.Text("Text", required=True)
    confidential = fields.Boolean("Confidential",
        help="Only the case manager in charge of the case and the "
        "Fachaufsicht read the note; the other members of the team do not.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('case')
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.case, Index.Equality())))

    @classmethod
    def default_date(cls):
        return datetime.datetime.now()

    @classmethod
    def default_author(cls):
        return Transaction().context.get('employee')

    @classmethod
    def default_confidential(cls):
        return False

    def get_rec_name(self, name):
        return '%s %s' % (format_date(self.date),
            self.subject or '')

    @classmethod
    def check_modification(cls, mode, notes, values=None, external=False):
        super().check_modification(
            mode, notes, values=values, external=external)
        check_case_open({n.case for n in notes})


class Case(metaclass=PoolMeta):
    __name__ = 'kim.case'
    notes = fields.One2Many('kim.case.note', 'case', "Notes",
        states={'readonly': Eval('state') == 'closed'})

    @classmethod
    def copy(cls, cases, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('notes', None)
        return super().copy(cases, default=default)


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        pool = Pool()
        Note = pool.get('kim.case.note')
        to_erase = super().to_erase(party_id)
        to_erase.append(
            (Note, [('case.client', '=', party_id)], True,
                ['subject', 'text'], [None, '']))
        return to_erase
