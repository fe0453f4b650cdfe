"""``python -m mescams.edc.web.report_job FOLDER``: run ``mescams analyze`` on FOLDER/analysis-data in the
background and record its exit status in FOLDER/exit-status (the reports page reads it).

Started by the oversight page with an argument list, never through a shell: nothing a user typed (a user name, a
file name) is ever parsed as a command. FOLDER's name is built from a time stamp and the user's id.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def run(folder: Path) -> int:
    exe = shutil.which("mescams", path=str(Path(sys.executable).parent)) or shutil.which("mescams")
    command = ([exe] if exe else [sys.executable, "-m", "mescams.cli"])
    command += ["analyze", str(folder / "analysis-data"), "--json", str(folder / "results.json"),
                "--report", str(folder / "report.html")]
    code = subprocess.run(command, check=False).returncode  # noqa: S603 - an argument list of our own paths
    (folder / "exit-status").write_text(f"{code}\n", encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1])))
