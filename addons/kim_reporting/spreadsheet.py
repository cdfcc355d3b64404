# This file is part of the KIM Suite. See COPYRIGHT and LICENSE at the
# top level of this repository.
"""Writers of the export files: XLSX with openpyxl (bold frozen column
header, column widths, number and date formats) and CSV."""
import csv
import datetime as dt
import io
from decimal import Decimal

# Excel shows these codes with the separators of the reader's locale
# (German: 1.234,56); dates are written in the German form
FORMATS = {
    'money': '#,##0.00',
    'vzae': '0.00',
    'integer': '#,##0',
    'date': 'DD.MM.YYYY',
    'text': '@',
    }
MAX_WIDTH = 60


def _value(value):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        # openpyxl writes Decimal as a number
        return value
    if isinstance(value, dt.datetime):
        return value
    if value == '':
        return None
    return value


def _format(value, column_format):
    if column_format:
        return FORMATS[column_format]
    if isinstance(value, dt.datetime):
        return 'DD.MM.YYYY HH:MM'
    if isinstance(value, dt.date):
        return FORMATS['date']
    if isinstance(value, Decimal):
        return FORMATS['money'] if value.as_tuple().exponent < 0 else (
            FORMATS['integer'])
    if isinstance(value, int) and not isinstance(value, bool):
        return 'General'
    return None


def _width(value):
    if value is None:
        return 0
    if isinstance(value, (dt.date, dt.datetime)):
        return 11
    if isinstance(value, (int, float, Decimal)):
        return len('{:,.2f}'.format(value)) + 1
    return max((len(line) for line in str(value).splitlines()), default=0)


def xlsx(sheets):
    """Return the bytes of an XLSX workbook of sheets, a list of
    (name, rows) or (name, rows, options) with rows a list of lists of
    values. The options are:

    header_row  the 1-based row of the column header (default 1): bold,
                and the rows above and with it frozen (0 for none)
    widths      the column widths in characters (default: from the values)
    formats     per column None or a key of FORMATS (default: by the value:
                dates DD.MM.YYYY, decimals #,##0.00)
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        name, rows = sheet[:2]
        options = sheet[2] if len(sheet) > 2 else {}
        header_row = options.get('header_row', 1)
        formats = options.get('formats') or []
        worksheet = workbook.create_sheet(title=name[:31] or 'Tabelle')
        widths = {}
        bold = Font(bold=True)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                value = _value(value)
                if value is None:
                    continue
                cell = worksheet.cell(row=r, column=c, value=value)
                column_format = formats[c - 1] if (
                    c <= len(formats) and r > header_row) else None
                number_format = _format(value, column_format)
                if number_format and not isinstance(value, str):
                    cell.number_format = number_format
                if r == header_row:
                    cell.font = bold
                    cell.alignment = Alignment(wrap_text=True,
                        vertical='top')
                elif isinstance(value, str) and '\n' in value:
                    cell.alignment = Alignment(wrap_text=True,
                        vertical='top')
                if r >= header_row:
                    widths[c] = max(widths.get(c, 0), _width(value))
        given = options.get('widths') or []
        for c in range(1, max(len(given), max(widths, default=0)) + 1):
            width = given[c - 1] if c <= len(given) else (
                min(widths.get(c, 8), MAX_WIDTH) + 2)
            worksheet.column_dimensions[get_column_letter(c)].width = width
        if header_row and len(rows) >= header_row:
            worksheet.freeze_panes = 'A%d' % (header_row + 1)
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


def read_xlsx(data):
    """Return {sheet name: [[values]]} of an XLSX workbook (numbers as
    Decimal, dates as date, empty cells as None, trailing empty cells left
    out); used by the tests and for checks"""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True,
        data_only=True)
    result = {}
    for worksheet in workbook.worksheets:
        rows = []
        for row in worksheet.iter_rows(values_only=True):
            values = []
            for value in row:
                if isinstance(value, bool):
                    value = int(value)
                if isinstance(value, (int, float)):
                    value = Decimal(str(value))
                elif isinstance(value, dt.datetime) and value.time() == (
                        dt.time()):
                    value = value.date()
                values.append(value)
            while values and values[-1] is None:
                values.pop()
            rows.append(values)
        result[worksheet.title] = rows
    workbook.close()
    return result


def csv_bytes(rows):
    "Return the UTF-8 CSV (semicolon, with BOM for spreadsheet programs)"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=';', lineterminator='\r\n')
    for row in rows:
        writer.writerow(['' if v is None else v for v in row])
    return ('\ufeff' + out.getvalue()).encode('utf-8')
