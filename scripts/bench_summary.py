#!/usr/bin/env python3
"""The summary `icare report` gives, computed by DuckDB or by pandas from plaintext CSV, for the benchmarks.

Reads the tidy CSV written by `icare decrypt --format csv` (columns
response,period,survey,item,theme,value,status) and the survey TOML, and prints as JSON each
theme's n, mean, SD and 95% confidence interval (t distribution) and the headline's % positive,
by the rules of docs/scoring.md (the same rules as scripts/crosscheck.py):

* item score: reversed items v' = min + max - v over the scale's scored range ("Don't know"
  excluded); score = (v' - min) / (max - min) * 100;
* a response's theme score is the mean of its scored items, counted when at least half (rounded
  up, at least one) of the items that apply were scored;
* headline % positive: positive points over every answer given, "Don't know" included.

Usage:
  bench_summary.py duckdb|pandas responses.csv survey.toml     the summary as JSON on stdout
  bench_summary.py compare [--tol T] A.json B.json [C.json ...]  exit 1 unless all agree
                                                                 (with the first, within T)

Both engines run in their ordinary, documented way: DuckDB's read_csv and SQL with its default
threads (every core), pandas' read_csv (C parser) and groupby with categorical columns.
"""

import json
import math
import sys
import time
import tomllib


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
            "dont_know": sorted(p["value"] for p in points if p.get("dont_know", False)),
            "positive": sorted(p["value"] for p in points if p.get("positive", False)),
        }
    themes = [t["id"] for t in sorted(survey.get("themes", []), key=lambda t: t["number"])]
    items = [
        {
            "item": i["id"],
            "scale": i["scale"],
            "reverse": bool(i.get("reverse", False)),
            "lo": scales[i["scale"]]["min"],
            "hi": scales[i["scale"]]["max"],
            "dk": scales[i["scale"]]["dont_know"],
        }
        for i in survey.get("items", [])
    ]
    headline = scales[survey["headline"]["scale"]] if "headline" in survey else None
    return themes, items, headline


def estimate(theme, n, mean, sd):
    """n, mean, SD and the t-based 95% CI clamped to [0, 100], as in src/stats.rs."""
    from scipy import stats

    out = {"id": theme, "n": int(n), "mean": None, "sd": None, "ci_low": None, "ci_high": None}
    if n >= 1:
        out["mean"] = float(mean)
    if n >= 2:
        half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
        out["sd"] = float(sd)
        out["ci_low"] = max(0.0, mean - half)
        out["ci_high"] = min(100.0, mean + half)
    return out


def with_duckdb(csv, themes, items, headline):
    import duckdb

    con = duckdb.connect()
    con.execute(
        "CREATE TEMP TABLE meta (item VARCHAR, reverse BOOLEAN, lo DOUBLE, hi DOUBLE, dk INTEGER[])"
    )
    con.executemany(
        "INSERT INTO meta VALUES (?, ?, ?, ?, ?)",
        [(i["item"], i["reverse"], i["lo"], i["hi"], i["dk"]) for i in items],
    )
    # One pass over the CSV into a table, so the theme and headline queries do not read it twice.
    # (A file name cannot be a prepared parameter here; it is quoted as an SQL string instead.)
    path = "'" + csv.replace("'", "''") + "'"
    con.execute(
        f"""
        CREATE TEMP TABLE a AS SELECT response, item, theme, value, status FROM read_csv({path},
            header = true, columns = {{
            'response': 'VARCHAR', 'period': 'VARCHAR', 'survey': 'VARCHAR', 'item': 'VARCHAR',
            'theme': 'VARCHAR', 'value': 'INTEGER', 'status': 'VARCHAR'}})
        """
    )
    rows = con.execute(
        """
        WITH scored AS (
            SELECT a.response, a.theme,
                   a.status <> 'not_applicable' AS applies,
                   CASE WHEN a.status = 'answered' AND NOT list_contains(m.dk, a.value) THEN
                       ((CASE WHEN m.reverse THEN m.lo + m.hi - a.value ELSE a.value END) - m.lo)
                       / (m.hi - m.lo) * 100 END AS score
            FROM a JOIN meta m USING (item)
            WHERE coalesce(a.theme, '') <> ''
        ), per AS (
            SELECT response, theme, count(score) AS answered,
                   sum(applies::INTEGER) AS applicable, avg(score) AS ts
            FROM scored GROUP BY response, theme
        )
        SELECT theme, count(*), avg(ts), stddev_samp(ts) FROM per
        WHERE answered > 0 AND answered >= greatest(1, ceil(applicable / 2))
        GROUP BY theme
        """
    ).fetchall()
    by_theme = {r[0]: r[1:] for r in rows}
    pct = None
    if headline is not None:
        pos, given = con.execute(
            "SELECT count(*) FILTER (WHERE list_contains(?, value)), count(*) FROM a "
            "WHERE coalesce(theme, '') = '' AND status = 'answered'",
            [headline["positive"]],
        ).fetchone()
        pct = pos / given * 100 if given else None
    return by_theme, pct


