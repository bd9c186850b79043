"""Run every benchmark in bench/ (files named bench_*.py, each with a main() returning
{"name": (value, "unit")}), print each figure as `name: value unit`, and write them all to
bench/latest.json. Usage: python bench/run.py [name-substring ...]"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main(argv: list[str]) -> int:
    figures: dict[str, dict[str, object]] = {}
    failed = []
    for path in sorted(HERE.glob("bench_*.py")):
        if argv and not any(word in path.stem for word in argv):
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        print(f"# {path.name}", flush=True)
        try:
            spec.loader.exec_module(module)
            result = module.main()
        except Exception as error:  # a broken benchmark is reported, and the others still run
            print(f"{path.stem}: FAILED {error!r}", flush=True)
            failed.append(path.stem)
            continue
        for name, (value, unit) in result.items():
            figures[name] = {"value": value, "unit": unit}
    (HERE / "latest.json").write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    print("\n# all figures")
    for name, figure in figures.items():
        print(f"{name}: {figure['value']} {figure['unit']}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
