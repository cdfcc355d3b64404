# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Keys of names for finding possible duplicate clients.

Two keys per name, both independent of the order of the words (``Hassan,
Mohammed`` and ``Mohammed Hassan`` give the same keys):

``phonetic_key``
    The Kölner Phonetik (Hans Joachim Postel, 1969) of each word, sorted and
    joined by spaces. German spellings that sound alike get the same code
    (Meyer, Maier, Mayr; Müller, Mueller).

``name_key``
    A normalised transliteration of each word, sorted and joined:

    1. lower case; ä, ö, ü to ae, oe, ue; ß to ss; other accents stripped
       (é to e, ç to c, ğ to g, ş to s ...); every other character separates
       words;
    2. the Arabic article as a word of its own is dropped (al, el, ul as in
       "Al-Hassan", "El Hassan");
    3. letter groups that transliterations of Arabic, Persian, Turkish,
       Cyrillic and other scripts spell differently are unified: ch and kh
       are h (Khaled, Chaled, Haled; Achmed, Ahmed); sch and sh are one
       sound, tsch and tch another; dsch, dzh, dj, zh and j are j (Dschamal,
       Jamal), a y that begins a word too (Yusuf, Jussuf); a j that ends a
       word and any other y are vowels (Sergej, Sergey; Ilyas, Elias); ph
       is f, w is v, dh is d, th is t, gh is g, q, ck and c are k, x is ks,
       z is s;
    4. vowels are normalised: a vowel that begins a word becomes "a" (Osman,
       Usman; Ibrahim, Ebrahim), all other vowels and an h after a vowel at
       the end of a word are left out (Mohammed, Muhammad, Mohamed and
       Mohamad all give "mhmd"; Abdullah, Abdulla);
    5. doubled letters are single (Hussein, Husain, Hussain).

The keys are for finding candidates, not for deciding: a person decides
whether two records are the same client.

