# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Id


class Configuration(ModelSingleton, ModelSQL, ModelView):
    __string__ = "KIM Configuration"
    __name__ = 'kim.configuration'
    kim_office = fields.Many2One('party.party', "KIM Office",
        domain=[('kim_organisation_type', '!=', None)],
        help="The organisation that runs the KIM office "
        "(usually the Kommunales Integrationszentrum).")
    agreement_sequence = fields.Many2One('ir.sequence',
        "Cooperation Agreement Sequence", required=True,
        domain=[('sequence_type', '=',
                Id('kim_network', 'sequence_type_agreement'))])
    partner_link_days = fields.Integer("Partner Link Validity (Days)",
        help="How many days the links sent to partners stay valid.",
        domain=['OR',
            ('partner_link_days', '=', None),
            ('partner_link_days', '>', 0),
            ])
    check_interval_months = fields.Integer("Directory Check Interval (Months)",
        help="After how many months an organisation or a service of the "
        "directory is due to be checked again.",
        domain=['OR',
            ('check_interval_months', '=', None),
            ('check_interval_months', '>', 0),
            ])

    @classmethod
    def default_partner_link_days(cls):
        return 30

    @classmethod
    def default_check_interval_months(cls):
        return 12

    @classmethod
    def default_agreement_sequence(cls):
        try:
            return Pool().get('ir.model.data').get_id(
                'kim_network', 'sequence_agreement')
        except KeyError:
            return None
