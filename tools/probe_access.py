#!/usr/bin/env python3
# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Attack the demo server as its logged-in users would with a script: the
probes of issue 11 over plain JSON-RPC. Every probe must be refused or
return only permitted data; the script prints one line per probe and exits
with 1 if one is not.

    tools/probe_access.py http://127.0.0.1:8018 kim_demo_access [PASSWORD]

Needs the demo data (tools/demo.sh build) and the demo users of
data/demo_users.csv."""
import base64
import json
import sys
import time
import urllib.error
import urllib.request

URL, DB = sys.argv[1].rstrip('/'), sys.argv[2]
PASSWORD = sys.argv[3] if len(sys.argv) > 3 else 'demo-KIM-2026'
RESULTS = []


class RPCError(Exception):
    pass


class Client:
    def __init__(self, login, password=PASSWORD):
        self.login = login
        self.user_id, self.token, _ = self.call(
            'common.db.login', login, {'password': password}, 'de',
            auth=False)
        self.context = self.call('model.res.user.get_preferences', True, {})

    def call(self, method, *params, auth=True):
        data = json.dumps({'id': 1, 'method': method,
                'params': list(params)}).encode()
        request = urllib.request.Request(URL + '/' + DB + '/rpc/', data,
            {'Content-Type': 'application/json'})
        if auth:
            token = base64.b64encode(('%s:%s:%s' % (
                        self.login, self.user_id, self.token)).encode())
            request.add_header('Authorization', 'Session ' + token.decode())
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                result = json.loads(response.read())
        except urllib.error.HTTPError as e:
            raise RPCError('HTTP %s' % e.code)
        if result.get('error'):
            raise RPCError(str(result['error'])[:200])
        return result['result']

    def model(self, model, method, *args):
        return self.call('model.%s.%s' % (model, method), *args,
            self.context)


def probe(name, func, expect):
    """Run func; expect 'refused' (an error) or a predicate on the result"""
    try:
        result = func()
    except RPCError as e:
        ok = expect == 'refused'
        detail = 'refused: %s' % str(e)[:110]
    else:
        ok = expect != 'refused' and expect(result)
        detail = 'returned %s' % str(result)[:110]
    RESULTS.append(ok)
    print('%s %-62s %s' % ('ok  ' if ok else 'FAIL', name, detail))


def main():
    admin = Client('admin')
    fm = Client('fallmanager')
    sup = Client('fachaufsicht')
    koord = Client('koordination')
    dp = Client('datenschutz')

    # what the case manager may read: their cases and their team's
    own_ids = fm.model('kim.case', 'search', [], 0, None, None)
    all_ids = admin.model('kim.case', 'search', [], 0, None, None)
    other_ids = sorted(set(all_ids) - set(own_ids))
    print('fallmanager reads %d of %d cases' % (len(own_ids), len(all_ids)))
    other_case = admin.model('kim.case', 'read', other_ids[:1],
        ['client', 'number'])[0]
    own_case = admin.model('kim.case', 'read', own_ids[:1],
        ['client', 'number'])[0]
    employees = admin.model('company.employee', 'search', [], 0, None, None)
    fm_prefs = admin.model('res.user', 'search_read',
        [('login', '=', 'fallmanager')], 0, 1, None, ['employees'])[0]
    foreign = [e for e in employees if e not in fm_prefs['employees']][0]

    # 1. preferences
    probe('fallmanager set_preferences employee of another team',
        lambda: fm.call('model.res.user.set_preferences',
            {'employee': foreign}, fm.context), 'refused')
    companies = admin.model('company.company', 'search', [], 0, None, None)
    for client, login in [(fm, 'fallmanager'), (koord, 'koordination')]:
        probe('%s set_preferences a foreign company' % login,
            lambda: client.call('model.res.user.set_preferences',
                {'company': max(companies) + 1000 if len(companies) == 1
                    else [c for c in companies
                        if c != client.context.get('company')][0]},
                client.context), 'refused')
    probe('fallmanager searches as before (own and team cases)',
        lambda: fm.model('kim.case', 'search_count', []),
        lambda r: r == len(own_ids))

    # 2. export_data
    probe('fallmanager export_data of all case ids with client names',
        lambda: fm.model('kim.case', 'export_data', all_ids,
            ['number', 'client/name']), 'refused')
    probe('fallmanager export_data of own cases with clients, contacts',
        lambda: fm.model('kim.case', 'export_data', own_ids,
            ['number', 'client/name', 'contacts/subject']),
        lambda r: len(r) >= len(own_ids))
    notes = admin.model('kim.case.note', 'search',
        [('confidential', '=', True), ('case', 'in', own_ids),
            ('case.case_manager', 'not in', fm_prefs['employees'])],
        0, 1, None)
    if notes:
        probe("fallmanager export_data of a colleague's confidential note",
            lambda: fm.model('kim.case.note', 'export_data', notes,
                ['text']), 'refused')
        probe("fallmanager read of a colleague's confidential note",
            lambda: fm.model('kim.case.note', 'read', notes, ['text']),
            'refused')
    probe("fallmanager export_data of another team's client and notes",
        lambda: fm.model('party.party', 'export_data',
            [other_case['client']], ['name', 'kim_cases/notes/text',
                'kim_consents/notes']), 'refused')
    scans = admin.model('ir.attachment', 'search',
        [('resource', 'like', 'kim.consent,%')], 0, None, None)
    probe('fallmanager export_data of every consent scan name',
        lambda: fm.model('ir.attachment', 'export_data', scans,
            ['name', 'resource']), 'refused')
    probe('fallmanager search of consent scans: only readable',
        lambda: fm.model('ir.attachment', 'search_count',
            [('resource', 'like', 'kim.consent,%')]),
        lambda r: r < len(scans))
    other_referrals = admin.model('kim.case.referral', 'search',
        [('case', 'in', other_ids)], 0, 5, None)
    probe("fallmanager related field referral.case.client.name (other)",
        lambda: fm.model('kim.case.referral', 'read', other_referrals,
            ['case.client.name']), 'refused')
    plans = admin.model('kim.case.plan', 'search',
        [('case', 'in', other_ids)], 0, 1, None)
    probe("fallmanager prints another team's Hilfeplan",
        lambda: fm.call('report.kim.case.plan.execute', plans, {},
            fm.context), 'refused')

    # 3. links to clients one cannot read
    kommune = admin.model('kim.kommune', 'search', [], 0, 1, None)[0]
    probe("fallmanager creates a case for another team's client",
        lambda: fm.model('kim.case', 'create', [{
                    'client': other_case['client'], 'kommune': kommune,
                    'company': fm.context.get('company')}]), 'refused')
    probe("fallmanager creates a consent of another team's client",
        lambda: fm.model('kim.consent', 'create', [{
                    'client': other_case['client']}]), 'refused')
    probe("fallmanager adds another team's client to a household",
        lambda: fm.model('kim.client.household', 'create', [{
                    'client': own_case['client'],
                    'member': other_case['client'],
                    'relation': 'other'}]), 'refused')
    status_type = admin.model('kim.residence_status_type', 'search', [],
        0, 1, None)[0]
    probe("fallmanager adds a residence status to another's client",
        lambda: fm.model('kim.client.residence_status', 'create', [{
                    'client': other_case['client'],
                    'status_type': status_type}]), 'refused')

    # 4. Art. 15
    probe('fallmanager runs the Art. 15 report',
        lambda: fm.call('report.kim.client.subject_access.json.execute',
            [own_case['client']], {'reason': 'test'}, fm.context),
        'refused')
    probe('fachaufsicht runs the Art. 15 report without reason',
        lambda: sup.call('report.kim.client.subject_access.json.execute',
            [own_case['client']], {}, sup.context), 'refused')
    probe('fachaufsicht runs the Art. 15 report with the reason',
        lambda: sup.call('report.kim.client.subject_access.json.execute',
            [own_case['client']], {'reason': 'Probe request'},
            sup.context),
        lambda r: r[0] == 'json' and 'Probe request' in str(r[1]))
    probe('datenschutz runs the Art. 15 report with the reason',
        lambda: dp.call('report.kim.client.subject_access.json.execute',
            [own_case['client']], {'reason': 'Probe request'}, dp.context),
        lambda r: r[0] == 'json')
    probe('datenschutz reads no case',
        lambda: dp.model('kim.case', 'search', [], 0, 1, None), 'refused')
    probe('the Art. 15 report is logged as export with the reason',
        lambda: sup.model('kim.access_log', 'search_count',
            [('kind', '=', 'export'), ('detail', '=', 'Probe request')]),
        lambda r: r > 0)

    # 5. oracles
    organisation = admin.model('party.party', 'search',
        [('kim_organisation_type', '!=', None)], 0, 1, None)[0]
    probe("fallmanager find_covering for another team's client",
        lambda: fm.call('model.kim.consent.find_covering',
            other_case['client'], organisation, None, 'transfer', None,
            fm.context), 'refused')
    probe("fallmanager covers for another team's client",
        lambda: fm.call('model.kim.consent.covers',
            other_case['client'], organisation, None, 'transfer', None,
            fm.context), 'refused')
    reports = admin.model('kim.barrier_report', 'search',
        [('reporter_kind', '=', 'case_management')], 0, 1, None)
    if reports:
        probe('koordination probes a name in a case-linked barrier report',
            lambda: koord.model('kim.barrier_report', 'write', reports,
                {'description': 'Probe Müller'}), 'refused')
    probe('koordination links a barrier report to a case',
        lambda: koord.model('kim.barrier_report', 'create', [{
                    'date': '2026-01-01', 'reporter_kind': 'coordination',
                    'description': 'x', 'case': own_ids[0]}]), 'refused')
    probe('koordination reads no client',
        lambda: koord.model('party.party', 'search_count',
            [('kim_client', '=', True)]), lambda r: r == 0)

    # 6. access log
    before = sup.model('kim.access_log', 'search_count', [])
    fm.model('kim.case.assessment', 'search_read',
        [('case', 'in', own_ids[:3])], 0, None, None, ['summary'])
    fm.model('kim.client.residence_status', 'search_read',
        [('client', '=', own_case['client'])], 0, None, None, ['notes'])
    probe('reads of assessments and residence status are logged',
        lambda: sup.model('kim.access_log', 'search_read',
            [('id', '>', 0)], 0, 50, [('id', 'DESC')], ['model']),
        lambda r: {'kim.case.assessment', 'kim.client.residence_status'}
        <= {l['model'] for l in r})
    probe('the access log grows', lambda: sup.model(
            'kim.access_log', 'search_count', []), lambda r: r > before)
    logs = sup.model('kim.access_log', 'search', [], 0, 1, None)
    probe('fachaufsicht deletes an access log entry',
        lambda: sup.model('kim.access_log', 'delete', logs), 'refused')

    # 7. login
    probe('set_preferences a weak password', lambda: fm.call(
            'model.res.user.set_preferences', {'password': 'aaaaaaaaaaaa',
                'kim_current_password': PASSWORD}, fm.context), 'refused')
    probe('set_preferences a password without the current one',
        lambda: fm.call('model.res.user.set_preferences',
            {'password': 'Rhabarber-Kuchen-42'}, fm.context), 'refused')

    def login_time(login):
        start = time.perf_counter()
        try:
            Client(login, 'wrong password')
        except RPCError:
            pass
        return time.perf_counter() - start
    # one attempt each (the lockout of repeated failures adds waits)
    known, unknown = login_time('finanzen'), login_time('nobody-here')
    probe('wrong password: known and unknown logins answer alike',
        lambda: (round(known, 2), round(unknown, 2)),
        lambda r: abs(r[0] - r[1]) < max(0.5, 0.5 * r[0]))

    print('%d probes, %d failed' % (len(RESULTS), RESULTS.count(False)))
    return 0 if all(RESULTS) else 1


if __name__ == '__main__':
    sys.exit(main())
