#!/usr/bin/env python3
"""Independent cross-check of iCARE's per-theme statistics.

Reads the tidy CSV written by `icare decrypt --format csv` (docs/analyst-data.md; this script uses
only its columns response, item, theme, value and status, and recomputes scores from the raw values
rather than trusting the score column; status is answered, not_applicable or skipped; the headline
question has an empty theme) and the survey TOML it was answered on, and prints, as
JSON, each theme's n, mean, SD, 95% confidence interval (t distribution) and Cronbach's alpha, and
the headline's % positive, computed with pandas and scipy from the rules in docs/scoring.md:

* item score: negatively worded (reverse = true) items are reversed, v' = min + max - v, over the
  scale's scored range ("Don't know" points excluded); score = (v' - min) / (max - min) * 100;
* theme score per response: mean of its scored items, counted only when at least half (rounded up,
  and at least one) of the items that apply were scored; "Does not apply" items do not apply,
  skipped and "Don't know" items apply but are not scored;
* alpha over complete cases (every item of the theme scored), only when k >= 2 and n >= 30;
* headline % positive: positive points over every answer given, "Don't know" included.

Usage: python3 scripts/crosscheck.py responses.csv surveys/icare.toml
"""

import argparse
import json
import math
import sys
import tomllib

import pandas as pd
from scipy import stats

MIN_N_ALPHA = 30


def load_survey(path):
    with open(path, "rb") as f:
        survey = tomllib.load(f)
    scales = {}
    for sid, scale in survey.get("scales", {}).items():
        points = scale.get("points", [])
        scored = [p["value"] for p in points if not p.get("dont_know", False)]
        scales[sid] = {
            "min": min(scored),
            "max": max(scored),
            "dont_know": {p["value"] for p in points if p.get("dont_know", False)},
            "positive": {p["value"] for p in points if p.get("positive", False)},
        }
    themes = sorted(survey.get("themes", []), key=lambda t: t["number"])
    items = {i["id"]: i for i in survey.get("items", [])}
    return survey, scales, themes, items


def theme_stats(scores):
    n = len(scores)
    out = {"n": n, "mean": None, "sd": None, "ci_low": None, "ci_high": None}
    if n >= 1:
        out["mean"] = float(scores.mean())
    if n >= 2:
        sd = float(scores.std(ddof=1))
        half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
        out["sd"] = sd
        out["ci_low"] = max(0.0, out["mean"] - half)
        out["ci_high"] = min(100.0, out["mean"] + half)
    return out


def cronbach_alpha(wide):
    k = wide.shape[1]
    if k < 2 or len(wide) < MIN_N_ALPHA:
        return None
    item_var = wide.var(ddof=1).sum()
    total_var = wide.sum(axis=1).var(ddof=1)
    if total_var <= 0:
        return None
    return float(k / (k - 1) * (1 - item_var / total_var))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv", help="tidy CSV from `icare decrypt --format csv`")
    ap.add_argument("survey", help="the survey TOML the responses answered")
    args = ap.parse_args()

    survey, scales, themes, items = load_survey(args.survey)
    df = pd.read_csv(args.csv, dtype={"item": str, "theme": str, "status": str},
                     keep_default_na=False)
    df["value"] = pd.to_numeric(df["value"], errors="coerce")
    unknown = set(df.loc[df["theme"] != "", "item"]) - set(items)
    if unknown:
        sys.exit(f"{args.csv}: items not in {args.survey}: {sorted(unknown)}")

    it = df[df["theme"] != ""].copy()
    meta = pd.DataFrame([
        {"item": iid, "scale": i["scale"], "reverse": bool(i.get("reverse", False))}
        for iid, i in items.items()
    ])
    it = it.merge(meta, on="item", how="left")
    lo = it["scale"].map(lambda s: scales[s]["min"])
    hi = it["scale"].map(lambda s: scales[s]["max"])
    dk = [v in scales[s]["dont_know"] for v, s in zip(it["value"], it["scale"])]
    it["scored"] = (it["status"] == "answered") & ~pd.Series(dk, index=it.index)
    v = it["value"].where(~it["reverse"], lo + hi - it["value"])
    it["score"] = ((v - lo) / (hi - lo) * 100).where(it["scored"])
    it["applies"] = it["status"] != "not_applicable"

    per = it.groupby(["response", "theme"]).agg(
        answered=("scored", "sum"), applicable=("applies", "sum"), total=("score", "sum"))
    need = per["applicable"].map(lambda a: max(1, math.ceil(a / 2)))
    per = per[(per["answered"] >= need) & (per["answered"] > 0)]
    per["theme_score"] = per["total"] / per["answered"]

    result = {"themes": []}
    for theme in themes:
        tid = theme["id"]
        scores = per.xs(tid, level="theme")["theme_score"] if tid in per.index.get_level_values(
            "theme") else pd.Series(dtype=float)
        row = {"id": tid, **theme_stats(scores)}
        members = [iid for iid, i in items.items() if i["theme"] == tid]
        sub = it[it["theme"] == tid]
        wide = sub.pivot(index="response", columns="item", values="score").reindex(columns=members)
        row["alpha"] = cronbach_alpha(wide.dropna())
        row["complete"] = int(len(wide.dropna()))
        result["themes"].append(row)

    head = df[df["theme"] == ""]
    if "headline" in survey and len(head):
        scale = scales[survey["headline"]["scale"]]
        answered = head[head["status"] == "answered"]
        positive = answered["value"].isin(scale["positive"]).sum()
        result["headline"] = {
            "answered": int(len(answered)),
            "pct_positive": float(positive / len(answered) * 100) if len(answered) else None,
        }
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
