"""The words a reader sees for the data contract's codes: `bpi` is "Business process
improvement", `l` is "Low", `in_progress` is "In progress".

One place for every enumerated value, so that the contract (data/contract.py) accepts
exactly the codes that have a label, tables and charts show the label, and CSV and
JSON keep the code. A project may put its own words in `sitegen.toml`
(`[labels.workstream] bpi = "…"`; config.py checks them against these).
"""

from __future__ import annotations

from collections.abc import Mapping

# The workstreams in the words of the Department's efficiency strategy (Table 3.1 and
# chapter 7 of the White Paper); ratings and levels as the outcome plans write them.
VOCABULARIES: Mapping[str, Mapping[str, str]] = {
    "sector": {
        "county": "County", "district": "District", "unitary": "Unitary", "city": "City",
        "police": "Police", "fire": "Fire and rescue", "health": "Health", "other": "Other",
    },
    "return_type": {"forecast": "Forecast", "actual": "Actual"},
    "workstream": {
        "bpi": "Business process improvement", "collaboration": "Collaboration",
        "procurement": "Smarter procurement", "asset_management": "Asset management",
        "technology": "Use of technology", "other": "Other",
    },
    "spend": {"revenue": "Revenue", "capital": "Capital"},
    "kind": {"gain": "Gain", "disposal": "Asset disposal"},
    "rating": {"green": "Green", "amber": "Amber", "red": "Red"},
    "status": {
        "proposed": "Proposed", "approved": "Approved", "in_progress": "In progress",
        "implemented": "Implemented", "closed": "Closed",
    },
    "level": {"l": "Low", "m": "Medium", "h": "High"},
    "cost_basis": {"head": "Per head of population", "user": "Per user", "unit": "Per unit of output"},
    "direction": {"higher": "Higher is better", "lower": "Lower is better"},
    "repeat": {"weekly": "Weekly", "fortnightly": "Fortnightly"},
    # Computed, not read: the servicing quadrants (rules/benchmarking.py) and why a return
    # line counts or not (rules/ni179.py).
    "quadrant": {
        "under-servicing": "Under-servicing", "right-servicing": "Right-servicing",
        "irritants": "Irritants", "over-servicing": "Over-servicing",
    },
    "reason": {"counted": "Counted", "out of period": "Out of period", "lapsed": "Lapsed", "non-cash": "Non-cash"},
}

# Which vocabulary a column of that name holds, in any table.
COLUMN_VOCABULARIES: Mapping[str, str] = {
    "sector": "sector", "return_type": "return_type", "workstream": "workstream", "spend": "spend",
    "kind": "kind", "rating": "rating", "status": "status", "likelihood": "level", "impact": "level",
    "cost_basis": "cost_basis", "direction": "direction", "repeat": "repeat", "quadrant": "quadrant", "reason": "reason",
}


def codes(vocabulary: str) -> tuple[str, ...]:
    """The codes of a vocabulary, in the order the contract lists them."""
    return tuple(VOCABULARIES[vocabulary])


def merged(overrides: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Every vocabulary's labels, a project's own words (already checked) over the defaults."""
    return {name: {**words, **overrides.get(name, {})} for name, words in VOCABULARIES.items()}
