# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.

from trytond.i18n import gettext
from trytond.model import DeactivableMixin, Index, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, PYSONEncoder
from trytond.wizard import Button, StateAction, StateView, Wizard

from .common import PeriodMixin, relation, today
from .exceptions import ServiceValidationError

WEEKDAYS = [
    ('0', "Monday"),
    ('1', "Tuesday"),
    ('2', "Wednesday"),
    ('3', "Thursday"),
    ('4', "Friday"),
    ('5', "Saturday"),
    ('6', "Sunday"),
    ]


class Service(DeactivableMixin, PeriodMixin, ModelSQL, ModelView):
    __string__ = "Service (Angebot)"
    __name__ = 'kim.service'
    name = fields.Char("Title", required=True)
    organisation = fields.Many2One('party.party', "Organisation",
        required=True, ondelete='CASCADE',
        domain=[('kim_organisation_type', '!=', None)])
    description = fields.Text("Description")
    handlungsfelder = fields.Many2Many('kim.service-kim.handlungsfeld',
        'service', 'handlungsfeld', "Handlungsfelder")
    target_groups = fields.Many2Many('kim.service-kim.target_group',
        'service', 'target_group', "Target Groups",
        help="Leave empty when the service is open to everyone.")
    eligibility = fields.Text("Eligibility Notes",
        help="Conditions of access, e.g. residence status.")
    min_age = fields.Integer("Minimum Age")
    max_age = fields.Integer("Maximum Age")
    languages = fields.Many2Many('kim.service-kim.language',
        'service', 'language', "Languages")
    whole_kreis = fields.Boolean("Whole Kreis",
        help="The service is open to people from every Kommune of the Kreis.")
    kommunen = fields.Many2Many('kim.service-kim.kommune',
        'service', 'kommune', "Catchment Kommunen",
        states={
            'invisible': Bool(Eval('whole_kreis')),
            })
    served_kommunen = fields.Function(fields.Many2Many(
            'kim.kommune', None, None, "Served Kommunen"),
        'get_served_kommunen', searcher='search_served_kommunen')
    site = fields.Many2One('party.address', "Site", ondelete='SET NULL',
        domain=[('party', '=', Eval('organisation', -1))])
    appointment_only = fields.Boolean("By Appointment Only")
    opening_hours = fields.One2Many('kim.service.opening_hour', 'service',
        "Opening Hours")
    barrier_free = fields.Boolean("Barrier-free Access")
    cost = fields.Selection([
            ('free', "Free of Charge"),
            ('reduced', "Reduced Fee"),
            ('fee', "Fee"),
            ], "Cost", required=True)
    cost_note = fields.Char("Cost Note")
    waiting_days = fields.Integer("Typical Waiting Time (Days)")
    contact = fields.Many2One('kim.organisation.contact', "Contact Person",
        ondelete='SET NULL',
        domain=[('organisation', '=', Eval('organisation', -1))])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('name', 'ASC'), ('id', 'ASC')]
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.organisation, Index.Equality())),
                Index(t, (t.name, Index.Similarity())),
                })

    @staticmethod
    def default_cost():
        return 'free'

    @fields.depends('organisation', 'languages', 'whole_kreis', 'kommunen',
        '_parent_organisation.kim_languages',
        '_parent_organisation.kim_whole_kreis',
        '_parent_organisation.kim_kommunen')
    def on_change_organisation(self):
        "Take languages and catchment area from the organisation"
        if not self.organisation:
            return
        if not self.languages:
            self.languages = self.organisation.kim_languages
        if not self.kommunen and not self.whole_kreis:
            self.whole_kreis = self.organisation.kim_whole_kreis
            self.kommunen = self.organisation.kim_kommunen

    def get_served_kommunen(self, name):
        if self.whole_kreis:
            Kommune = Pool().get('kim.kommune')
            return [k.id for k in Kommune.search([])]
        return [k.id for k in self.kommunen]

    @classmethod
    def search_served_kommunen(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            return [('whole_kreis', '=', False),
                ('kommunen',) + tuple(clause[1:])]
        return ['OR',
            ('whole_kreis', '=', True),
            ('kommunen',) + tuple(clause[1:]),
            ]

    @classmethod
    def validate_fields(cls, services, field_names):
        super().validate_fields(services, field_names)
        for service in services:
            service.check_numbers(field_names)

    def check_numbers(self, field_names=None):
        "Negative numbers are refused by the InputGuard of kim_network"
        if (self.min_age is not None and self.max_age is not None
                and self.min_age > self.max_age):
            raise ServiceValidationError(gettext(
                    'kim_network.msg_service_age_range',
                    service=self.rec_name,
                    min_age=self.min_age, max_age=self.max_age))

    @classmethod
    def find_domain(cls, handlungsfeld=None, kommune=None, language=None,
            target_group=None, age=None, date=None):
        """Return the domain of the services that answer a need: the
        Handlungsfeld, the Kommune where the client lives, a language and a
        target group, valid on the date (today by default).
        Every criterion is optional; ids or records are accepted."""
        def id_(value):
            return getattr(value, 'id', value)
        if date is None:
            date = today()
        domain = cls.valid_on_domain(date)
        if handlungsfeld:
            domain.append(('handlungsfelder', '=', id_(handlungsfeld)))
        if kommune:
            domain.append(('served_kommunen', '=', id_(kommune)))
        if language:
            domain.append(('languages', '=', id_(language)))
        if target_group:
            # a service without target groups is open to everyone
            domain.append(['OR',
                    ('target_groups', '=', id_(target_group)),
                    ('target_groups', '=', None),
                    ])
        if age is not None:
            domain.append(['OR',
                    ('min_age', '=', None), ('min_age', '<=', age)])
            domain.append(['OR',
                    ('max_age', '=', None), ('max_age', '>=', age)])
        return domain

    @classmethod
    def find(cls, handlungsfeld=None, kommune=None, language=None,
            target_group=None, age=None, date=None, limit=None):
        "Return the services that answer a need (see find_domain)"
        return cls.search(cls.find_domain(
                handlungsfeld=handlungsfeld, kommune=kommune,
                language=language, target_group=target_group, age=age,
                date=date), limit=limit)

    def is_open(self, when):
        "Whether the service is open at the datetime when"
        weekday = str(when.weekday())
        return any(h.weekday == weekday and h.start <= when.time() < h.end
            for h in self.opening_hours)


ServiceHandlungsfeld = relation('ServiceHandlungsfeld',
    'kim.service-kim.handlungsfeld', "Service - Handlungsfeld",
    'service', 'kim.service', 'handlungsfeld', 'kim.handlungsfeld')
ServiceTargetGroup = relation('ServiceTargetGroup',
    'kim.service-kim.target_group', "Service - Target Group",
    'service', 'kim.service', 'target_group', 'kim.target_group')
ServiceLanguage = relation('ServiceLanguage',
    'kim.service-kim.language', "Service - Language",
    'service', 'kim.service', 'language', 'kim.language')
ServiceKommune = relation('ServiceKommune',
    'kim.service-kim.kommune', "Service - Kommune",
    'service', 'kim.service', 'kommune', 'kim.kommune')


class ServiceOpeningHour(ModelSQL, ModelView):
    __string__ = "Service Opening Hour"
    __name__ = 'kim.service.opening_hour'
    service = fields.Many2One('kim.service', "Service", required=True,
        ondelete='CASCADE')
    weekday = fields.Selection(WEEKDAYS, "Weekday", required=True,
        sort=False)
    start = fields.Time("From", required=True, format='%H:%M')
    end = fields.Time("To", required=True, format='%H:%M')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('weekday', 'ASC'), ('start', 'ASC'), ('id', 'ASC')]

    @classmethod
    def validate_fields(cls, hours, field_names):
        super().validate_fields(hours, field_names)
        for hour in hours:
            if hour.start and hour.end and hour.end <= hour.start:
                raise ServiceValidationError(gettext(
                        'kim_network.msg_opening_hour_invalid',
                        service=hour.service.rec_name,
                        start=hour.start.strftime('%H:%M'),
                        end=hour.end.strftime('%H:%M')))


