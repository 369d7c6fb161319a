"""What every input model shares: strictness, the currency code, and amount bounds."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# Larger amounts are refused: no team, platform or backlog item is worth a quadrillion, and
# products of such numbers would overflow a float.
MAX_AMOUNT = 1e15


class Strict(BaseModel):
    """Unknown fields are errors (a typo must not pass silently); values do not change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD")]
