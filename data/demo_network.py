"""Demo data plugin of kim_network: the fictional Kreis Musterland.

13 Kommunen, about 60 organisations of every organisation type (the
Kommunales Integrationszentrum as KIM office, Jobcenter, Ausländerbehörden,
Jugendämter, welfare associations with their Träger hierarchy, MBE/JMD, VHS,
migrant organisations, ...) with sites, contact persons and languages; about
200 services and 30 cooperation agreements in every state.
Sizes: --organisations, --services, --agreements (and --scale).
Every name, address, phone number and e-mail address is fictional.
See generate.py for the plugin interface.
"""
import datetime as dt

MODULE = 'kim_network'
LOCK_TABLES = ['kim_configuration']   # the singleton gets its KIM office
KREIS = 'Kreis Musterland'
KI_NAME = 'Kommunales Integrationszentrum Kreis Musterland'
NET = 'kim_network.'
EMAIL_DOMAIN = 'musterland.example'


def add_arguments(parser):
    group = parser.add_argument_group('kim_network')
    group.add_argument('--organisations', type=int,
        help="number of organisations (default 60 x scale)")
    group.add_argument('--services', type=int,
        help="number of services (default 200 x scale)")
    group.add_argument('--agreements', type=int,
        help="number of cooperation agreements (default 30 x scale)")


# --- Kommunen ----------------------------------------------------------------
# (name, AGS, size class, population, ABH, EBB, Jugendamt, Jobcenter office,
#  postal code). AGS 05 9 99 xxx: NRW, Regierungsbezirk Arnsberg, a Kreis
# number that does not exist.
KOMMUNEN = [
    ('Musterstadt', '05999004', 'large', 84312, True, True, True, True,
        '59901'),
    ('Erlenbrück', '05999008', 'large', 61045, True, False, True, True,
        '59911'),
    ('Sonnenhagen', '05999012', 'large', 52870, True, False, True, True,
        '59921'),
    ('Talbrückenau', '05999016', 'medium', 34206, False, False, True, False,
        '59931'),
    ('Weidenstein', '05999020', 'medium', 28915, False, False, True, False,
        '59935'),
    ('Hollerbeck', '05999024', 'medium', 24150, False, False, False, True,
        '59941'),
    ('Rabenmoor', '05999028', 'medium', 21733, False, False, False, False,
        '59945'),
    ('Falkenried', '05999032', 'small', 14302, False, False, False, False,
        '59951'),
    ('Quellenhof am Wald', '05999036', 'small', 11820, False, False, False,
        False, '59955'),
    ('Mühlental-Ost', '05999040', 'small', 9641, False, False, False, False,
        '59961'),
    ('Brunnhaide', '05999044', 'small', 8310, False, False, False, False,
        '59965'),
    ('Lerchenau', '05999048', 'small', 6974, False, False, False, False,
        '59971'),
    ('Kleinbeispiel', '05999052', 'small', 4215, False, False, False, False,
        '59975'),
    ]
LARGE = ['Musterstadt', 'Erlenbrück', 'Sonnenhagen']
STREETS = ['Hauptstraße', 'Bahnhofstraße', 'Am Markt', 'Kirchplatz',
    'Lindenallee', 'Schulstraße', 'Rathausplatz', 'Gartenweg', 'Mühlenweg',
    'Bergstraße', 'Friedrich-Ebert-Straße', 'Am Stadtpark', 'Ringstraße',
    'Poststraße', 'Kolpingstraße', 'Am Wasserturm', 'Wilhelmstraße',
    'Industriestraße', 'Brückenstraße', 'Sonnenweg']

