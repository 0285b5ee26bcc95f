#!/usr/bin/env python3
"""Writes the engine benchmark workflows into a directory:
chain40.yaml   40 nodes in sequence, each sleeping 10 ms
fan1000.yaml   one root, 998 independent nodes after it, one sink after all of them
validate1000.yaml  a 1000-node workflow (sources, chains of transforms, sinks) for `flow validate`
copy.yaml      file_input NDJSON -> file_output NDJSON (the memory benchmark)
"""
import os
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

with open(os.path.join(out, "chain40.yaml"), "w") as f:
    f.write("name: chain40\nnodes:\n")
    for i in range(40):
        f.write(f"  n{i}:\n    type: sleep\n    duration: 10ms\n")
        if i > 0:
            f.write(f"    after: n{i-1}\n")

with open(os.path.join(out, "fan1000.yaml"), "w") as f:
    f.write("name: fan1000\nnodes:\n  root:\n    type: sleep\n    duration: 10ms\n")
    for i in range(998):
        f.write(f"  w{i}:\n    type: sleep\n    duration: 10ms\n    after: root\n")
    f.write("  sink:\n    type: sleep\n    duration: 10ms\n    after: [" + ", ".join(f"w{i}" for i in range(998)) + "]\n")

with open(os.path.join(out, "validate1000.yaml"), "w") as f:
    f.write("name: validate1000\nparams:\n  dir: { type: string, default: out }\n  pause: { type: string, default: 1ms }\nnodes:\n")
    # 100 pipelines of 10 nodes: source -> 8 steps -> sink
    for p in range(100):
        f.write(f"  src{p}:\n    type: inline\n    records:\n      - {{ id: {p}, name: \"item {p}\" }}\n")
        prev = f"src{p}"
        for s in range(8):
            node = f"p{p}s{s}"
            f.write(f"  {node}:\n    type: sleep\n    input: {prev}\n    duration: \"${{params.pause}}\"\n    retry: {{ attempts: 2, initial: 10ms }}\n")
            prev = node
        f.write(f"  out{p}:\n    type: file_output\n    input: {prev}\n    path: \"${{params.dir}}/part-{p}.ndjson\"\n")

with open(os.path.join(out, "copy.yaml"), "w") as f:
    f.write("""name: copy
params:
  input: { type: string, required: true }
  output: { type: string, default: /dev/null }
nodes:
  read:
    type: file_input
    path: ${params.input}
    format: ndjson
  write:
    type: file_output
    input: read
    path: ${params.output}
    format: ndjson
""")
