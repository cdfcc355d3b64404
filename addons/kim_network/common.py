# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"Building blocks shared by the KIM modules."
import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

from genshi.core import Markup
from sql import Cast, Literal
from sql.functions import Function

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields,
    sequence_ordered)
from trytond.pool import Pool
from trytond.tools import file_open
from trytond.transaction import Transaction

from .exceptions import PeriodError
from .workflow import WorkflowGuard


class CodeListMixin(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    """A list of codes shipped as data and maintained by administrators:
    a unique code, a translated name, a sequence and an active flag."""
    __slots__ = ()
    code = fields.Char("Code", required=True, strip=True,
        help="The short, stable key used in exports and statistics.")
    name = fields.Char("Name", required=True, translate=True)
    description = fields.Text("Description", translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code), 'kim_network.msg_code_unique'),
            ]
        cls._order.insert(1, ('name', 'ASC'))

    def get_rec_name(self, name):
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'code', 'name')


def relation(class_name, model_name, description,
        origin, origin_model, target, target_model, history=False):
    """Return the ModelSQL class of a Many2Many relation table with the two
    required, cascading foreign keys and an index for each direction (the
    form of the origin reads by origin, a search by target); with history,
    every revision is kept (_history)."""

    @classmethod
    def __setup__(cls):
        super(Relation, cls).__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t,
                    (getattr(t, target), Index.Equality()),
                    (getattr(t, origin), Index.Equality())),
                Index(t,
                    (getattr(t, origin), Index.Equality()),
                    (getattr(t, target), Index.Equality())),
                })

    Relation = type(class_name, (ModelSQL,), {
            '__string__': description,
            '__name__': model_name,
            '__module__': __name__,
            '_history': history,
            origin: fields.Many2One(origin_model, origin.replace('_', ' ')
                .title(), required=True, ondelete='CASCADE'),
            target: fields.Many2One(target_model, target.replace('_', ' ')
                .title(), required=True, ondelete='CASCADE'),
            '__setup__': __setup__,
            })
    return Relation


class PeriodMixin:
    """Records valid from a date to a date (both optional)."""
    __slots__ = ()
    valid_from = fields.Date("Valid From")
    valid_to = fields.Date("Valid To")

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        if field_names is None or field_names & {'valid_from', 'valid_to'}:
            for record in records:
                record.check_period()

    def check_period(self):
        if (self.valid_from and self.valid_to
                and self.valid_to < self.valid_from):
            raise PeriodError(gettext('kim_network.msg_period_invalid',
                    record=self.rec_name,
                    valid_from=self.valid_from, valid_to=self.valid_to))

    def valid_on(self, date):
        return ((not self.valid_from or self.valid_from <= date)
            and (not self.valid_to or date <= self.valid_to))

    @classmethod
    def valid_on_domain(cls, date, prefix=''):
        "Domain of the records valid on date"
        return [
            ['OR', (prefix + 'valid_from', '=', None),
                (prefix + 'valid_from', '<=', date)],
            ['OR', (prefix + 'valid_to', '=', None),
                (prefix + 'valid_to', '>=', date)],
            ]


class NumberedMixin(WorkflowGuard):
    """Number the records from a sequence of the KIM configuration when they
    are created; the number is assigned (see WorkflowGuard), a copy gets a
    new one. Implement _number_sequence(config) returning the ir.sequence."""
    __slots__ = ()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._guard(assigned={'number'})

    @classmethod
    def _number_sequence(cls, config):
        raise NotImplementedError

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            config = Pool().get('kim.configuration')(1)
            values['number'] = cls._number_sequence(config).get()
        return values


def clearing_mixin(clear, doc):
    """A mixin for the models whose changes call clear (e.g. a cache's
    clear): in on_modification, after the write"""
    class ClearingMixin:
        __slots__ = ()

        @classmethod
        def on_modification(cls, mode, records, field_names=None):
            super().on_modification(mode, records, field_names=field_names)
            clear()
    ClearingMixin.__doc__ = doc
    return ClearingMixin


class Unnest(Function):
    "SQL UNNEST (PostgreSQL): the elements of an array as rows"
    __slots__ = ()
    _function = 'UNNEST'


def unnest(values, type_):
    "UNNEST of the python list values as an array of the SQL type_"
    return Unnest(Cast(Literal(list(values)), type_ + '[]'))


def today():
    return Pool().get('ir.date').today()


def format_date(value):
    "The date (of a datetime: its UTC day) as the reader's language writes"
    if not value:
        return ''
    if isinstance(value, dt.datetime):
        value = value.date()
    return Pool().get('ir.lang').get().strftime(value)


def format_datetime(value):
    """The naive UTC datetime in the time zone of the context (Europe/Berlin
    by default) as the reader's language writes it, to the minute"""
    if not value:
        return ''
    zone = ZoneInfo(Transaction().context.get('timezone') or 'Europe/Berlin')
    value = value.replace(tzinfo=dt.timezone.utc).astimezone(zone)
    return '%s %s' % (Pool().get('ir.lang').get().strftime(value.date()),
        value.strftime('%H:%M'))


def rec_name_domain(clause, *names):
    """Return the domain that searches the rec_name clause on each field of
    names: any of them matches, all of them for a negative operator."""
    _, operator, operand, *extra = clause
    if operator.startswith('!') or operator.startswith('not '):
        bool_op = 'AND'
    else:
        bool_op = 'OR'
    return [bool_op] + [(name, operator, operand, *extra) for name in names]


@cache
def page_style():
    "The style sheet shared by the KIM reports"
    with file_open('kim_network/report/page.css') as css:
        return Markup(css.read())


class PageStyleMixin:
    """Give an HTML report the shared page style as page_style: Tryton's
    weasyprint loads no local file, so the templates print it in <style>"""

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['page_style'] = page_style()
        return context
