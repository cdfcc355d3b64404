#!/usr/bin/env python3
"""Fill the bench database up to the contact and goal counts of a profile.

data/generate.py (kim_case plugin) creates the cases through the ORM with a
realistic number of contacts and goals per case (about 15 and 4; the copies of
bench/replicate.py have the same); the Kreis-10y profile has 15 contacts and
2.5 goals per case. This adds the missing
contacts and goals with two INSERT ... SELECT statements on PostgreSQL,
spread over the existing cases and plans. Usage:

    fill.py URI DATABASE --contacts N --goals N
"""
import argparse
import math
import sys

import psycopg

CONTACTS = """
INSERT INTO kim_case_contact (create_uid, create_date, "case", case_manager,
    subject, start, duration, channel, kommune, interpreter_used, state)
SELECT 0, now(), c.id, c.case_manager, 'Beratung (bench)',
    LEAST(c.opened_date + (random() * GREATEST(
            COALESCE(c.closing_date, CURRENT_DATE - 1) - c.opened_date, 0)
        )::int + time '09:00', now() - interval '1 day'),
    (ARRAY[30, 45, 60, 60, 90])[1 + floor(random() * 5)::int],
    (ARRAY['office', 'office', 'office', 'phone', 'home_visit', 'outreach',
        'video', 'email'])[1 + floor(random() * 8)::int],
    c.kommune, random() < 0.2, 'done'
FROM kim_case c CROSS JOIN generate_series(1, %(per_case)s) s
WHERE c.state NOT IN ('cancelled')
"""
INTERPRETER = """
UPDATE kim_case_contact SET interpreter_language = (
    SELECT id FROM kim_language WHERE code = 'ar')
WHERE interpreter_used AND interpreter_language IS NULL
"""
GOALS = """
INSERT INTO kim_case_plan_goal (create_uid, create_date, plan, sequence,
    handlungsfeld, description, status, attainment)
SELECT 0, now(), p.id, 100 + s,
    h.ids[1 + floor(random() * array_length(h.ids, 1))::int],
    'Ziel (bench)',
    (ARRAY['open', 'achieved', 'achieved', 'partly_achieved',
        'not_achieved', 'dropped'])[1 + floor(random() * 6)::int],
    NULL
FROM kim_case_plan p CROSS JOIN generate_series(1, %(per_plan)s) s
CROSS JOIN (SELECT array_agg(id) AS ids FROM kim_handlungsfeld) h
"""


def count(cursor, table):
    cursor.execute('SELECT COUNT(*) FROM %s' % table)
    return cursor.fetchone()[0]


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('uri')
    parser.add_argument('database')
    parser.add_argument('--contacts', type=int, required=True)
    parser.add_argument('--goals', type=int, required=True)
    args = parser.parse_args(argv)
    uri = args.uri.rstrip('/') + '/' + args.database
    with psycopg.connect(uri) as conn, conn.cursor() as cursor:
        cases = count(cursor, "kim_case WHERE state <> 'cancelled'")
        contacts = count(cursor, 'kim_case_contact')
        if cases and contacts < args.contacts:
            per_case = math.ceil((args.contacts - contacts) / cases)
            cursor.execute(CONTACTS, {'per_case': per_case})
            added = cursor.rowcount
            cursor.execute(INTERPRETER)
            print('fill: %d contacts added (%d per case)'
                % (added, per_case))
        plans = count(cursor, 'kim_case_plan')
        goals = count(cursor, 'kim_case_plan_goal')
        if plans and goals < args.goals:
            per_plan = math.ceil((args.goals - goals) / plans)
            cursor.execute(GOALS, {'per_plan': per_plan})
            print('fill: %d goals added (%d per plan)'
                % (cursor.rowcount, per_plan))
        if contacts >= args.contacts and goals >= args.goals:
            print('fill: nothing to add (%d contacts, %d goals)'
                % (contacts, goals))
        conn.commit()
        cursor.execute('ANALYZE')
    return 0


if __name__ == '__main__':
    sys.exit(main())
