# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""The network of a case (Liste der Akteure): the services and persons
involved with the client, with their role, contact, period and whether a
consent of the client covers exchanging with them; and the check against
double care when a case is opened or leaves intake: another case
management in charge (Jobcenter Fallmanagement, Jugendamt, JMD, MBE)."""
import hashlib

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.modules.kim_network.common import (
    PeriodMixin, rec_name_domain, today)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .access import readable_ids
from .case import CaseLinkMixin, check_case_open
from .exceptions import DoubleCareWarning, NetworkValidationError

ROLES = [
    ('jobcenter', "Jobcenter Case Management (Fallmanagement)"),
    ('jmd', "Youth Migration Service (JMD)"),
    ('mbe', "Migration Counselling for Adults (MBE)"),
    ('youth_office', "Youth Welfare Office (Jugendamt)"),
    ('immigration_office', "Immigration Office (Ausländerbehörde)"),
    ('volunteer', "Volunteer"),
    ('asylum_support', "Asylum Support (Asylbetreuung)"),
    ('lawyer', "Lawyer"),
    ('other', "Other"),
    ]
# the roles that hold a case management of their own: a second one by KIM
# builds double structures
STATUTORY_ROLES = ['jobcenter', 'jmd', 'mbe', 'youth_office']


class Actor(CaseLinkMixin, PeriodMixin, ModelSQL, ModelView):
    __string__ = "Network Actor"
    __name__ = 'kim.case.actor'
    _history = True
    case = fields.Many2One('kim.case', "Case", required=True,
        ondelete='CASCADE',
        context={
            'kim_client': True,
            })
    role = fields.Selection(ROLES, "Role", required=True, sort=False)
    role_string = role.translated('role')
    statutory = fields.Function(fields.Boolean("Case Management in Charge",
            help="The service runs a case management of its own "
            "(Jobcenter Fallmanagement, Jugendamt, JMD, MBE): "
            "avoid double care."),
        'on_change_with_statutory', searcher='search_statutory')
    organisation = fields.Many2One('party.party', "Organisation",
        ondelete='RESTRICT',
        domain=[('kim_organisation_type', '!=', None)],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Leave empty for a person such as a volunteer.")
    contact_name = fields.Char("Contact Person")
    phone = fields.Char("Phone")
    email = fields.Char("E-Mail")
    task = fields.Char("Task",
        help="What the service or person does for the client.")
    current = fields.Function(fields.Boolean("Current"), 'get_current')
    consent = fields.Function(fields.Many2One('kim.consent', "Consent"),
        'get_consent')
    consent_covers = fields.Function(fields.Boolean("Consent Covers Exchange",
            help="A consent of the client in force covers exchanging data "
            "with the organisation (communication in the network or "
            "transfer naming it); for a person without organisation, a "
            "consent to communication in the network."),
        'get_consent')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.valid_from.string = "From"
        cls.valid_to.string = "To"
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.case, Index.Equality())),
                Index(t, (t.role, Index.Equality()),
                    where=t.role.in_(STATUTORY_ROLES)),
                })
        cls._order = [
            ('case', 'ASC'),
            ('valid_from', 'DESC NULLS LAST'),
            ('id', 'ASC'),
            ]

    @classmethod
    def default_valid_from(cls):
        return today()

    @fields.depends('role')
    def on_change_with_statutory(self, name=None):
        return self.role in STATUTORY_ROLES

    @classmethod
    def search_statutory(cls, name, clause):
        _, operator, value = clause[:3]
        if operator in {'in', 'not in'}:
            operator = '=' if operator == 'in' else '!='
            value = True in (value or [])
        positive = bool(value) == (operator == '=')
        return [('role', 'in' if positive else 'not in', STATUTORY_ROLES)]

    def get_current(self, name):
        date = Transaction().context.get('date') or today()
        return self.valid_on(date)

    @classmethod
    def get_consent(cls, actors, names):
        pool = Pool()
        Consent = pool.get('kim.consent')
        date = Transaction().context.get('date') or today()
        result = {n: {} for n in names}
        for actor in actors:
            consent = None
            client = actor.case.client
            if actor.organisation:
                for purpose in ['network', 'transfer']:
                    consent = Consent.find_covering(client,
                        actor.organisation, purpose=purpose, date=date)
                    if consent:
                        break
            else:
                consent = Consent.find_covering(client, None,
                    purpose='network', date=date)
            if 'consent' in names:
                result['consent'][actor.id] = consent.id if consent else None
            if 'consent_covers' in names:
                result['consent_covers'][actor.id] = bool(consent)
        return result

    def get_rec_name(self, name):
        parts = [self.role_string]
        for value in [self.organisation and self.organisation.rec_name,
                self.contact_name]:
            if value:
                parts.append(value)
        return ' - '.join(parts)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause,
            'contact_name', 'organisation.rec_name', 'task')

    @classmethod
    def validate_fields(cls, actors, field_names):
        super().validate_fields(actors, field_names)
        if field_names is None or field_names & {
                'organisation', 'contact_name'}:
            for actor in actors:
                if not (actor.organisation or actor.contact_name):
                    raise NetworkValidationError(gettext(
                            'kim_case.msg_actor_empty',
                            case=actor.case.rec_name))

    @classmethod
    def check_modification(cls, mode, actors, values=None, external=False):
        super().check_modification(
            mode, actors, values=values, external=external)
        check_case_open({a.case for a in actors})


class Case(metaclass=PoolMeta):
    __name__ = 'kim.case'
    actors = fields.One2Many('kim.case.actor', 'case', "Network",
        states={
            'readonly': Eval('state') == 'closed',
            },
        help="The services and persons involved with the client.")

    @classmethod
    def check_modification(cls, mode, cases, values=None, external=False):
        super().check_modification(
            mode, cases, values=values, external=external)
        # a case opened through the interface (with its network)
        if mode == 'create' and external:
            cls.check_double_care(cases)

    def check_can_assess(self):
        self.check_double_care([self])
        super().check_can_assess()

    @classmethod
    def double_care(cls, cases, date=None):
        """Return {case id: [actors]}: the services with a case management of
        their own that are in charge of the client of the case on date
        (default today), recorded on any case of the client; without access
        check"""
        pool = Pool()
        Actor = pool.get('kim.case.actor')
        if date is None:
            date = today()
        clients = {c.client.id for c in cases if c.client}
        if not clients:
            return {}
        with without_check_access():
            actors = Actor.search([
                    ('case.client', 'in', list(clients)),
                    ('case.state', '!=', 'cancelled'),
                    ('role', 'in', STATUTORY_ROLES),
                    ] + Actor.valid_on_domain(date))
        result = {}
        for case in cases:
            found = [a for a in actors if a.case.client == case.client]
            if found:
                result[case.id] = found
        return result

    @classmethod
    def check_double_care(cls, cases):
        """Warn (skippable) if another case management is in charge of the
        client of one of the cases; of the records the user may not read,
        only that one exists"""
        pool = Pool()
        Warning = pool.get('res.user.warning')
        Actor = pool.get('kim.case.actor')
        if not Transaction().user:
            return
        found = cls.double_care(cases)
        for case in cases:
            actors = found.get(case.id)
            if not actors:
                continue
            readable = readable_ids(Actor, [a.id for a in actors])
            shown = [a for a in actors if a.id in readable]
            hidden = len(actors) - len(shown)
            # stable over the retry of a create: the client and the actors
            digest = hashlib.sha256(repr((case.client.id,
                        sorted(a.id for a in actors))).encode()).hexdigest()
            key = 'kim_case_double_care.%s' % digest[:32]
            if not Warning.check(key):
                continue
            lines = []
            if shown:
                lines.append(gettext('kim_case.msg_case_double_care',
                        client=case.client.rec_name,
                        actors=', '.join(_describe(a) for a in shown)))
            if hidden:
                lines.append(gettext(
                        'kim_case.msg_case_double_care_elsewhere',
                        client=case.client.rec_name))
            raise DoubleCareWarning(key, '\n'.join(lines))

    @classmethod
    def copy(cls, cases, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('actors', None)
        return super().copy(cases, default=default)


def _describe(actor):
    text = '"%s"' % actor.rec_name
    if actor.valid_from:
        text += ' ' + gettext('kim_case.msg_actor_since',
            date=actor.valid_from.strftime('%d.%m.%Y'))
    return text


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def _kim_privacy_models(cls):
        # the network of the client's cases: anonymised and reported with
        # the client (privacy.py)
        return super()._kim_privacy_models() + [
            ('kim.case.actor', 'case.client'),
            ]
