# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Stellenplan: the funded positions per year with their Baustein, VZÄ,
employer and Fachaufsicht, forwarding, and who occupies them when."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.modules.kim_network.common import rec_name_domain
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from .exceptions import (
    FundingError, FundingValidationError, StellenplanWarning)
from .funding import SHARE, VZAE, CompanyMixin, check_vzae_step, fmt

EMPLOYER_KINDS = [
    ('ki', "Kommunales Integrationszentrum (KI)"),
    ('office', "Other Office of the Kreis"),
    ('town', "Town (kreisangehörige Kommune)"),
    ('welfare', "Welfare Organisation"),
    ]
_PLAN_DRAFT = {'readonly': Eval('stellenplan_state') != 'draft'}


class Stellenplan(CompanyMixin, Workflow, ModelSQL, ModelView):
    __string__ = "Stellenplan"
    __name__ = 'kim.funding.stellenplan'
    name = fields.Char("Name", required=True,
        states={'readonly': Eval('state') != 'draft'})
    year = fields.Integer("Year", required=True,
        states={'readonly': Eval('state') != 'draft'})
    positions = fields.One2Many('kim.funding.position', 'stellenplan',
        "Positions", states={'readonly': Eval('state') != 'draft'})
    warnings = fields.Function(fields.Text("Rule Checks",
            help="The funding rules the Stellenplan does not meet, with "
            "the numbers."), 'get_warnings')
    state = fields.Selection([
            ('draft', "Draft"),
            ('confirmed', "Confirmed"),
            ], "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('year', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'confirmed'),
            ('confirmed', 'draft'),
            }
        cls._buttons.update({
                'confirm': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'confirmed',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_warnings(self, name):
        return '\n'.join(self.check_rules()) or None

    def check_rules(self):
        """Return the list of messages of the funding rules the plan breaks:
        the quotas of each Baustein, positions counted twice, positions in
        the JMD/MBE staffing and occupancies above their position."""
        messages = []
        by_baustein = defaultdict(list)
        for position in self.positions:
            by_baustein[position.baustein].append(position)
        for baustein, positions in by_baustein.items():
            total = sum((p.vzae or 0 for p in positions), Decimal(0))
            if not total:
                continue
            at_ki = sum((p.vzae or 0 for p in positions
                    if p.employer_kind == 'ki'), Decimal(0))
            welfare = sum((p.vzae or 0 for p in positions
                    if p.employer_kind == 'welfare'), Decimal(0))
            if (baustein.quota_ki_min is not None
                    and at_ki < total * baustein.quota_ki_min):
                messages.append(gettext('kim_reporting.msg_quota_ki',
                        baustein=baustein.rec_name, ki=fmt(at_ki),
                        total=fmt(total),
                        share=fmt(at_ki * 100 / total),
                        minimum=fmt(total * baustein.quota_ki_min)))
            if (baustein.quota_welfare_max is not None
                    and welfare > total * baustein.quota_welfare_max):
                messages.append(gettext('kim_reporting.msg_quota_welfare',
                        baustein=baustein.rec_name, welfare=fmt(welfare),
                        total=fmt(total),
                        share=fmt(welfare * 100 / total),
                        maximum=fmt(total * baustein.quota_welfare_max)))
        messages.extend(self._check_twice())
        messages.extend(self._check_granted(by_baustein))
        for position in self.positions:
            messages.extend(position.check_placement())
            messages.extend(position.check_occupancy())
        return messages

    def _check_granted(self, by_baustein):
        "The VZÄ per Baustein against the granted Förderbescheide"
        Decision = Pool().get('kim.funding.decision')
        if not self.company or not self.year:
            return []
        granted = defaultdict(Decimal)
        for decision in Decision.search([
                    ('company', '=', self.company.id),
                    ('year', '=', self.year),
                    ('state', '=', 'granted'),
                    ]):
            granted[decision.baustein] += decision.eligible_vzae or 0
        messages = []
        for baustein, positions in by_baustein.items():
            total = sum((p.vzae or 0 for p in positions), Decimal(0))
            if baustein in granted and total > granted[baustein]:
                messages.append(gettext('kim_reporting.msg_plan_above_granted',
                        baustein=baustein.rec_name, vzae=fmt(total),
                        granted=fmt(granted[baustein])))
        return messages

    def _check_twice(self):
        pool = Pool()
        Position = pool.get('kim.funding.position')
        messages = []
        codes = defaultdict(list)
        for position in self.positions:
            codes[position.code].append(position)
        for code, positions in codes.items():
            if len(positions) > 1:
                messages.append(gettext('kim_reporting.msg_position_twice',
                        code=code, count=len(positions)))
        if self.id is not None and self.id >= 0 and codes:
            others = Position.search([
                    ('code', 'in', list(codes)),
                    ('stellenplan.id', '!=', self.id),
                    ('stellenplan.year', '=', self.year),
                    ('stellenplan.company', '=', self.company.id),
                    ('stellenplan.state', '=', 'confirmed'),
                    ])
            for other in others:
                messages.append(gettext(
                        'kim_reporting.msg_position_other_plan',
                        code=other.code,
                        stellenplan=other.stellenplan.rec_name))
        # an employee never fills more than one full post at once
        Occupancy = pool.get('kim.funding.occupancy')
        by_employee = defaultdict(list)
        for position in self.positions:
            for occupancy in position.occupancies:
                by_employee[occupancy.employee].append(occupancy)
        if by_employee and self.id is not None and self.id >= 0:
            # the occupancies of the same employees in the other
            # confirmed Stellenpläne of the year
            for occupancy in Occupancy.search([
                        ('employee', 'in', [e.id for e in by_employee]),
                        ('position.stellenplan.id', '!=', self.id),
                        ('position.stellenplan.year', '=', self.year),
                        ('position.stellenplan.company', '=',
                            self.company.id),
                        ('position.stellenplan.state', '=', 'confirmed'),
                        ]):
                by_employee[occupancy.employee].append(occupancy)
        for employee, occupancies in by_employee.items():
            for day in sorted({o.start_date for o in occupancies}):
                share = sum((o.share for o in occupancies
                        if o.active_on(day)), Decimal(0))
                if share > 1:
                    messages.append(gettext(
                            'kim_reporting.msg_employee_twice',
                            employee=employee.rec_name,
                            date=Pool().get('ir.lang').get().strftime(day),
                            share=fmt(share)))
                    break
        return messages

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, plans):
        pool = Pool()
        Warning = pool.get('res.user.warning')
        for plan in plans:
            messages = plan.check_rules()
            if messages:
                key = Warning.format('stellenplan_rules', [plan])
                if Warning.check(key):
                    raise StellenplanWarning(key, gettext(
                            'kim_reporting.msg_stellenplan_rules',
                            stellenplan=plan.rec_name,
                            messages='\n'.join(messages)))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, plans):
        pass

    @classmethod
    def check_modification(cls, mode, plans, values=None, external=False):
        super().check_modification(
            mode, plans, values=values, external=external)
        if mode == 'delete':
            for plan in plans:
                if plan.state != 'draft':
                    raise FundingError(gettext(
                            'kim_reporting.msg_stellenplan_delete',
                            stellenplan=plan.rec_name))


