"""The ``POLYCMS_POSTS`` settings dict, with its defaults."""

from polycms.conf import AppSettings

posts_settings = AppSettings(
    "POLYCMS_POSTS",
    {
        # Limits on an Editor.js document (content_raw). Besides its size, they bound the work one document
        # costs to validate, sanitize, render and store: the costliest document they accept (tools/bench/documents.py)
        # is created in about 85 ms on the 2-vCPU bench machine, blocks costing the most. A 10 000-word article
        # (some 250 blocks, 70 000 characters, 1 000 markup characters) uses about half of each.
        "CONTENT_MAX_BYTES": 512 * 1024,  # of its UTF-8 JSON
        "CONTENT_MAX_BLOCKS": 500,
        "CONTENT_MAX_STRING_LENGTH": 100_000,  # of every string anywhere in it
        # JSON values anywhere in it (objects, arrays, strings, numbers…), tunes and ignored fields included.
        "CONTENT_MAX_VALUES": 20_000,
        "CONTENT_MAX_TABLE_CELLS": 3_000,  # in all its tables together
        "CONTENT_MAX_LIST_ITEMS": 500,  # in all its lists together, nested and checklist items included
        # Over its inline-HTML text fields (everything but code): their total length, and their markup
        # characters ("<", "&" and no-break spaces), which is what makes sanitizing expensive, in total and
        # in any one field.
        "CONTENT_MAX_TEXT_LENGTH": 200_000,
        "CONTENT_MAX_MARKUP": 2_000,
        "CONTENT_MAX_FIELD_MARKUP": 500,
        # Items per page of a post list that includes content_raw or content_html (?fields=...): a post's content
        # can be several times CONTENT_MAX_BYTES once rendered, so this bounds such a response (README, Posts).
        "MAX_CONTENT_PAGE_SIZE": 20,
        # Anonymous GETs of posts (published ones, the same for every anonymous reader) answer
        # "Cache-Control: public, max-age=CACHE_MAX_AGE, stale-while-revalidate=CACHE_STALE_WHILE_REVALIDATE"
        # (seconds): a CDN or browser serves them that long without asking, then as long again while it
        # revalidates (If-None-Match, a 304 when nothing changed). So an edit, an unpublished post or a
        # scheduled one coming out reaches anonymous readers up to their sum later. 0 and 0: always revalidate.
        "CACHE_MAX_AGE": 60,
        "CACHE_STALE_WHILE_REVALIDATE": 60,
        # Finding a search's matches costs the database in proportion to how many it looks at, so a search (on
        # PostgreSQL) without ?ordering= lists the SEARCH_WINDOW newest matches, most relevant first, and any
        # search counts matches up to SEARCH_WINDOW (meta.total_exact false beyond; README, Posts).
        "SEARCH_WINDOW": 200,
    },
)
