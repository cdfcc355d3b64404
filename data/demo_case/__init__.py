"""Demo data plugin of kim_case: clients, cases and their case management.

Creates the company (the Kreis, currency EUR) when there is none, the case
managers and supervisors (Fachaufsicht) as employees in teams per region of
the Kreis, and links the demo users fallmanager and fachaufsicht (and admin)
to them. Then about 500 clients with a residence status and one case each,
opened over the last three years and spread over all states, Kommunen, access
channels and closing reasons, with signed assessments and re-assessments per
Handlungsfeld, Hilfepläne in versions with goals and measures (some measures
with services of the directory), and counselling contacts (done ones in the
past, planned appointments in the coming weeks).
Every case starts in intake and takes its steps through the workflow of
kim.case on the days of its story (advance_cases, close_cases in cases.py):
assessment once the client consented to case management, planning once an
assessment is signed, implementation once a Hilfeplan is agreed, closing
and closed; the transitions log the state changes on those days.
Then the network work, through the workflows of the models while the cases
are open: Schweigepflichtentbindungen (given with a scanned form, a few
revoked or expired, drafts for current intakes), referrals of the partner
measures (sent only under a consent that covers them, a few by the
Fachaufsicht with a reason), case conferences, handovers to a colleague or to
a statutory case management (which close the case) and notes, some
confidential. All proportional to the number of cases.
Sizes: --cases (default 500 x scale), --case-managers.
Every name is fictional (see NameSource in generate.py).
The text tables are in clients.json and texts.json; people.py creates the
company, staff, users and clients, cases.py the cases with their
assessments and Hilfepläne, consents.py the consents and referrals,
meetings.py the contacts, conferences, handovers, notes and households.
See generate.py for the plugin interface.
"""
import time

import demomail
from demokit import real_today

from .cases import (
    advance_cases, close_cases, create_assessments, create_cases,
    create_plans)
from . import day, dues
from .consents import create_consents, create_referrals, finish_consents
from .meetings import (
    create_conferences, create_contacts, create_handovers, create_households,
    create_notes)
from .people import create_clients, create_staff, ensure_company, link_users

MODULE = 'kim_case'


def add_arguments(parser):
    group = parser.add_argument_group('kim_case')
    group.add_argument('--cases', type=int,
        help="number of clients and cases (default 500 x scale)")
    group.add_argument('--case-managers', type=int,
        help="number of case managers (default: one per 40 cases, "
        "at least 6)")


def is_loaded(ctx):
    Case = ctx.pool.get('kim.case')
    return bool(Case.search([], limit=1))


def load(ctx):
    pool = ctx.pool
    Company = pool.get('company.company')
    Employee = pool.get('company.employee')
    Team = pool.get('kim.case.team')
    Case = pool.get('kim.case')
    reg = ctx.registry
    companies = Company.search([], limit=1)
    reg['company'] = companies[0] if companies else None
    reg['employees'] = Employee.search([], order=[('id', 'ASC')])
    reg['teams'] = Team.search([], order=[('id', 'ASC')])
    reg['cases'] = Case.search([], order=[('id', 'ASC')])
    reg['clients'] = list({c.client.id: c.client
            for c in reg['cases']}.values())
    # synthetic e-mail addresses of the demo (data/demomail.py)
    demomail.give_emails(ctx)


def generate(ctx):
    from trytond.transaction import Transaction
    n_cases = ctx.size('cases', 500)
    n_managers = getattr(ctx.args, 'case_managers', None) or min(
        200, max(6, n_cases // 40))

    company = ensure_company(ctx)
    managers, supervisors, teams = create_staff(ctx, company, n_managers)
    link_users(ctx, company, managers, supervisors)
    ctx.log('company %s, %d case managers, %d teams' % (
            company.rec_name, len(managers), len(teams)))
    t0 = time.monotonic()

    def took():
        return '(%.1f s)' % (time.monotonic() - t0)
    with Transaction().set_context(company=company.id):
        clients = create_clients(ctx, n_cases)
        ctx.log('%d clients %s' % (len(clients), took()))
        stories = create_cases(ctx, company, clients, teams)
        ctx.log('%d cases %s' % (len(stories), took()))
        create_assessments(ctx, stories)
        ctx.log(took())
        create_plans(ctx, stories)
        ctx.log(took())
        create_contacts(ctx, stories)
        ctx.log(took())
        # the network work of the case managers: while the consents are in
        # force (revocations and expiries come last), before the cases close
        # the cases leave intake once the client consented to the case
        # management, then take their steps through the workflow
        for step in [create_consents, advance_cases, create_referrals,
                create_conferences, create_notes]:
            step(ctx, stories)
            ctx.log(took())
        create_handovers(ctx, stories, teams)
        finish_consents(ctx, stories)
        ctx.log(took())
        close_cases(ctx, stories)
        # last, so that the data above stays as it was for the same seed
        create_households(ctx, stories)
        ctx.log(took())
        # the case manager's day: contact rhythm, UMA, network, documents
        day.generate(ctx, stories)
        ctx.log(took())
        # fallmanager's Wiedervorlage: every kind, a client entered twice
        dues.generate(ctx)
        ctx.log(took())
        Case = ctx.pool.get('kim.case')
        with Transaction().set_context(date=real_today(ctx)):
            flagged = Case.flag_due(real_today(ctx))
        ctx.log('%d cases with due items in the Wiedervorlage list'
            % len(flagged))
    load(ctx)
