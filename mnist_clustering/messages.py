"""What the package tells its user while it works, through the standard ``logging``.

Every module that has something to say (a cache reused or rebuilt, a damaged record
removed, a lock waited for, MNIST fetched) logs it at level INFO on its own logger,
:func:`logger` (``mnist_clustering.<module>``). The package's logger writes those lines
to the standard error of the moment, one line each, ``[mnist_clustering.<module>]
<message>``, and does not pass them on to the root logger (an application that
configures logging would otherwise print them twice). What calls a function decides
whether it speaks (``progress=``, ``verbose=``); to silence the package altogether::

    logging.getLogger("mnist_clustering").setLevel(logging.WARNING)

Problems a caller may want to filter or turn into errors remain ``warnings.warn``.

A bottom room: it imports nothing of the package.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["PACKAGE", "logger"]

PACKAGE = "mnist_clustering"
"""The name of the package's logger, the parent of every module's."""


class _Stderr(logging.Handler):
    """Writes each record to ``sys.stderr`` as it is when the record is emitted (a
    notebook's cell, a test's capture), not as it was when the handler was made."""

    def emit(self, record):
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001  (logging's own convention: never raise here)
            self.handleError(record)


def _install():
    package = logging.getLogger(PACKAGE)
    if not any(getattr(handler, "_mnist_clustering", False) for handler in package.handlers):
        handler = _Stderr()
        handler._mnist_clustering = True  # found again if this module is reloaded
        handler.setFormatter(logging.Formatter("[%(name)s] %(message)s"))
        package.addHandler(handler)
        package.setLevel(logging.INFO)
        package.propagate = False


_install()


def logger(name):
    """The logger of the module ``name`` (its ``__name__``): a child of the package's,
    whose INFO lines reach stderr.

    Parameters
    ----------
    name : str
        ``mnist_clustering.<module>``.

    Returns
    -------
    logging.Logger
    """
    if name != PACKAGE and not name.startswith(f"{PACKAGE}."):
        raise ValueError(f"{name!r} is not a module of {PACKAGE}")
    return logging.getLogger(name)
