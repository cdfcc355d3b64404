# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Small writers of the export files: XLSX (Office Open XML spreadsheet,
written with the standard library) and CSV."""
import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal
from xml.sax.saxutils import escape

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types">'
    '<Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '%s</Types>')
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet%d.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
_NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
_NS_REL = ('http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships')


def _column(index):
    name = ''
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(ref, value):
    if value is None or value == '':
        return ''
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, (int, float, Decimal)):
        return '<c r="%s"><v>%s</v></c>' % (ref, value)
    if isinstance(value, (dt.date, dt.datetime)):
        value = value.isoformat()
    return '<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is>' \
        '</c>' % (ref, escape(str(value)))


def xlsx(sheets):
    """Return the bytes of an XLSX workbook of sheets, a list of
    (name, rows) with rows a list of lists of values"""
    content = io.BytesIO()
    with zipfile.ZipFile(content, 'w', zipfile.ZIP_DEFLATED) as zf:
        zf.writestr('[Content_Types].xml', _CONTENT_TYPES % ''.join(
                _SHEET_TYPE % (i + 1) for i in range(len(sheets))))
        zf.writestr('_rels/.rels', _RELS)
        workbook = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="%s" xmlns:r="%s"><sheets>' % (_NS_MAIN, _NS_REL)]
        rels = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships">']
        for i, (name, rows) in enumerate(sheets, 1):
            workbook.append('<sheet name="%s" sheetId="%d" r:id="rId%d"/>'
                % (escape(name[:31], {'"': '&quot;'}), i, i))
            rels.append('<Relationship Id="rId%d" Type="http://schemas.'
                'openxmlformats.org/officeDocument/2006/relationships/'
                'worksheet" Target="worksheets/sheet%d.xml"/>' % (i, i))
            body = []
            for r, row in enumerate(rows, 1):
                cells = ''.join(_cell('%s%d' % (_column(c), r), value)
                    for c, value in enumerate(row))
                body.append('<row r="%d">%s</row>' % (r, cells))
            zf.writestr('xl/worksheets/sheet%d.xml' % i,
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>'
                % (_NS_MAIN, ''.join(body)))
        workbook.append('</sheets></workbook>')
        rels.append('</Relationships>')
        zf.writestr('xl/workbook.xml', ''.join(workbook))
        zf.writestr('xl/_rels/workbook.xml.rels', ''.join(rels))
    return content.getvalue()


def read_xlsx(data):
    """Return {sheet name: [[values]]} of an XLSX written by xlsx()
    (numbers as Decimal); used by the tests and for checks"""
    import xml.etree.ElementTree as ET
    ns = {'m': _NS_MAIN}
    result = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        workbook = ET.fromstring(zf.read('xl/workbook.xml'))
        for i, sheet in enumerate(workbook.iter('{%s}sheet' % _NS_MAIN), 1):
            root = ET.fromstring(zf.read('xl/worksheets/sheet%d.xml' % i))
            rows = []
            for row in root.iter('{%s}row' % _NS_MAIN):
                values = {}
                for cell in row.findall('m:c', ns):
                    ref = cell.get('r')
                    col = 0
                    for ch in ref:
                        if ch.isalpha():
                            col = col * 26 + ord(ch) - 64
                    if cell.get('t') == 'inlineStr':
                        value = ''.join(cell.find('m:is', ns).itertext())
                    else:
                        value = Decimal(cell.find('m:v', ns).text)
                    values[col - 1] = value
                rows.append([values.get(c)
                        for c in range(max(values, default=-1) + 1)])
            result[sheet.get('name')] = rows
    return result


def csv_bytes(rows):
    "Return the UTF-8 CSV (semicolon, with BOM for spreadsheet programs)"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=';', lineterminator='\r\n')
    for row in rows:
        writer.writerow(['' if v is None else v for v in row])
    return ('\ufeff' + out.getvalue()).encode('utf-8')
