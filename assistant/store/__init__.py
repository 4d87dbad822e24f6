"""The store: Chroma (embedded or a server), the e5 embeddings and their cache, local folders and the
write lock. Written only by `ingest`; the read side only reads it."""
