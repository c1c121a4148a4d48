"""Tagging repairs after WeasyPrint's PDF/UA-1 output: page furniture as artifacts, table header scope.

WeasyPrint (70) tags the content of page margin boxes as marked content with MCIDs
but leaves it out of the structure tree (Kozea/WeasyPrint#1836): it is neither real
content nor an artifact, which PDF/UA-1 (ISO 14289-1, 7.1) forbids, and a screen
reader that walks the page contents reads it on every page. This pass turns every
marked-content sequence that no element of the structure tree reaches (running
footers, the running draft line) into a pagination artifact and drops its dangling
entry from the parent tree. Real content, the full draft notice on page 1 included,
is untouched; borders and rules WeasyPrint already marks as artifacts.

WeasyPrint also drops the HTML ``scope`` of header cells, so a table's /TH elements
do not say which cells they head (ISO 14289-1, 7.5). Our templates put column headers
in the table head and row headers (the "About this handout" labels) in the body: each
/TH gets the matching /Scope.

WeasyPrint tags an ``<aside>`` as /NonStruct, a grouping with no meaning. Our call-outs
("Important", "Warning") are the only asides inside a section (or a quotation), and the only
/NonStruct there that hold paragraphs: each becomes /Aside (PDF 2.0's type for content apart
from the main flow), role-mapped to /Sect for PDF/UA-1 readers that know only PDF 1.7 types.
Its printed label is its first paragraph, so a screen reader reads "Important" first.

Same bytes in, same bytes out: the file identifier is derived from the content.
"""

from __future__ import annotations

import io
from typing import Any


def _reachable(root: Any) -> set[tuple[int, int]]:
    """Object ids of every structure element under the structure tree root."""
    import pikepdf

    seen: set[tuple[int, int]] = set()
    stack = [root.get("/K")]
    while stack:
        item = stack.pop()
        if isinstance(item, pikepdf.Array):
            stack.extend(item)
        elif isinstance(item, pikepdf.Dictionary):
            if item.is_indirect:
                if item.objgen in seen:
                    continue
                seen.add(item.objgen)
            if "/K" in item:
                stack.append(item.K)
    return seen


def _scope_headers(root: Any) -> bool:
    """Give every /TH a /Scope: /Column under a /THead, else /Row. True if any was given."""
    import pikepdf

    changed = False
    stack = [(root.get("/K"), False)]
    while stack:
        item, in_head = stack.pop()
        if isinstance(item, pikepdf.Array):
            stack.extend((kid, in_head) for kid in item)
        elif isinstance(item, pikepdf.Dictionary) and "/S" in item:
            if item.S == "/TH":
                attributes = item.get("/A")
                owned = [attributes] if isinstance(attributes, pikepdf.Dictionary) else list(attributes or [])
                table = next((a for a in owned if isinstance(a, pikepdf.Dictionary) and a.get("/O") == "/Table"), None)
                if table is None:
                    table = pikepdf.Dictionary(O=pikepdf.Name.Table)
                    item.A = table if attributes is None else pikepdf.Array([*owned, table])
                if "/Scope" not in table:
                    table.Scope = pikepdf.Name.Column if in_head else pikepdf.Name.Row
                    changed = True
            if "/K" in item:
                stack.append((item.K, in_head or item.S == "/THead"))
    return changed


#: Structure elements that may hold a call-out (templates/blocks.html puts it in a section, maybe a quote).
_CALLOUT_PARENTS = frozenset({"/Sect", "/BlockQuote"})


def _tag_callouts(root: Any) -> bool:
    """Every /NonStruct in a /Sect or /BlockQuote that holds a /P becomes /Aside (role-mapped to /Sect)."""
    import pikepdf

    changed = False
    stack = [(root.get("/K"), "")]
    while stack:
        item, parent = stack.pop()
        if isinstance(item, pikepdf.Array):
            stack.extend((kid, parent) for kid in item)
        elif isinstance(item, pikepdf.Dictionary) and "/S" in item:
            found = item.get("/K")
            kids = list(found) if isinstance(found, pikepdf.Array) else [found]
            holds_text = any(isinstance(k, pikepdf.Dictionary) and k.get("/S") == "/P" for k in kids)
            if item.S == "/NonStruct" and parent in _CALLOUT_PARENTS and holds_text:
                item.S = pikepdf.Name.Aside
                changed = True
            if "/K" in item:
                stack.append((item.K, str(item.S)))
    if changed:
        role_map = root.get("/RoleMap")
        if role_map is None:
            root.RoleMap = role_map = pikepdf.Dictionary()
        role_map.Aside = pikepdf.Name.Sect
    return changed


def _parent_tree_arrays(root: Any) -> dict[int, Any]:
    """StructParents key -> the page's MCID-indexed array of structure elements (a flat number tree)."""
    nums = root.ParentTree.get("/Nums")
    if nums is None:
        return {}
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def repair(data: bytes) -> bytes:
    """``data`` (a tagged PDF) with furniture marked as artifacts, table headers scoped, call-outs as asides."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return data
        changed = _scope_headers(root)
        changed = _tag_callouts(root) or changed
        reachable = _reachable(root)
        arrays = _parent_tree_arrays(root)
        for page in pdf.pages:
            key = page.obj.get("/StructParents")
            mapping = arrays.get(int(key)) if key is not None else None
            if not isinstance(mapping, pikepdf.Array):
                continue
            orphans = {
                mcid
                for mcid, element in enumerate(mapping)
                if not isinstance(element, pikepdf.Dictionary) or element.objgen not in reachable
            }
            if not orphans:
                continue
            instructions = []
            for instruction in pikepdf.parse_content_stream(page):
                operands: list[Any] = list(instruction.operands)
                operator = instruction.operator
                if (
                    str(operator) == "BDC"
                    and len(operands) == 2
                    and isinstance(operands[1], pikepdf.Dictionary)
                    and int(operands[1].get("/MCID", -1)) in orphans
                ):
                    operands = [pikepdf.Name.Artifact, pikepdf.Dictionary(Type=pikepdf.Name.Pagination)]
                instructions.append((operands, operator))
            page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
            for mcid in orphans:
                mapping[mcid] = pikepdf.Object.parse(b"null")
            changed = True
        if not changed:
            return data
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True)
        return out.getvalue()
