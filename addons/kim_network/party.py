# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
import re

from trytond import backend
from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.pool import PoolMeta
from trytond.pyson import Bool, Eval
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .common import relation
from .exceptions import ContactValidationError

EMAIL_PATTERN = re.compile(r'^[^@\s]+@[^@\s]+\.[^@\s]+$')

ORGANISATION_STATES = {
    'invisible': ~Eval('kim_organisation_type'),
    }


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    kim_organisation_type = fields.Many2One(
        'kim.organisation_type', "KIM Organisation Type", ondelete='RESTRICT',
        help="Set for organisations of the local integration network.")
    kim_traeger = fields.Many2One('party.party', "Träger",
        ondelete='SET NULL', states=ORGANISATION_STATES,
        domain=[('id', '!=', Eval('id', -1))],
        help="The parent body (Träger) that runs this organisation.")
    kim_traeger_kind = fields.Selection([
            (None, ""),
            ('public', "Public Träger"),
            ('free', "Free Träger"),
            ], "Kind of Träger", states=ORGANISATION_STATES)
    kim_rechtskreise = fields.Many2Many('party.party-kim.rechtskreis',
        'party', 'rechtskreis', "Rechtskreise", states=ORGANISATION_STATES)
    kim_whole_kreis = fields.Boolean("Whole Kreis",
        states=ORGANISATION_STATES,
        help="The organisation serves every Kommune of the Kreis.")
    kim_kommunen = fields.Many2Many('party.party-kim.kommune',
        'party', 'kommune', "Catchment Kommunen",
        states={
            'invisible': (~Eval('kim_organisation_type')
                | Bool(Eval('kim_whole_kreis'))),
            })
    kim_statutory_case_management = fields.Boolean(
        "Own Statutory Case Management", states=ORGANISATION_STATES,
        help="The organisation runs its own statutory case management "
        "(e.g. Jobcenter, Jugendamt, MBE/JMD).")
    kim_jmd_mbe_staffing = fields.Boolean("JMD/MBE Staffing",
        states=ORGANISATION_STATES,
        help="The organisation belongs to the staffing of the Jugendmigrations"
        "dienste or the Migrationsberatung für erwachsene Zuwanderer.")
    kim_funding_source = fields.Char("Funding Source",
        states=ORGANISATION_STATES)
    kim_languages = fields.Many2Many('party.party-kim.language',
        'party', 'language', "Languages Spoken", states=ORGANISATION_STATES)
    kim_contacts = fields.One2Many('kim.organisation.contact',
        'organisation', "Contact Persons", states=ORGANISATION_STATES)
    kim_services = fields.One2Many('kim.service', 'organisation', "Services",
        states=ORGANISATION_STATES)
    kim_notes = fields.Text("Network Notes", states=ORGANISATION_STATES)

    @fields.depends('kim_organisation_type', 'kim_statutory_case_management')
    def on_change_kim_organisation_type(self):
        if self.kim_organisation_type:
            self.kim_statutory_case_management = (
                self.kim_organisation_type.statutory_case_management)

    @classmethod
    def get_rec_name(cls, parties, name):
        # the name (or code) of all parties in one query: a list of cases
        # or contacts shows a hundred clients and employees, and the party
        # module's getter reads every column of each party for its name
        result = {}
        stored = []
        for party in parties:
            if (party.id is None or party.id < 0
                    or Transaction().context.get('_datetime')):
                result[party.id] = cls._kim_rec_name(
                    party.name, party.code)
            else:
                stored.append(party.id)
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(stored, backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.select(table.id, table.name, table.code,
                    where=reduce_ids(table.id, list(sub_ids))))
            for id_, name_, code in cursor:
                result[id_] = cls._kim_rec_name(name_, code)
        return result

    @staticmethod
    def _kim_rec_name(name, code):
        "The record name of the party module: the name, else [code]"
        if not name:
            return '[' + (code or '') + ']'
        return name

    def kim_serves(self, kommune):
        "Whether the organisation serves the Kommune"
        return self.kim_whole_kreis or kommune in self.kim_kommunen


PartyRechtskreis = relation('PartyRechtskreis',
    'party.party-kim.rechtskreis', "Party - Rechtskreis",
    'party', 'party.party', 'rechtskreis', 'kim.rechtskreis')
PartyKommune = relation('PartyKommune',
    'party.party-kim.kommune', "Party - Kommune",
    'party', 'party.party', 'kommune', 'kim.kommune')
PartyLanguage = relation('PartyLanguage',
    'party.party-kim.language', "Party - Language",
    'party', 'party.party', 'language', 'kim.language')


class Address(metaclass=PoolMeta):
    "Sites of organisations are their addresses."
    __name__ = 'party.address'
    kim_kommune = fields.Many2One('kim.kommune', "Kommune",
        ondelete='RESTRICT')
    kim_barrier_free = fields.Boolean("Barrier-free Access")


class OrganisationContact(DeactivableMixin, ModelSQL, ModelView):
    __string__ = "Organisation Contact Person"
    __name__ = 'kim.organisation.contact'
    organisation = fields.Many2One('party.party', "Organisation",
        required=True, ondelete='CASCADE',
        domain=[('kim_organisation_type', '!=', None)])
    person = fields.Many2One('party.party', "Person", required=True,
        ondelete='CASCADE',
        domain=[('id', '!=', Eval('organisation', -1))])
    function = fields.Selection([
            ('management', "Management (Leitung)"),
            ('operative', "Operative Staff"),
            ('data_protection', "Data Protection Officer"),
            ('other', "Other"),
            ], "Function", required=True)
    position = fields.Char("Position")
    email = fields.Char("E-Mail")
    phone = fields.Char("Phone")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('function', 'ASC'))

    @staticmethod
    def default_function():
        return 'operative'

    def get_rec_name(self, name):
        return '%s (%s)' % (self.person.rec_name, self.organisation.rec_name)

    @classmethod
    def validate_fields(cls, contacts, field_names):
        super().validate_fields(contacts, field_names)
        if field_names is None or 'email' in field_names:
            for contact in contacts:
                if contact.email and not EMAIL_PATTERN.match(contact.email):
                    raise ContactValidationError(gettext(
                            'kim_network.msg_contact_email_invalid',
                            email=contact.email,
                            contact=contact.person.rec_name))

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR',
            ('person.rec_name',) + tuple(clause[1:]),
            ('organisation.rec_name',) + tuple(clause[1:]),
            ]
