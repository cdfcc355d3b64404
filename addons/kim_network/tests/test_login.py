# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"Login hardening: the window of failed logins, unknown logins, passwords"
import datetime as dt
import os
import tempfile
import unittest
from contextlib import contextmanager

from trytond import config
from trytond.pool import Pool
from trytond.res.exceptions import PasswordError
from trytond.tests.test_tryton import with_transaction
from trytond.transaction import Transaction

from .tools import FreshDatabaseMixin, as_user, create_user


@contextmanager
def configured(section, **options):
    "Set options of the trytond configuration for the block"
    if not config.has_section(section):
        config.add_section(section)
    saved = {k: config.get(section, k, default=None) for k in options}
    for key, value in options.items():
        config.set(section, key, str(value))
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                config._config.remove_option(section, key)
            else:
                config.set(section, key, value)
        config._cache_clear()


class LoginTestCase(FreshDatabaseMixin, unittest.TestCase):
    "Test the login hardening"

    modules = 'kim_network'

    @with_transaction()
    def test_attempt_window(self):
        "Failed logins count over the short window, not the session timeout"
        pool = Pool()
        LoginAttempt = pool.get('res.user.login.attempt')
        table = LoginAttempt.__table__()
        cursor = Transaction().connection.cursor()
        with configured('session', timeout=28800, max_attempt=5), \
                configured('kim', login_attempt_window=300):
            for _ in range(6):
                LoginAttempt.add('eva')
            self.assertEqual(LoginAttempt.count('eva'), 6)
            # ten minutes later the attempts no longer count
            cursor.execute(*table.update([table.create_date],
                    [dt.datetime.now() - dt.timedelta(minutes=10)],
                    where=table.login == 'eva'))
            self.assertEqual(LoginAttempt.count('eva'), 0)
            with configured('kim', login_attempt_window=0):
                # without the option: Tryton's session timeout
                self.assertEqual(LoginAttempt.count('eva'), 6)
            # a device that logged in before is counted apart
            LoginAttempt.add('eva')
            self.assertEqual(LoginAttempt.count('eva'), 1)
            self.assertEqual(LoginAttempt.count('eva', 'cookie'), 0)

    @with_transaction()
    def test_unknown_login_checks_a_password(self):
        "An unknown login costs the same password check as a known one"
        pool = Pool()
        User = pool.get('res.user')
        user = create_user('eva', [])
        user.password = 'Rhabarber-Kuchen-42'
        user.save()
        checks = []
        original = User.check_password.__func__

        def spy(cls, password, hash_):
            checks.append(password)
            return original(cls, password, hash_)
        User.check_password = classmethod(spy)
        try:
            for login, password, valid in [
                    ('eva', 'Rhabarber-Kuchen-42', True),
                    ('eva', 'wrong', False),
                    ('nobody', 'wrong', False)]:
                checks.clear()
                with self.subTest(login=login, password=password):
                    user_id = User._login_password(
                        login, {'password': password})
                    self.assertEqual(bool(user_id), valid)
                    self.assertEqual(checks, [password])
        finally:
            User.check_password = classmethod(original)

    @with_transaction()
    def test_password_policy(self):
        "Length, forbidden passwords and distinct characters"
        pool = Pool()
        User = pool.get('res.user')
        user = create_user('eva', [])
        with tempfile.NamedTemporaryFile('w', delete=False) as forbidden:
            forbidden.write('123456789012\npasswort1234\n')
        try:
            with configured('password', length=12, entropy=0.5,
                    forbidden=forbidden.name):
                for password in ['12345678', 'aaaaaaaa', 'aaaaaaaaaaaaaa',
                        'abababababab', '123456789012', 'passwort1234']:
                    with self.subTest(password=password):
                        with self.assertRaises(PasswordError):
                            User.validate_password(password, [user])
                User.validate_password('Rhabarber-Kuchen-42', [user])
        finally:
            os.unlink(forbidden.name)

    @with_transaction()
    def test_own_password_needs_current(self):
        "One's own password changes only with the current password"
        pool = Pool()
        User = pool.get('res.user')
        user = create_user('eva', [])
        user.password = 'Rhabarber-Kuchen-42'
        user.save()
        admin = create_user('adm', [('res', 'group_admin')])
        # set_preferences runs without access check, as over RPC
        with Transaction().set_user(user.id):
            with self.assertRaises(PasswordError):
                User.set_preferences({'password': 'Neues-Passwort-2026'})
            with self.assertRaises(PasswordError):
                User.set_preferences({'password': 'Neues-Passwort-2026',
                        'kim_current_password': 'wrong'})
            User.set_preferences({'password': 'Neues-Passwort-2026',
                    'kim_current_password': 'Rhabarber-Kuchen-42'})
            # unchanged password (the placeholder) and other preferences
            User.set_preferences({'password': 'x' * 10, 'name': "Eva"})
        self.assertTrue(User._login_password(
                'eva', {'password': 'Neues-Passwort-2026'}))
        # the administrator writes the passwords of others, not their own
        with as_user(admin):
            User.write([User(user.id)], {'password': 'Von-Admin-2026!'})
            with self.assertRaises(PasswordError):
                User.write([User(admin.id)], {'password': 'Selbst-2026!'})
        self.assertTrue(User._login_password(
                'eva', {'password': 'Von-Admin-2026!'}))