# --- organisations -----------------------------------------------------------
# (key, type, name, Kommune or None for the whole Kreis, Träger key,
#  Träger kind). Ordered by importance: a smaller demo takes the first ones.
ORGANISATIONS = [
    ('ki', 'ki', KI_NAME, None, None, 'public'),
    ('jc', 'jobcenter', 'Jobcenter Kreis Musterland', None, None, 'public'),
    ('abh_kreis', 'abh', 'Ausländerbehörde Kreis Musterland', None, None,
        'public'),
    ('abh_mst', 'abh', 'Ausländerbehörde der Stadt Musterstadt',
        'Musterstadt', None, 'public'),
    ('ja_kreis', 'jugendamt', 'Kreisjugendamt Musterland', None, None,
        'public'),
    ('sw', 'wohlfahrt', 'Sozialwerk Musterland e. V.', None, None, 'free'),
    ('sw_mbe', 'mbe', 'Sozialwerk Musterland – Migrationsberatung Musterstadt',
        'Musterstadt', 'sw', 'free'),
    ('ehw', 'wohlfahrt', 'Evangelisches Hilfswerk im Kreis Musterland e. V.',
        None, None, 'free'),
    ('ehw_jmd', 'jmd', 'Jugendmigrationsdienst Erlenbrück (Ev. Hilfswerk)',
        'Erlenbrück', 'ehw', 'free'),
    ('vhs', 'vhs', 'Volkshochschule Kreis Musterland', None, None, 'public'),
    ('aa', 'aa', 'Agentur für Arbeit Musterland-Süd', None, None, 'public'),
    ('abh_erl', 'abh', 'Ausländerbehörde der Stadt Erlenbrück', 'Erlenbrück',
        None, 'public'),
    ('abh_son', 'abh', 'Ausländerbehörde der Stadt Sonnenhagen',
        'Sonnenhagen', None, 'public'),
    ('ksd', 'wohlfahrt', 'Katholischer Sozialdienst Musterland e. V.', None,
        None, 'free'),
    ('ksd_mbe', 'mbe', 'Migrationsberatung für Erwachsene Sonnenhagen (KSD)',
        'Sonnenhagen', 'ksd', 'free'),
    ('ksd_fb', 'fluechtlingsberatung',
        'Flüchtlingsberatung Talbrückenau (KSD)', 'Talbrückenau', 'ksd',
        'free'),
    ('pnh', 'wohlfahrt', 'Paritätische Nachbarschaftshilfe Musterland e. V.',
        None, None, 'free'),
    ('pnh_ia', 'integrationsagentur', 'Integrationsagentur Musterland (PNH)',
        None, 'pnh', 'free'),
    ('ebb', 'ebb', 'Einbürgerungsbehörde Kreis Musterland', None, None,
        'public'),
    ('jc_erl', 'jobcenter', 'Jobcenter Musterland – Standort Erlenbrück',
        'Erlenbrück', 'jc', 'public'),
    ('ja_mst', 'jugendamt', 'Jugendamt der Stadt Musterstadt', 'Musterstadt',
        None, 'public'),
    ('ja_erl', 'jugendamt', 'Jugendamt der Stadt Erlenbrück', 'Erlenbrück',
        None, 'public'),
    ('ja_son', 'jugendamt', 'Jugendamt der Stadt Sonnenhagen', 'Sonnenhagen',
        None, 'public'),
    ('sa_kreis', 'sozialamt', 'Sozialamt Kreis Musterland', None, None,
        'public'),
    ('ga', 'gesundheitsamt', 'Gesundheitsamt Kreis Musterland', None, None,
        'public'),
    ('schulamt', 'schulamt', 'Schulamt für den Kreis Musterland', None, None,
        'public'),
    ('bamf', 'bamf', 'BAMF-Regionalkoordination Musterland', None, None,
        'public'),
    ('sw_fb', 'fluechtlingsberatung',
        'Sozialwerk Musterland – Flüchtlingsberatung Hollerbeck', 'Hollerbeck',
        'sw', 'free'),
    ('ehw_mbe', 'mbe', 'Migrationsberatung Weidenstein (Ev. Hilfswerk)',
        'Weidenstein', 'ehw', 'free'),
    ('sw_jmd', 'jmd', 'Jugendmigrationsdienst Musterstadt (Sozialwerk)',
        'Musterstadt', 'sw', 'free'),
    ('mso_syr', 'mso', 'Deutsch-Syrischer Kulturverein Musterstadt e. V.',
        'Musterstadt', None, 'free'),
    ('mso_ukr', 'mso', 'Ukrainische Gemeinde Erlenbrück e. V.', 'Erlenbrück',
        None, 'free'),
    ('vhs_mst', 'vhs', 'Volkshochschule Musterstadt', 'Musterstadt', None,
        'public'),
    ('ir_mst', 'integrationsrat', 'Integrationsrat der Stadt Musterstadt',
        'Musterstadt', None, 'public'),
    ('ja_tal', 'jugendamt', 'Jugendamt der Stadt Talbrückenau',
        'Talbrückenau', None, 'public'),
    ('ja_wei', 'jugendamt', 'Jugendamt der Stadt Weidenstein', 'Weidenstein',
        None, 'public'),
    ('sa_mst', 'sozialamt', 'Sozialamt der Stadt Musterstadt', 'Musterstadt',
        None, 'public'),
    ('ba_mst', 'buergeramt', 'Bürgeramt Musterstadt', 'Musterstadt', None,
        'public'),
    ('wa_mst', 'wohnungsamt', 'Amt für Wohnen der Stadt Musterstadt',
        'Musterstadt', None, 'public'),
    ('ehw_fb', 'fluechtlingsberatung',
        'Flüchtlings- und Asylverfahrensberatung Rabenmoor (Ev. Hilfswerk)',
        'Rabenmoor', 'ehw', 'free'),
    ('ksd_ia', 'integrationsagentur',
        'Integrationsagentur Antidiskriminierung Sonnenhagen (KSD)',
        'Sonnenhagen', 'ksd', 'free'),
    ('mso_afr', 'mso', 'Afrikanisches Forum Musterland e. V.', None, None,
        'free'),
    ('mso_tr', 'mso', 'Türkisch-Deutscher Elternverein Sonnenhagen e. V.',
        'Sonnenhagen', None, 'free'),
    ('mso_kurd', 'mso', 'Kurdisches Kulturzentrum Talbrückenau e. V.',
        'Talbrückenau', None, 'free'),
    ('ir_erl', 'integrationsrat', 'Integrationsrat der Stadt Erlenbrück',
        'Erlenbrück', None, 'public'),
    ('lingua', 'vhs', 'Sprachschule Lingua Musterland GmbH', 'Hollerbeck',
        None, 'free'),
    ('bwm', 'bildungstraeger', 'Bildungswerk Musterland gGmbH', None, None,
        'free'),
    ('bfz', 'bildungstraeger', 'Berufsförderungszentrum Erlenbrück gGmbH',
        'Erlenbrück', None, 'free'),
    ('ihk', 'kammer', 'Industrie- und Handelskammer Musterland', None, None,
        'public'),
    ('hwk', 'kammer', 'Handwerkskammer Musterland-Süd', None, None, 'public'),
    ('ag_klinik', 'arbeitgeber', 'Klinikum Musterstadt gGmbH', 'Musterstadt',
        None, 'free'),
    ('ag_log', 'arbeitgeber', 'Logistikzentrum Hollerbeck GmbH', 'Hollerbeck',
        None, 'free'),
    ('ag_masch', 'arbeitgeber', 'Maschinenbau Rabenmoor AG', 'Rabenmoor',
        None, 'free'),
    ('ea_falk', 'ehrenamt', 'Willkommensinitiative Falkenried', 'Falkenried',
        None, 'free'),
    ('ea_ler', 'ehrenamt', 'Patenschaftsnetz Lerchenau', 'Lerchenau', None,
        'free'),
    ('ea_mue', 'ehrenamt', 'Fahrradwerkstatt Mühlental-Ost', 'Mühlental-Ost',
        None, 'free'),
    ('ba_hol', 'buergeramt', 'Bürgerbüro Hollerbeck', 'Hollerbeck', None,
        'public'),
    ('so_schuld', 'sonstige', 'Schuldner- und Insolvenzberatung Musterland',
        None, 'pnh', 'free'),
    ('so_frau', 'sonstige', 'Frauenberatungsstelle Sonnenhagen',
        'Sonnenhagen', 'ksd', 'free'),
    ]
# For demos larger than the list: (type, name pattern, Träger kind)
EXTRA_ORGANISATIONS = [
    ('mso', 'Interkultureller Verein %s e. V.', 'free'),
    ('ehrenamt', 'Nachbarschaftshilfe %s', 'free'),
    ('bildungstraeger', 'Lernwerkstatt %s gGmbH', 'free'),
    ('sonstige', 'Familienzentrum %s', 'free'),
    ('mso', 'Eritreische Gemeinschaft %s e. V.', 'free'),
    ('ehrenamt', 'Sprachcafé %s', 'free'),
    ('arbeitgeber', 'Pflegedienst %s GmbH', 'free'),
    ]

# Rechtskreise by organisation type
RECHTSKREISE = {
    'jobcenter': ['sgb2'], 'aa': ['sgb3'], 'jugendamt': ['sgb8'],
    'sozialamt': ['sgb12', 'asylblg'], 'abh': ['aufenthg', 'freizuegg'],
    'ebb': ['stag'], 'bamf': ['aufenthg'], 'mbe': ['aufenthg'],
    'jmd': ['aufenthg', 'sgb8'], 'fluechtlingsberatung': ['asylblg'],
    'gesundheitsamt': ['none'], 'wohnungsamt': ['sgb12'],
    }
