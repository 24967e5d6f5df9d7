"""Partners' RAG forecasts and use of resources scores, counted.

A partnership may know each partner's rating, or only how many of a sector had each
("five out of seven districts score 2", `002_…` paragraph 7): both are counted, by
sector as well as overall, so that a paper can say either. Pure functions of DataFrames.
"""

from __future__ import annotations

import pandas as pd

SCORES = (4, 3, 2, 1)
RATINGS = ("green", "amber", "red")


def _members(partners: pd.DataFrame) -> pd.DataFrame:
    return partners.loc[partners["in_target"], ["partner_id", "sector"]]


def rag_by_sector(rag: pd.DataFrame, partners: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Per year and sector: partners in the target, how many rated green, amber and red
    (individually or as counts) and how many gave no rating."""
    members = _members(partners)
    sector_of = dict(zip(partners["partner_id"], partners["sector"], strict=True))
    rated = rag.assign(sector=rag["partner_id"].map(sector_of), partners=1,
                       member=rag["partner_id"].isin(set(members["partner_id"])))
    given = pd.concat([rated[["year", "sector", "rating", "partners", "member"]],
                       counts[["year", "sector", "rating", "partners"]].assign(member=True)], ignore_index=True)
    rows = []
    for year in sorted(given["year"].dropna().unique()):
        mine = given[given["year"] == year]
        for sector in sorted(set(members["sector"]) | set(mine["sector"].dropna())):
            of_sector = mine[mine["sector"] == sector]
            tally = {r: int(of_sector.loc[of_sector["rating"] == r, "partners"].sum()) for r in RATINGS}
            in_target = int((members["sector"] == sector).sum())
            rated_members = int(of_sector.loc[of_sector["member"], "partners"].sum())
            rows.append({"year": int(year), "sector": sector, "partners": in_target, **tally,
                         "no_rating": max(0, in_target - rated_members)})
    return pd.DataFrame(rows, columns=["year", "sector", "partners", *RATINGS, "no_rating"])


def rag_summary(by_sector: pd.DataFrame) -> pd.DataFrame:
    """Ratings counted per year over every sector; no_rating = partners in the target
    that gave no rating that year (not a return missing: ratings are asked for apart)."""
    columns = ["year", *RATINGS, "no_rating"]
    if by_sector.empty:
        return pd.DataFrame(columns=columns)
    summed = by_sector.groupby("year", sort=True)[[*RATINGS, "no_rating"]].sum().reset_index()
    return summed.astype({c: int for c in columns})[columns]


def uor_by_sector(uor: pd.DataFrame, partners: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Per assessment, theme and sector: how many organisations were assessed and how
    many had each score, 4 to 1 (individual scores and counts together)."""
    sector_of = dict(zip(partners["partner_id"], partners["sector"], strict=True))
    scored = uor.assign(sector=uor["partner_id"].map(sector_of), organisations=1)
    keys = ["assessment", "theme", "sector"]
    given = pd.concat([scored[[*keys, "score", "organisations"]],
                       counts[[*keys, "score", "organisations"]]], ignore_index=True)
    rows = []
    for (assessment, theme, sector), group in given.groupby(keys, sort=True):
        tally = group.groupby("score")["organisations"].sum()
        assessed = int(tally.sum())
        for score in SCORES:
            rows.append({"assessment": int(assessment), "theme": theme, "sector": sector, "assessed": assessed,
                         "score": score, "organisations": int(tally.get(score, 0))})
    return pd.DataFrame(rows, columns=[*keys, "assessed", "score", "organisations"])


def uor_distribution(by_sector: pd.DataFrame) -> pd.DataFrame:
    """Organisations per score, every score 4 to 1 listed for each assessment and theme."""
    columns = ["assessment", "theme", "score", "organisations"]
    if by_sector.empty:
        return pd.DataFrame(columns=columns)
    summed = by_sector.groupby(["assessment", "theme", "score"], sort=False)["organisations"].sum().reset_index()
    order = {score: position for position, score in enumerate(SCORES)}
    summed = summed.sort_values(["assessment", "theme", "score"], key=lambda c: c.map(order) if c.name == "score"
                                else c, kind="stable").reset_index(drop=True)
    return summed.astype({"assessment": int, "score": int, "organisations": int})[columns]
