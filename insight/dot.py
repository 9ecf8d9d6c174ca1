"""The call graph as Graphviz `dot` text, and rendering it to SVG."""

from __future__ import annotations

import shutil
import subprocess

from mkc.insight.callgraph import CallGraph, Edge, Group, Node
from mkc.source import BadInput

RED = "#d00000"
GREY = "#888888"
INSTALL_HINT = "install Graphviz (on Debian or Ubuntu: apt-get install graphviz)"


def render(graph: CallGraph) -> str:
    out = [
        "digraph mkc {",
        "  rankdir=LR;",
        '  graph [fontname="Helvetica", fontsize=12];',
        '  node [shape=box, fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for group in graph.groups:
        _group(graph, group, out, "  ")
    for node_id in graph.loose:
        out.append("  " + _node(graph.nodes[node_id]))
    for edge in graph.edges:
        out.append("  " + _edge(edge))
    out.append("}")
    return "\n".join(out) + "\n"


def _group(graph: CallGraph, group: Group, out: list[str], pad: str) -> None:
    out.append(f"{pad}subgraph cluster_{group.id} {{")
    out.append(f'{pad}  label="{_escape(group.label)}";')
    for inner in group.groups:
        _group(graph, inner, out, pad + "  ")
    for node_id in group.nodes:
        out.append(pad + "  " + _node(graph.nodes[node_id]))
    out.append(f"{pad}}}")


def _node(node: Node) -> str:
    attrs = ['label="' + "\\n".join(_escape(line) for line in node.label) + '"']
    if node.kind == "trigger":
        attrs += ["shape=ellipse", "style=filled", 'fillcolor="#f4f4f4"']
    elif node.kind == "missing":
        attrs += ["shape=hexagon"]
    elif node.campaign is not None and node.campaign.kind == "executable":
        attrs += ["style=rounded"]
    if node.problems or node.kind == "missing":
        attrs += [f'color="{RED}"', f'fontcolor="{RED}"', "penwidth=2"]
    return f"{node.id} [{', '.join(attrs)}];"


def _edge(edge: Edge) -> str:
    attrs = [f'label="{_escape(edge.label)}"'] if edge.label else []
    if edge.kind == "request":
        attrs.append("style=dashed")
    elif edge.kind == "fires":
        attrs += ["style=dotted", f'color="{GREY}"', f'fontcolor="{GREY}"']
    if edge.problems:
        attrs += [f'color="{RED}"', f'fontcolor="{RED}"', "penwidth=2"]
    tail = f" [{', '.join(attrs)}]" if attrs else ""
    return f"{edge.source} -> {edge.target}{tail};"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_svg(dot_text: str, out_path: str) -> None:
    """Render with Graphviz's `dot` program; BadInput when it is missing or fails."""
    program = shutil.which("dot")
    if program is None:
        raise BadInput(f"--svg needs Graphviz's `dot` program, which is not installed: {INSTALL_HINT}")
    proc = subprocess.run([program, "-Tsvg", "-o", out_path], input=dot_text, capture_output=True, text=True)
    if proc.returncode != 0:
        reason = (proc.stderr.strip().splitlines() or ["it failed"])[0]
        raise BadInput(f"{out_path}: Graphviz could not write the SVG: {reason}")