FUNDING = {
    'public': ['Kommunaler Haushalt', 'Kreishaushalt',
        'Bundesmittel (Verwaltungskostenanteil)'],
    'free': ['Landesmittel NRW', 'Bundesmittel (BAMF)',
        'Eigenmittel und Spenden', 'ESF Plus', 'Kommunale Zuwendung',
        'Stiftungsmittel'],
    }
FUNDING_BY_TYPE = {
    'ki': 'Landesmittel NRW (Teilhabe- und Integrationsgesetz)',
    'mbe': 'Bundesmittel (BAMF)',
    'jmd': 'Bundesmittel (Kinder- und Jugendplan)',
    'integrationsagentur': 'Landesmittel NRW',
    }
# Languages beyond German, weighted by how often they are asked for
LANGUAGES = ['ar'] * 6 + ['uk'] * 5 + ['tr'] * 5 + ['ru'] * 4 + ['en'] * 5 + [
    'fa'] * 3 + ['prs'] * 2 + ['ps', 'kmr', 'kmr', 'ckb', 'ti', 'so', 'fr',
    'fr', 'pl', 'pl', 'ro', 'ro', 'bg', 'sq', 'sr', 'hr', 'el', 'ur', 'vi']
LANGUAGES_BY_TYPE = {
    'mso': {'Syrisch': ['ar', 'kmr'], 'Ukrain': ['uk', 'ru'],
        'Afrikan': ['fr', 'en', 'ti', 'so'], 'Türk': ['tr'],
        'Kurd': ['kmr', 'ckb', 'tr'], 'Eritrei': ['ti', 'ar']},
    }
POSITIONS = {
    'management': ['Leitung', 'Fachbereichsleitung', 'Geschäftsführung',
        'Teamleitung'],
    'operative': ['Beratung', 'Sozialarbeit', 'Sachbearbeitung',
        'Integrationsfachkraft', 'Fallmanagement', 'Kursorganisation'],
    'data_protection': ['Datenschutzbeauftragte Person'],
    'other': ['Verwaltung', 'Ehrenamtskoordination'],
    }

