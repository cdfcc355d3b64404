"""Demo data plugin of kim_network: the fictional Kreis Musterland.

13 Kommunen, about 60 organisations of every organisation type (the
Kommunales Integrationszentrum as KIM office, Jobcenter, Ausländerbehörden,
Jugendämter, welfare associations with their Träger hierarchy, MBE/JMD, VHS,
migrant organisations, ...) with sites, contact persons and languages; about
200 services and 30 cooperation agreements in every state.
Sizes: --organisations, --services, --agreements (and --scale).
Every name, address, phone number and e-mail address is fictional.
The text tables are in kreis.json and services.json; directory.py builds
the Kreis, its organisations and contact persons, services.py the services
and cooperation agreements. See generate.py for the plugin interface.
"""
import demomail

from .directory import (
    KI_NAME, KREIS, create_contacts, create_kommunen, create_organisations)
from .services import create_agreements, create_services

MODULE = 'kim_network'
LOCK_TABLES = ['kim_configuration']   # the singleton gets its KIM office


def add_arguments(parser):
    group = parser.add_argument_group('kim_network')
    group.add_argument('--organisations', type=int,
        help="number of organisations (default 60 x scale)")
    group.add_argument('--services', type=int,
        help="number of services (default 200 x scale)")
    group.add_argument('--agreements', type=int,
        help="number of cooperation agreements (default 30 x scale)")


def is_loaded(ctx):
    Party = ctx.pool.get('party.party')
    return bool(Party.search([
                ('name', '=', KI_NAME),
                ('kim_organisation_type', '!=', None),
                ], limit=1))


def load(ctx):
    "Fill the registry from the database"
    pool = ctx.pool
    Kommune = pool.get('kim.kommune')
    Party = pool.get('party.party')
    Contact = pool.get('kim.organisation.contact')
    Service = pool.get('kim.service')
    Agreement = pool.get('kim.cooperation_agreement')
    ModelData = pool.get('ir.model.data')
    Configuration = pool.get('kim.configuration')
    reg = ctx.registry
    reg['kreis'] = KREIS
    reg['kommunen'] = Kommune.search([], order=[('ags', 'ASC')])
    reg['large_kommunen'] = [k for k in reg['kommunen']
        if k.has_auslaenderbehoerde]
    orgs = Party.search([('kim_organisation_type', '!=', None)],
        order=[('id', 'ASC')])
    reg['organisations'] = orgs
    type_keys = {d.db_id: d.fs_id[len('organisation_type_'):]
        for d in ModelData.search([
                ('module', '=', 'kim_network'),
                ('model', '=', 'kim.organisation_type'),
                ])}
    by_type = {}
    for org in orgs:
        key = type_keys.get(org.kim_organisation_type.id,
            org.kim_organisation_type.code.lower())
        by_type.setdefault(key, []).append(org)
    reg['organisations_by_type'] = by_type
    config = Configuration(1)
    reg['ki'] = config.kim_office or (by_type.get('ki') or [None])[0]
    reg['contacts'] = Contact.search([], order=[('id', 'ASC')])
    reg['persons'] = list({c.person.id: c.person
            for c in reg['contacts']}.values())
    reg['services'] = Service.search([], order=[('id', 'ASC')])
    reg['agreements'] = Agreement.search([], order=[('id', 'ASC')])
    # synthetic e-mail addresses of the demo (data/demomail.py)
    demomail.give_emails(ctx)


def generate(ctx):
    pool = ctx.pool
    today = ctx.today
    n_orgs = max(1, ctx.size('organisations', 60))
    n_services = ctx.size('services', 200)
    n_agreements = ctx.size('agreements', 30)

    kommunen = create_kommunen(ctx)
    by_name = {k.name: k for k in kommunen}
    ctx.log('%d Kommunen of the %s' % (len(kommunen), KREIS))

    orgs = create_organisations(ctx, n_orgs, by_name)
    ctx.log('%d organisations' % len(orgs))

    contacts = create_contacts(ctx, orgs)
    ctx.log('%d contact persons' % len(contacts))

    Configuration = pool.get('kim.configuration')
    config = Configuration(1)
    ki = orgs[0]
    config.kim_office = ki
    config.save()

    create_services(ctx, n_services, orgs, kommunen, contacts)
    create_agreements(ctx, n_agreements, ki, orgs, today)
    del ctx.registry['_plan']
    load(ctx)
    ctx.log('%d services, %d cooperation agreements' % (
            len(ctx.registry['services']), len(ctx.registry['agreements'])))
