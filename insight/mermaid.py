"""The call graph as a Mermaid flowchart (GitHub and most Markdown viewers draw it)."""

from __future__ import annotations

from mkc.insight.callgraph import CallGraph, Group, Node

RED = "#d00"
GREY = "#888"
ARROWS = {"execute": "-->", "trigger": "-->", "request": "-.->", "fires": "-.->"}


def render(graph: CallGraph) -> str:
    out = ["flowchart LR"]
    for group in graph.groups:
        _group(graph, group, out, "  ")
    for node_id in graph.loose:
        out.append("  " + _node(graph.nodes[node_id]))
    red_links, grey_links = [], []
    for i, edge in enumerate(graph.edges):
        label = f'|"{_escape(edge.label)}"|' if edge.label else ""
        out.append(f"  {edge.source} {ARROWS[edge.kind]}{label} {edge.target}")
        if edge.problems:
            red_links.append(str(i))
        elif edge.kind == "fires":
            grey_links.append(str(i))
    out.append(f"  classDef error stroke:{RED},stroke-width:2px,color:{RED}")
    out.append("  classDef event fill:#f4f4f4,stroke:#999")
    red = [n.id for n in graph.nodes.values() if n.problems or n.kind == "missing"]
    events = [n.id for n in graph.nodes.values() if n.kind == "trigger"]
    if events:
        out.append(f"  class {','.join(events)} event")
    if red:
        out.append(f"  class {','.join(red)} error")
    if grey_links:
        out.append(f"  linkStyle {','.join(grey_links)} stroke:{GREY},color:{GREY}")
    if red_links:
        out.append(f"  linkStyle {','.join(red_links)} stroke:{RED},color:{RED}")
    return "\n".join(out) + "\n"


def _group(graph: CallGraph, group: Group, out: list[str], pad: str) -> None:
    out.append(f'{pad}subgraph {group.id}["{_escape(group.label)}"]')
    for inner in group.groups:
        _group(graph, inner, out, pad + "  ")
    for node_id in group.nodes:
        out.append(pad + "  " + _node(graph.nodes[node_id]))
    out.append(f"{pad}end")


def _node(node: Node) -> str:
    text = "<br/>".join(_escape(line) for line in node.label)
    if node.kind == "trigger":
        return f'{node.id}(["{text}"])'
    if node.kind == "missing":
        return f'{node.id}{{{{"{text}"}}}}'
    if node.campaign is not None and node.campaign.kind == "executable":
        return f'{node.id}("{text}")'
    return f'{node.id}["{text}"]'


def _escape(text: str) -> str:
    """Mermaid's entity codes for what would end or confuse a quoted label."""
    return text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
