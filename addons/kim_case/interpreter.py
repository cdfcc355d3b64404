# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Sprachmittlung per appointment: whether a counselling contact or a case
conference needs an interpreter, in which language, spoken or sign
language, the state of the booking and who interprets.

The checkbox "Interpreter Used" of the contacts stays the record of what
happened (the Kennzahlen count it); a contact with a confirmed interpreter
that is marked done sets it."""
from trytond.i18n import gettext
from trytond.model import ModelView, Workflow, fields
from trytond.pool import PoolMeta
from trytond.pyson import Bool, Eval

from .exceptions import InterpreterValidationError

KINDS = [
    (None, ""),
    ('spoken', "Spoken Language"),
    ('sign', "Sign Language"),
    ]
BOOKINGS = [
    (None, ""),
    ('requested', "Requested"),
    ('confirmed', "Confirmed"),
    ('cancelled', "Cancelled"),
    ]
NEEDED = Bool(Eval('interpreter_needed'))


class InterpreterMixin:
    "The interpreter of an appointment"
    __slots__ = ()
    interpreter_needed = fields.Boolean("Interpreter Needed",
        help="The appointment needs a language mediator or interpreter.")
    interpreter_kind = fields.Selection(KINDS, "Interpretation", sort=False,
        states={
            'invisible': ~NEEDED,
            'required': NEEDED,
            })
    interpreter_language = fields.Many2One('kim.language',
        "Interpreter Language", ondelete='RESTRICT',
        states={
            'invisible': ~NEEDED,
            'required': NEEDED & (Eval('interpreter_kind') == 'spoken'),
            },
        help="The language to interpret from German; for sign language the "
        "sign language if not Deutsche Gebärdensprache.")
    interpreter_booking = fields.Selection(BOOKINGS, "Interpreter Booking",
        sort=False,
        states={
            'invisible': ~NEEDED,
            })
    interpreter_name = fields.Char("Interpreter",
        states={
            'invisible': ~NEEDED,
            },
        help="The name of the interpreter.")
    interpreter_organisation = fields.Many2One('party.party',
        "Interpreter Service", ondelete='RESTRICT',
        domain=[('kim_organisation_type', '!=', None)],
        states={
            'invisible': ~NEEDED,
            },
        help="The interpreter pool or service that provides the "
        "interpreter.")

    @classmethod
    def _interpreter_fields(cls):
        return ['interpreter_needed', 'interpreter_kind',
            'interpreter_language', 'interpreter_booking',
            'interpreter_name', 'interpreter_organisation']

    @classmethod
    def _interpreter_readonly(cls):
        "The PYSON expression that makes the interpreter fields read-only"
        raise NotImplementedError

    @classmethod
    def __setup__(cls):
        super().__setup__()
        readonly = cls._interpreter_readonly()
        for name in cls._interpreter_fields():
            field = getattr(cls, name)
            field.states = dict(field.states)
            field.states['readonly'] = readonly
            field.depends = set(field.depends) | {'state'}

    @classmethod
    def default_interpreter_needed(cls):
        return False

    @classmethod
    def default_interpreter_kind(cls):
        return 'spoken'

    def _interpreter_from_client(self, client):
        "Take the interpreter need of the client"
        if client and getattr(client, 'kim_language_mediation', False):
            self.interpreter_needed = True
            self.interpreter_kind = self.interpreter_kind or 'spoken'
            if not self.interpreter_language:
                self.interpreter_language = client.kim_mediation_language
            if not self.interpreter_booking:
                self.interpreter_booking = 'requested'

    @fields.depends('interpreter_needed', 'interpreter_booking')
    def on_change_interpreter_needed(self):
        if self.interpreter_needed and not self.interpreter_booking:
            self.interpreter_booking = 'requested'
        elif not self.interpreter_needed:
            self.interpreter_booking = None

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        if field_names is None or field_names & set(
                cls._interpreter_fields()):
            for record in records:
                record.check_interpreter()

    def check_interpreter(self):
        if self.interpreter_booking and not self.interpreter_needed:
            raise InterpreterValidationError(gettext(
                    'kim_case.msg_interpreter_booking_not_needed',
                    record=self.rec_name))
        if self.interpreter_booking == 'confirmed' and not (
                self.interpreter_name or self.interpreter_organisation):
            raise InterpreterValidationError(gettext(
                    'kim_case.msg_interpreter_confirmed_who',
                    record=self.rec_name))


class Contact(InterpreterMixin, metaclass=PoolMeta):
    __name__ = 'kim.case.contact'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        used = Bool(Eval('interpreter_used'))
        language = cls.interpreter_language
        language.states['invisible'] = ~NEEDED & ~used
        language.states['required'] = (
            (NEEDED & (Eval('interpreter_kind') == 'spoken')) | used)
        language.depends = set(language.depends) | {'interpreter_used'}

    @classmethod
    def _interpreter_readonly(cls):
        return Eval('state') != 'planned'

    @fields.depends('case', 'interpreter_needed', 'interpreter_kind',
        'interpreter_language', 'interpreter_booking', '_parent_case.client')
    def on_change_case(self):
        super().on_change_case()
        if self.case:
            self._interpreter_from_client(self.case.client)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, contacts):
        # the confirmed interpreter took part unless told otherwise
        used = [c for c in contacts
            if c.state == 'planned' and c.interpreter_needed
            and c.interpreter_booking == 'confirmed'
            and not c.interpreter_used]
        if used:
            cls.write(used, {'interpreter_used': True})
        super().do(contacts)


class Conference(InterpreterMixin, metaclass=PoolMeta):
    __name__ = 'kim.case.conference'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        organisation = cls.interpreter_organisation
        organisation.context = dict(organisation.context or {},
            company=Eval('company', -1))
        organisation.depends = set(organisation.depends) | {'company'}

    @classmethod
    def _interpreter_readonly(cls):
        return ~Eval('state').in_(['planned', 'confirmed'])

    @fields.depends('case', 'interpreter_needed', 'interpreter_kind',
        'interpreter_language', 'interpreter_booking', '_parent_case.client')
    def on_change_case(self):
        if self.case:
            self._interpreter_from_client(self.case.client)