# --- services -----------------------------------------------------------
# By organisation type: (title, Handlungsfelder, target groups, description,
#  min age, max age, appointment only, cost, waiting days range)
HF, TG = 'handlungsfeld_', 'target_group_'
SERVICES = {
    'ki': [
        ('Erstorientierung und Wegweiserberatung', ['orientierung',
            'teilhabe'], [], "Offene Anlaufstelle für Neuzugewanderte: "
            "Klärung des Anliegens, Vermittlung an die zuständigen Stellen "
            "im Kreis und Begleitung bei den ersten Schritten.",
            None, None, False, 'free', (0, 5)),
        ('Case Management im Kommunalen Integrationsmanagement',
            ['aufenthalt', 'arbeit', 'wohnen', 'existenz'],
            ['drittstaat', 'schutz', 'geduldet'], "Rechtskreisübergreifendes "
            "Case Management für Menschen mit mehreren "
            "Unterstützungsbedarfen; "
            "Hilfeplanung gemeinsam mit den Regeldiensten.",
            18, None, True, 'free', (5, 30)),
        ('Koordination der Sprachkursangebote', ['sprache'], [],
            "Übersicht über freie Plätze in Integrations- und Berufssprach"
            "kursen im Kreis, Beratung zur Kurswahl.",
            16, None, False, 'free', (0, 7)),
        ],
    'abh': [
        ('Sprechstunde Aufenthaltsrecht', ['aufenthalt'],
            ['drittstaat', 'nachzug', 'fachkraft'], "Anträge auf Erteilung "
            "und Verlängerung von Aufenthaltstiteln, Beratung zu den "
            "Voraussetzungen. Termine nach Vereinbarung.",
            None, None, True, 'fee', (10, 60)),
        ('Beschleunigtes Fachkräfteverfahren', ['aufenthalt', 'arbeit'],
            ['fachkraft'], "Unterstützung von Arbeitgebenden beim "
            "beschleunigten Fachkräfteverfahren nach § 81a AufenthG.",
            18, None, True, 'fee', (14, 45)),
        ('Aufenthalt nach § 24 AufenthG', ['aufenthalt'], ['p24'],
            "Erteilung und Verlängerung der Aufenthaltserlaubnis für "
            "Schutzsuchende aus der Ukraine.", None, None, False, 'free',
            (3, 20)),
        ('Beratung zu Bleibeperspektiven', ['aufenthalt'],
            ['geduldet', 'jung'], "Beratung geduldeter Menschen zu "
            "Bleiberechtsregelungen (§§ 25a, 25b AufenthG) und zur "
            "Chancen-Aufenthaltserlaubnis.", 14, None, True, 'free', (7, 40)),
        ],
    'ebb': [
        ('Einbürgerungsberatung', ['aufenthalt'], ['langansaessig'],
            "Information zu den Voraussetzungen der Einbürgerung, "
            "Prüfung der Unterlagen, Antragsannahme.",
            16, None, True, 'fee', (30, 120)),
        ],
    'jobcenter': [
        ('Integrationscenter für Neuzugewanderte', ['arbeit', 'existenz'],
            ['drittstaat', 'schutz', 'p24'], "Spezialisiertes Team für "
            "Leistungsberechtigte mit Fluchthintergrund: Leistungen nach dem "
            "SGB II, Profiling, Vermittlung in Sprachkurse und Arbeit.",
            15, 67, True, 'free', (5, 21)),
        ('Eingangszone und Antragsservice', ['existenz'], [],
            "Annahme von Anträgen auf Bürgergeld, Hilfe beim Ausfüllen.",
            15, None, False, 'free', (0, 3)),
        ('Berufssprachkurse – Zuweisung', ['sprache', 'arbeit'], [],
            "Zuweisung in Berufssprachkurse (DeuFöV) und Job-Turbo-"
            "Angebote.", 18, 67, True, 'free', (7, 30)),
        ],
    'aa': [
        ('Berufsberatung für Zugewanderte', ['arbeit', 'bildung'],
            ['jung', 'eu_neu'], "Berufsorientierung, Ausbildungsvermittlung "
            "und Beratung zur Anerkennung von Abschlüssen.",
            15, 35, True, 'free', (7, 28)),
        ('Arbeitgeberservice Fachkräftegewinnung', ['arbeit'],
            ['fachkraft'], "Beratung von Betrieben zur Beschäftigung "
            "internationaler Fachkräfte.", 18, None, True, 'free', (3, 14)),
        ],
    'bamf': [
        ('Regionalkoordination Integrationskurse', ['sprache'], [],
            "Information zu Integrationskursen, Berechtigung und "
            "Verpflichtung, Kostenbefreiung.", 16, None, False, 'free',
            (0, 10)),
        ],
    'jugendamt': [
        ('Allgemeiner Sozialer Dienst', ['familie'], ['familie'],
            "Beratung und Hilfen zur Erziehung für Familien, auch mit "
            "Sprachmittlung.", None, None, True, 'free', (3, 21)),
        ('Unbegleitete minderjährige Ausländer', ['familie', 'aufenthalt'],
            ['jung', 'asyl'], "Inobhutnahme, Clearingverfahren und "
            "Vormundschaften für unbegleitete Minderjährige.",
            None, 17, True, 'free', (0, 2)),
        ('Kita-Platz-Beratung', ['familie', 'bildung'], ['familie'],
            "Hilfe bei der Suche nach einem Betreuungsplatz und beim "
            "Kita-Navigator.", None, None, False, 'free', (5, 30)),
        ],
    'sozialamt': [
        ('Leistungen nach dem Asylbewerberleistungsgesetz', ['existenz'],
            ['asyl', 'geduldet'], "Antragstellung und Beratung zu "
            "Leistungen nach dem AsylbLG.", None, None, False, 'free',
            (0, 10)),
        ('Grundsicherung im Alter', ['existenz'], ['langansaessig'],
            "Leistungen nach dem SGB XII für ältere Menschen.",
            65, None, True, 'free', (7, 30)),
        ],
    'gesundheitsamt': [
        ('Impfberatung und Schuleingangsuntersuchung', ['gesundheit'],
            ['familie', 'jung'], "Impfberatung und Untersuchungen für "
            "neu zugezogene Kinder, mit Sprachmittlung nach Absprache.",
            None, 17, True, 'free', (7, 45)),
        ('Psychosoziale Beratung für Geflüchtete', ['gesundheit'],
            ['schutz', 'asyl'], "Erstgespräche und Vermittlung in "
            "traumasensible Angebote.", 16, None, True, 'free', (14, 90)),
        ],
    'schulamt': [
        ('Schulplatzvermittlung für neu zugewanderte Kinder',
            ['bildung'], ['familie', 'jung'], "Beratung und Zuweisung eines "
            "Schulplatzes, Erstförderung Deutsch.", 6, 18, True, 'free',
            (7, 60)),
        ],
    'buergeramt': [
        ('Meldeangelegenheiten und Wohnsitzanmeldung', ['orientierung'], [],
            "An- und Ummeldung, Meldebescheinigungen.", None, None, True,
            'fee', (3, 21)),
        ],
    'wohnungsamt': [
        ('Wohnraumberatung und Wohnberechtigungsschein', ['wohnen'], [],
            "Beratung bei Wohnungssuche, Antrag auf Wohnberechtigungsschein "
            "und Wohngeld.", 18, None, True, 'free', (14, 45)),
        ],
    'mbe': [
        ('Migrationsberatung für erwachsene Zugewanderte (MBE)',
            ['orientierung', 'aufenthalt', 'arbeit'],
            ['drittstaat', 'eu_neu', 'nachzug'], "Individuelle Beratung "
            "in den ersten Jahren nach der Einreise nach einem "
            "Förderplan; Begleitung des Integrationskurses.",
            27, None, False, 'free', (3, 21)),
        ('Offene Sprechstunde Behördenpost', ['orientierung', 'existenz'],
            [], "Hilfe beim Verstehen und Beantworten von Briefen von Ämtern "
            "und Jobcenter.", 18, None, False, 'free', (0, 3)),
        ('Beratung zur Anerkennung ausländischer Abschlüsse',
            ['anerkennung', 'arbeit'], ['fachkraft', 'drittstaat'],
            "Erstberatung zu Anerkennungsverfahren und Lotsenfunktion zu "
            "den zuständigen Stellen.", 18, None, True, 'free', (7, 30)),
        ],
    'jmd': [
        ('Jugendmigrationsdienst – Einzelberatung', ['bildung', 'arbeit',
            'orientierung'], ['jung'], "Begleitung junger Zugewanderter "
            "von 12 bis 27 Jahren in Schule, Ausbildung und Beruf.",
            12, 27, False, 'free', (3, 14)),
        ('Gruppenangebot „Fit für die Ausbildung“', ['bildung', 'arbeit'],
            ['jung'], "Bewerbungstraining und Betriebserkundungen in "
            "Kleingruppen.", 15, 27, True, 'free', (7, 30)),
        ],
    'fluechtlingsberatung': [
        ('Asylverfahrensberatung', ['aufenthalt'], ['asyl', 'geduldet'],
            "Unabhängige Beratung im Asylverfahren, Vorbereitung auf die "
            "Anhörung, Hilfe nach Bescheiden.", None, None, False, 'free',
            (2, 14)),
        ('Soziale Beratung in Gemeinschaftsunterkünften', ['existenz',
            'wohnen', 'gesundheit'], ['asyl', 'schutz'], "Aufsuchende "
            "Beratung in den Unterkünften des Kreises.", None, None, False,
            'free', (0, 7)),
        ],
    'integrationsagentur': [
        ('Servicestelle Antidiskriminierung', ['teilhabe'], [],
            "Beratung bei Diskriminierungserfahrungen, Begleitung von "
            "Beschwerden.", None, None, True, 'free', (3, 21)),
        ('Quartiersarbeit und Begegnungsprojekte', ['teilhabe'], [],
            "Interkulturelle Nachbarschaftsprojekte und Elterncafés.",
            None, None, False, 'free', (0, 0)),
        ],
    'wohlfahrt': [
        ('Sozialberatung', ['existenz', 'wohnen'], [],
            "Allgemeine Sozialberatung zu Leistungen, Schulden und "
            "Wohnungssicherung.", 18, None, False, 'free', (3, 21)),
        ('Kleiderkammer und Sozialkaufhaus', ['existenz'], [],
            "Gebrauchte Kleidung und Hausrat zu kleinen Preisen.",
            None, None, False, 'reduced', (0, 0)),
        ],
    'mso': [
        ('Muttersprachliche Lotsinnen und Lotsen', ['orientierung',
            'teilhabe'], [], "Ehrenamtliche Begleitung zu Terminen bei "
            "Ämtern und Ärztinnen und Ärzten in der Herkunftssprache.",
            None, None, False, 'free', (0, 10)),
        ('Hausaufgabenhilfe und Elternarbeit', ['bildung', 'familie'],
            ['familie', 'jung'], "Nachmittagsbetreuung für Schulkinder und "
            "Elterntreff.", 6, 16, False, 'free', (0, 14)),
        ],
    'integrationsrat': [
        ('Bürgersprechstunde des Integrationsrats', ['teilhabe'], [],
            "Anliegen von Menschen mit Einwanderungsgeschichte an Politik "
            "und Verwaltung.", None, None, False, 'free', (0, 30)),
        ],
    'vhs': [
        ('Integrationskurs (Allgemein)', ['sprache'], [], "Sprachkurs bis "
            "B1 mit Orientierungskurs, Einstufungstest vor Kursbeginn.",
            16, None, True, 'reduced', (14, 90)),
        ('Alphabetisierungskurs', ['sprache'], [], "Integrationskurs mit "
            "Alphabetisierung für Menschen ohne Schrifterfahrung in "
            "lateinischer Schrift.", 16, None, True, 'reduced', (21, 120)),
        ('Berufssprachkurs B2', ['sprache', 'arbeit'], [],
            "Berufsbezogene Deutschsprachförderung auf B2-Niveau.",
            18, None, True, 'free', (14, 60)),
        ('Elternkurs mit Kinderbetreuung', ['sprache', 'familie'],
            ['familie'], "Integrationskurs am Vormittag mit paralleler "
            "Kinderbetreuung.", 16, None, True, 'reduced', (30, 120)),
        ],
    'bildungstraeger': [
        ('Nachholen des Hauptschulabschlusses', ['bildung'], ['jung'],
            "Vorbereitungskurs auf die externe Prüfung.", 16, 30, True,
            'free', (30, 90)),
        ('Berufliche Qualifizierung Pflegehilfe', ['arbeit', 'bildung'], [],
            "Einjährige Qualifizierung mit Praktikum und Sprachförderung.",
            18, 60, True, 'free', (30, 120)),
        ],
    'kammer': [
        ('Anerkennungsberatung Berufsabschlüsse', ['anerkennung'],
            ['fachkraft'], "Beratung und Verfahren zur Gleichwertigkeit "
            "ausländischer Berufsabschlüsse.", 18, None, True, 'fee',
            (14, 60)),
        ],
    'arbeitgeber': [
        ('Praktikumsplätze für Zugewanderte', ['arbeit'], [],
            "Betriebliche Praktika mit Sprachpatenschaft im Team.",
            18, None, True, 'free', (14, 60)),
        ],
    'ehrenamt': [
        ('Sprachcafé', ['sprache', 'teilhabe'], [], "Deutsch sprechen in "
            "lockerer Runde, jede Woche, ohne Anmeldung.",
            None, None, False, 'free', (0, 0)),
        ('Patenschaften für Familien', ['teilhabe', 'familie'], ['familie'],
            "Ehrenamtliche begleiten neu zugezogene Familien im Alltag.",
            None, None, False, 'free', (7, 45)),
        ('Fahrradkurs und Reparaturtreff', ['mobilitaet'], [],
            "Radfahren lernen und Fahrräder gemeinsam reparieren.",
            12, None, False, 'free', (0, 14)),
        ],
    'sonstige': [
        ('Schuldnerberatung', ['existenz'], [], "Beratung bei Überschuldung "
            "und Begleitung im Verbraucherinsolvenzverfahren.",
            18, None, True, 'free', (30, 120)),
        ('Beratung für Frauen in Krisen', ['gesundheit', 'familie'], [],
            "Vertrauliche Beratung, auch anonym und mit Sprachmittlung.",
            16, None, False, 'free', (1, 10)),
        ],
    }
