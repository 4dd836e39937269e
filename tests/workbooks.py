"""Workbooks written by hand, part by part: the files no spreadsheet program would write.

Excel and openpyxl write only sound, truthful workbooks. A hostile one
declares a billion cells, holds a table of texts that unpacks to hundreds of
times its size, lies about its sizes in its zip, or breaks its XML; to test
and measure how the import refuses such files, they are written here with
zipfile: the few parts a workbook needs, any of which a caller may replace.

Used by tests/test_import_limits.py, tests/test_fuzz_regressions.py and
bench/hostile_sheets.py (which puts the repository's root on sys.path).
"""

import io
import zipfile

XML = '<?xml version="1.0" encoding="UTF-8"?>'
OPENXML = "http://schemas.openxmlformats.org"
MAIN = f"{OPENXML}/spreadsheetml/2006/main"
RELATIONSHIPS = f"{OPENXML}/officeDocument/2006/relationships"
PACKAGE = f"{OPENXML}/package/2006/relationships"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def worksheet(rows, dimension=None):
    """A worksheet part: its rows (XML, as one text or an iterable of texts), under a declared dimension if given."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    rows = rows if isinstance(rows, str) else "".join(rows)
    return f'{XML}<worksheet xmlns="{MAIN}">{declared}<sheetData>{rows}</sheetData></worksheet>'


def relationships(targets):
    """A .rels part: {kind: target}, numbered rId1, rId2… in that order."""
    links = "".join(
        f'<Relationship Id="rId{number}" Type="{RELATIONSHIPS}/{kind}" Target="{target}"/>'
        for number, (kind, target) in enumerate(targets.items(), start=1)
    )
    return f'{XML}<Relationships xmlns="{PACKAGE}">{links}</Relationships>'


def xlsx(sheet_xml, strings_xml=None, extra=(), compression=zipfile.ZIP_DEFLATED):
    """A minimal workbook of one sheet, "People": its bytes.

    strings_xml is the table of texts (xl/sharedStrings.xml), left out if
    None. extra is more parts, (name, content) pairs or a dict: a part of the
    same name as one written here replaces it. A part's content is a text,
    bytes, or an iterable of bytes, which is written as it comes (a table of
    hundreds of megabytes is never whole in memory).
    """
    kinds = {"xl/workbook.xml": "sheet.main", "xl/worksheets/sheet1.xml": "worksheet"}
    targets = {"worksheet": "worksheets/sheet1.xml"}
    if strings_xml is not None:
        kinds["xl/sharedStrings.xml"] = "sharedStrings"
        targets["sharedStrings"] = "sharedStrings.xml"
    overrides = "".join(
        f'<Override PartName="/{name}" ContentType="{SPREADSHEET}.{kind}+xml"/>' for name, kind in kinds.items()
    )
    parts = {
        "[Content_Types].xml": f'{XML}<Types xmlns="{OPENXML}/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>',
        "_rels/.rels": relationships({"officeDocument": "xl/workbook.xml"}),
        "xl/workbook.xml": f'{XML}<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
        '<sheets><sheet name="People" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": relationships(targets),
        "xl/worksheets/sheet1.xml": sheet_xml,
        **({"xl/sharedStrings.xml": strings_xml} if strings_xml is not None else {}),
        **dict(extra),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in parts.items():
            if isinstance(content, (str, bytes, bytearray)):
                archive.writestr(name, content)
            else:
                with archive.open(name, "w", force_zip64=True) as part:
                    for chunk in content:
                        part.write(chunk)
    return buffer.getvalue()


def xlsx_declaring_a_huge_dimension():
    """The issue's 1.6 KB workbook declaring A1:XFD100000000: a reader that trusts the dimension fills 1.6 trillion cells."""
    return xlsx(
        worksheet(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
            '<row r="100000000"><c r="XFD100000000" t="inlineStr"><is><t>x</t></is></c></row>',
            dimension="A1:XFD100000000",
        )
    )


def xlsx_sharing_long_texts(rows, width=20, texts=20, compression=zipfile.ZIP_DEFLATED):
    """A review's 48 KB workbook (at 2,000 rows): rows of cells all pointing into a table of long texts.

    Each text is as long as a cell may be (32,760 characters, a space at each
    end); every cell of a row below the header uses one of them. A reader
    that copies a text for each cell using it (to trim its spaces) holds
    rows × width × 32,760 characters: 2,000 rows, 1.25 GB.
    """
    strings = "".join(f'<si><t xml:space="preserve"> {f"x{n:02d}" * 10_920} </t></si>' for n in range(texts))
    header = "<row>" + "".join(f'<c t="inlineStr"><is><t>h{n}</t></is></c>' for n in range(1, width + 1)) + "</row>"
    cells = ((f'<c t="s"><v>{(row + n) % texts}</v></c>' for n in range(width)) for row in range(rows))
    return xlsx(
        worksheet([header, *("<row>" + "".join(row) + "</row>" for row in cells)]),
        f'<sst xmlns="{MAIN}">{strings}</sst>',
        compression=compression,
    )


def xlsx_with_a_tag_of_many_attributes(attributes, compression=zipfile.ZIP_DEFLATED):
    """A worksheet whose <dimension> tag carries `attributes` attributes: expat builds them all in a dict at once."""
    many = " ".join(f'a{n:x}="{n}"' for n in range(attributes))
    return xlsx(
        f'{XML}<worksheet xmlns="{MAIN}"><dimension ref="A1" {many}/><sheetData>'
        '<row r="1"><c t="inlineStr"><is><t>name</t></is></c></row></sheetData></worksheet>',
        compression=compression,
    )
