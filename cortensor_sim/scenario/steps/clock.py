"""Steps that move simulated time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from ..registry import StepKind, register_step
from ..units import Duration

if TYPE_CHECKING:
    from ..runner import Run


@register_step
class Advance(StepKind):
    """Advance the shared clock: every chain seals the blocks whose time has come (``by: 7d``)."""

    do: Literal["advance"]
    by: Duration

    def run(self, run: Run) -> None:
        run.advance(self.by)

    def label(self) -> str:
        return f"advance {self.by:g} s"
