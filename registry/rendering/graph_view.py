"""The review page's interactive graph: Graphviz's own SVG with pan, zoom, search, a node panel and MAC colouring.

The layout is Graphviz's (the SVG ``kreg plot`` draws); the interaction is a
small script written here, with no library: the page stays self-contained
and loads nothing. The script reads each node's layer name from its label
(the bold first line) and the figures of that layer from a JSON block of the
component's rows: attributes, the shapes compute was counted at, params,
MACs and their share, and the calls that feed it.
"""

from __future__ import annotations

import json
import re
from html import escape

from kreg.inspect_tools.layer_attributes import compact_attributes
from kreg.inspect_tools.report_types import ComponentReport, JsonValue
from kreg.rendering.tables import shown_shapes

GRAPH_STYLE = """
.graph-tools { display:flex; gap:6px; align-items:center; flex-wrap:wrap; margin:6px 0; }
.graph-tools input { font: inherit; padding: 3px 6px; min-width: 16em; }
.graph-tools button { font: inherit; padding: 3px 10px; cursor: pointer; }
.graph-box { display:flex; gap:10px; }
.graph-view { flex: 1; height: 70vh; border: 1px solid #ccd; overflow: hidden; cursor: grab; background: #fff; }
.graph-view svg { width: 100%; height: 100%; display: block; max-width: none; }
.graph-panel { width: 22em; max-height: 70vh; overflow: auto; font-size: 13px; border: 1px solid #ccd; padding: 8px; }
.graph-panel dt { font-weight: 600; margin-top: 4px; }
.graph-panel dd { margin: 0 0 0 8px; font-family: ui-monospace, Menlo, Consolas, monospace; }
.graph-view g.node.hit polygon, .graph-view g.node.hit path { stroke: #d33; stroke-width: 4px; }
tr.block-row button { font: inherit; padding: 0 6px; cursor: pointer; }
tr.in-block { background: #f6f8fb; }
tr.in-block.folded { display: none; }
"""
"""The graph view's rules, added to the page's style."""

GRAPH_SCRIPT = r"""
(function () {
  var view = document.getElementById('graph-view');
  if (!view) return;
  var svg = view.querySelector('svg');
  var rows = JSON.parse(document.getElementById('graph-rows').textContent);
  var panel = document.getElementById('graph-panel');
  var live = svg.viewBox.baseVal;  // live: changes with the viewBox, so the whole graph's is copied
  var full = {x: live.x, y: live.y, width: live.width, height: live.height};
  var box = {x: full.x, y: full.y, w: full.width, h: full.height};
  var nodes = [];
  svg.querySelectorAll('g.node').forEach(function (g) {
    var bold = g.querySelector('text[font-weight="bold"]') || g.querySelector('text');
    var name = bold ? bold.textContent.trim() : '';
    var row = rows[name];
    g.setAttribute('data-name', name);
    g.style.cursor = 'pointer';
    nodes.push({g: g, name: name, row: row});
    g.addEventListener('click', function (event) { event.stopPropagation(); show(name); });
  });
  function apply() {
    svg.setAttribute('viewBox', [box.x, box.y, box.w, box.h].join(' '));
    view.dataset.zoom = (full.width / box.w).toFixed(3);
  }
  function zoom(factor, cx, cy) {
    cx = cx === undefined ? box.x + box.w / 2 : cx; cy = cy === undefined ? box.y + box.h / 2 : cy;
    box.x = cx - (cx - box.x) / factor; box.y = cy - (cy - box.y) / factor; box.w /= factor; box.h /= factor; apply();
  }
  function fit() { box = {x: full.x, y: full.y, w: full.width, h: full.height}; apply(); }
  function centre(g, width) {
    // The node's place on screen, read back into the view's coordinates (Graphviz's group is translated).
    var r = g.getBoundingClientRect(); var s = svg.getBoundingClientRect();
    var cx = box.x + (r.left + r.width / 2 - s.left) / s.width * box.w;
    var cy = box.y + (r.top + r.height / 2 - s.top) / s.height * box.h;
    var ratio = view.clientHeight / view.clientWidth; box.w = width; box.h = width * ratio;
    box.x = cx - box.w / 2; box.y = cy - box.h / 2; apply();
  }
  function show(name) {
    var node = nodes.find(function (n) { return n.name === name; });
    nodes.forEach(function (n) { n.g.classList.toggle('hit', n.name === name); });
    var row = rows[name];
    if (!row) { panel.innerHTML = '<p>' + escapeText(name) + ': no layer row</p>'; return; }
    var html = '<h4 id="panel-name">' + escapeText(row.path) + '</h4><dl>';
    [['class', row['class']], ['attributes', row.attributes_text]].concat(
      Object.keys(row.attributes).map(function (k) { return [k, JSON.stringify(row.attributes[k])]; })).concat([
      ['input', row.input], ['output', row.output], ['params', row.params], ['MACs', row.macs],
      ['share of MACs', row.macs_share], ['inputs', row.inputs.join(', ') || '-']]).forEach(function (item) {
      html += '<dt>' + escapeText(item[0]) + '</dt><dd data-field="' + escapeText(item[0]) + '">';
      html += escapeText(String(item[1])) + '</dd>';
    });
    panel.innerHTML = html + '</dl>';
    if (node) node.g.classList.add('hit');
  }
  function escapeText(text) { var d = document.createElement('div'); d.textContent = text; return d.innerHTML; }
  function point(event) {
    var r = svg.getBoundingClientRect();
    return {x: box.x + (event.clientX - r.left) / r.width * box.w,
            y: box.y + (event.clientY - r.top) / r.height * box.h};
  }
  view.addEventListener('wheel', function (event) {
    event.preventDefault(); var p = point(event); zoom(event.deltaY < 0 ? 1.25 : 0.8, p.x, p.y);
  }, {passive: false});
  var drag = null;
  view.addEventListener('mousedown', function (event) { drag = {x: event.clientX, y: event.clientY}; });
  window.addEventListener('mouseup', function () { drag = null; });
  window.addEventListener('mousemove', function (event) {
    if (!drag) return; var r = svg.getBoundingClientRect();
    box.x -= (event.clientX - drag.x) / r.width * box.w; box.y -= (event.clientY - drag.y) / r.height * box.h;
    drag = {x: event.clientX, y: event.clientY}; apply();
  });
  document.getElementById('graph-zoom-in').onclick = function () { zoom(1.5); };
  document.getElementById('graph-zoom-out').onclick = function () { zoom(1 / 1.5); };
  document.getElementById('graph-fit').onclick = fit;
  var search = document.getElementById('graph-search');
  function find() {
    var query = search.value.trim().toLowerCase(); if (!query) return;
    var found = nodes.find(function (n) { return n.name.toLowerCase() === query; }) || nodes.find(function (n) {
      return n.name.toLowerCase().indexOf(query) >= 0 || (n.row && n.row['class'].toLowerCase() === query);
    });
    var status = document.getElementById('graph-status');
    if (!found) { status.textContent = 'no match'; return; }
    status.textContent = found.name; centre(found.g, 700); show(found.name);
  }
  search.addEventListener('keydown', function (event) { if (event.key === 'Enter') find(); });
  document.getElementById('graph-find').onclick = find;
  var coloured = false;
  document.getElementById('graph-colour').onclick = function () {
    coloured = !coloured;
    nodes.forEach(function (n) {
      n.g.querySelectorAll('polygon[fill]').forEach(function (shape) {
        if (!shape.dataset.fill) shape.dataset.fill = shape.getAttribute('fill');
        var share = n.row && n.row.macs_share ? Math.sqrt(n.row.macs_share) : 0;
        var heat = 'rgb(255,' + Math.round(255 - 200 * share) + ',' + Math.round(255 - 230 * share) + ')';
        shape.setAttribute('fill', coloured && shape.dataset.fill !== 'none' ? heat : shape.dataset.fill);
      });
    });
    view.dataset.coloured = coloured;
  };
  document.querySelectorAll('tr.block-row button').forEach(function (button) {
    button.onclick = function () {
      var block = button.getAttribute('data-block'); var open = button.getAttribute('aria-expanded') !== 'true';
      document.querySelectorAll('tr.in-block[data-block="' + block + '"]').forEach(function (tr) {
        tr.classList.toggle('folded', !open);
      });
      button.setAttribute('aria-expanded', open); button.textContent = open ? 'collapse' : 'expand';
    };
  });
  apply();
})();
"""
"""The graph view's script: vanilla JavaScript, no library, run once the page has loaded."""


