"""The records' storage: one SQLAlchemy (Core) layer over the data folder's SQLite files (the default) or the
PostgreSQL database that KH32_DATABASE_URL names; schema versions; errors in words a user can act on."""