def with_pandas(csv, themes, items, headline):
    import numpy as np
    import pandas as pd

    df = pd.read_csv(
        csv,
        usecols=["response", "item", "theme", "value", "status"],
        dtype={
            "response": "category",
            "item": "category",
            "theme": "category",
            "status": "category",
            "value": "float64",
        },
        keep_default_na=False,
        na_values={"value": [""]},
    )
    it = df[df["theme"] != ""]
    meta = pd.DataFrame(items).set_index("item")
    m = meta.reindex(it["item"].astype(str).to_numpy())
    lo, hi = m["lo"].to_numpy(), m["hi"].to_numpy()
    value = it["value"].to_numpy()
    dk = np.zeros(len(it), dtype=bool)
    for i in items:
        if i["dk"]:
            dk |= (it["item"] == i["item"]).to_numpy() & np.isin(value, i["dk"])
    status = it["status"]
    scored = (status == "answered").to_numpy() & ~dk
    v = np.where(m["reverse"].to_numpy(), lo + hi - value, value)
    score = np.where(scored, (v - lo) / (hi - lo) * 100, np.nan)
    per = pd.DataFrame(
        {
            "response": it["response"].to_numpy(),
            "theme": it["theme"].to_numpy(),
            "scored": scored,
            "applies": (status != "not_applicable").to_numpy(),
            "score": score,
        }
    )
    per["response"] = per["response"].astype(it["response"].dtype)
    per["theme"] = per["theme"].astype(it["theme"].dtype)
    g = per.groupby(["response", "theme"], observed=True).agg(
        answered=("scored", "sum"), applicable=("applies", "sum"), total=("score", "sum")
    )
    need = np.maximum(1, np.ceil(g["applicable"] / 2))
    g = g[(g["answered"] >= need) & (g["answered"] > 0)]
    ts = g["total"] / g["answered"]
    res = ts.groupby(level="theme", observed=True).agg(["count", "mean", "std"])
    by_theme = {str(t): (r["count"], r["mean"], r["std"]) for t, r in res.iterrows()}
    pct = None
    if headline is not None:
        head = df[(df["theme"] == "") & (df["status"] == "answered")]
        given = len(head)
        pct = float(head["value"].isin(headline["positive"]).sum() / given * 100) if given else None
    return by_theme, pct


def summarise(engine, csv, survey):
    # Interpreter start-up and imports are left out of the engine's time (they are in the
    # process's wall time, which scripts/bench.sh reports beside it).
    __import__(engine)
    from scipy import stats  # noqa: F401  (for the t quantile)

    start = time.perf_counter()
    themes, items, headline = load_survey(survey)
    run = {"duckdb": with_duckdb, "pandas": with_pandas}[engine]
    by_theme, pct = run(csv, themes, items, headline)
    out = {
        "engine": engine,
        "headline": {"pct_positive": pct},
        "themes": [
            estimate(t, *by_theme[t]) if t in by_theme else estimate(t, 0, None, None)
            for t in themes
        ],
    }
    json.dump(out, sys.stdout, indent=2)
    print()
    print(f"ENGINE_SECONDS {time.perf_counter() - start:.3f}", file=sys.stderr)


def compare(paths, tol=1e-6):
    """Every summary agrees with the first: same themes and n, the other figures within `tol`.

    Only the fields both documents have are compared, so `icare report --format json` (which has
    more) can be the reference.
    """
    docs = []
    for p in paths:
        with open(p) as f:
            docs.append(json.load(f))
    close = lambda x, y: (x is None) == (y is None) and (x is None or abs(x - y) <= tol)
    ref = docs[0]
    ref_themes = {t["id"]: t for t in ref["themes"]}
    bad = [] if ref_themes else [f"{paths[0]}: no themes"]
    for p, d in zip(paths[1:], docs[1:]):
        themes = {t["id"]: t for t in d["themes"]}
        if set(themes) != set(ref_themes):
            bad.append(f"{p}: themes {sorted(themes)} vs {sorted(ref_themes)}")
        for tid in set(themes) & set(ref_themes):
            a, b = ref_themes[tid], themes[tid]
            if a["n"] != b["n"]:
                bad.append(f"{p}: theme {tid} n {b['n']} vs {a['n']}")
            for k in ("mean", "sd", "ci_low", "ci_high"):
                if k in a and k in b and not close(a[k], b[k]):
                    bad.append(f"{p}: theme {tid} {k} {b[k]} vs {a[k]}")
        x = ref.get("headline", {}).get("pct_positive")
        y = d.get("headline", {}).get("pct_positive")
        if not close(x, y):
            bad.append(f"{p}: headline % positive {y} vs {x}")
    for b in bad:
        print(b, file=sys.stderr)
    print("summaries agree" if not bad else f"{len(bad)} differences", file=sys.stderr)
    return 0 if not bad else 1


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1:3] == ["compare", "--tol"]:
        sys.exit(compare(sys.argv[4:], float(sys.argv[3])))
    if len(sys.argv) >= 3 and sys.argv[1] == "compare":
        sys.exit(compare(sys.argv[2:]))
    if len(sys.argv) != 4 or sys.argv[1] not in ("duckdb", "pandas"):
        sys.exit(__doc__)
    summarise(*sys.argv[1:])
