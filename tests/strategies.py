"""Hypothesis strategies shared by the property tests: score definitions and their events."""

from __future__ import annotations

from hypothesis import strategies as st

from transforms.scores.definition import parse_definition

EVENT_TYPES = ["email_open", "form_submission", "page_view"]
FORM_IDS = ["a", "b", "c", None]


@st.composite
def filters(draw) -> list[dict]:
    kind = draw(st.sampled_from(["none", "any", "equals", "not_equals", "unknown"]))
    if kind == "none":
        return []
    if kind == "any":
        return [
            {
                "property": "form_id",
                "operator": "is_any_of",
                "values": draw(st.lists(st.sampled_from("abc"), min_size=1, max_size=3, unique=True)),
            }
        ]
    if kind == "unknown":
        return [{"property": "form_id", "operator": "is_unknown"}]
    return [{"property": "form_id", "operator": kind, "value": draw(st.sampled_from("abc"))}]


@st.composite
def rule(draw, signs: st.SearchStrategy[int], windows: bool, limits: bool) -> dict:
    fs = draw(filters())
    out = {"event": draw(st.sampled_from(EVENT_TYPES)), "points": draw(signs) * draw(st.integers(1, 30)), "filters": fs}
    if fs and fs[0]["operator"] == "is_any_of" and len(fs[0]["values"]) > 1 and draw(st.booleans()):
        out["scoring"] = "individually"
    if windows and draw(st.booleans()):
        out["within_days"] = draw(st.integers(1, 400))
    if limits and draw(st.booleans()):
        out["limit_to"] = draw(st.integers(1, 50))
    return out


@st.composite
def definitions(draw, obj: str = "contact", decay: bool = True, limits: bool = True, signs=st.sampled_from([-1, 1, 1])) -> object:
    use_decay = decay and draw(st.booleans())
    groups = []
    for g in range(draw(st.integers(1, 3))):
        group = {"name": f"g{g}", "rules": draw(st.lists(rule(signs, windows=not use_decay, limits=limits), min_size=1, max_size=4))}
        if limits and draw(st.booleans()):
            group["limit"] = draw(st.integers(1, 100))
        groups.append(group)
    data = {"id": "p", "name": "P", "object": obj, "score_limit": 100 * draw(st.integers(1, 5)), "groups": groups}
    if use_decay:
        data["decay"] = {"percent": draw(st.integers(1, 100)), "every_months": draw(st.sampled_from([1, 3, 6, 12]))}
    if obj == "company":
        data["company"] = {"aggregation": draw(st.sampled_from(["sum", "avg", "min", "max"]))}
    return parse_definition(data, "property.yaml")
