# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Kennzahlen: indicator definitions as data with target values per year,
and indicator reports that compute them for a company and period by
dimension and cross-table, compared with the previous period and the
target, stored as a snapshot with disclosure control, for the
Lenkungsgruppe board and the state export.

The numbers come from the set-based engine (indicator_engine.py) and the
suppression from disclosure.py. No case record is ever instantiated."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Null
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, Workflow, fields,
    sequence_ordered)
from trytond.modules.kim_case.contact import CHANNELS
from trytond.modules.kim_case.plan import GOAL_STATUSES
from trytond.modules.kim_network.common import PageStyleMixin
from trytond.modules.kim_network.workflow import WorkflowGuard
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.report import Report
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .disclosure import suppress_all
from .exceptions import IndicatorError, IndicatorValidationError
from .indicator_engine import (
    AGE_BANDS, DIMENSIONS, SOURCES, STATE_DIMENSIONS, Definition,
    KennzahlenEngine, finish, previous_period)
from .proof import document_language
from .spreadsheet import csv_bytes, xlsx

DEFAULT_MIN_CELL = 5
# what a suppressed cell shows (the sign of German official statistics for
# "geheim zu halten"): the same for every suppressed cell, so that a reader
# cannot tell a small cell from one suppressed to protect it
SUPPRESSED = '.'

SOURCE_SELECTION = [
    ('intake', "Cases Opened in the Period"),
    ('active', "Cases Active on the Reference Date"),
    ('closed', "Cases Closed in the Period"),
    ('case_plan', "Cases with an Agreed Hilfeplan"),
    ('contact', "Contacts Done in the Period"),
    ('goal', "Goals of the Hilfepläne Agreed in the Period"),
    ('referral', "Measures Referred to Network Partners"),
    ('event', "Case Events in the Period"),
    ('barrier_report', "Barrier Reports Submitted"),
    ('topic', "Topics Taken Up"),
    ('meeting', "Committee Meetings Held"),
    ('decision', "Decisions of the Meetings Held"),
    ]
KIND_SELECTION = [
    ('count', "Number"),
    ('sum', "Sum"),
    ('avg', "Mean"),
    ('pct', "Share (%)"),
    ]
DIMENSION_SELECTION = [
    ('total', "Total"),
    ('kommune', "Kommune"),
    ('team', "Team"),
    ('organisation', "Referring Organisation"),
    ('target_group', "Target Group"),
    ('rechtskreis', "Rechtskreis"),
    ('handlungsfeld', "Handlungsfeld"),
    ('access_channel', "Access Channel"),
    ('closing_reason', "Closing Reason"),
    ('age_band', "Age Band"),
    ('gender', "Gender"),
    ('residence_status', "Residence Status"),
    ]
# the code list behind a dimension: (model, field of the stable code)
DIMENSION_MODELS = {
    'kommune': ('kim.kommune', 'ags'),
    'team': ('kim.case.team', None),
    'organisation': ('party.party', None),
    'access_channel': ('kim.access_channel', 'code'),
    'closing_reason': ('kim.closing_reason', 'code'),
    'target_group': ('kim.target_group', 'code'),
    'rechtskreis': ('kim.rechtskreis', 'code'),
    'handlungsfeld': ('kim.handlungsfeld', 'code'),
    'residence_status': ('kim.residence_status_type', 'code'),
    }
_DRAFT = {'readonly': Eval('state') == 'done'}


def period_of(period_type, year, quarter=None):
    if period_type == 'quarter':
        start = dt.date(year, 3 * (int(quarter) - 1) + 1, 1)
        return start, start + relativedelta(months=3, days=-1)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def is_year(date_from, date_to):
    "Whether the period is twelve months (a target year applies)"
    return date_from + relativedelta(years=1, days=-1) == date_to


