# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""The set-up of the proteus scenarios of the case modules: as the tools of
the core modules, each function works on the configuration given or on the
current one of proteus and returns the records it created"""
import datetime as dt

from proteus import Model
from proteus.config import get_config

from trytond.exceptions import UserError
from trytond.modules.kim_network.tests.tools import create_employee, work_as

CASE_GROUPS = [
    "KIM Case Manager (Fallmanager*in)",
    "KIM Case Supervision (Fachaufsicht)",
    ]


def add_case_groups(config=None):
    """Make the current user (the administrator, who reads no case content
    unless in a case group) a case manager and a member of the
    Fachaufsicht; return the user"""
    if config is None:
        config = get_config()
    User = Model.get('res.user', config=config)
    Group = Model.get('res.group', config=config)
    user = User(config.user)
    user.groups.extend(Group.find([('name', 'in', CASE_GROUPS)]))
    user.save()
    Model.reset()
    return user


def set_up_case_manager(name="Fallmanagerin Erika Test", config=None,
        **values):
    """Put the current user in the case groups and make them work as a new
    employee of the company, the case manager: return the employee"""
    add_case_groups(config=config)
    employee = create_employee(name, config=config)
    work_as(employee, config=config, **values)
    return employee


def create_client(name="Fiktiva Beispiel", kommune=None, config=None,
        **values):
    "Create and return a client living in the Kommune"
    Party = Model.get('party.party', config=config)
    client = Party(name=name, kim_client=True, **values)
    if kommune:
        client.kim_residence_kommune = kommune
    client.save()
    return client


def attach_scan(record, name="form.pdf", config=None):
    "Attach a (synthetic) scan of the signed form to the record"
    Attachment = Model.get('ir.attachment', config=config)
    attachment = Attachment(resource=record, name=name, type='data',
        data=b'%PDF-1.4 scan')
    attachment.save()
    return attachment


def give_consent(client, purposes=('case_management',), recipients=(),
        handlungsfelder=(), signed_date=None, scan="form.pdf", config=None):
    """Record the client's consent with the scan of the signed form attached
    and give it by its button; return it"""
    Consent = Model.get('kim.consent', config=config)
    Party = Model.get('party.party', config=config)
    Handlungsfeld = Model.get('kim.handlungsfeld', config=config)
    consent = Consent(client=client, purposes=list(purposes),
        signed_date=signed_date or dt.date.today())
    consent.recipients.extend([Party(r.id) for r in recipients])
    consent.handlungsfelder.extend(
        [Handlungsfeld(h.id) for h in handlungsfelder])
    consent.save()
    attach_scan(consent, scan, config=config)
    consent.click('give')
    return consent


def open_case(client, state='intake', config=None, **values):
    """Open a case of the client that is decided for case management at
    intake and take it by its buttons to the state ('intake' or
    'assessment'; the client's consent to case management must be in
    force for the assessment); return it"""
    Case = Model.get('kim.case', config=config)
    case = Case(client=client, indication_voluntary='yes',
        indication_decision='case_management', **values)
    case.save()
    if state == 'assessment':
        case.click('assess')
    return case


def sign_assessment(case, needs, config=None, **values):
    """Record the assessment of the case with the needs per Handlungsfeld
    ((handlungsfeld, need) pairs) and sign it; return it"""
    Assessment = Model.get('kim.case.assessment', config=config)
    assessment = Assessment(case=case, **values)
    for handlungsfeld, need in needs:
        assessment.lines.new(handlungsfeld=handlungsfeld, need=need)
    assessment.click('sign')
    return assessment


def rpc_call(model, method, *args, config=None):
    """Call the method of the model through the RPC layer as a script sends
    it; print the message of a refusal, return the result otherwise"""
    if config is None:
        config = get_config()
    proxy = Model.get(model, config=config)._proxy
    try:
        return getattr(proxy, method)(*args, config.context)
    except UserError as error:
        print(error.message)


def create_case_manager_user(employee, login='fallmanager', config=None):
    """Create and return a user of the company of the employee in the group
    of the case managers (and of the KIM users), working as the employee"""
    User = Model.get('res.user', config=config)
    Group = Model.get('res.group', config=config)
    Company = Model.get('company.company', config=config)
    user = User(login=login, name=employee.party.name)
    user.groups.extend(Group.find([('name', 'in', [
                        "KIM User", "KIM Case Manager (Fallmanager*in)"])]))
    user.companies.append(Company(employee.company.id))
    user.company = Company(employee.company.id)
    user.employees.append(employee)
    user.employee = employee
    user.save()
    return user


def agree_plan(case, goals, config=None, **values):
    """Draft the Hilfeplan of the case with a main goal and the goals
    ((handlungsfeld, description, [measure names]) triples; the case
    manager does the measures), attach the scan of the signed plan and
    agree it by its button; return it"""
    Plan = Model.get('kim.case.plan', config=config)
    values.setdefault('main_goal', "Lebt selbstständig und arbeitet.")
    plan = Plan(case=case, agreement_date=dt.date.today(), **values)
    for handlungsfeld, description, measures in goals:
        goal = plan.goals.new(
            handlungsfeld=handlungsfeld, description=description)
        for name in measures:
            goal.measures.new(name=name, responsible='case_manager')
    plan.save()
    attach_scan(plan, "Hilfeplan.pdf", config=config)
    plan.click('agree')
    return plan
