"""Synthetic e-mail addresses of the demo, so that its mails have recipients:
the referral links, the meeting invitations and minutes (iMIP), the
distribution of decisions, the partner links and the daily Wiedervorlage
digests of the case managers and the Fachaufsicht.

Every address is under musterland.example (the top-level domain .example is
reserved by RFC 2606 and never delivered); the demo server sends its mails to
the local SMTP sink of tools/smtp_sink.py only (trytond.conf, [email] uri).

give_emails(ctx) is idempotent and only fills what is missing; each plugin
calls it at the end of its run and when its data is loaded, so that a demo
database built before gets the addresses at the next build:

- the persons of the organisations' contacts (kim.organisation.contact, also
  the contacts of the services) get the contact's address as their party's
  e-mail, a contact without address one of its organisation's domain;
- the employees (case managers, Fachaufsicht) one of the KIM office's
  domain, the demo users their employee's (or login@ that domain);
- committee members without address their person's, the persons of the
  members, the deputies and the guests of meetings one of their
  organisation's domain.
"""
import unicodedata

DOMAIN = 'musterland.example'


def slug(text):
    "ASCII letters of a name for an address: 'Ayşe Müller' -> 'ayse.muller'"
    text = (text or '').replace('ß', 'ss')
    text = unicodedata.normalize('NFKD', text)
    text = ''.join(c for c in text if not unicodedata.combining(c))
    words = [''.join(c for c in w.lower() if c.isalnum() and c.isascii())
        for w in text.split()]
    return '.'.join(w for w in words if w) or 'kontakt'


def domain_of(party, default=DOMAIN):
    "The domain of the party's e-mail address, else default"
    email = getattr(party, 'email', None) if party else None
    if email and '@' in email:
        return email.split('@', 1)[1]
    return default


def address(name, domain=DOMAIN):
    return '%s@%s' % (slug(name), domain)


def office_domain(ctx):
    "The domain of the KIM office (the KI), e.g. ki.musterland.example"
    pool = ctx.pool
    Configuration = pool.get('kim.configuration')
    office = ctx.registry.get('ki') or Configuration(1).kim_office
    return domain_of(office, 'ki.' + DOMAIN)


def give_emails(ctx):
    "Fill in the missing addresses (see the module's documentation)"
    pool = ctx.pool
    Mechanism = pool.get('party.contact_mechanism')
    mechanisms = Mechanism.search([('type', '=', 'email')])
    has = {m.party.id for m in mechanisms}
    new = {}  # party id -> address

    def give(party, email):
        if party and email and party.id not in has and party.id not in new:
            new[party.id] = email

    office = office_domain(ctx)

    def exists(name):
        try:
            pool.get(name)
            return True
        except KeyError:
            return False

    # contact persons of the organisations and services
    if exists('kim.organisation.contact'):
        Contact = pool.get('kim.organisation.contact')
        to_write = []
        for contact in Contact.search([], order=[('id', 'ASC')]):
            email = contact.email
            if not email:
                email = address(contact.person.name,
                    domain_of(contact.organisation))
                to_write.extend(([contact], {'email': email}))
            give(contact.person, email)
        if to_write:
            Contact.write(*to_write)

    # the staff of the company and the demo users
    if exists('company.employee'):
        Employee = pool.get('company.employee')
        for employee in Employee.search([], order=[('id', 'ASC')]):
            give(employee.party, address(employee.party.name, office))
    User = pool.get('res.user')
    users = []
    for user in User.search([('email', '=', None)], order=[('id', 'ASC')]):
        employee = getattr(user, 'employee', None)
        if employee:
            email = (new.get(employee.party.id) or employee.party.email
                or address(employee.party.name, office))
        else:
            email = '%s@%s' % (slug(user.login), office)
        users.extend(([user], {'email': email}))

    # committees: members, their deputies, meeting guests
    if exists('kim.committee.member'):
        Member = pool.get('kim.committee.member')
        to_write = []
        for member in Member.search([], order=[('id', 'ASC')]):
            domain = domain_of(member.organisation)
            email = member.email
            if not email:
                email = (new.get(member.person.id) or member.person.email
                    or address(member.person.name, domain))
                to_write.extend(([member], {'email': email}))
            give(member.person, email)
            if member.deputy:
                give(member.deputy, address(member.deputy.name, domain))
        if to_write:
            Member.write(*to_write)
        Meeting = pool.get('kim.committee.meeting')
        for meeting in Meeting.search([('guests', '!=', None)]):
            for guest in meeting.guests:
                give(guest, address(guest.name, domain_of(guest)))

    if new:
        Mechanism.create([{'party': p, 'type': 'email', 'value': e}
                for p, e in sorted(new.items())])
    if users:
        User.write(*users)
    if new or users:
        ctx.log('e-mail addresses: %d persons, %d users' % (
                len(new), len(users) // 2))
    return new


def add_guests(ctx):
    """Two guests without account (contact persons of organisations that
    have no seat in the committee) for each coming meeting without guests,
    so that the guests' answer links of the invitations show in the demo"""
    import random
    pool = ctx.pool
    Meeting = pool.get('kim.committee.meeting')
    Contact = pool.get('kim.organisation.contact')
    rng = random.Random('%s-guests' % ctx.seed)
    meetings = Meeting.search([
            ('state', 'in', ['planned', 'invited']),
            ('guests', '=', None),
            ], order=[('start', 'ASC'), ('id', 'ASC')])
    contacts = Contact.search([], order=[('id', 'ASC')])
    added = 0
    for meeting in meetings:
        seated = {m.organisation.id for m in meeting.committee.members
            if m.organisation}
        seated |= {m.person.id for m in meeting.committee.members}
        candidates = [c for c in contacts
            if c.organisation.id not in seated
            and c.person.id not in seated]
        if len(candidates) < 2:
            continue
        guests = rng.sample(candidates, 2)
        Meeting.write([meeting], {
                'guests': [('add', [c.person.id for c in guests])],
                })
        added += 1
    if added:
        ctx.log('%d coming meetings with guests' % added)