class Indicator(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    __string__ = "Indicator"
    __name__ = 'kim.indicator'
    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", required=True, strip=True,
        help="The stable key of the indicator in exports.")
    description = fields.Text("Description", translate=True,
        help="What the indicator counts and why, for its readers.")
    source = fields.Selection(SOURCE_SELECTION, "Counts", required=True,
        sort=False, help="The facts the indicator counts.")
    kind = fields.Selection(KIND_SELECTION, "Kind", required=True,
        sort=False,
        help="Number: the facts that pass the filters. Sum and mean: of "
        "their value (contact hours, days from intake to closing). "
        "Share: the facts that pass the filters among all facts counted.")
    unit = fields.Function(fields.Char("Unit"), 'on_change_with_unit')
    contact_channels = fields.MultiSelection(CHANNELS, "Contact Channels",
        sort=False,
        states={'invisible': Eval('source') != 'contact'},
        help="Count only contacts of these channels (all if empty).")
    interpreter_only = fields.Boolean("Only with Interpreter",
        states={'invisible': Eval('source') != 'contact'},
        help="Count only contacts with an interpreter (Sprachmittlung).")
    goal_statuses = fields.MultiSelection(
        [s for s in GOAL_STATUSES if s[0] != 'dropped'], "Goal Statuses",
        sort=False,
        states={'invisible': Eval('source') != 'goal'},
        help="Count only goals with these statuses (all but dropped ones "
        "if empty).")
    closing_reasons = fields.Many2Many(
        'kim.indicator-kim.closing_reason', 'indicator', 'closing_reason',
        "Closing Reasons",
        states={'invisible': Eval('source') != 'closed'},
        help="Count only cases closed for these reasons (all if empty).")
    event_type = fields.Selection('get_event_types', "Event Type",
        states={
            'invisible': Eval('source') != 'event',
            'required': Eval('source') == 'event',
            })
    direction = fields.Selection([
            (None, ""),
            ('higher', "Higher Is Better"),
            ('lower', "Lower Is Better"),
            ], "Direction", sort=False,
        help="Whether reaching the target means being above or below it.")
    targets = fields.One2Many('kim.indicator.target', 'indicator',
        "Target Values")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'kim_reporting.msg_indicator_code_unique'),
            ]

    @classmethod
    def default_kind(cls):
        return 'count'

    @classmethod
    def default_interpreter_only(cls):
        return False

    @classmethod
    def get_event_types(cls):
        Event = Pool().get('kim.case.event')
        return [(None, "")] + list(Event.type.selection)

    @fields.depends('source', 'kind')
    def on_change_with_unit(self, name=None):
        if self.source and self.kind in {'sum', 'avg'}:
            return SOURCES[self.source][1]
        if self.kind == 'pct':
            return '%'

    @classmethod
    def validate_fields(cls, indicators, field_names):
        super().validate_fields(indicators, field_names)
        for indicator in indicators:
            level, unit = SOURCES[indicator.source]
            kind = indicator.kind
            if ((kind in {'sum', 'avg'} and not unit)
                    or (kind != 'count' and level == 'steering')):
                raise IndicatorValidationError(gettext(
                        'kim_reporting.msg_indicator_kind',
                        indicator=indicator.rec_name,
                        kind=indicator.kind_string,
                        source=indicator.source_string))

    kind_string = kind.translated('kind')
    source_string = source.translated('source')

    def definition(self):
        "The engine's definition of the indicator"
        source = self.source
        return Definition(self.code, source, self.kind,
            channels=self.contact_channels if source == 'contact' else (),
            interpreter=self.interpreter_only if source == 'contact'
            else False,
            goal_statuses=self.goal_statuses if source == 'goal' else (),
            closing_reasons=[r.id for r in self.closing_reasons]
            if source == 'closed' else (),
            event_type=self.event_type if source == 'event' else None)

    @classmethod
    def compute_totals(cls, company, date_from, date_to, codes=None):
        """Return [(indicator, value)] of the active indicators (or those of
        the codes) for the company and period, without suppression (the
        Sachbericht of the Verwendungsnachweis quotes them). Runs as root."""
        domain = [('code', 'in', list(codes))] if codes is not None else []
        indicators = cls.search(domain)
        definitions = [i.definition() for i in indicators]
        with Transaction().set_user(0), \
                Transaction().set_context(_check_access=False):
            engine = KennzahlenEngine(company.id, date_from, date_to,
                definitions)
            cells = engine.compute()
            structure = engine.structure()
        result = []
        for indicator, definition in zip(indicators, definitions):
            if definition.level == 'steering':
                value = Decimal(structure.get(definition.code, 0))
            else:
                n, v = cells[()].get(definition.code, (0, None))
                value, _ = finish(definition, n, v)
            result.append((indicator, value))
        return result


