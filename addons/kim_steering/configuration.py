# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Id

SEQUENCES = {
    'barrier_report_sequence': 'sequence_barrier_report',
    'topic_sequence': 'sequence_topic',
    'reconstruction_sequence': 'sequence_reconstruction',
    }


def _sequence_field(string, type_xml_id, help):
    return fields.Many2One('ir.sequence', string,
        domain=[('sequence_type', '=', Id('kim_steering', type_xml_id))],
        help=help)


class Configuration(metaclass=PoolMeta):
    __name__ = 'kim.configuration'
    steering_committee = fields.Many2One('kim.committee',
        "Lenkungsgruppe", ondelete='SET NULL',
        domain=[('type', '=', 'lenkungsgruppe')],
        help="The steering group that topics of the Themenspeicher go to "
        "by default.")
    barrier_report_sequence = _sequence_field("Meldebogen Sequence",
        'sequence_type_barrier_report',
        "Numbers the barrier reports, e.g. MB-2026-0007.")
    topic_sequence = _sequence_field("Themenspeicher Sequence",
        'sequence_type_topic', "Numbers the topics, e.g. TH-2026-003.")
    reconstruction_sequence = _sequence_field("Fallrekonstruktion Sequence",
        'sequence_type_reconstruction',
        "Numbers the case reconstructions, e.g. FR-2026-002.")

    @classmethod
    def _default_sequence(cls, name):
        try:
            return Pool().get('ir.model.data').get_id(
                'kim_steering', SEQUENCES[name])
        except KeyError:
            return None

    @classmethod
    def default_barrier_report_sequence(cls):
        return cls._default_sequence('barrier_report_sequence')

    @classmethod
    def default_topic_sequence(cls):
        return cls._default_sequence('topic_sequence')

    @classmethod
    def default_reconstruction_sequence(cls):
        return cls._default_sequence('reconstruction_sequence')

    def get_steering_sequence(self, name):
        "Return the ir.sequence of the field name (or the shipped one)"
        sequence = getattr(self, name)
        if sequence:
            return sequence
        return Pool().get('ir.sequence')(self._default_sequence(name))
