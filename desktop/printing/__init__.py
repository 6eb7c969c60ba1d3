"""Printed documents (reportlab; no Qt): the custody record and the charge sheet as PDFs, and the
same content as a read-in-order text/HTML outline for screen-reader users.

    documents.py           what is printed: frozen dataclasses (map API JSON onto these)
    custody_record_pdf.py  build_custody_record_pdf(doc, path_or_file)
    charge_sheet_pdf.py    build_charge_sheet_pdf(doc, path_or_file)
    plain_text.py          custody_record_outline / charge_sheet_outline -> to_text / to_html
    validation.py          what stops a document printing (DocumentError with field-named problems)
    *_content.py           each document as ordered sections, shared by the PDF and the outline
    log_order.py           observed-time order, corrections under the entry they correct
    layout.py, story.py    fonts, styles, page furniture, tables, "Page x of y", bookmarks
"""
