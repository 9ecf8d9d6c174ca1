"""The parser's LALR tables, kept between commands in the user's own cache.

Building the tables from mkc.lark takes ~0.3 s, about as long as the rest of a
`mkc check`; loading them takes ~0.03 s. Lark's own `cache=True` unpickles a
file of a predictable name in the shared temporary folder, so anyone who can
write there would run code as the next mkc user. This cache is instead:

- JSON, not a pickle: loading it runs no code whoever wrote it;
- in `$XDG_CACHE_HOME/mkc` (else `~/.cache/mkc`), a directory that must be
  the user's own, not a symbolic link, with no access for group or others
  (it is made with mode 0700); a file that is not the user's own regular file,
  or is writable by others, is not read. Otherwise the tables are built
  without a cache, so a cache never changes what mkc does, only how fast;
- named by a hash of the grammar, the Lark and Python versions and the
  options, so a changed grammar never meets stale tables.

The directory and the file are checked through open descriptors, so neither
can be swapped between the check and the read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
from pathlib import Path

import lark
from lark import Lark, Token


def cache_dir() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG rule: a relative path is ignored
        try:
            base = os.path.join(Path.home(), ".cache")
        except RuntimeError:  # no home directory
            return None
    return Path(base) / "mkc"


def load_parser(grammar: Path, options: dict) -> Lark:
    """Lark's parser for `grammar`, from the cache when a safe copy is there."""
    text = grammar.read_text(encoding="utf-8")
    key = hashlib.sha256(
        json.dumps([text, lark.__version__, sys.version_info[:2], sorted(options.items())]).encode()
    ).hexdigest()[:32]
    name = f"parser-{key}.json"
    folder = cache_dir()
    dir_fd = _private_dir(folder) if folder is not None else None
    try:
        if dir_fd is not None:
            data = _read(dir_fd, name)
            if data is not None:
                with contextlib.suppress(Exception):  # a damaged file: build afresh
                    return Lark._load_from_dict(data["data"], data["memo"])
        built = Lark(text, **options)
        if dir_fd is not None:
            _write(dir_fd, name, built)
        return built
    finally:
        if dir_fd is not None:
            os.close(dir_fd)


def _private_dir(folder: Path) -> int | None:
    """An open descriptor of `folder`, made if missing, when only its owner, the user, can use it."""
    with contextlib.suppress(OSError):
        folder.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError, OSError):
        os.mkdir(folder, 0o700)
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:  # missing, unreadable or a symbolic link
        return None
    st = os.fstat(fd)
    if st.st_uid != os.geteuid() or stat.S_IMODE(st.st_mode) & 0o077:
        os.close(fd)
        return None
    return fd


def _read(dir_fd: int, name: str):
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dir_fd)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or stat.S_IMODE(st.st_mode) & 0o022:
            return None
        try:
            return json.loads(fh.read(), object_hook=_decode)
        except (ValueError, TypeError, KeyError):
            return None


def _write(dir_fd: int, name: str, built: Lark) -> None:
    """Writes the tables under a temporary name, then renames: readers never see half a file."""
    data, memo = built.memo_serialize([lark.lexer.TerminalDef, lark.grammar.Rule])
    text = json.dumps(_encode({"data": data, "memo": memo}), separators=(",", ":"))
    temp = f".{name}.{os.getpid()}.tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=dir_fd)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except OSError:  # a read-only or full disk: no cache, same parser
        with contextlib.suppress(OSError):
            os.unlink(temp, dir_fd=dir_fd)


# Lark's serialized tables hold dicts with int keys, tuples and tokens, which
# JSON has not: each is written as a one-key object naming what it was.
def _encode(x):
    if isinstance(x, Token):
        return {"~token": [x.type, str(x)]}
    if isinstance(x, dict):
        if all(type(k) is str and not k.startswith("~") for k in x):
            return {k: _encode(v) for k, v in x.items()}
        return {"~dict": [[_encode(k), _encode(v)] for k, v in x.items()]}
    if isinstance(x, tuple):
        return {"~tuple": [_encode(v) for v in x]}
    if isinstance(x, list):
        return [_encode(v) for v in x]
    return x


def _decode(obj: dict):
    if len(obj) == 1:
        if "~dict" in obj:
            return dict(obj["~dict"])  # tuple keys are already tuples: the hook works inside out
        if "~tuple" in obj:
            return tuple(obj["~tuple"])
        if "~token" in obj:
            return Token(*obj["~token"])
    return obj
