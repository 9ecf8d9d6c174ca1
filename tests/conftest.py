import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC = ROOT.parent / "shared" / "spec" / "LANGUAGE.md"