# How many services an organisation of the type gets relative to others
SERVICE_WEIGHT = {
    'ki': 3, 'vhs': 4, 'mbe': 3, 'jmd': 2, 'fluechtlingsberatung': 2,
    'jobcenter': 3, 'abh': 3, 'jugendamt': 3, 'wohlfahrt': 2, 'mso': 2,
    'ehrenamt': 2, 'integrationsagentur': 2, 'bildungstraeger': 2,
    }
ELIGIBILITY = [
    "Wohnsitz im Kreis Musterland.",
    "Bitte Ausweisdokument und vorhandene Bescheide mitbringen.",
    "Für Leistungsberechtigte nach dem SGB II mit Zuweisung.",
    "Ohne Voraussetzungen, auch ohne gesicherten Aufenthalt.",
    "Vorrangig für Menschen in den ersten drei Jahren nach der Einreise.",
    ]
OPENING_PATTERNS = [
    [('0', 8, 12), ('2', 8, 12), ('3', 14, 17)],
    [('1', 9, 13), ('3', 9, 13)],
    [('0', 8, 16), ('1', 8, 16), ('2', 8, 16), ('3', 8, 18), ('4', 8, 12)],
    [('2', 15, 18)],
    [('4', 10, 14)],
    [('0', 9, 12), ('3', 13, 16)],
    [('1', 14, 19), ('5', 10, 13)],
    ]

# --- agreements ---------------------------------------------------------
AGREEMENT_TEXTS = {
    'statutory_cm': (
        "Kooperationsvereinbarung Case Management – %s",
        ['aufenthalt', 'arbeit', 'existenz'],
        "Das KI übernimmt das rechtskreisübergreifende Case Management; "
        "%s bleibt für die Leistungsgewährung und das gesetzliche "
        "Fallmanagement zuständig. Fallkonferenzen finden bei Bedarf statt.",
        "Zusteuerung über den abgestimmten Zuweisungsbogen; Rückmeldung "
        "innerhalb von zehn Arbeitstagen."),
    'advice_centre': (
        "Kooperationsvereinbarung Beratung – %s",
        ['orientierung', 'sprache', 'teilhabe'],
        "Abgrenzung der Beratungsangebote zwischen KI und %s; gegenseitige "
        "Information über freie Kapazitäten.",
        "Verweisberatung mit Einwilligung der Ratsuchenden; warme Übergabe "
        "bei komplexen Anliegen."),
    'kommune': (
        "Vereinbarung mit der Kommune – %s",
        ['wohnen', 'familie', 'teilhabe'],
        "Gemeinsame Steuerung der Integrationsarbeit vor Ort; %s benennt "
        "eine feste Ansprechperson.",
        "Fälle aus der Kommune werden über die Ansprechperson zugesteuert."),
    'forwarding': (
        "Weiterleitungsvertrag KIM-Personalmittel – %s",
        ['aufenthalt', 'orientierung'],
        "Weiterleitung von Landesmitteln für eine Case-Management-Stelle "
        "bei %s; Nachweis der Verwendung jährlich zum 31. März.",
        "Die Fälle werden nach den Standards des KIM dokumentiert."),
    'data_protection': (
        "Vereinbarung zur Datenübermittlung – %s",
        ['aufenthalt', 'arbeit'],
        "Regelung der Übermittlung personenbezogener Daten zwischen KI und "
        "%s auf Grundlage einer Einwilligung.",
        "Übermittlung nur mit schriftlicher Einwilligung; "
        "Widerruf jederzeit."),
    }
