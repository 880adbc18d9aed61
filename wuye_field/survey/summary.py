"""One site-month's survey result as plain values, read by the assessment."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SurveySummary:
    """A2: `score` is the mean overall score (0–100) after dropping the highest and the lowest
    (`dropped`), None when there are too few responses to score (`message` says why, in Chinese).
    A4: `dissatisfaction_rate` is the share of 不满意 among the per-question answers."""

    responses: int
    score: float | None
    dropped: tuple[float, ...]
    answers: int
    dissatisfied: int
    message: str = ""

    @property
    def dissatisfaction_rate(self) -> float | None:
        return self.dissatisfied / self.answers if self.answers else None
