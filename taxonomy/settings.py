"""The ``POLYCMS_TAXONOMY`` settings dict, with its defaults."""

from polycms.conf import AppSettings

taxonomy_settings = AppSettings(
    "POLYCMS_TAXONOMY",
    {
        # The deepest a category may be: its depth is the number of its ancestors (a top-level category is 0), so
        # 10 allows eleven levels. Creating or moving a category (its whole subtree) deeper is 422.
        "MAX_DEPTH": 10,
        # GET /api/v1/categories?tree=1 answers at most this many categories in one nested document; a larger tree
        # (or subtree) is 422, to be read flat, page by page, or one subtree at a time (?parent=).
        "TREE_MAX_NODES": 1000,
        # Holders of taxonomy.create_tags_inline (the Author role) may create tags by name while writing a post, as
        # in WordPress; off, only holders of taxonomy.add_tag (Editors) create tags.
        "AUTHORS_CREATE_TAGS": True,
        # Categories and tags one post may have: they are in every post of a list, so they bound its size.
        "MAX_CATEGORIES_PER_POST": 10,
        "MAX_TAGS_PER_POST": 20,
    },
)
