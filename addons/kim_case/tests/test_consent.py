# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"Schweigepflichtentbindung (kim.consent) of kim_case"
import datetime as dt
import unittest

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction


class ConsentTestCase(unittest.TestCase):
    "Test kim.consent"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        activate_module('kim_case')

    @with_transaction()
    def test_find_covering_empty(self):
        pool = Pool()
        Party = pool.get('party.party')
        Consent = pool.get('kim.consent')
        client, = Party.create([{'name': "C", 'kim_client': True}])
        self.assertIsNone(Consent.find_covering(client, client))
        self.assertFalse(Consent.covers(client, client, date=dt.date.today()))
