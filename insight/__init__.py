"""Insight: commands that explain a program rather than run it (issue 8).

- callgraph: campaigns, the calls between them and what triggers them, with
  the checker's verdicts attached (`mkc graph`);
- mermaid, dot: the call graph as Mermaid or Graphviz text;
- contexts: every calling context a campaign can run in, and the value a
  My Token takes in each (shared by `refs` and `explain`);
- refs: every place a campaign, asset, program, field, person or My Token is used
  (`mkc refs`);
- explain: why one person does or does not qualify for one campaign, using
  the interpreter's own evaluation (`mkc explain`);
- diff: who an edit treats differently (`mkc diff`);
- commands: what the command line calls.

Everything here reads the checker's `Model`; nothing here changes it.
"""
