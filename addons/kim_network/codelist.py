# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
import re

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)

from .common import CodeListMixin, rec_name_domain
from .exceptions import KommuneValidationError

AGS_PATTERN = re.compile(r'^[0-9]{8}$')


class Handlungsfeld(CodeListMixin):
    __string__ = "Handlungsfeld"
    __name__ = 'kim.handlungsfeld'


class Rechtskreis(CodeListMixin):
    __string__ = "Rechtskreis"
    __name__ = 'kim.rechtskreis'
    legal_basis = fields.Char("Legal Basis", translate=True,
        help="The law that defines this benefit domain, e.g. "
        "'Sozialgesetzbuch Zweites Buch'.")


class TargetGroup(CodeListMixin):
    __string__ = "Target Group"
    __name__ = 'kim.target_group'


class OrganisationType(CodeListMixin):
    __string__ = "Organisation Type"
    __name__ = 'kim.organisation_type'
    statutory_case_management = fields.Boolean(
        "Statutory Case Management",
        help="Organisations of this type usually run their own statutory "
        "case management (e.g. Jobcenter, Jugendamt).")


class Language(CodeListMixin):
    __string__ = "Language"
    __name__ = 'kim.language'
    right_to_left = fields.Boolean("Right to Left")


class Kommune(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    __string__ = "Kommune"
    __name__ = 'kim.kommune'
    name = fields.Char("Name", required=True)
    ags = fields.Char("AGS", required=True, strip=True,
        help="The official municipality key (Amtlicher Gemeindeschlüssel), "
        "8 digits.")
    size_class = fields.Selection([
            ('large', "Large Town"),
            ('medium', "Medium-sized Town"),
            ('small', "Municipality"),
            ], "Size Class", required=True,
        help="Große kreisangehörige Stadt, Mittlere kreisangehörige Stadt "
        "or Gemeinde; used for representation in committees.")
    population = fields.Integer("Population")
    has_auslaenderbehoerde = fields.Boolean("Own Ausländerbehörde")
    has_einbuergerungsbehoerde = fields.Boolean("Own Einbürgerungsbehörde")
    has_jugendamt = fields.Boolean("Own Jugendamt")
    has_integrationsrat = fields.Boolean("Own Integrationsrat",
        help="A large town with its own Ausländerbehörde, Jugendamt and "
        "Integrationsrat entitles the Kreis to one more coordination post "
        "(Baustein 1).")
    has_jobcenter = fields.Boolean("Jobcenter Office")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('ags_unique', Unique(t, t.ags), 'kim_network.msg_ags_unique'),
            ]
        cls._order.insert(1, ('name', 'ASC'))

    @staticmethod
    def default_size_class():
        return 'small'

    @classmethod
    def validate_fields(cls, kommunen, field_names):
        super().validate_fields(kommunen, field_names)
        if field_names is None or 'ags' in field_names:
            for kommune in kommunen:
                kommune.check_ags()
        if field_names is None or 'population' in field_names:
            for kommune in kommunen:
                if kommune.population is not None and kommune.population < 0:
                    raise KommuneValidationError(gettext(
                            'kim_network.msg_population_negative',
                            kommune=kommune.rec_name))

    def check_ags(self):
        if not AGS_PATTERN.match(self.ags or ''):
            raise KommuneValidationError(gettext(
                    'kim_network.msg_ags_invalid',
                    ags=self.ags, kommune=self.name))

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, 'name', 'ags')