Both keys are stored on the client (indexed); a possible duplicate shares
one of them, or the date of birth and two words (see client_duplicate.py).
"""
import re
import unicodedata

__all__ = ['koelner_phonetik', 'koelner_digits', 'phonetic_key',
    'normalise', 'transliterate', 'name_key', 'words']

_GERMAN = {
    'ä': 'ae', 'ö': 'oe', 'ü': 'ue', 'ß': 'ss',
    'Ä': 'ae', 'Ö': 'oe', 'Ü': 'ue', 'ẞ': 'ss',
    # letters that have no decomposition
    'ø': 'oe', 'Ø': 'oe', 'æ': 'ae', 'Æ': 'ae', 'œ': 'oe', 'Œ': 'oe',
    'ı': 'i', 'đ': 'd', 'Đ': 'd', 'ł': 'l', 'Ł': 'l', 'þ': 'th',
    }
_VOWELS = set('aeijouy')


def normalise(text):
    """Return text in lower case with the German umlauts and ß written out
    (ae, oe, ue, ss) and every other accent stripped; characters that are
    no Latin letters become spaces"""
    text = ''.join(_GERMAN.get(c, c) for c in text or '')
    text = unicodedata.normalize('NFKD', text)
    text = ''.join(c for c in text if not unicodedata.combining(c))
    text = text.lower()
    return re.sub(r'[^a-z]+', ' ', text).strip()


def words(text):
    "The words of text as normalise() splits them"
    return [w for w in normalise(text).split() if w]


def _letters(word):
    """The letters a to z of word in lower case for the Kölner Phonetik:
    ä, ö, ü are the vowels a, o, u, ß is s, accents are stripped"""
    word = (word or '').lower().replace('ß', 's')
    word = ''.join(_GERMAN.get(c, c) if c in 'øæœıđłþ' else c for c in word)
    word = unicodedata.normalize('NFKD', word)
    return [c for c in word if 'a' <= c <= 'z']


def koelner_digits(word):
    """Return the digits of the Kölner Phonetik of word before doubled
    digits are merged and zeros dropped (e.g. "Müller-Lüdenscheidt" gives
    "60550750206880022")"""
    letters = _letters(word)
    codes = []
    for i, char in enumerate(letters):
        before = letters[i - 1] if i else ''
        after = letters[i + 1] if i + 1 < len(letters) else ''
        if char in 'aeijouy':
            code = '0'
        elif char == 'h':
            code = ''
        elif char == 'b':
            code = '1'
        elif char == 'p':
            code = '3' if after == 'h' else '1'
        elif char in 'dt':
            code = '8' if after and after in 'csz' else '2'
        elif char in 'fvw':
            code = '3'
        elif char in 'gkq':
            code = '4'
        elif char == 'c':
            if i == 0:
                code = '4' if after and after in 'ahkloqrux' else '8'
            elif before in {'s', 'z'}:
                code = '8'
            else:
                code = '4' if after and after in 'ahkoqux' else '8'
        elif char == 'x':
            code = '8' if before and before in 'ckq' else '48'
        elif char == 'l':
            code = '5'
        elif char in 'mn':
            code = '6'
        elif char == 'r':
            code = '7'
        else:  # s, z
            code = '8'
        codes.append(code)
    return ''.join(codes)


def koelner_phonetik(word):
    """Return the Kölner Phonetik of word: its digits with doubled digits
    merged and every zero but a leading one dropped ("Wikipedia" gives
    "3412", "Müller-Lüdenscheidt" "65752682")"""
    digits = koelner_digits(word)
    merged = []
    for digit in digits:
        if not merged or merged[-1] != digit:
            merged.append(digit)
    if not merged:
        return ''
    return merged[0] + ''.join(d for d in merged[1:] if d != '0')


def phonetic_key(name):
    """The Kölner Phonetik of the words of name, sorted and joined by
    spaces (empty codes left out)"""
    codes = [koelner_phonetik(w) for w in _words_without_article(name)]
    return ' '.join(sorted(c for c in codes if c))


_ARTICLES = {'al', 'el', 'ul'}

# (pattern, replacement) applied in order to each normalised word; upper
# case marks a sound that no later rule may change
_TRANSLITERATION = [(re.compile(p), r) for p, r in [
        (r'tsch|tch', 'T'),
        (r'dsch|dzh|dj|zh', 'J'),
        (r'sch|sh', 'S'),
        (r'kh|ch', 'h'),
        (r'ck', 'k'),
        (r'ph', 'f'),
        (r'dh', 'd'),
        (r'th', 't'),
        (r'gh', 'g'),
        (r'^y', 'J'),
        (r'j$', 'i'),
        (r'j', 'J'),
        (r'y', 'i'),
        (r'w', 'v'),
        (r'q|c', 'k'),
        (r'x', 'ks'),
        (r'z', 's'),
        ]]


def transliterate(word):
    """Return the skeleton of one word (see the module's documentation):
    "Mohammed", "Muhammad" and "Mohamed" give "mhmd" """
    word = normalise(word).replace(' ', '')
    if not word:
        return ''
    for pattern, replacement in _TRANSLITERATION:
        word = pattern.sub(replacement, word)
    if len(word) > 2 and word[-1] == 'h' and word[-2] in 'aeiou':
        word = word[:-1]
    first = 'a' if word[0] in 'aeiou' else word[0]
    rest = ''.join(c for c in word[1:] if c not in 'aeiou')
    result = []
    for char in first + rest:
        if not result or result[-1] != char:
            result.append(char)
    return ''.join(result)


def _words_without_article(name):
    result = words(name)
    if len(result) > 1:
        result = [w for w in result if w not in _ARTICLES] or result
    return result


def name_key(name):
    "The transliteration skeletons of the words of name, sorted and joined"
    skeletons = [transliterate(w) for w in _words_without_article(name)]
    return ' '.join(sorted(s for s in skeletons if s))
