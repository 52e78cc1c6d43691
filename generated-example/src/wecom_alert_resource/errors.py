"""The one exception type whose message is written to the build log as it is."""


class ResourceError(Exception):
    """A failure the user can fix: the message names the field and the fix.

    The message is already translated and redacted. Entry points print it on one
    line to stderr and exit 1 without a traceback.
    """
