"""Writing a benchmark's results file without losing what people wrote into it.

A results file is the generated report (a ``# Title`` and the run's figures) followed by
hand-written ``## `` sections: notes, before/after comparisons of earlier runs. A re-run
replaces the generated part and keeps every section from the first ``## `` heading on.
"""

from pathlib import Path

HAND_WRITTEN = "\n## "
"""Where the hand-written part of a results file starts."""


def write_results(target: Path, report: str) -> None:
    """Write ``report`` to ``target``, keeping the hand-written sections of the old file."""
    if HAND_WRITTEN in report:
        raise ValueError("a generated report must not contain '## ' sections")
    previous = target.read_text(encoding="utf-8") if target.exists() else ""
    kept = previous[previous.index(HAND_WRITTEN) :] if HAND_WRITTEN in previous else ""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(report.rstrip("\n") + "\n" + kept if kept else report, encoding="utf-8")
