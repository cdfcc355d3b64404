# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""The set-up of the proteus scenarios of kim_steering: as the tools of the
core modules, each function works on the configuration given or on the
current one of proteus and returns the records it created"""
import datetime as dt
from unittest.mock import patch

from proteus import Model, Wizard
from proteus.config import get_config

from trytond.modules.kim_network.tests.tools import create_employee, work_as

SENDMAIL = 'trytond.modules.kim_steering.meeting.sendmail_transactional'


def set_up_case_manager(name="Eva Fallmanagerin",
        email='eva@ki-musterland.example', config=None):
    """Make the current user a case manager (in the group) working as a new
    employee of the company with the e-mail address; return the
    employee"""
    if config is None:
        config = get_config()
    User = Model.get('res.user', config=config)
    Group = Model.get('res.group', config=config)
    case_manager, = Group.find([
            ('name', '=', "KIM Case Manager (Fallmanager*in)")])
    user = User(config.user)
    if case_manager not in user.groups:
        user.groups.append(case_manager)
        user.save()
    employee = create_employee(name, config=config)
    work_as(employee, config=config, email=email)
    return employee


def create_lenkungsgruppe(secretariat, members, config=None):
    """Create the Lenkungsgruppe of the KIM with the secretariat, the
    members ((name, e-mail, organisation, role) tuples), a quarterly rhythm
    and a standing report of the Begleitgremium at every meeting; make it
    the steering committee of the configuration and return it"""
    Party = Model.get('party.party', config=config)
    Committee = Model.get('kim.committee', config=config)
    Configuration = Model.get('kim.configuration', config=config)
    lg = Committee(name="Lenkungsgruppe KIM", code='LG',
        type='lenkungsgruppe')
    lg.secretariat = secretariat
    lg.email = 'ki@musterland.example'
    lg.rhythm = 'quarterly'
    for name, email, organisation, role in members:
        person = Party(name=name)
        person.save()
        lg.members.new(person=person, email=email,
            organisation=organisation, role=role)
    standing = lg.standing_items.new()
    standing.title = "Bericht des Begleitgremiums"
    standing.frequency = 'every'
    lg.save()
    configuration = Configuration(1)
    configuration.steering_committee = lg
    configuration.save()
    return lg


def plan_meeting(committee, start, title=None, place="Kreishaus, Raum 101",
        config=None):
    "Plan and return a meeting of two hours of the committee"
    Meeting = Model.get('kim.committee.meeting', config=config)
    meeting = Meeting(committee=committee, title=title, start=start,
        end=start + dt.timedelta(hours=2), place=place)
    meeting.save()
    return meeting


def invite(meeting):
    "Invite the members to the meeting (no e-mail leaves)"
    with patch(SENDMAIL):
        meeting.click('invite')


def collect_barrier_topic(cases, partner, handlungsfeld, addressee,
        config=None):
    """Report the barrier of the Mietbescheinigung from the cases and by
    the partner, collect the reports into an analysed topic of the
    Themenspeicher and return it"""
    BarrierReport = Model.get('kim.barrier_report', config=config)
    Topic = Model.get('kim.topic', config=config)
    for case, description, kind in zip(cases, [
                "Die Mietbescheinigung für die Wohnungssuche dauert über "
                "8 Wochen.",
                "Wohnungssuche blockiert: keine Mietbescheinigung."],
            ['interface', 'waiting_time']):
        report = Wizard('kim.barrier_report.from_case', [case],
            config=config)
        report.form.description = description
        report.form.handlungsfeld = handlungsfeld
        report.form.kind = kind
        if kind == 'interface':
            report.form.addressee = addressee
        report.execute('report')
    partner_report = BarrierReport(reporter_kind='partner', reporter=partner)
    partner_report.description = (
        "Familien finden ohne Mietbescheinigung keine Wohnung.")
    partner_report.handlungsfeld = handlungsfeld
    partner_report.kind = 'gap'
    partner_report.save()
    partner_report.click('submit')
    topic = Topic(name="Mietbescheinigung für Geflüchtete", kind='interface')
    topic.handlungsfeld = handlungsfeld
    topic.reports.extend(BarrierReport.find([], order=[('id', 'ASC')]))
    topic.save()
    topic.analysis = (
        "Das Sozialamt stellt die Bescheinigung nur nach Termin aus.")
    topic.click('analyse')
    return topic
