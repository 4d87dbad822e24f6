"""The command line (`python -m assistant …`): thin shells over the assistant API and the write side."""
