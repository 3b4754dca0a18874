"""Side-by-side speed benchmarks of minigrad against PyTorch: ``python -m bench``.

``bench.run`` times training steps and single ops, ``bench.report`` writes the
Markdown/JSON/PNG report, ``bench.models`` holds the networks (written once against a
namespace ``nn``), and ``bench.longrun`` is the long-run memory and deep-graph script.
"""