def interactive_graph(svg: str, component: ComponentReport) -> str:
    """The graph's toolbar, the SVG in a pan-and-zoom view, the node panel, and the rows the panel reads."""
    tools = (
        '<div class="graph-tools">'
        '<input id="graph-search" type="search" placeholder="find a layer by name or class">'
        '<button id="graph-find" type="button">find</button>'
        '<button id="graph-zoom-in" type="button">zoom in</button>'
        '<button id="graph-zoom-out" type="button">zoom out</button>'
        '<button id="graph-fit" type="button">fit</button>'
        '<button id="graph-colour" type="button">colour by MACs</button>'
        '<span id="graph-status" class="note"></span></div>'
    )
    panel = '<aside id="graph-panel" class="graph-panel"><p>Click a node for its figures.</p></aside>'
    data = json.dumps(node_rows(component), separators=(",", ":")).replace("<", "\\u003c")
    return (
        f'{tools}<div class="graph-box"><div id="graph-view" class="graph-view"{_height_limit(svg)}>{svg}</div>'
        f"{panel}</div>"
        f'<script type="application/json" id="graph-rows">{data}</script>'
    )


def _height_limit(svg: str) -> str:
    """``style="max-height: ...px"``: a small graph's view no taller than the graph (its height in pt)."""
    match = re.search(r'<svg[^>]*\sheight="([0-9.]+)pt"', svg)
    if match is None:
        return ""
    return f' style="max-height: {float(match.group(1)) * 4 / 3 + 4:.0f}px"'


def node_rows(component: ComponentReport) -> dict[str, dict[str, JsonValue]]:
    """What the panel shows, by the name a graph node carries (a row's last path part; the first row wins)."""
    per_position = component.compute.per_position
    rows: dict[str, dict[str, JsonValue]] = {}
    for row in component.layers:
        name = row.path.rsplit("/", 1)[-1]
        if name in rows:
            continue
        macs = row.macs_per_position if per_position else row.macs
        shown_input, shown_output = shown_shapes(row)
        rows[name] = {
            "path": row.path,
            "class": row.layer_class,
            "attributes": dict(row.attributes),
            "attributes_text": compact_attributes(row.attributes) or "-",
            "input": shown_input,
            "output": shown_output,
            "params": f"{row.params:,}",
            "macs": "-" if macs is None else f"{macs:,}" + (" per position" if per_position else ""),
            "macs_share": row.macs_share,
            "inputs": list(row.inputs),
        }
    return rows


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
