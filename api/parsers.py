"""Request body parsers."""

from __future__ import annotations

from rest_framework import parsers

from api.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, except that a document nested too deeply for Python's parser is a 400
    ``parse_error`` (DRF only turns ``ValueError`` into one; ``RecursionError`` would be a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
