"""Tests of ingest/: loaders, structure, chunking, the pipeline and its limits, document management."""
