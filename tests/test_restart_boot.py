"""A restarting server answers the phones sooner when it does not load what no phone needs.

reportlab's page layout (the PDF builders, reportlab.platypus) took about a fifth of a second to import before ``meetup serve``
listened; the report pages now import it on the first report (issue 21, point 3).
"""

from __future__ import annotations

import subprocess
import sys

from tests.servers import ROOT


def test_the_app_starts_without_the_pdf_builders_and_builds_a_report_with_them(
        tmp_path) -> None:
    script = (
        "import sys\n"
        "from meetup import create_app\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/x.sqlite3', "
        f"'SECRET_KEY': 'x', 'INSTANCE_PATH': '{tmp_path}'}})\n"
        "print('reportlab.platypus' in sys.modules)\n"
        "from meetup.reports.lazy import exports\n"
        "print('pdf' in exports.EXPORTS or len(exports.EXPORTS) > 0, 'reportlab.platypus' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "True", "True"]
