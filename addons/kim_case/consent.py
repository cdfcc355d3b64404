# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Schweigepflichtentbindung: the client's consent to case management, to
passing data to named organisations, to case conferences and to
communication in the network.

Other parts ask whether a consent covers a transfer through
:meth:`Consent.find_covering` and :meth:`Consent.covers`; both read the
database on every call so that a revocation takes effect at once."""
import datetime
import functools

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.kim_network.common import (
    format_date, relation, today)
from trytond.modules.kim_network.workflow import (
    ScannedSignatureMixin, WorkflowGuard)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .access import check_read
from .document import ClientDocumentReport, document_texts
from .exceptions import (
    CaseWorkflowError, ConsentReadOnlyError, ConsentValidationError,
    ConsentWarning)
from .gate import covering

PURPOSES = [
    ('case_management', "Taking Part in Case Management"),
    ('transfer', "Data Transfer to Named Organisations"),
    ('case_conference', "Taking Part in a Case Conference"),
    ('network', "Communication in the Network"),
    ]
STATES = [
    ('draft', "Draft"),
    ('given', "Given"),
    ('revoked', "Revoked"),
    ('expired', "Expired"),
    ]
DRAFT_ONLY = {
    'readonly': Eval('state') != 'draft',
    }


def form_texts(language=None):
    """The texts of the consent form for the kim.language (or code), falling
    back to German, with 'lang', 'dir' and the German texts as 'de' (the
    files of report/texts, see document.py)"""
    return document_texts('consent', language)


def _check_read_access(func):
    """Let only users who may read consents ask over RPC, and only about a
    client they may read"""
    @functools.wraps(func)
    def wrapper(client, *args, **kwargs):
        pool = Pool()
        pool.get('ir.model.access').check('kim.consent', 'read')
        check_read(pool.get('party.party'), [int(client)])
        return func(client, *args, **kwargs)
    return wrapper


class Consent(ScannedSignatureMixin, WorkflowGuard, Workflow, ModelSQL,
        ModelView):
    """Schweigepflichtentbindung

    A consent of a client (party.party) given on a signed form.

    API for other parts (referrals, handovers, case conferences):

    - ``Consent.find_covering(client, recipient, handlungsfeld=None,
      purpose='transfer', date=None)`` returns the given consent in force on
      date (today if None) whose purposes include purpose, whose recipients
      include recipient (an organisation party.party or its id;
      recipient=None skips this test, e.g. for 'case_management') and
      whose topics include handlungsfeld (kim.handlungsfeld or id, if
      given), else None. purpose is one of 'case_management', 'transfer',
      'case_conference', 'network'. A consent counts as in force from
      signed_date up to and including valid_until (open-ended if empty)
      while its state is 'given'; the latest signed one wins.
      It runs without access checks so that any part may ask; over RPC the
      caller needs read access to kim.consent.
    - ``Consent.covers(...)`` same arguments, returns a bool.

    Both search the database on each call (no caching), so a revoked or
    expired consent stops covering at once.
    """
    __name__ = 'kim.consent'
    __string__ = "Consent (Schweigepflichtentbindung)"
    _history = True
    client = fields.Many2One('party.party', "Client", required=True,
        ondelete='RESTRICT', states=DRAFT_ONLY,
        domain=[('kim_client', '=', True)],
        context={'kim_client': True},
        help="The person who releases from confidentiality.")
    purposes = fields.MultiSelection(PURPOSES, "Purposes", sort=False,
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') != 'draft',
            },
        help="What the client consents to.")
    recipients = fields.Many2Many('kim.consent-party.party', 'consent',
        'organisation', "Recipient Organisations",
        domain=[('kim_organisation_type', '!=', None)],
        states=DRAFT_ONLY,
        help="The organisations the data may be passed to or exchanged "
        "with.")
    handlungsfelder = fields.Many2Many('kim.consent-kim.handlungsfeld',
        'consent', 'handlungsfeld', "Topics", states=DRAFT_ONLY,
        help="The Handlungsfelder the consent covers.")
    language = fields.Many2One('kim.language', "Language of the Form",
        ondelete='RESTRICT', states=DRAFT_ONLY,
        help="The language of the form the client signed; the form is "
        "printed in it.")
    signed_date = fields.Date("Signed on",
        states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') != 'draft',
            },
        help="The day the client signed the form.")
    valid_until = fields.Date("Valid until",
        states=DRAFT_ONLY,
        help="Leave empty for a consent until revoked.")
    revoked_date = fields.Date("Revoked on", readonly=True,
        states={
            'invisible': Eval('state') != 'revoked',
            })
    revocation_reason = fields.Text("Revocation Reason", readonly=True,
        states={
            'invisible': Eval('state') != 'revoked',
            })
    expired_date = fields.Date("Expired on", readonly=True,
        states={
            'invisible': Eval('state') != 'expired',
            })
    notes = fields.Text("Notes", states=DRAFT_ONLY)
    state = fields.Selection(STATES, "State", readonly=True, required=True,
        sort=False)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('client')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.client, Index.Equality())),
                Index(t, (t.state, Index.Equality()),
                    where=t.state.in_(['draft', 'given'])),
                })
        cls._order = [
            ('signed_date', 'DESC NULLS FIRST'),
            ('id', 'DESC'),
            ]
        cls.__rpc__.update({
                'find_covering': RPC(decorator=_check_read_access,
                    result=lambda consent: consent.id if consent else None),
                'covers': RPC(decorator=_check_read_access),
                })
        # given, a consent changes only by revocation or expiry (protected
        # fields of the wizard and the scheduled job)
        cls._guard(initial='draft',
            protected={'revoked_date', 'revocation_reason', 'expired_date'},
            final={
                'given': set(),
                'revoked': set(),
                'expired': set(),
                },
            final_message='kim_case.msg_consent_readonly')
        cls._transitions |= {
            ('draft', 'given'),
            ('given', 'revoked'),
            ('given', 'expired'),
            }
        cls._buttons.update({
                'give': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'revoke': {
                    'invisible': Eval('state') != 'given',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_purposes(cls):
        return ['case_management']

    @classmethod
    def default_client(cls):
        client = Transaction().context.get('client')
        # sao puts its own session id (a string) into the context as client
        if isinstance(client, int) and client >= 0:
            return client

    def get_rec_name(self, name):
        return ' '.join(filter(None, [
                    self.client.rec_name if self.client else None,
                    format_date(self.signed_date) or None,
                    '(%s)' % self.state_string,
                    ]))

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('client.rec_name',) + tuple(clause[1:])]

    # --- API for other parts ----------------------------------------------

    @classmethod
    def covering_domain(cls, client, recipient=None, handlungsfeld=None,
            purpose='transfer', date=None):
        "The search domain of the consents find_covering looks for"
        if date is None:
            date = today()
        domain = [
            ('client', '=', int(client)),
            ('state', '=', 'given'),
            ('purposes', 'in', purpose),
            ('signed_date', '<=', date),
            ['OR',
                ('valid_until', '=', None),
                ('valid_until', '>=', date),
                ],
            ]
        if recipient is not None:
            domain.append(('recipients', 'in', [int(recipient)]))
        if handlungsfeld is not None:
            domain.append(('handlungsfelder', 'in', [int(handlungsfeld)]))
        return domain

    @classmethod
    def find_covering(cls, client, recipient, handlungsfeld=None,
            purpose='transfer', date=None):
        """Return the given consent of client in force on date (default
        today) for purpose that names recipient (an organisation
        party.party) and, if given, covers handlungsfeld (kim.handlungsfeld);
        None if there is none.

        In force means: state 'given' (not revoked or expired), signed_date
        <= date and valid_until empty or >= date. The consent with the
        latest signed date wins. recipient=None skips the recipient test
        (for purposes like 'case_management' that name no recipient).
        The database is searched on every call: revocation works at once.
        """
        with Transaction().set_context(_check_access=False,
                active_test=False):
            consents = cls.search(
                cls.covering_domain(client, recipient,
                    handlungsfeld=handlungsfeld, purpose=purpose, date=date),
                order=[('signed_date', 'DESC'), ('id', 'DESC')], limit=1)
        if consents:
            return cls(consents[0].id)

    @classmethod
    def covers(cls, client, recipient, handlungsfeld=None,
            purpose='transfer', date=None):
        "Whether find_covering finds a consent (bool)"
        return cls.find_covering(client, recipient,
            handlungsfeld=handlungsfeld, purpose=purpose,
            date=date) is not None

    # --- validation --------------------------------------------------------

    @classmethod
    def validate_fields(cls, consents, field_names):
        super().validate_fields(consents, field_names)
        if field_names is None or field_names & {
                'signed_date', 'valid_until', 'revoked_date'}:
            for consent in consents:
                consent.check_dates()
        if field_names is None or field_names & {
                'state', 'revocation_reason'}:
            for consent in consents:
                if (consent.state == 'revoked'
                        and not (consent.revocation_reason or '').strip()):
                    raise ConsentValidationError(gettext(
                            'kim_case.msg_consent_revoke_no_reason',
                            consent=consent.rec_name))

    def check_dates(self):
        date = today()
        if self.signed_date and self.signed_date > date:
            raise ConsentValidationError(gettext(
                    'kim_case.msg_consent_signed_future',
                    consent=self.rec_name, date=self.signed_date))
        if (self.valid_until and self.signed_date
                and self.valid_until < self.signed_date):
            raise ConsentValidationError(gettext(
                    'kim_case.msg_consent_valid_until_before_signed',
                    consent=self.rec_name, valid_until=self.valid_until,
                    signed=self.signed_date))
        if self.revoked_date:
            if self.revoked_date > date:
                raise ConsentValidationError(gettext(
                        'kim_case.msg_consent_revoked_future',
                        consent=self.rec_name, date=self.revoked_date))
            if self.signed_date and self.revoked_date < self.signed_date:
                raise ConsentValidationError(gettext(
                        'kim_case.msg_consent_revoked_before_signed',
                        consent=self.rec_name, revoked=self.revoked_date,
                        signed=self.signed_date))

    @classmethod
    def check_modification(cls, mode, consents, values=None, external=False):
        super().check_modification(
            mode, consents, values=values, external=external)
        if mode == 'delete':
            for consent in consents:
                if consent.state != 'draft':
                    raise ConsentReadOnlyError(gettext(
                            'kim_case.msg_consent_delete',
                            consent=consent.rec_name))

    @classmethod
    def copy(cls, consents, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('signed_date', None)
        return super().copy(consents, default=default)

    # --- workflow ----------------------------------------------------------

    @classmethod
    @ModelView.button
    @Workflow.transition('given')
    def give(cls, consents):
        for consent in consents:
            consent.check_give()
        cls.check_scanned(consents, 'kim_consent_no_attachment',
            'kim_case.msg_consent_no_attachment', exception=ConsentWarning)

    def check_give(self):
        if not self.signed_date:
            raise ConsentValidationError(gettext(
                    'kim_case.msg_consent_give_unsigned',
                    consent=self.rec_name))
        if not self.purposes:
            raise ConsentValidationError(gettext(
                    'kim_case.msg_consent_give_no_purpose',
                    consent=self.rec_name))
        if (set(self.purposes) & {'transfer', 'case_conference'}
                and not self.recipients):
            raise ConsentValidationError(gettext(
                    'kim_case.msg_consent_give_no_recipient',
                    consent=self.rec_name))

    @classmethod
    @ModelView.button_action('kim_case.wizard_consent_revoke')
    def revoke(cls, consents):
        pass

    @classmethod
    def do_revoke(cls, consents, reason, date=None):
        """Revoke the given consents with effect for the future from date
        (default today); reason is required."""
        if date is None:
            date = today()
        for consent in consents:
            if not reason or not reason.strip():
                raise ConsentValidationError(gettext(
                        'kim_case.msg_consent_revoke_no_reason',
                        consent=consent.rec_name))
        cls.write(consents, {
                'revoked_date': date,
                'revocation_reason': reason,
                })
        cls._revoke(consents)

    @classmethod
    @Workflow.transition('revoked')
    def _revoke(cls, consents):
        pass

    @classmethod
    @Workflow.transition('expired')
    def _expire(cls, consents):
        pass

    @classmethod
    def expire(cls, date=None):
        "Set 'expired' on the given consents whose valid_until has passed"
        if date is None:
            date = today()
        consents = cls.search([
                ('state', '=', 'given'),
                ('valid_until', '!=', None),
                ('valid_until', '<', date),
                ])
        if consents:
            for consent in consents:
                consent.expired_date = (
                    consent.valid_until + datetime.timedelta(days=1))
            cls.save(consents)
            cls._expire(consents)
        return consents


ConsentRecipient = relation('ConsentRecipient', 'kim.consent-party.party',
    "Consent - Recipient Organisation", 'consent', 'kim.consent',
    'organisation', 'party.party')
ConsentHandlungsfeld = relation('ConsentHandlungsfeld',
    'kim.consent-kim.handlungsfeld', "Consent - Handlungsfeld",
    'consent', 'kim.consent', 'handlungsfeld', 'kim.handlungsfeld')


class ConsentRevokeStart(ModelView):
    "Revoke Consent"
    __name__ = 'kim.consent.revoke.start'
    __string__ = "Revoke Consent"
    date = fields.Date("Revoked on", required=True,
        help="The revocation takes effect for the future from this day.")
    reason = fields.Text("Reason", required=True,
        help="e.g. the client's words or the letter that revoked.")

    @classmethod
    def default_date(cls):
        return today()


class ConsentRevoke(Wizard):
    __string__ = "Revoke Consent"
    __name__ = 'kim.consent.revoke'
    start = StateView('kim.consent.revoke.start',
        'kim_case.consent_revoke_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Revoke", 'revoke', 'tryton-ok', default=True),
            ])
    revoke = StateTransition()

    def transition_revoke(self):
        self.model.do_revoke(
            [r for r in self.records if r.state == 'given'],
            self.start.reason, date=self.start.date)
        return 'end'


class ConsentReport(ClientDocumentReport):
    __string__ = "Schweigepflichtentbindung"
    __name__ = 'kim.consent'
    _kim_document = 'consent'

    @classmethod
    def _kim_record_language(cls, consent):
        "The language of the form the client signs"
        return consent.language

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['purpose_keys'] = [p for p, _ in PURPOSES]
        return context


class ConsentCaseReport(ConsentReport):
    "The latest Schweigepflichtentbindung of the case's client"
    __string__ = "Schweigepflichtentbindung"
    __name__ = 'kim.consent.case'

    @classmethod
    def _get_records(cls, ids, model, data):
        pool = Pool()
        Case = pool.get('kim.case')
        Consent = pool.get('kim.consent')
        cases = Case.browse(ids)
        consents = []
        for case in cases:
            found = Consent.search([
                    ('client', '=', case.client.id),
                    ('state', 'in', ['draft', 'given']),
                    ], order=[('id', 'DESC')], limit=1)
            consents.extend(c.id for c in found)
        if not consents:
            raise CaseWorkflowError(gettext(
                    'kim_case.msg_case_print_no_consent',
                    case=cases[0].rec_name if cases else ''))
        return super()._get_records(consents, 'kim.consent', data)


class Case(metaclass=PoolMeta):
    __name__ = 'kim.case'

    def check_can_assess(self):
        "Case management needs the client's consent to it (configurable)"
        pool = Pool()
        Configuration = pool.get('kim.configuration')
        super().check_can_assess()
        if (Configuration(1).get_case_management_consent()
                and not covering(self.client, 'case_management')):
            raise CaseWorkflowError(gettext(
                    'kim_case.msg_case_no_case_management_consent',
                    case=self.rec_name, client=self.client.rec_name))


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    kim_consents = fields.One2Many('kim.consent', 'client',
        "Schweigepflichtentbindungen",
        states={
            'invisible': ~Eval('kim_client'),
            })
