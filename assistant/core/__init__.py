"""The shared base: the data models (chunks, answers, citations), the error family, the settings, the
prompt templates and which sentences of a passage may be quoted. Imports only `assistant.language`."""