AGREEMENT_TYPE_BY_ORG = {
    'jobcenter': 'statutory_cm', 'aa': 'statutory_cm',
    'jugendamt': 'statutory_cm', 'abh': 'statutory_cm',
    'sozialamt': 'statutory_cm', 'mbe': 'advice_centre',
    'jmd': 'advice_centre', 'fluechtlingsberatung': 'advice_centre',
    'integrationsagentur': 'advice_centre', 'vhs': 'advice_centre',
    'mso': 'advice_centre', 'wohlfahrt': 'forwarding',
    'buergeramt': 'kommune', 'wohnungsamt': 'kommune',
    'gesundheitsamt': 'data_protection', 'ebb': 'data_protection',
    'integrationsrat': 'kommune', 'schulamt': 'data_protection',
    'bildungstraeger': 'advice_centre', 'sonstige': 'advice_centre',
    }
DATA_PROTECTION_RULES = (
    "Personenbezogene Daten werden nur mit schriftlicher Einwilligung der "
    "betroffenen Person und nur in den freigegebenen Handlungsfeldern "
    "übermittelt (Art. 6 Abs. 1 lit. a DSGVO). Löschung nach Abschluss des "
    "Falls gemäß den Fristen des KIM.")
COMMUNICATION = (
    "Quartalsweise Kooperationsgespräche; Fallkonferenzen nach Bedarf; "
    "Austausch über das gesicherte Funktionspostfach.")


def months_ago(today, months, day=1):
    year, month = today.year, today.month - months
    while month < 1:
        month += 12
        year -= 1
    return dt.date(year, month, min(day, 28))


# --- the plugin ---------------------------------------------------------
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


def create_kommunen(ctx):
    Kommune = ctx.pool.get('kim.kommune')
    vlist = []
    for seq, (name, ags, size, pop, abh, ebb, ja, jc, _) in enumerate(
            KOMMUNEN, 1):
        vlist.append({
                'name': name, 'ags': ags, 'size_class': size,
                'population': pop, 'sequence': seq * 10,
                'has_auslaenderbehoerde': abh,
                'has_einbuergerungsbehoerde': ebb,
                'has_jugendamt': ja, 'has_jobcenter': jc,
                })
    return Kommune.create(vlist)


def _slug(text):
    table = str.maketrans({'ä': 'ae', 'ö': 'oe', 'ü': 'ue', 'ß': 'ss',
            'Ä': 'ae', 'Ö': 'oe', 'Ü': 'ue', 'ğ': 'g', 'ş': 's', 'ć': 'c',
            'ı': 'i'})
    text = text.translate(table).lower()
    return ''.join(c if c.isalnum() else '-' for c in text).strip('-')


def _phone(rng):
    # ranges reserved for film and TV productions (fictional numbers)
    return rng.choice(['040 66969', '030 23125', '069 90009']) + (
        ' %03d' % rng.randrange(1000))


def _address(ctx, kommune, kommune_rec):
    rng = ctx.random
    postal = next(k[8] for k in KOMMUNEN if k[0] == kommune)
    return {
        'street': '%s %d' % (rng.choice(STREETS), rng.randint(1, 120)),
        'postal_code': postal,
        'city': kommune,
        'kim_kommune': kommune_rec.id,
        'kim_barrier_free': rng.random() < 0.6,
        }


def organisation_plan(ctx, n):
    "Return n (key, type, name, kommune, traeger key, kind) tuples"
    plan = list(ORGANISATIONS[:n])
    names = [k[0] for k in KOMMUNEN]
    i = 0
    while len(plan) < n:
        type_, pattern, kind = EXTRA_ORGANISATIONS[
            i % len(EXTRA_ORGANISATIONS)]
        kommune = names[(i * 5 + 3) % len(names)]
        round_ = i // (len(EXTRA_ORGANISATIONS) * len(names))
        name = pattern % kommune + (' %d' % (round_ + 1) if round_ else '')
        plan.append(('extra%d' % i, type_, name, kommune, None, kind))
        i += 1
    return plan