class FindServiceStart(ModelView):
    __string__ = "Find Services"
    __name__ = 'kim.service.find.start'
    handlungsfeld = fields.Many2One('kim.handlungsfeld', "Handlungsfeld")
    kommune = fields.Many2One('kim.kommune', "Kommune")
    language = fields.Many2One('kim.language', "Language")
    target_group = fields.Many2One('kim.target_group', "Target Group")
    age = fields.Integer("Age",
        domain=['OR', ('age', '=', None), ('age', '>=', 0)])
    date = fields.Date("Date", required=True)

    @staticmethod
    def default_date():
        return today()


class FindService(Wizard):
    __string__ = "Find Services"
    __name__ = 'kim.service.find'
    start = StateView('kim.service.find.start',
        'kim_network.service_find_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Find", 'open_', 'tryton-search', default=True),
            ])
    open_ = StateAction('kim_network.act_service_form')

    def do_open_(self, action):
        pool = Pool()
        Service = pool.get('kim.service')
        s = self.start
        domain = Service.find_domain(
            handlungsfeld=s.handlungsfeld, kommune=s.kommune,
            language=s.language, target_group=s.target_group, age=s.age,
            date=s.date)
        action['pyson_domain'] = PYSONEncoder().encode(domain)
        names = [r.rec_name for r in [s.handlungsfeld, s.kommune, s.language,
                s.target_group] if r]
        if names:
            action['name'] += ' (%s)' % ', '.join(names)
        return action, {}
