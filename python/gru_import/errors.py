"""The one error gru-import reports: what is wrong, where, and what would be
accepted."""

import contextlib


class ImportFailure(Exception):
    """A model gru-import cannot import; the message says why."""


@contextlib.contextmanager
def located(where, path):
    """Prefixes `where` (the layer or node) to failures inside that do not
    already name the file `path`; a malformed configuration (a missing key,
    a value of the wrong type) is a failure too."""
    try:
        yield
    except ImportFailure as failure:
        if str(failure).startswith(str(path)):
            raise
        raise ImportFailure(f"{where}: {failure}") from None
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        raise ImportFailure(f"{where}: not understood ({type(error).__name__}: {error})") \
            from None