class Position(ModelSQL, ModelView):
    __string__ = "Position"
    __name__ = 'kim.funding.position'
    stellenplan = fields.Many2One('kim.funding.stellenplan', "Stellenplan",
        required=True, ondelete='CASCADE', states=_PLAN_DRAFT)
    stellenplan_state = fields.Function(fields.Selection([
                ('draft', "Draft"),
                ('confirmed', "Confirmed"),
                ], "Stellenplan State"), 'on_change_with_stellenplan_state')
    code = fields.Char("Position Number", required=True, strip=True,
        states=_PLAN_DRAFT,
        help="The number of the post in the Stellenplan; a post is counted "
        "once.")
    name = fields.Char("Title", required=True, states=_PLAN_DRAFT)
    baustein = fields.Many2One('kim.funding.baustein', "Baustein",
        required=True, ondelete='RESTRICT', states=_PLAN_DRAFT)
    kind = fields.Many2One('kim.funding.position_kind', "Position Kind",
        required=True, ondelete='RESTRICT', states=_PLAN_DRAFT,
        domain=[('baustein', '=', Eval('baustein', -1))],
        help="Coordination, Verwaltungsassistenz, case management, ... with "
        "its own rate and minimum share; the Baustein's first kind when "
        "left empty.")
    vzae = fields.Numeric("VZÄ", digits=VZAE, required=True,
        states=_PLAN_DRAFT)
    home = fields.Many2One('party.party', "Organisational Home",
        required=True, ondelete='RESTRICT', states=_PLAN_DRAFT,
        domain=[('kim_organisation_type', '!=', None)],
        help="The office or organisation where the post is placed.")
    employer = fields.Many2One('party.party', "Employer", required=True,
        ondelete='RESTRICT', states=_PLAN_DRAFT,
        domain=[('kim_organisation_type', '!=', None)])
    employer_kind = fields.Selection(EMPLOYER_KINDS, "Kind of Employer",
        required=True, states=_PLAN_DRAFT,
        help="Used for the quotas of Baustein 2.")
    supervision = fields.Many2One('party.party', "Fachaufsicht",
        ondelete='RESTRICT', states=_PLAN_DRAFT,
        domain=[('kim_organisation_type', '!=', None)],
        help="The office that holds the Fachaufsicht (the KI, whoever "
        "employs the case manager).")
    forwarded = fields.Boolean("Forwarded", states=_PLAN_DRAFT,
        help="The post is funded by Weiterleitung to its employer.")
    recipient = fields.Many2One('party.party', "Recipient",
        ondelete='RESTRICT',
        domain=[('kim_organisation_type', '!=', None)],
        states={
            'readonly': Eval('stellenplan_state') != 'draft',
            'invisible': ~Eval('forwarded'),
            'required': Bool(Eval('forwarded')),
            })
    forwarding_agreement = fields.Many2One('kim.cooperation_agreement',
        "Weiterleitungsvertrag", ondelete='RESTRICT',
        domain=[
            ('type', '=', 'forwarding'),
            If(Bool(Eval('recipient')),
                ('partners', '=', Eval('recipient', -1)), ()),
            ],
        states={
            'readonly': Eval('stellenplan_state') != 'draft',
            'invisible': ~Eval('forwarded'),
            })
    justification = fields.Text("Justification", states=_PLAN_DRAFT,
        help="The conceptual justification of a post placed with a welfare "
        "organisation or outside the KI.")
    approval_date = fields.Date("State Approval On", states=_PLAN_DRAFT,
        help="The date of the state's exception approval "
        "(Ausnahmegenehmigung) for a post outside the KI.")
    approval_reference = fields.Char("Approval Reference",
        states=_PLAN_DRAFT)
    jmd_mbe_outside = fields.Boolean("Outside the JMD/MBE Staffing",
        states=_PLAN_DRAFT,
        help="The post is demonstrably outside the staffing (Personaltableau) "
        "of the Jugendmigrationsdienste and the Migrationsberatung für "
        "erwachsene Zuwanderer; attach the proof.")
    jmd_mbe_proof = fields.Binary("JMD/MBE Proof",
        filename='jmd_mbe_proof_name', states=_PLAN_DRAFT,
        help="The document that shows the post is outside the JMD/MBE "
        "staffing (e.g. the employer's staffing list or declaration).")
    jmd_mbe_proof_name = fields.Char("JMD/MBE Proof Name",
        states=_PLAN_DRAFT)
    funding_sources = fields.One2Many('kim.funding.position.source',
        'position', "Funding Sources", states=_PLAN_DRAFT,
        help="Every programme that funds a part of this post, KIM "
        "included; together at most 100 %.")
    occupancies = fields.One2Many('kim.funding.occupancy', 'position',
        "Occupancy")
    filled_vzae = fields.Function(fields.Numeric("Filled VZÄ", digits=VZAE,
            help="The VZÄ occupied on the context date (today)."),
        'get_filled_vzae')
    notes = fields.Text("Notes")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('stellenplan')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.stellenplan, Index.Equality())),
                Index(t, (t.baustein, Index.Equality())),
                })
        cls._order = [('stellenplan', 'ASC'), ('code', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_employer_kind(cls):
        return 'ki'

    @classmethod
    def default_forwarded(cls):
        return False

    @classmethod
    def default_supervision(cls):
        config = Pool().get('kim.configuration')(1)
        return config.kim_office.id if config.kim_office else None

    @fields.depends('stellenplan', '_parent_stellenplan.state')
    def on_change_with_stellenplan_state(self, name=None):
        if self.stellenplan:
            return self.stellenplan.state
        return 'draft'

    @fields.depends('employer', 'home')
    def on_change_employer(self):
        if self.employer and not self.home:
            self.home = self.employer

    @fields.depends('baustein', 'kind')
    def on_change_baustein(self):
        if self.baustein and (
                not self.kind or self.kind.baustein != self.baustein):
            self.kind = self.baustein.main_kind

    @classmethod
    def preprocess_values(cls, mode, values):
        "A post without kind gets the first kind of its Baustein"
        pool = Pool()
        Baustein = pool.get('kim.funding.baustein')
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and not values.get('kind')
                and values.get('baustein')):
            kind = Baustein(values['baustein']).main_kind
            if kind:
                values['kind'] = kind.id
        return values

    def get_rec_name(self, name):
        return '%s %s' % (self.code, self.name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'code', 'name')

    def get_filled_vzae(self, name):
        date = Transaction().context.get('date') or Pool().get(
            'ir.date').today()
        return sum((o.share for o in self.occupancies if o.active_on(date)),
            Decimal(0))

    @classmethod
    def validate_fields(cls, positions, field_names):
        super().validate_fields(positions, field_names)
        if field_names is None or field_names & {'vzae', 'baustein', 'kind'}:
            for position in positions:
                if position.kind.baustein != position.baustein:
                    raise FundingValidationError(gettext(
                            'kim_reporting.msg_kind_baustein',
                            kind=position.kind.rec_name,
                            baustein=position.baustein.rec_name))
                check_vzae_step(position.vzae, position.baustein.vzae_step,
                    position.rec_name, position.baustein.rec_name,
                    position.kind.min_vzae, position.kind.rec_name)
        if field_names is None or 'funding_sources' in field_names:
            for position in positions:
                position.check_funding_sources()
        for position in positions:
            if (position.forwarding_agreement and position.recipient
                    and position.recipient
                    not in position.forwarding_agreement.partners):
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_forwarding_agreement_partner',
                        position=position.rec_name,
                        agreement=position.forwarding_agreement.rec_name,
                        recipient=position.recipient.rec_name))

    def check_funding_sources(self):
        "A post is funded at most once in full (§ 9 (4) TIntG NRW)"
        total = sum((s.share or 0 for s in self.funding_sources),
            Decimal(0))
        if total > 1:
            raise FundingValidationError(gettext(
                    'kim_reporting.msg_double_funding',
                    position=self.rec_name, share=fmt(total * 100),
                    sources=', '.join('%s %s %%' % (
                            s.programme.rec_name, fmt(s.share * 100))
                        for s in self.funding_sources)))

    @property
    def outside_ki(self):
        return self.employer_kind != 'ki'

    def check_placement(self):
        """Return the messages of the placement rules of the post: outside
        the KI only with the state's approval (coordination), with a
        welfare organisation only with a justification and the proof that
        the post is outside the JMD/MBE staffing (case management)"""
        messages = []
        kind = self.kind
        if (kind.ki_approval and self.outside_ki
                and not (self.forwarded and self.employer_kind == 'town')
                and not self.approval_date):
            messages.append(gettext('kim_reporting.msg_position_approval',
                    position=self.rec_name, kind=kind.rec_name,
                    employer=self.employer.rec_name))
        if kind.welfare_rules and self.employer_kind == 'welfare':
            if not self.justification:
                messages.append(gettext(
                        'kim_reporting.msg_position_justification',
                        position=self.rec_name,
                        employer=self.employer.rec_name))
            if not self.jmd_mbe_outside or not self.jmd_mbe_proof_name:
                messages.append(gettext('kim_reporting.msg_jmd_mbe',
                        position=self.rec_name,
                        employer=self.employer.rec_name))
        return messages

    def check_occupancy(self):
        "Return messages when the occupancy exceeds the position's VZÄ"
        messages = []
        occupancies = list(self.occupancies)
        for day in sorted({o.start_date for o in occupancies}):
            share = sum((o.share for o in occupancies if o.active_on(day)),
                Decimal(0))
            if share > self.vzae:
                messages.append(gettext('kim_reporting.msg_occupancy_above',
                        position=self.rec_name,
                        date=Pool().get('ir.lang').get().strftime(day),
                        share=fmt(share),
                        vzae=fmt(self.vzae)))
                break
        return messages


