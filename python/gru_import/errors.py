"""The one error gru-import reports: what is wrong, where, and what would be
accepted."""


class ImportFailure(Exception):
    """A model gru-import cannot import; the message says why."""
