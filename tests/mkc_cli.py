"""Run the real `mkc` entry point in a subprocess, as a user would."""

import subprocess
import sys


def mkc(*args, cwd=None, env=None):
    """Exit status, stdout and stderr of `mkc ARGS...`."""
    proc = subprocess.run(
        [sys.executable, "-c", "from mkc.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
    )
    return proc.returncode, proc.stdout, proc.stderr
