"""Report documents → text → observation rows.

- :mod:`kpi.extract.textio` files → clean NFC text (decoding, HTML, ``.docx``);
- :mod:`kpi.extract.heading` who issued a report and which period it covers;
- :mod:`kpi.extract.mentions` number mentions, and the numbers that are not values;
- :mod:`kpi.extract.cues` catalogue cues in the text; :mod:`kpi.extract.wording` what the
  words around a number say (measure, qualifier, span);
- :mod:`kpi.extract.extractor` puts them together: :func:`extract_text`,
  :func:`extract_file`, :func:`extract_report`.
"""

from kpi.extract.extractor import Extractor, extract_file, extract_report, extract_text

__all__ = ["Extractor", "extract_file", "extract_report", "extract_text"]