def create_organisations(ctx, n, kommunen):
    rng = ctx.random
    Party = ctx.pool.get('party.party')
    OrgType = ctx.pool.get('kim.organisation_type')
    plan = organisation_plan(ctx, n)
    keys = {p[0] for p in plan}
    all_names = [k[0] for k in KOMMUNEN]
    vlist = []
    for key, type_, name, kommune, traeger, kind in plan:
        org_type = OrgType(ctx.ref(NET + 'organisation_type_' + type_))
        languages = ['de']
        for pattern, langs in LANGUAGES_BY_TYPE.get(type_, {}).items():
            if pattern in name:
                languages += langs
        extra = {'ki': 4, 'mbe': 4, 'jmd': 3, 'fluechtlingsberatung': 4,
            'vhs': 3, 'integrationsagentur': 2, 'jobcenter': 2,
            'abh': 1}.get(type_, rng.randint(0, 2))
        target = len(languages) + extra
        for _ in range(100):
            if len(languages) >= target:
                break
            lang = rng.choice(LANGUAGES)
            if lang not in languages:
                languages.append(lang)
        if type_ == 'mso' and 'en' not in languages and rng.random() < .3:
            languages.append('en')
        whole = kommune is None
        if whole:
            catchment = []
            site_kommune = 'Musterstadt' if type_ != 'kammer' else 'Erlenbrück'
        else:
            catchment = [kommune]
            if type_ in ('mbe', 'jmd', 'fluechtlingsberatung', 'mso',
                    'bildungstraeger', 'sonstige') and rng.random() < .7:
                # neighbouring Kommunen without their own office
                catchment += rng.sample(
                    [k for k in all_names[6:] if k != kommune],
                    rng.randint(1, 3))
            site_kommune = kommune
        addresses = [_address(ctx, site_kommune, kommunen[site_kommune])]
        if whole and type_ in ('ki', 'jobcenter', 'vhs', 'abh', 'jugendamt'):
            # branch offices
            for branch in rng.sample(
                    [k for k in all_names[1:7] if k != site_kommune],
                    2 if type_ != 'ki' else 1):
                addresses.append(_address(ctx, branch, kommunen[branch]))
        domain = '%s.%s' % (key.replace('_', '-'), EMAIL_DOMAIN)
        mechanisms = [
            {'type': 'phone', 'value': _phone(rng)},
            {'type': 'email', 'value': 'info@' + domain},
            {'type': 'website', 'value': 'https://www.' + domain},
            ]
        notes = None
        if type_ == 'ki':
            notes = ("KIM-Geschäftsstelle des %s. Koordiniert das "
                "Case Management und die Steuerungsgruppe." % KREIS)
        elif rng.random() < .3:
            notes = rng.choice([
                    "Feste Ansprechperson für Zuweisungen vorhanden.",
                    "Personalwechsel im letzten Quartal, Kontakt prüfen.",
                    "Nimmt am Arbeitskreis Migration des Kreises teil.",
                    "Sprechzeiten in den Sommerferien eingeschränkt.",
                    ])
        vlist.append({
                'name': name,
                'kim_organisation_type': org_type.id,
                'kim_traeger_kind': kind,
                'kim_whole_kreis': whole,
                'kim_kommunen': [('add', [kommunen[k].id
                            for k in catchment])],
                'kim_rechtskreise': [('add', [
                            ctx.ref(NET + 'rechtskreis_' + r)
                            for r in RECHTSKREISE.get(type_, [])])],
                'kim_statutory_case_management': (
                    org_type.statutory_case_management),
                'kim_jmd_mbe_staffing': type_ in ('mbe', 'jmd'),
                'kim_funding_source': FUNDING_BY_TYPE.get(type_)
                or rng.choice(FUNDING[kind]),
                'kim_languages': [('add', [
                            ctx.ref(NET + 'language_' + c)
                            for c in languages])],
                'kim_notes': notes,
                'addresses': [('create', addresses)],
                'contact_mechanisms': [('create', mechanisms)],
                })
    orgs = Party.create(vlist)
    # Träger hierarchy
    by_key = {p[0]: org for p, org in zip(plan, orgs)}
    to_write = []
    for (key, _, _, _, traeger, _), org in zip(plan, orgs):
        if traeger and traeger in keys:
            to_write.extend(([org], {'kim_traeger': by_key[traeger].id}))
    if to_write:
        Party.write(*to_write)
    ctx.registry['_plan'] = list(zip(plan, orgs))
    return orgs


def create_contacts(ctx, orgs):
    rng = ctx.random
    Party = ctx.pool.get('party.party')
    Contact = ctx.pool.get('kim.organisation.contact')
    people, rows = [], []
    used = set()
    for (key, type_, name, *_), org in ctx.registry['_plan']:
        n = 1 if type_ in ('ehrenamt', 'arbeitgeber', 'integrationsrat') \
            else rng.randint(2, 3)
        functions = ['management'] + ['operative'] * (n - 1)
        if type_ in ('ki', 'jobcenter', 'abh') or rng.random() < .15:
            functions.append('data_protection')
        for function in functions:
            while True:
                first, last = ctx.names.person()
                if (first, last) not in used:
                    used.add((first, last))
                    break
            domain = (org.contact_mechanisms[1].value.split('@', 1)[1]
                if len(org.contact_mechanisms) > 1 else EMAIL_DOMAIN)
            people.append({'name': '%s %s' % (first, last)})
            rows.append((org, function, {
                        'position': rng.choice(POSITIONS[function]),
                        'email': '%s.%s@%s' % (_slug(first), _slug(last),
                            domain),
                        'phone': _phone(rng),
                        }))
    persons = Party.create(people)
    vlist = []
    for person, (org, function, values) in zip(persons, rows):
        values.update({'organisation': org.id, 'person': person.id,
                'function': function})
        vlist.append(values)
    return Contact.create(vlist)