class IndicatorClosingReason(ModelSQL):
    __string__ = "Indicator - Closing Reason"
    __name__ = 'kim.indicator-kim.closing_reason'
    indicator = fields.Many2One('kim.indicator', "Indicator", required=True,
        ondelete='CASCADE')
    closing_reason = fields.Many2One('kim.closing_reason', "Closing Reason",
        required=True, ondelete='CASCADE')


class IndicatorTarget(ModelSQL, ModelView):
    __string__ = "Indicator Target Value"
    __name__ = 'kim.indicator.target'
    indicator = fields.Many2One('kim.indicator', "Indicator", required=True,
        ondelete='CASCADE')
    company = fields.Many2One('company.company', "Company", required=True,
        ondelete='CASCADE')
    year = fields.Integer("Year", required=True)
    value = fields.Numeric("Target Value", digits=(16, 2), required=True)
    note = fields.Text("Note",
        help="E.g. the decision of the Lenkungsgruppe that set the target.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('indicator_company_year_unique',
                Unique(t, t.indicator, t.company, t.year),
                'kim_reporting.msg_indicator_target_unique'),
            ]
        cls._order = [('year', 'DESC'), ('id', 'ASC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_year(cls):
        return Pool().get('ir.date').today().year


class IndicatorReport(WorkflowGuard, Workflow, ModelSQL, ModelView):
    __string__ = "Indicator Report"
    __name__ = 'kim.indicator.report'
    name = fields.Char("Name", required=True, states=_DRAFT)
    company = fields.Many2One('company.company', "Company", required=True,
        ondelete='CASCADE', states=_DRAFT)
    kind = fields.Selection([
            ('local', "Local"),
            ('state', "State Export"),
            ], "Kind", required=True, states=_DRAFT,
        help="State exports carry the anonymous dimensions of the "
        "state-wide controlling only.")
    period_type = fields.Selection([
            ('year', "Year"),
            ('quarter', "Quarter"),
            ('funding_year', "Funding Year"),
            ('custom', "Custom"),
            ], "Period", required=True, states=_DRAFT)
    year = fields.Integer("Year",
        states={
            'readonly': Eval('state') == 'done',
            'required': Eval('period_type').in_(['year', 'quarter']),
            'invisible': ~Eval('period_type').in_(['year', 'quarter']),
            })
    quarter = fields.Selection([
            (None, ""),
            ('1', "Q1"), ('2', "Q2"), ('3', "Q3"), ('4', "Q4"),
            ], "Quarter",
        states={
            'readonly': Eval('state') == 'done',
            'required': Eval('period_type') == 'quarter',
            'invisible': Eval('period_type') != 'quarter',
            })
    decision = fields.Many2One('kim.funding.decision', "Förderbescheid",
        ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': Eval('state') == 'done',
            'required': Eval('period_type') == 'funding_year',
            'invisible': Eval('period_type') != 'funding_year',
            },
        help="The funding year is the period of the Förderbescheid.")
    date_from = fields.Date("From",
        states={
            'readonly': (Eval('state') == 'done')
            | (Eval('period_type') != 'custom'),
            'required': Eval('period_type') == 'custom',
            })
    date_to = fields.Date("To (Reference Date)",
        domain=[If(Eval('date_from') & Eval('date_to'),
                ('date_to', '>=', Eval('date_from')), ())],
        states={
            'readonly': (Eval('state') == 'done')
            | (Eval('period_type') != 'custom'),
            'required': Eval('period_type') == 'custom',
            },
        help="Active cases are counted on this date.")
    previous_from = fields.Date("Previous Period From", readonly=True)
    previous_to = fields.Date("Previous Period To", readonly=True,
        help="The period of the same length just before, for comparison.")
    dimensions = fields.MultiSelection(DIMENSION_SELECTION[1:],
        "Dimensions", states=_DRAFT,
        help="Besides the total, the indicators are broken down by each "
        "dimension chosen.")
    crossings = fields.One2Many('kim.indicator.report.crossing', 'report',
        "Cross-Tables", states=_DRAFT,
        help="Breakdowns by two dimensions at once, e.g. Kommune and "
        "Rechtskreis.")
    min_cell = fields.Integer("Minimum Cell Size", readonly=True,
        help="Cells below this count are suppressed (set from the "
        "configuration when computing).")
    computed_at = fields.Timestamp("Computed At", readonly=True)
    on_board = fields.Boolean("On the Lenkungsgruppe Board",
        help="The board of the Lenkungsgruppe shows this report.")
    lines = fields.One2Many('kim.indicator.report.line', 'report', "Lines",
        readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Computed"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date_to', 'DESC'), ('id', 'DESC')]
        cls._guard(initial='draft',
            protected={'min_cell', 'computed_at', 'lines', 'previous_from',
                'previous_to'},
            final={'done': {'on_board'}})
        cls._transitions |= {
            ('draft', 'done'),
            ('done', 'draft'),
            }
        cls._buttons.update({
                'compute': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-launch',
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
        return 'local'

    @classmethod
    def default_period_type(cls):
        return 'year'

    @classmethod
    def default_year(cls):
        return Pool().get('ir.date').today().year

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_dimensions(cls):
        return ['kommune', 'target_group']

    @classmethod
    def default_on_board(cls):
        return False

    @fields.depends('kind', 'dimensions')
    def on_change_kind(self):
        if self.kind == 'state':
            self.dimensions = list(STATE_DIMENSIONS)

    def get_period(self):
        if self.period_type in {'year', 'quarter'}:
            if not self.year or (
                    self.period_type == 'quarter' and not self.quarter):
                raise IndicatorError(gettext(
                        'kim_reporting.msg_indicator_period',
                        report=self.rec_name))
            return period_of(self.period_type, self.year, self.quarter)
        if self.period_type == 'funding_year':
            if not self.decision:
                raise IndicatorError(gettext(
                        'kim_reporting.msg_indicator_period',
                        report=self.rec_name))
            return self.decision.period_start, self.decision.period_end
        if not self.date_from or not self.date_to:
            raise IndicatorError(gettext(
                    'kim_reporting.msg_indicator_period',
                    report=self.rec_name))
        return self.date_from, self.date_to

    def get_crossings(self):
        "The pairs of dimensions crossed, in the order of DIMENSIONS"
        pairs = []
        for crossing in self.crossings:
            pair = tuple(sorted([crossing.first, crossing.second],
                    key=DIMENSIONS.index))
            if pair not in pairs:
                pairs.append(pair)
        return pairs

    def get_dimensions(self):
        """The dimensions computed: those chosen and those crossed (a
        cross-table is published with its margins)"""
        chosen = set(self.dimensions or [])
        chosen |= {d for c in self.get_crossings() for d in c}
        return [d for d in DIMENSIONS if d in chosen]

    @classmethod
    def validate_fields(cls, reports, field_names):
        super().validate_fields(reports, field_names)
        for report in reports:
            if report.kind == 'state':
                extra = set(report.get_dimensions()) - set(STATE_DIMENSIONS)
                if extra:
                    raise IndicatorValidationError(gettext(
                            'kim_reporting.msg_indicator_state_dimensions',
                            report=report.rec_name))

    @classmethod
    def on_modification(cls, mode, reports, field_names=None):
        "One report per company is on the board of the Lenkungsgruppe"
        super().on_modification(mode, reports, field_names=field_names)
        if mode == 'write' and 'on_board' in field_names:
            boarded = [r for r in reports if r.on_board]
            if boarded:
                others = cls.search([
                        ('on_board', '=', True),
                        ('id', 'not in', [r.id for r in boarded]),
                        ('company', 'in', [r.company.id for r in boarded]),
                        ])
                if others:
                    cls.write(others, {'on_board': False})

    @classmethod
    def copy(cls, reports, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('lines', None)
        default.setdefault('computed_at', None)
        default.setdefault('on_board', False)
        default.setdefault('previous_from', None)
        default.setdefault('previous_to', None)
        return super().copy(reports, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def compute(cls, reports):
        pool = Pool()
        Line = pool.get('kim.indicator.report.line')
        Configuration = pool.get('kim.configuration')
        minimum = Configuration(1).get_min_cell()
        now = dt.datetime.now()
        for report in reports:
            date_from, date_to = report.get_period()
            # the state export delivers the year; steering compares it
            previous = (previous_period(date_from, date_to)
                if report.kind != 'state' else None)
            # the labels are stored: in the language of the office's
            # documents, whoever computes (a scheduled job runs in none)
            with Transaction().set_context(language=document_language()):
                values = report.compute_lines(date_from, date_to, minimum,
                    previous)
            # the lines are written as root: reporting users only read them
            with Transaction().set_user(0), \
                    Transaction().set_context(_check_access=False):
                Line.replace(report, values)
                cls.write([report], {
                        'date_from': date_from,
                        'date_to': date_to,
                        'previous_from': previous[0] if previous else None,
                        'previous_to': previous[1] if previous else None,
                        'min_cell': minimum,
                        'computed_at': now,
                        })

    def compute_lines(self, date_from, date_to, minimum, previous=None):
        """Return the values of the lines: every active indicator in total,
        by each dimension and cross-table, suppressed below minimum, with
        the previous period (totals and dimensions) and the target of the
        year. Runs the SQL as root."""
        pool = Pool()
        Indicator = pool.get('kim.indicator')
        Target = pool.get('kim.indicator.target')
        indicators = Indicator.search([])
        definitions = [i.definition() for i in indicators]
        dimensions = self.get_dimensions()
        crossings = self.get_crossings()
        with Transaction().set_user(0), \
                Transaction().set_context(_check_access=False):
            # the period and the previous one in one pass
            engine = KennzahlenEngine(self.company.id, date_from, date_to,
                definitions, previous=previous)
            periods = engine.compute_all(dimensions, crossings)
            cells = periods[0]
            structure = engine.structure()
            prev_cells, prev_structure = {}, {}
            if previous:
                prev_cells = periods[1]
                prev_structure = engine.structure(1)
            hidden = suppress_all(definitions, cells, dimensions,
                crossings, minimum)
            prev_hidden = suppress_all(definitions, prev_cells, dimensions,
                (), minimum)
            keys = defaultdict(set)
            for cell in list(cells) + list(prev_cells):
                for dimension, key in cell:
                    keys[dimension].add(key)
            labels = {d: key_labels(d, keys[d]) for d in dimensions}
        targets = {}
        if is_year(date_from, date_to):
            targets = {t.indicator.id: t.value for t in Target.search([
                        ('indicator', 'in', [i.id for i in indicators]),
                        ('company', '=', self.company.id),
                        ('year', '=', date_to.year),
                        ])}

        total = gettext('kim_reporting.msg_total')
        lines = []

        def add(indicator, cell, value, suppressed, previous=None,
                previous_suppressed=False, target=None):
            line = {
                'indicator': indicator.id,
                'code': indicator.code,
                'dimension': 'total',
                'key': '',
                'label': total,
                'value': None if suppressed else value,
                'suppressed': suppressed,
                'previous_value': (None if previous_suppressed
                    else previous),
                'previous_suppressed': previous_suppressed,
                'target': target,
                'sequence': len(lines) + 1,
                }
            for n, (dimension, key) in zip(['', '2'], cell):
                code, label = labels[dimension][key]
                line['dimension' + n] = dimension
                line['key' + n] = code
                line['label' + n] = label
            lines.append(line)

        def sort_key(cell):
            return [(key is None, labels[d][key][1]) for d, key in cell]

        for indicator, definition in zip(indicators, definitions):
            code = definition.code
            target = targets.get(indicator.id)
            if definition.level == 'steering':
                add(indicator, (), Decimal(structure.get(code, 0)), False,
                    Decimal(prev_structure[code]) if code in prev_structure
                    else None, target=target)
                continue

            def number(cells, cell):
                n, v = cells.get(cell, {}).get(code, (0, None))
                return finish(definition, n, v)[0]
            own = [c for c, values in cells.items() if code in values]
            prev_own = [c for c, values in prev_cells.items()
                if code in values and len(c) == 1]
            total_cell = ()
            add(indicator, total_cell, number(cells, total_cell),
                total_cell in hidden[code],
                number(prev_cells, total_cell) if previous else None,
                total_cell in prev_hidden.get(code, ()), target)
            for dimension in dimensions:
                breakdown = {c for c in own + prev_own
                    if len(c) == 1 and c[0][0] == dimension}
                for cell in sorted(breakdown, key=sort_key):
                    add(indicator, cell, number(cells, cell),
                        cell in hidden[code],
                        number(prev_cells, cell) if previous else None,
                        cell in prev_hidden.get(code, ()))
            for crossing in crossings:
                table = [c for c in own if len(c) == 2
                    and (c[0][0], c[1][0]) == crossing]
                for cell in sorted(table, key=sort_key):
                    add(indicator, cell, number(cells, cell),
                        cell in hidden[code])
        return lines

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, reports):
        pool = Pool()
        Line = pool.get('kim.indicator.report.line')
        with Transaction().set_user(0), \
                Transaction().set_context(_check_access=False):
            for report in reports:
                Line.replace(report, [])

    def value(self, code, dimension='total', key='', dimension2=None,
            key2=''):
        "The value of a line (None if suppressed or absent)"
        for line in self.lines:
            if (line.code == code and line.dimension == dimension
                    and (line.key or '') == key
                    and line.dimension2 == dimension2
                    and (line.key2 or '') == key2):
                return line.value

    def export_rows(self):
        "The rows of the CSV and spreadsheet export (suppressed as '.')"
        rows = [[gettext('kim_reporting.msg_export_%s' % c) for c in [
                    'year', 'date_from', 'date_to', 'code', 'indicator',
                    'dimension', 'key', 'label', 'dimension2', 'key2',
                    'label2', 'value', 'previous', 'target', 'suppressed']]]
        for line in self.lines:
            rows.append([
                    self.date_to.year if self.date_to else '',
                    self.date_from, self.date_to,
                    line.code, line.indicator.rec_name,
                    line.dimension_string, line.key or '', line.label or '',
                    line.dimension2_string or '', line.key2 or '',
                    line.label2 or '',
                    line.value if not line.suppressed else SUPPRESSED,
                    (line.previous_value if not line.previous_suppressed
                        else SUPPRESSED),
                    line.target,
                    1 if line.suppressed else 0,
                    ])
        return rows


def format_number(value, sign=False):
    "The number in the language of the context, without trailing zeros"
    if value is None:
        return ''
    Lang = Pool().get('ir.lang')
    value = value.normalize()
    digits = max(0, -value.as_tuple().exponent)
    text = Lang.get().format_number(value, digits)
    if sign and value > 0:
        text = '+' + text
    return text


def key_labels(dimension, keys):
    """Return {key: (stable code, label)} of the engine's keys of a
    dimension, the labels in the language of the context: code-list names,
    translated selections and messages"""
    pool = Pool()
    result = {None: ('', gettext('kim_reporting.msg_not_recorded'))}
    keys = [k for k in keys if k is not None]
    if dimension in DIMENSION_MODELS:
        model, field = DIMENSION_MODELS[dimension]
        Model = pool.get(model)
        with Transaction().set_context(active_test=False):
            records = Model.browse([int(k) for k in keys])
            for key, record in zip(keys, records):
                code = getattr(record, field) if field else str(record.id)
                result[key] = (code or '', record.rec_name)
    elif dimension == 'gender':
        Party = pool.get('party.party')
        selection = dict(Party.fields_get(['kim_gender'])['kim_gender'][
                'selection'])
        for key in keys:
            result[key] = (key, selection.get(key, key))
    elif dimension == 'age_band':
        for code, _ in AGE_BANDS:
            result[code] = (code,
                gettext('kim_reporting.msg_age_band_%s' % code))
    return result


class IndicatorReportCrossing(ModelSQL, ModelView):
    __string__ = "Indicator Report Cross-Table"
    __name__ = 'kim.indicator.report.crossing'
    report = fields.Many2One('kim.indicator.report', "Report",
        required=True, ondelete='CASCADE')
    first = fields.Selection(DIMENSION_SELECTION[1:], "Rows", required=True)
    second = fields.Selection(DIMENSION_SELECTION[1:], "Columns",
        required=True,
        domain=[('second', '!=', Eval('first'))])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('report')


class IndicatorLine(ModelSQL, ModelView):
    __string__ = "Indicator Report Line"
    __name__ = 'kim.indicator.report.line'
    report = fields.Many2One('kim.indicator.report', "Report",
        required=True, ondelete='CASCADE', readonly=True)
    sequence = fields.Integer("Sequence", readonly=True)
    indicator = fields.Many2One('kim.indicator', "Indicator", required=True,
        ondelete='RESTRICT', readonly=True)
    code = fields.Char("Code", readonly=True,
        help="The code of the indicator when the report was computed.")
    dimension = fields.Selection(DIMENSION_SELECTION, "Dimension",
        readonly=True)
    dimension_string = dimension.translated('dimension')
    key = fields.Char("Key", readonly=True,
        help="The stable code of the cell (e.g. AGS, code list code).")
    label = fields.Char("Characteristic", readonly=True)
    dimension2 = fields.Selection([(None, "")] + DIMENSION_SELECTION[1:],
        "Second Dimension", readonly=True)
    dimension2_string = dimension2.translated('dimension2')
    key2 = fields.Char("Second Key", readonly=True)
    label2 = fields.Char("Second Characteristic", readonly=True)
    value = fields.Numeric("Value", digits=(16, 2), readonly=True)
    suppressed = fields.Boolean("Suppressed", readonly=True,
        help="The cell is not shown: it counts fewer than the minimum, or "
        "it would let a reader work out such a cell.")
    previous_value = fields.Numeric("Previous Period", digits=(16, 2),
        readonly=True)
    previous_suppressed = fields.Boolean("Previous Suppressed",
        readonly=True)
    target = fields.Numeric("Target Value", digits=(16, 2), readonly=True)
    display = fields.Function(fields.Char("Value"), 'get_display')
    previous_display = fields.Function(fields.Char("Previous Period"),
        'get_display')
    change_display = fields.Function(fields.Char("Change"), 'get_display')
    target_display = fields.Function(fields.Char("Target Value"),
        'get_display')
    change = fields.Function(fields.Numeric("Change", digits=(16, 2),
            help="The value minus the value of the previous period."),
        'get_change')
    target_reached = fields.Function(fields.Boolean("Target Reached"),
        'get_target_reached')
    target_state = fields.Function(fields.Selection([
                (None, ""),
                ('reached', "Reached"),
                ('missed', "Missed"),
                ], "Target"), 'get_target_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t,
                (t.report, Index.Equality()),
                (t.code, Index.Equality()),
                (t.dimension, Index.Equality())))
        cls._order = [('report', 'ASC'), ('sequence', 'ASC'), ('id', 'ASC')]

    @classmethod
    def __register__(cls, module):
        pool = Pool()
        Report = pool.get('kim.indicator.report')
        table_h = cls.__table_handler__(module)
        cursor = Transaction().connection.cursor()
        # migration from the indicators as a selection of codes: the lines
        # are a snapshot that the reports compute again, so the computed
        # reports go back to draft
        if (table_h.column_exist('indicator')
                and not table_h.column_exist('code')):
            table = cls.__table__()
            report = Report.__table__()
            cursor.execute(*table.delete())
            table_h.drop_column('indicator')
            cursor.execute(*report.update(
                    [report.state, report.computed_at, report.on_board],
                    ['draft', Null, False]))
        super().__register__(module)

    def get_display(self, name):
        "The number as the reader's language writes it, '.' if suppressed"
        suppressed = False
        if name == 'display':
            value, suppressed = self.value, self.suppressed
        elif name == 'previous_display':
            value, suppressed = self.previous_value, self.previous_suppressed
        elif name == 'change_display':
            value = self.get_change(name)
        else:
            value = self.target
        if suppressed:
            return SUPPRESSED
        return format_number(value, sign=name == 'change_display')

    def get_change(self, name):
        if self.value is not None and self.previous_value is not None:
            return self.value - self.previous_value

    def get_target_reached(self, name):
        if self.value is None or self.target is None:
            return None
        if self.indicator.direction == 'lower':
            return self.value <= self.target
        return self.value >= self.target

    def get_target_state(self, name):
        reached = self.get_target_reached(name)
        if reached is not None:
            return 'reached' if reached else 'missed'

    @classmethod
    def replace(cls, report, values):
        """Replace the lines of the report by values, in SQL: the lines
        are a computed snapshot (hundreds of rows) that no user writes"""
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.delete(where=table.report == report.id))
        Transaction().counter += 1
        if not values:
            return
        columns = ['report', 'sequence', 'indicator', 'code', 'dimension',
            'key', 'label', 'dimension2', 'key2', 'label2', 'value',
            'suppressed', 'previous_value', 'previous_suppressed', 'target']
        now = dt.datetime.now()
        user = Transaction().user
        rows = [[user, now, report.id] + [v.get(c) for c in columns[1:]]
            for v in values]
        for i in range(0, len(rows), 500):
            cursor.execute(*table.insert(
                    [table.create_uid, table.create_date]
                    + [getattr(table, c) for c in columns],
                    rows[i:i + 500]))
        # records read before are stale
        Transaction().counter += 1


class IndicatorPDF(PageStyleMixin, Report):
    __string__ = "Indicator Report"
    __name__ = 'kim.indicator.report'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['today'] = Pool().get('ir.date').today()
        context['sections'] = cls.sections
        context['suppressed_sign'] = SUPPRESSED
        return context

    @staticmethod
    def sections(report):
        """Return [(indicator, total line, [(dimension name, lines)],
        [(row name, column name, rows, columns, {(row, column): line})])]
        of the report for the template"""
        by_indicator = {}
        order = []
        for line in report.lines:
            if line.indicator not in by_indicator:
                by_indicator[line.indicator] = []
                order.append(line.indicator)
            by_indicator[line.indicator].append(line)
        result = []
        for indicator in order:
            lines = by_indicator[indicator]
            total = next((l for l in lines if l.dimension == 'total'), None)
            breakdowns, tables = [], {}
            for line in lines:
                if line.dimension == 'total':
                    continue
                if not line.dimension2:
                    if not breakdowns or breakdowns[-1][0] != line.dimension:
                        breakdowns.append((line.dimension, []))
                    breakdowns[-1][1].append(line)
                else:
                    pair = (line.dimension, line.dimension2)
                    table = tables.setdefault(pair, {
                            'rows': [], 'columns': [], 'cells': {},
                            'rows_name': line.dimension_string,
                            'columns_name': line.dimension2_string})
                    if line.label not in table['rows']:
                        table['rows'].append(line.label)
                    if line.label2 not in table['columns']:
                        table['columns'].append(line.label2)
                    table['cells'][line.label, line.label2] = line
            names = {l.dimension: l.dimension_string for l in lines}
            result.append((indicator, total,
                    [(names[d], ls) for d, ls in breakdowns],
                    list(tables.values())))
        return result


class IndicatorCSV(Report):
    __string__ = "Indicator Report (CSV)"
    __name__ = 'kim.indicator.report.csv'

    @classmethod
    def _execute(cls, records, header, data, action):
        rows = []
        for i, record in enumerate(records):
            record_rows = record.export_rows()
            rows.extend(record_rows if not i else record_rows[1:])
        if action.extension == 'xlsx':
            return 'xlsx', xlsx([(
                        gettext('kim_reporting.msg_export_sheet'), rows)])
        return 'csv', csv_bytes(rows)


class StateExportStart(ModelView):
    __string__ = "State Export"
    __name__ = 'kim.indicator.state_export.start'
    company = fields.Many2One('company.company', "Company", required=True)
    year = fields.Integer("Year", required=True)

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_year(cls):
        return Pool().get('ir.date').today().year - 1


class StateExport(Wizard):
    __string__ = "State Export"
    __name__ = 'kim.indicator.state_export'
    start = StateView('kim.indicator.state_export.start',
        'kim_reporting.state_export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Compute", 'open_', 'tryton-ok', default=True),
            ])
    open_ = StateAction('kim_reporting.act_indicator_report_form')

    def do_open_(self, action):
        pool = Pool()
        Report = pool.get('kim.indicator.report')
        report = Report(
            name=gettext('kim_reporting.msg_state_export_name',
                year=self.start.year),
            company=self.start.company,
            kind='state',
            period_type='year',
            year=self.start.year,
            dimensions=list(STATE_DIMENSIONS))
        report.save()
        Report.compute([report])
        return action, {'res_id': [report.id]}
