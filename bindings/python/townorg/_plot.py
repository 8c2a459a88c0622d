# SPDX-License-Identifier: MulanPSL-2.0
"""Quota totals over versions, and their plot with Chinese labels."""

from . import _core

_CJK_FONT = None


def cjk_font():
    """The name of an installed CJK font (Noto Sans CJK where installed,
    e.g. Debian's fonts-noto-cjk), registered with matplotlib; None if none
    is found."""
    global _CJK_FONT
    if _CJK_FONT is not None:
        return _CJK_FONT or None
    from matplotlib import font_manager
    candidates = sorted(font_manager.findSystemFonts(fontext="ttf") + font_manager.findSystemFonts(fontext="otf"))
    preferred = [p for p in candidates if "NotoSansCJK-Regular" in p or "NotoSansCJKsc-Regular" in p]
    preferred += [p for p in candidates if "CJK" in p and p not in preferred]
    preferred += [p for p in candidates if any(x in p for x in ("wqy", "WenQuanYi", "SourceHanSans", "Droid"))]
    for path in preferred:
        try:
            font_manager.fontManager.addfont(path)
            name = font_manager.FontProperties(fname=path).get_name()
        except Exception:
            continue
        _CJK_FONT = name
        return name
    _CJK_FONT = ""
    return None


def quota_trend(repo, unit_id=None, branch="main", quota_types=("admin", "inst"), last=None):
    """Quota totals (per type and in all) over the first-parent line of a
    branch, oldest first, as a DataFrame.  ``last``: only the last N versions."""
    import pandas as pd
    head = repo.head(branch)
    versions = [] if head is None else list(reversed(head.ancestors()))
    if last is not None:
        versions = versions[-last:]
    rows = {"version": [], "effective_date": [], "doc_number": []}
    for t in quota_types:
        rows[t] = []
    rows["total"] = []
    for v in versions:
        m = v.meta
        rows["version"].append(v.id)
        rows["effective_date"].append(m["effective_date"])
        rows["doc_number"].append(m["doc_number"])
        for t in quota_types:
            rows[t].append(v.quota_total(unit_id, t) if unit_id is None or unit_id in v else 0)
        rows["total"].append(v.quota_total(unit_id) if unit_id is None or unit_id in v else 0)
    if unit_id is not None and versions and not any(unit_id in v for v in versions):
        raise _core.NotFound("no entity '%s' in any version of branch '%s' (unit_id=)" % (unit_id, branch),
                             _core.NotFound.code)
    df = pd.DataFrame(rows)
    df["effective_date"] = pd.to_datetime(df["effective_date"])
    return df


_TYPE_ZH = {"admin": "行政编制", "inst": "事业编制", "total": "编制合计"}


def plot_quota_trend(repo, unit_id=None, branch="main", quota_types=("admin", "inst"), last=None, ax=None):
    """Plot quota totals over versions; labels in Chinese, drawn with a CJK
    font.  Returns the matplotlib Axes."""
    import matplotlib
    import matplotlib.pyplot as plt
    df = quota_trend(repo, unit_id=unit_id, branch=branch, quota_types=quota_types, last=last)
    font = cjk_font()
    if font:
        fams = list(matplotlib.rcParams["font.sans-serif"])
        if font not in fams:
            matplotlib.rcParams["font.sans-serif"] = [font] + fams
        matplotlib.rcParams["font.family"] = "sans-serif"
        matplotlib.rcParams["axes.unicode_minus"] = False
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    for col in list(quota_types) + ["total"]:
        ax.plot(df["effective_date"], df[col], marker="o", label=_TYPE_ZH.get(col, col + " 编制"))
    unit = "全部"
    if unit_id is not None:
        head = repo.head(branch)
        e = head.get(unit_id) if head is not None else None
        unit = e.name if e is not None and e.name else unit_id
    ax.set_title("%s 编制总数变化" % unit)
    ax.set_xlabel("生效日期")
    ax.set_ylabel("编制数（名）")
    ax.legend()
    ax.grid(True, alpha=0.3)
    return ax