def create_services(ctx, n, orgs, kommunen, contacts):
    rng = ctx.random
    today = ctx.today
    Service = ctx.pool.get('kim.service')
    contacts_by_org = {}
    for contact in contacts:
        contacts_by_org.setdefault(contact.organisation.id, []).append(
            contact)
    plan = ctx.registry['_plan']
    # a weighted round robin over the organisations
    slots = []
    for (key, type_, *_), org in plan:
        if type_ in SERVICES:
            slots.extend([(type_, org)] * SERVICE_WEIGHT.get(type_, 1))
    rng.shuffle(slots)
    # every organisation first gets its type's first service
    ordered = [(t, o) for (_, t, *_), o in plan if t in SERVICES] + slots
    counters = {}
    titles = set()
    vlist = []
    i = 0
    while len(vlist) < n and ordered:
        type_, org = ordered[i % len(ordered)]
        i += 1
        k = counters.get(org.id, 0)
        counters[org.id] = k + 1
        templates = SERVICES[type_]
        (title, hfs, tgs, description, min_age, max_age, appointment, cost,
            waiting) = templates[k % len(templates)]
        site = org.addresses[(k // len(templates)) % len(org.addresses)]
        place = site.city
        if (title, org.id) in titles or title in {t for t, _ in titles}:
            title = '%s – %s' % (title, place)
        while (title, org.id) in titles:
            title = '%s (%d)' % (title.split(' (')[0], k + 1)
        titles.add((title, org.id))
        languages = [lang.id for lang in org.kim_languages]
        if len(languages) > 2:
            languages = [languages[0]] + rng.sample(
                languages[1:], rng.randint(1, len(languages) - 1))
        if org.kim_whole_kreis:
            whole, served = rng.random() < .85, []
            if not whole:
                served = [site.kim_kommune.id]
        else:
            whole, served = False, [kk.id for kk in org.kim_kommunen]
        valid_from = months_ago(today, rng.randint(3, 72), rng.randint(1, 28))
        valid_to = None
        roll = rng.random()
        if roll < .05:
            valid_to = months_ago(today, rng.randint(1, 2), 28)   # ended
        elif roll < .15:
            valid_to = dt.date(today.year + 1, 12, 31)   # project funding
        hours = []
        if not appointment or rng.random() < .5:
            pattern = rng.choice(OPENING_PATTERNS)
            hours = [{'weekday': d, 'start': dt.time(s, 0),
                    'end': dt.time(e, 0)}
                for d, s, e in pattern]
        contact = rng.choice(contacts_by_org.get(org.id, [None]))
        vlist.append({
                'name': title,
                'organisation': org.id,
                'description': description,
                'handlungsfelder': [('add', [
                            ctx.ref(NET + HF + h) for h in hfs])],
                'target_groups': [('add', [
                            ctx.ref(NET + TG + t) for t in tgs])],
                'eligibility': rng.choice(ELIGIBILITY)
                if rng.random() < .5 else None,
                'min_age': min_age, 'max_age': max_age,
                'languages': [('add', languages)],
                'whole_kreis': whole,
                'kommunen': [('add', served)],
                'site': site.id,
                'appointment_only': appointment,
                'opening_hours': [('create', hours)],
                'barrier_free': bool(site.kim_barrier_free),
                'cost': cost,
                'cost_note': {'fee': "Gebühr nach Gebührenordnung",
                    'reduced': "Ermäßigung mit Berechtigungsnachweis"}.get(
                    cost),
                'waiting_days': rng.randint(*waiting),
                'contact': contact.id if contact else None,
                'valid_from': valid_from,
                'valid_to': valid_to,
                'active': not (valid_to and valid_to < today
                    and rng.random() < .5),
                })
    return Service.create(vlist)


def create_agreements(ctx, n, ki, orgs, today):
    rng = ctx.random
    Agreement = ctx.pool.get('kim.cooperation_agreement')
    plan = [(t, o) for (_, t, *_), o in ctx.registry['_plan']
        if o != ki and t in AGREEMENT_TYPE_BY_ORG]
    if not plan or n <= 0:
        return []
    # states: most signed and in force, some overdue, in negotiation, draft,
    # terminated, and renewals (a terminated predecessor + signed successor)
    n_renewed = int(round(n * .1))
    n_terminated = int(round(n * .1))
    n_negotiation = max(1, int(round(n * .13))) if n > 2 else 0
    n_draft = int(round(n * .07))
    n_signed = n - 2 * n_renewed - n_terminated - n_negotiation - n_draft
    n_overdue = int(round(n * .15))
    states = (['renewed'] * n_renewed + ['terminated'] * n_terminated
        + ['negotiation'] * n_negotiation + ['draft'] * n_draft
        + ['overdue'] * min(n_overdue, max(n_signed, 0))
        + ['signed'] * max(n_signed - n_overdue, 0))
    partners_done = set()
    predecessors = []
    vlist = []

    def values(kind, org, state):
        agreement_type = AGREEMENT_TYPE_BY_ORG[kind]
        title, hfs, tasks, referral = AGREEMENT_TEXTS[agreement_type]
        partners = [org.id]
        if rng.random() < .25:
            other = rng.choice(plan)[1]
            if other.id != org.id:
                partners.append(other.id)
        interval = rng.choice([12, 12, 12, 24, 6])
        shared = rng.sample(hfs, rng.randint(1, len(hfs)))
        return {
            'name': title % org.name,
            'type': agreement_type,
            'office': ki.id,
            'partners': [('add', partners)],
            'state': state,
            'evaluation_interval': interval,
            'tasks': tasks % org.name,
            'referral_rules': referral,
            'data_protection_rules': DATA_PROTECTION_RULES,
            'communication': COMMUNICATION,
            'shared_handlungsfelder': [('add', [
                        ctx.ref(NET + HF + h) for h in shared])],
            }

    def signed(v, signed_on, overdue=False):
        interval = v['evaluation_interval']
        last = None
        next_ = signed_on
        while True:
            candidate = _add_months(next_, interval)
            if candidate > today:
                break
            last, next_ = candidate, candidate
        if last is None:
            next_eval = _add_months(signed_on, interval)
        else:
            next_eval = _add_months(last, interval)
        if overdue:
            # the evaluation was not held: the last one is older
            last = last and _add_months(last, -interval)
            next_eval = today - dt.timedelta(days=rng.randint(10, 150))
        v.update({'signed_date': signed_on, 'valid_from': signed_on,
                'last_evaluation': last, 'next_evaluation': next_eval,
                'evaluation_due': bool(overdue)})
        return v

    i = 0
    for state in states:
        kind, org = plan[i % len(plan)]
        i += 1
        if state == 'renewed':
            signed_on = months_ago(today, rng.randint(40, 60),
                rng.randint(1, 28))
            end = months_ago(today, rng.randint(4, 14), 28)
            old = signed(values(kind, org, 'terminated'), signed_on)
            old.update({'terminated_date': end, 'valid_to': end,
                    'next_evaluation': None, 'evaluation_due': False,
                    'notes': "Abgelöst durch die Folgevereinbarung."})
            vlist.append(old)
            new = signed(values(kind, org, 'signed'),
                end + dt.timedelta(days=1))
            new['notes'] = "Verlängerung der Vereinbarung von %d." % (
                signed_on.year)
            predecessors.append((len(vlist) - 1, len(vlist)))
            vlist.append(new)
        elif state == 'terminated':
            signed_on = months_ago(today, rng.randint(24, 60),
                rng.randint(1, 28))
            end = months_ago(today, rng.randint(1, 18), rng.randint(1, 28))
            v = signed(values(kind, org, 'terminated'), signed_on)
            v.update({'terminated_date': end, 'valid_to': end,
                    'next_evaluation': None, 'evaluation_due': False,
                    'notes': rng.choice([
                            "Gekündigt: Förderung des Trägers ausgelaufen.",
                            "Einvernehmlich beendet, Aufgaben übernimmt der "
                            "Regeldienst.",
                            ])})
            vlist.append(v)
        elif state in ('negotiation', 'draft'):
            v = values(kind, org, state)
            v['notes'] = ("Entwurf liegt dem Träger zur Abstimmung vor."
                if state == 'negotiation' else "Erster Entwurf des KI.")
            vlist.append(v)
        else:
            overdue = state == 'overdue'
            signed_on = months_ago(today, rng.randint(
                    13 if overdue else 2, 48), rng.randint(1, 28))
            vlist.append(signed(values(kind, org, 'signed'), signed_on,
                    overdue=overdue))
        partners_done.add(org.id)
    agreements = Agreement.create(vlist)
    if predecessors:
        to_write = []
        for old, new in predecessors:
            to_write.extend(([agreements[new]],
                    {'predecessor': agreements[old].id}))
        Agreement.write(*to_write)
    return agreements


def _add_months(date, months):
    month = date.month - 1 + months
    year = date.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(date.day, 28))
