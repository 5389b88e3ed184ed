"""Security regression tests: each module is an attack tried against PolyCMS, and the defence that stops it."""
