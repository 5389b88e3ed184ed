"""Database backends of the project (``DATABASES[...]["ENGINE"]``)."""
