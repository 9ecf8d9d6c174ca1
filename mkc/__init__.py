"""mkc: Marketo-style smart campaigns as code."""

import os as _os

__version__ = "0.1.0"

# Installed, the phases are sub-packages inside this folder (mkc.grammar,
# mkc.checker, ...). In a source checkout they are the top-level folders
# beside it (grammar/, checker/, ...), as pyproject.toml maps them; when
# Python imports this folder straight from a checkout (the current directory
# is on sys.path, as with `python -m pytest`), let it find them there too.
_here = _os.path.dirname(__file__)
_root = _os.path.dirname(_here)
if not _os.path.isdir(_os.path.join(_here, "grammar")) and _os.path.isfile(_os.path.join(_root, "grammar", "mkc.lark")):
    __path__.append(_root)
