"""Files that a put reads from its inputs, confined to the put's working directory."""

import os

from .errors import ResourceError
from .i18n import tr


class MissingInput(ResourceError):
    """The file named by a parameter does not exist."""


def read_text_input(workdir: str, relative_path: str, field_name: str) -> str:
    """Read a UTF-8 text file given relative to the put's working directory ``$1``.

    Absolute paths, ``..`` and symlinks that lead outside the working directory are
    rejected, so a parameter can only read what the put's inputs contain.
    """
    data = read_binary_input(workdir, relative_path, field_name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ResourceError(
            tr("file_not_utf8", field=field_name, path=relative_path, offset=error.start)
        ) from error


def input_path(workdir: str, relative_path: str, field_name: str) -> str:
    """Return the real path of an existing regular file inside the working directory ``$1``.

    The same confinement rules as :func:`read_text_input` apply.
    """
    if os.path.isabs(relative_path) or ".." in relative_path.replace("\\", "/").split("/"):
        raise ResourceError(tr("path_outside", field=field_name, path=relative_path))

    root = os.path.realpath(workdir)
    path = os.path.realpath(os.path.join(root, relative_path))
    if os.path.commonpath([root, path]) != root:
        raise ResourceError(tr("path_outside", field=field_name, path=relative_path))
    if not os.path.exists(path):
        raise MissingInput(tr("file_missing", field=field_name, path=relative_path))
    if not os.path.isfile(path):
        raise ResourceError(tr("file_not_regular", field=field_name, path=relative_path))
    return path


def read_binary_input(workdir: str, relative_path: str, field_name: str) -> bytes:
    """Read a file given relative to the working directory ``$1``, as bytes."""
    with open(input_path(workdir, relative_path, field_name), "rb") as file:
        return file.read()
