"""Sites whose verdict changes between two zonings: the same check run on both builds."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from zoning import terms
from zoning.checker.result import CheckResult

FINDING = "verdict_changed"


def verdict_changes(after: CheckResult, before: CheckResult) -> CheckResult:
    """The check against the new build, flagging each site whose verdict changed.

    Each site gets ``verdict_before`` (its verdict against the old build, "" for a site
    not checked there) and ``verdict_changed``; each changed site an information finding
    saying from what to what. The verdicts themselves are those of ``after``.

    Parameters
    ----------
    after, before
        The same sites checked against the new and against the old build.
    """
    was = before.sites.drop_duplicates("site_id").set_index("site_id")["verdict"]
    sites = after.sites.copy()
    sites["verdict_before"] = sites["site_id"].map(was).fillna("").astype(str)
    changed = (sites["verdict_before"] != sites["verdict"]).to_numpy() & (sites["verdict_before"] != "").to_numpy()
    sites["verdict_changed"] = changed
    sites.loc[changed, "findings_count"] = sites.loc[changed, "findings_count"] + 1
    flagged = sites[changed]
    detail = {
        lang: [f"{terms.label('verdicts', a, lang)} → {terms.label('verdicts', b, lang)} "
               f"({before.meta['build_id']} → {after.meta['build_id']})" for a, b in zip(flagged["verdict_before"], flagged["verdict"])]
        for lang in terms.LANGUAGES
    }
    added = pd.DataFrame({
        "site_id": flagged["site_id"].to_numpy(), "finding": FINDING, "severity": "info", "status": "confirmed",
        "title_vi": "Kết luận thay đổi so với bản phân vùng trước", "title_en": "Verdict changed from the earlier zoning",
        "detail_vi": detail["vi"], "detail_en": detail["en"], "citation_vi": "", "citation_en": "",
    }, columns=after.findings.columns)
    position = pd.Series(np.arange(len(sites)), index=sites["site_id"].to_numpy())
    findings = pd.concat([after.findings, added], ignore_index=True)
    findings = findings.iloc[np.argsort(position.reindex(findings["site_id"]).to_numpy(), kind="stable")].reset_index(drop=True)
    meta = {**after.meta, "against": {"build_id": before.meta["build_id"], "verdicts_changed": int(changed.sum())}}
    return dataclasses.replace(after, sites=sites, findings=findings, meta=meta)
