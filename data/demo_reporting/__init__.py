"""Demo data plugin of kim_reporting: the previous and the current funding
year.

For each of the two years (those of the committee work of kim_steering):
the Förderbescheide of Bausteine 1 to 3 with their Finanzierungsplan (3.5
coordination posts and the 0.5 Verwaltungsassistenz at its own rate in
Baustein 1) and the payments received, granted through their workflow; a
confirmed Stellenplan (coordination and Verwaltungsassistenz at the KI, case
management at the KI and forwarded to a welfare organisation with the
justification and the JMD/MBE proof, Ausländerbehörde) with occupancies and
personnel costs; Sachkosten, event costs and external process advice days up
to today; a Weiterleitung with the authority's consent, paid, whose proof of
use was received and checked for the previous year and is due for the
current one; the Verwendungsnachweise (submitted for the previous year,
computed drafts for the current one); the targets of the Lenkungsgruppe and
the Kennzahlen of both years, the current year's on the board.
Every state is reached through the workflow (grant, confirm, pay,
receive_proof, check, compute, submit). Amounts come from the rates of the
module data (kim.funding.rate).
The text tables are in funding.json; funding.py holds the steps.
See generate.py for the plugin interface.
"""
from trytond.transaction import Transaction

import demomail

from .funding import Funding

MODULE = 'kim_reporting'
LOCK_TABLES = ['kim_configuration']


def is_loaded(ctx):
    Decision = ctx.pool.get('kim.funding.decision')
    return bool(Decision.search([], limit=1))


def generate(ctx):
    pool = ctx.pool
    Company = pool.get('company.company')
    companies = Company.search([], limit=1)
    if not companies:
        ctx.log('no company (kim_case demo data missing): skipped')
        return
    company, = companies
    with Transaction().set_context(company=company.id):
        Funding(ctx, company).run()
    load(ctx)


def load(ctx):
    # synthetic e-mail addresses of the demo (data/demomail.py): the staff
    # of the Stellenplan
    demomail.give_emails(ctx)
