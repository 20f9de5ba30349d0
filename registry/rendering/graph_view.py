"""The review page's interactive graph: Graphviz's own SVG with pan, zoom, search, a node panel and MAC colouring.

The layout is Graphviz's (the SVG ``kreg plot`` draws); the interaction is a
small script written here, with no library: the page stays self-contained
and loads nothing. The script reads each node's layer path from its class
(``node path:inner/dense``, :func:`~kreg.inspect_tools.graph_labels.path_class`;
its name is the label's bold first line) and the figures of that layer from a
JSON block of the component's rows, keyed by path (two layers may share a
name: ``dense`` and ``inner/dense``): attributes, the shapes compute was
counted at, params, MACs and their share, and the calls that feed it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape

from kreg.inspect_tools.diff import ComponentDiff
from kreg.inspect_tools.layer_attributes import compact_attributes
from kreg.inspect_tools.report_types import ComponentReport, JsonValue, LayerRow, RepeatedBlock
from kreg.rendering.tables import shown_shapes

GRAPH_STYLE = """
.graph-tools { display:flex; gap:6px; align-items:center; flex-wrap:wrap; margin:6px 0; }
.graph-tools input { font: inherit; padding: 3px 6px; min-width: 16em; }
.graph-tools button, .graph-panel button { font: inherit; padding: 3px 10px; cursor: pointer; }
.graph-box { display:flex; gap:10px; }
.graph-stage { flex: 1; position: relative; min-width: 0; }
.graph-view { height: 70vh; border: 1px solid #ccd; overflow: hidden; cursor: grab; background: #fff; }
.graph-view svg { width: 100%; height: 100%; display: block; max-width: none; }
.graph-minimap { position: absolute; right: 6px; bottom: 6px; border: 1px solid #99a; background: rgba(255,255,255,.9);
  cursor: crosshair; }
.graph-panel { width: 22em; max-height: 70vh; overflow: auto; font-size: 13px; border: 1px solid #ccd; padding: 8px; }
.graph-panel dt { font-weight: 600; margin-top: 4px; }
.graph-panel dd { margin: 0 0 0 8px; font-family: ui-monospace, Menlo, Consolas, monospace; }
.graph-view g.node.hit polygon, .graph-view g.node.hit path { stroke: #d33; stroke-width: 4px; }
tr.block-row button { font: inherit; padding: 0 6px; cursor: pointer; }
tr.in-block { background: #f6f8fb; }
tr.in-block.folded { display: none; }
"""
"""The graph view's rules, added to the page's style (and the card's, scoped)."""

DIFF_COLOURS = {"removed": "#f4a9a0", "changed": "#ffd76e"}
"""Fills of the nodes the diff touches: calls only on this side, and calls whose figures or shapes differ."""

GRAPH_SCRIPT = r"""
(function () {
  function init(root) {
    if (root.dataset.live) return;
    root.dataset.live = 'true';
    function q(css) { return root.querySelector(css); }
    var view = q('.graph-view'), panel = q('.graph-panel'), status = q('.graph-status'), search = q('.graph-search');
    var minimap = q('.graph-minimap'), whole = q('template.graph-whole');
    var rows = JSON.parse(q('.graph-rows').textContent);
    var diff = q('.graph-diff-data') ? JSON.parse(q('.graph-diff-data').textContent) : null;
    var first = view.querySelector('svg');
    var state = {folded: !!whole, foldedSvg: first, wholeSvg: whole ? null : first, mode: diff ? 'diff' : 'plain'};
    var svg, full, box, nodes, shapes, drag = null;
    function load(drawing) {
      svg = drawing; var live = svg.viewBox.baseVal;  // live: it changes with the viewBox, so it is copied
      full = {x: live.x, y: live.y, width: live.width, height: live.height};
      box = {x: full.x, y: full.y, w: full.width, h: full.height}; nodes = []; shapes = null;
      svg.querySelectorAll('g.node').forEach(function (g) {
        var bold = g.querySelector('text[font-weight="bold"]') || g.querySelector('text');
        var name = bold ? bold.textContent.trim() : '';
        var key = pathOf(g) || name;
        g.setAttribute('data-name', name); g.setAttribute('data-path', key); g.style.cursor = 'pointer';
        nodes.push({g: g, name: name, key: key, row: rows[key]});
        g.addEventListener('click', function (event) { event.stopPropagation(); show(key); });
      });
      view.dataset.folded = state.folded; paint(); apply();
    }
    function pathOf(g) {
      // The layer's (or folded block's) whole path, from its class "path:..." (percent-encoded, one token).
      var token = (g.getAttribute('class') || '').split(' ').find(function (c) { return c.indexOf('path:') === 0; });
      return token ? decodeURIComponent(token.slice(5)) : null;
    }
    function apply() {
      svg.setAttribute('viewBox', [box.x, box.y, box.w, box.h].join(' '));
      view.dataset.zoom = (full.width / box.w).toFixed(3); drawMinimap();
    }
    function zoom(factor, cx, cy) {
      cx = cx === undefined ? box.x + box.w / 2 : cx; cy = cy === undefined ? box.y + box.h / 2 : cy;
      box.x = cx - (cx - box.x) / factor; box.y = cy - (cy - box.y) / factor; box.w /= factor; box.h /= factor;
      apply();
    }
    function fit() { box = {x: full.x, y: full.y, w: full.width, h: full.height}; apply(); }
    function centreAt(cx, cy, width) {
      if (width) { box.w = width; box.h = width * view.clientHeight / Math.max(1, view.clientWidth); }
      box.x = cx - box.w / 2; box.y = cy - box.h / 2; apply();
    }
    function centre(g, width) {
      // The node's place on screen, read back into the view's coordinates (Graphviz's group is translated).
      var r = g.getBoundingClientRect(); var s = svg.getBoundingClientRect();
      centreAt(box.x + (r.left + r.width / 2 - s.left) / s.width * box.w,
               box.y + (r.top + r.height / 2 - s.top) / s.height * box.h, width);
    }
    function node(key) { return nodes.find(function (n) { return n.key === key; }); }
    function inside(key, paths) {
      // A member's own node, or a node drawn inside it (a nested model's layers).
      return paths.some(function (p) { return key === p || key.indexOf(p + '/') === 0; });
    }
    function swap(folded) {
      if (folded === state.folded || !whole) return;
      if (!state.wholeSvg) state.wholeSvg = document.importNode(whole.content.querySelector('svg'), true);
      var next = folded ? state.foldedSvg : state.wholeSvg;
      view.replaceChild(next, svg); state.folded = folded; load(next);
      var toggle = q('.graph-fold'); if (toggle) toggle.textContent = folded ? 'unfold blocks' : 'fold blocks';
    }
    function expand(label) {
      var row = rows[label]; swap(false); show(label);
      var target = node(row.block.members[0]); if (target) centre(target.g, 900);
      nodes.forEach(function (n) { n.g.classList.toggle('hit', inside(n.key, row.block.members)); });
      status.textContent = label + ' expanded';
    }
    function collapse(label) {
      swap(true); var target = node(label); if (target) centre(target.g, 900);
      show(label); status.textContent = label + ' collapsed';
    }
    function show(key) {
      nodes.forEach(function (n) { n.g.classList.toggle('hit', n.key === key); });
      var row = rows[key];
      if (!row) { panel.innerHTML = '<p>' + escapeText(key) + ': no layer row</p>'; return; }
      var html = '<h4 class="panel-name">' + escapeText(row.path) + '</h4>';
      var block = row.block ? key : row.in_block;
      if (row.block && state.folded) html += '<button type="button" class="graph-expand">expand block</button>';
      if (block && !state.folded && whole) html += '<button type="button" class="graph-collapse">collapse '
        + escapeText(block) + '</button>';
      html += '<dl>';
      var items = [['class', row['class']], ['attributes', row.attributes_text]].concat(
        Object.keys(row.attributes).map(function (k) { return [k, JSON.stringify(row.attributes[k])]; })).concat([
        ['input', row.input], ['output', row.output], ['params', row.params], ['MACs', row.macs],
        ['share of MACs', row.macs_share], ['inputs', row.inputs.join(', ') || '-']]);
      if (diff && diff.status[key]) items.push(['diff', diff.status[key]]);
      items.forEach(function (item) {
        html += '<dt>' + escapeText(item[0]) + '</dt><dd data-field="' + escapeText(item[0]) + '">';
        html += escapeText(String(item[1])) + '</dd>';
      });
      panel.innerHTML = html + '</dl>';
      if (root.id) panel.querySelector('.panel-name').id = 'panel-name';  // the page's one graph
      var open = panel.querySelector('.graph-expand'); if (open) open.onclick = function () { expand(key); };
      var back = panel.querySelector('.graph-collapse'); if (back) back.onclick = function () { collapse(block); };
    }
    function escapeText(text) { var d = document.createElement('div'); d.textContent = text; return d.innerHTML; }
    function fill(n, original) {
      if (state.mode === 'macs') {
        var share = n.row && n.row.macs_share ? Math.sqrt(n.row.macs_share) : 0;
        return 'rgb(255,' + Math.round(255 - 200 * share) + ',' + Math.round(255 - 230 * share) + ')';
      }
      if (state.mode === 'diff' && diff.status[n.key]) return diff.colours[diff.status[n.key]];
      return original;
    }
    function paint() {
      nodes.forEach(function (n) {
        n.g.querySelectorAll('polygon[fill]').forEach(function (shape) {
          if (!shape.dataset.fill) shape.dataset.fill = shape.getAttribute('fill');
          if (shape.dataset.fill !== 'none') shape.setAttribute('fill', fill(n, shape.dataset.fill));
        });
      });
      view.dataset.mode = state.mode; view.dataset.coloured = state.mode === 'macs';
    }
    function nodeShapes() {
      // Each node's box in the drawing's coordinates, once per drawing: Graphviz translates its top group.
      var top = svg.querySelector('g.graph'); var m = top && top.transform.baseVal.consolidate();
      m = m ? m.matrix : {a: 1, d: 1, e: 0, f: 0};
      return nodes.map(function (n) {
        var b = n.g.getBBox();
        return {x: m.a * b.x + m.e, y: m.d * b.y + m.f, w: m.a * b.width, h: m.d * b.height};
      });
    }
    function drawMinimap() {
      if (!minimap || !minimap.getContext) return;
      var scale = Math.min(160 / full.width, 200 / full.height);
      minimap.width = Math.max(20, Math.round(full.width * scale));
      minimap.height = Math.max(20, Math.round(full.height * scale));
      minimap.dataset.scale = scale;
      var c = minimap.getContext('2d'); c.clearRect(0, 0, minimap.width, minimap.height);
      if (!shapes) shapes = nodeShapes();
      c.fillStyle = '#6b8fc0';
      shapes.forEach(function (r) {
        c.fillRect((r.x - full.x) * scale, (r.y - full.y) * scale, Math.max(1, r.w * scale), Math.max(1, r.h * scale));
      });
      c.strokeStyle = '#d33'; c.lineWidth = 2;
      c.strokeRect((box.x - full.x) * scale, (box.y - full.y) * scale, box.w * scale, box.h * scale);
    }
    function point(event) {
      var r = svg.getBoundingClientRect();
      return {x: box.x + (event.clientX - r.left) / r.width * box.w,
              y: box.y + (event.clientY - r.top) / r.height * box.h};
    }
    view.addEventListener('wheel', function (event) {
      event.preventDefault(); var p = point(event); zoom(event.deltaY < 0 ? 1.25 : 0.8, p.x, p.y);
    }, {passive: false});
    view.addEventListener('mousedown', function (event) { drag = {x: event.clientX, y: event.clientY}; });
    window.addEventListener('mouseup', function () { drag = null; });
    window.addEventListener('mousemove', function (event) {
      if (!drag) return; var r = svg.getBoundingClientRect();
      box.x -= (event.clientX - drag.x) / r.width * box.w; box.y -= (event.clientY - drag.y) / r.height * box.h;
      drag = {x: event.clientX, y: event.clientY}; apply();
    });
    if (minimap) minimap.addEventListener('click', function (event) {
      var r = minimap.getBoundingClientRect(); var scale = Number(minimap.dataset.scale);
      centreAt(full.x + (event.clientX - r.left) / scale, full.y + (event.clientY - r.top) / scale);
    });
    function find() {
      var query = search.value.trim().toLowerCase(); if (!query) return;
      function match() {
        return nodes.find(function (n) {
          return n.name.toLowerCase() === query || n.key.toLowerCase() === query;
        }) || nodes.find(function (n) {
          return n.key.toLowerCase().indexOf(query) >= 0 || (n.row && n.row['class'].toLowerCase() === query);
        });
      }
      var found = match();
      if (!found && state.folded && whole) { swap(false); found = match(); }
      if (!found) { status.textContent = 'no match'; return; }
      status.textContent = found.name; centre(found.g, 700); show(found.key);
    }
    function act(name, action) { var b = q('.graph-' + name); if (b) b.onclick = action; }
    search.addEventListener('keydown', function (event) { if (event.key === 'Enter') find(); });
    act('find', find);
    act('zoom-in', function () { zoom(1.5); });
    act('zoom-out', function () { zoom(1 / 1.5); });
    act('fit', fit);
    act('colour', function () { state.mode = state.mode === 'macs' ? 'plain' : 'macs'; paint(); });
    act('diff', function () { state.mode = state.mode === 'diff' ? 'plain' : 'diff'; paint(); });
    act('fold', function () { swap(!state.folded); });
    load(first);
    view.dataset.ready = Math.round(performance.now());
  }
  document.querySelectorAll('.kreg-graph').forEach(init);
  document.querySelectorAll('tr.block-row button').forEach(function (button) {
    if (button.dataset.live) return;
    button.dataset.live = 'true';
    button.onclick = function () {
      var block = button.getAttribute('data-block'); var open = button.getAttribute('aria-expanded') !== 'true';
      document.querySelectorAll('tr.in-block[data-block="' + block + '"]').forEach(function (tr) {
        tr.classList.toggle('folded', !open);
      });
      button.setAttribute('aria-expanded', open); button.textContent = open ? 'collapse' : 'expand';
    };
  });
})();
"""
"""The graph view's script: vanilla JavaScript, no library; it sets up every ``.kreg-graph`` on the page once."""


@dataclass(frozen=True)
class GraphDrawings:
    """What the interactive graph shows.

    Attributes:
        whole: str. The SVG with every layer drawn.
        folded: str or None. The SVG with repeated blocks folded ("block x N"), shown first; None when none fold.
        diff: ComponentDiff or None. The model component's diff against the other side (``--against``).
        other: str. What the other side is called, for the legend.
    """

    whole: str
    folded: str | None = None
    diff: ComponentDiff | None = None
    other: str = "the other side"


def interactive_graph(drawings: GraphDrawings, component: ComponentReport, ids: bool = True) -> str:
    """The graph's toolbar, the SVG in a pan-and-zoom view with a minimap, the node panel and the data they read.

    Args:
        drawings: GraphDrawings. The SVGs and the diff.
        component: ComponentReport. The drawn component's report (what the panel shows).
        ids: bool. Give the controls ids (the page has one graph; a notebook may show many cards, so they have none).
    """
    buttons = [("find", "find"), ("zoom-in", "zoom in"), ("zoom-out", "zoom out"), ("fit", "fit")]
    buttons.append(("colour", "colour by MACs"))
    if drawings.folded is not None:
        buttons.append(("fold", "unfold blocks"))
    if drawings.diff is not None:
        buttons.append(("diff", "diff colours"))
    tools = (
        f'<div class="graph-tools"><input class="graph-search"{_id(ids, "graph-search")} type="search" '
        'placeholder="find a layer by name or class">'
        + "".join(
            f'<button class="graph-{key}"{_id(ids, "graph-" + key)} type="button">{escape(text)}</button>'
            for key, text in buttons
        )
        + f'<span class="graph-status note"{_id(ids, "graph-status")}></span></div>'
    )
    panel = f'<aside class="graph-panel"{_id(ids, "graph-panel")}><p>Click a node for its figures.</p></aside>'
    whole, folded = drawings.whole, drawings.folded
    if not ids:  # Graphviz names its groups graph0, node1 ...: a second card would repeat them
        whole, folded = _SVG_ID.sub("", whole), None if folded is None else _SVG_ID.sub("", folded)
    shown = folded if folded is not None else whole
    view = f'<div class="graph-view"{_id(ids, "graph-view")}{_height_limit(whole)}>{shown}</div>'
    minimap = '<canvas class="graph-minimap" title="the whole graph: click to go there"></canvas>'
    parts = [
        f'<div class="kreg-graph"{_id(ids, "graph-root")}>{tools}',
        f'<div class="graph-box"><div class="graph-stage">{view}{minimap}</div>{panel}</div>',
        _json_block("graph-rows", node_rows(component)),
    ]
    if folded is not None:
        parts.append(f'<template class="graph-whole">{whole}</template>')
    if drawings.diff is not None:
        parts.append(_json_block("graph-diff-data", diff_statuses(drawings.diff, component)))
    parts.append("</div>")
    return "".join(parts)


def diff_legend(diff: ComponentDiff, other: str) -> str:
    """The legend of the diff colours, and the calls only on the other side (which this graph cannot show)."""
    swatches = "".join(
        f'<span class="swatch" style="background:{colour}"></span>{escape(text)}'
        for colour, text in (
            (DIFF_COLOURS["removed"], f"only here (not in {other})"),
            (DIFF_COLOURS["changed"], "changed (shapes or figures differ)"),
        )
    )
    added = [change.path for change in diff.layers if change.status == "added"]
    extra = ""
    if added:
        shown = ", ".join(added[:12]) + (f" and {len(added) - 12:,} more" if len(added) > 12 else "")
        extra = f"; {len(added):,} calls only in {escape(other)} (not in this graph): <code>{escape(shown)}</code>"
    return f'<p class="legend graph-diff-legend">Diff: {swatches}{extra}</p>'


def diff_statuses(diff: ComponentDiff, component: ComponentReport) -> dict[str, JsonValue]:
    """``{"status": {node name: "removed"|"changed"}, "colours": {...}}`` for this side's nodes and folded blocks."""
    status: dict[str, JsonValue] = {}
    for change in diff.layers:
        if change.status in ("removed", "changed") and change.left is not None:
            status.setdefault(change.left.path, change.status)
    for label, members in _block_members(component).items():
        if any(path == member or path.startswith(member + "/") for path in status for member in members):
            status[label] = "changed"
    return {"status": status, "colours": dict(DIFF_COLOURS)}


_SVG_ID = re.compile(r'\sid="[^"]*"')


def _id(ids: bool, name: str) -> str:
    return f' id="{name}"' if ids else ""


def _json_block(css_class: str, data: object) -> str:
    text = json.dumps(data, separators=(",", ":")).replace("<", "\\u003c")
    return f'<script type="application/json" class="{css_class}">{text}</script>'


def _height_limit(svg: str) -> str:
    """``style="max-height: ...px"``: a small graph's view no taller than the graph (its height in pt)."""
    match = re.search(r'<svg[^>]*\sheight="([0-9.]+)pt"', svg)
    if match is None:
        return ""
    return f' style="max-height: {float(match.group(1)) * 4 / 3 + 4:.0f}px"'


def node_rows(component: ComponentReport) -> dict[str, dict[str, JsonValue]]:
    """What the panel shows, by the path a graph node carries (a row's whole path: ``dense`` and
    ``inner/dense`` are two rows).

    A folded block is there too, by its label (``conv2_block1..3``), with the paths of its members; a member
    names the block it belongs to (``in_block``).
    """
    per_position = component.compute.per_position
    rows: dict[str, dict[str, JsonValue]] = {}
    for row in component.layers:
        macs = row.macs_per_position if per_position else row.macs
        shown_input, shown_output = shown_shapes(row)
        rows[row.path] = {
            "path": row.path,
            "class": row.layer_class,
            "attributes": dict(row.attributes),
            "attributes_text": compact_attributes(row.attributes) or "-",
            "input": shown_input,
            "output": shown_output,
            "params": f"{row.params:,}",
            "macs": _macs_text(macs, per_position),
            "macs_share": row.macs_share,
            "inputs": list(row.inputs),
        }
    for block, (first, last, members) in _blocks(component).items():
        for inner in _span(component, block):  # its calls, and those inside them
            rows[inner.path]["in_block"] = block.label
        shares = [row.macs_share for row in _span(component, block) if row.path.count("/") == first.path.count("/")]
        rows[block.label] = {
            "path": block.label,
            "class": f"block x {block.count}",
            "attributes": {},
            "attributes_text": f"{block.count} blocks, found by {block.found_by}",
            "input": shown_shapes(first)[0],
            "output": shown_shapes(last)[1],
            "params": f"{block.params:,}",
            "macs": _macs_text(block.mac_count, per_position),
            "macs_share": None if any(share is None for share in shares) else round(sum(s or 0 for s in shares), 6),
            "inputs": list(first.inputs),
            "block": {"members": list(members)},
        }
    return rows


def _macs_text(macs: int | None, per_position: bool) -> str:
    return "-" if macs is None else f"{macs:,}" + (" per position" if per_position else "")


def _span(component: ComponentReport, block: RepeatedBlock) -> list[LayerRow]:
    paths = [row.path for row in component.layers]
    return list(component.layers[paths.index(block.first) : paths.index(block.last) + 1])


def _blocks(component: ComponentReport) -> dict[RepeatedBlock, tuple[LayerRow, LayerRow, list[str]]]:
    """Each repeated block's first and last row and the paths of the nodes it folds (its top-level calls)."""
    found = {}
    for block in component.repeats or ():
        span = _span(component, block)
        depth = block.first.count("/")
        members = [row.path for row in span if row.path.count("/") == depth]
        found[block] = (span[0], span[-1], list(dict.fromkeys(members)))
    return found


def _block_members(component: ComponentReport) -> dict[str, list[str]]:
    return {block.label: members for block, (_, _, members) in _blocks(component).items()}


def script_tag() -> str:
    """The graph view's script, inline."""
    return f"<script>{GRAPH_SCRIPT}</script>"


def layers_table(component: ComponentReport) -> str:
    """The layers table of the page: a folded block is one row with an expand button over its hidden rows."""
    per_position = component.compute.per_position
    blocks = {block.first: (number, block) for number, block in enumerate(component.repeats or ())}
    head = "".join(
        f"<th>{escape(c)}</th>" for c in ["path", "class", "input", "output", "params", "MACs", "attributes"]
    )
    body: list[str] = []
    block_number: int | None = None
    last = ""
    for row in component.layers:
        if row.path in blocks:
            block_number, block = blocks[row.path]
            last = block.last
            button = f'<button type="button" data-block="{block_number}" aria-expanded="false">expand</button>'
            cells = [f"{button} <code>{escape(block.label)}</code>", f"block x {block.count}", "", ""]
            cells += [f"{block.params:,}", _count(block.mac_count), ""]
            body.append(f'<tr class="block-row" data-block="{block_number}">' + _cells(cells) + "</tr>")
        macs = row.macs_per_position if per_position else row.macs
        shown_input, shown_output = shown_shapes(row)
        texts = [row.path, row.layer_class, shown_input, shown_output, f"{row.params:,}", _count(macs)]
        cells = [f"<code>{escape(text)}</code>" if i in (0, 2, 3) else escape(text) for i, text in enumerate(texts)]
        cells.append(escape(compact_attributes(row.attributes)))
        inside = f' class="in-block folded" data-block="{block_number}"' if block_number is not None else ""
        body.append(f"<tr{inside}>" + _cells(cells) + "</tr>")
        if row.path == last:
            block_number, last = None, ""
    return f'<table class="layers"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _cells(cells: list[str]) -> str:
    return "".join(f"<td>{cell}</td>" for cell in cells)


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"