class Occupancy(ModelSQL, ModelView):
    __string__ = "Position Occupancy"
    __name__ = 'kim.funding.occupancy'
    position = fields.Many2One('kim.funding.position', "Position",
        required=True, ondelete='CASCADE')
    employee = fields.Many2One('company.employee', "Employee",
        required=True, ondelete='RESTRICT')
    share = fields.Numeric("Share (VZÄ)", digits=VZAE, required=True,
        help="The part of a full-time post the employee fills.")
    start_date = fields.Date("Start", required=True)
    end_date = fields.Date("End",
        domain=[If(Eval('end_date') & Eval('start_date'),
                ('end_date', '>=', Eval('start_date')), ())])
    monthly_cost = Monetary("Personnel Cost per Month", currency='currency',
        digits='currency',
        help="The employer's gross personnel cost per month for this "
        "occupancy (Arbeitgeber-Brutto); a month counts when the occupancy "
        "covers its 15th.")
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('position')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.position, Index.Equality())),
                Index(t, (t.employee, Index.Equality())),
                })
        cls._order = [('start_date', 'ASC'), ('id', 'ASC')]

    @fields.depends('position', '_parent_position.stellenplan')
    def on_change_with_currency(self, name=None):
        if self.position and self.position.stellenplan:
            company = self.position.stellenplan.company
            if company:
                return company.currency

    @fields.depends('position', '_parent_position.vzae', 'share')
    def on_change_position(self):
        if self.position and self.share is None:
            self.share = self.position.vzae

    def active_on(self, date):
        return (self.start_date <= date
            and (not self.end_date or date <= self.end_date))

    def get_rec_name(self, name):
        return '%s: %s' % (self.position.rec_name, self.employee.rec_name)

    def months_in(self, year):
        "The months of the year (1-12) the occupancy counts for"
        return [m for m in range(1, 13)
            if self.active_on(dt.date(year, m, 15))]

    @classmethod
    def validate_fields(cls, occupancies, field_names):
        super().validate_fields(occupancies, field_names)
        for occupancy in occupancies:
            if occupancy.share is not None and occupancy.share <= 0:
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_occupancy_share',
                        occupancy=occupancy.rec_name))
            if (occupancy.end_date
                    and occupancy.end_date < occupancy.start_date):
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_period_invalid',
                        record=occupancy.rec_name))
            if occupancy.monthly_cost is not None and (
                    occupancy.monthly_cost < 0):
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_amount_negative',
                        record=occupancy.rec_name))


class PositionSource(ModelSQL, ModelView):
    __string__ = "Position Funding Source"
    __name__ = 'kim.funding.position.source'
    position = fields.Many2One('kim.funding.position', "Position",
        required=True, ondelete='CASCADE')
    programme = fields.Many2One('kim.funding.programme', "Programme",
        required=True, ondelete='RESTRICT',
        help="KIM, or another programme of the EU, the Bund, the Land or "
        "a third party (e.g. Gemeinsam klappt's, KOMM-AN NRW).")
    share = fields.Numeric("Share", digits=SHARE, required=True,
        help="The part of the post the programme funds (1 for all of it).")
    reference = fields.Char("Reference",
        help="The Bescheid or contract of the other programme.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('position')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.position, Index.Equality())))

    def get_rec_name(self, name):
        return '%s: %s' % (self.position.rec_name, self.programme.rec_name)

    @classmethod
    def validate_fields(cls, sources, field_names):
        super().validate_fields(sources, field_names)
        for source in sources:
            if source.share is not None and not 0 < source.share <= 1:
                raise FundingValidationError(gettext(
                        'kim_reporting.msg_source_share',
                        source=source.rec_name))
        for position in {s.position for s in sources}:
            position.check_funding_sources()
