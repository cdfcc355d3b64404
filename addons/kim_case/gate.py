# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""The gates of the case work in one place: what the client's consent and
the cooperation agreements allow to pass on, and who belongs to the
Fachaufsicht. Referrals, handovers, case conferences, the record rules and
the case workflow import them from here."""
from trytond.pool import Pool
from trytond.transaction import Transaction


def is_supervisor():
    """Whether the user of the transaction belongs to the Fachaufsicht.
    The root user (scheduled jobs, scripts) counts as Fachaufsicht."""
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    if Transaction().user == 0:
        return True
    try:
        group_id = ModelData.get_id('kim_case', 'group_case_supervisor')
    except KeyError:
        # while kim_case is being activated
        return False
    return group_id in User.get_groups()


def check_transfer(client, organisation, handlungsfelder, date=None):
    """Return (consent, missing): the consent in force for the transfer of
    the client's data on each Handlungsfeld to the organisation (purpose
    'transfer') and the Handlungsfelder no consent covers."""
    pool = Pool()
    Consent = pool.get('kim.consent')
    consent, missing = None, []
    for handlungsfeld in handlungsfelder:
        found = Consent.find_covering(client, organisation,
            handlungsfeld=handlungsfeld, purpose='transfer', date=date)
        if found:
            consent = consent or found
        else:
            missing.append(handlungsfeld)
    return consent, missing


def check_agreement(organisation, handlungsfelder, date=None):
    """Return (agreement, refused): the cooperation agreement with the
    organisation in force on date (or None) and the Handlungsfelder it does
    not allow to share."""
    pool = Pool()
    Agreement = pool.get('kim.cooperation_agreement')
    agreement, refused = None, []
    for handlungsfeld in handlungsfelder:
        found, allowed = Agreement.allows_sharing(
            organisation, handlungsfeld, date)
        if found and (allowed or not agreement):
            agreement = found
        if not allowed:
            refused.append(handlungsfeld)
    return agreement, refused


def covering(client, purpose, date=None):
    """The consent of the client in force on date for a purpose that names
    no recipient ('case_management', 'network'), or None"""
    Consent = Pool().get('kim.consent')
    return Consent.find_covering(client, None, purpose=purpose, date=date)


def names(records):
    "The rec_names of records quoted and joined for a message"
    return ', '.join('"%s"' % r.rec_name for r in records)
