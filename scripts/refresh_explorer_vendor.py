"""Refresh the browser libraries vendored into btctrace/exports/explorer/vendor/ from the npm registry.

    python scripts/refresh_explorer_vendor.py                       # the pinned versions below
    python scripts/refresh_explorer_vendor.py --cytoscape 3.35.0 --cytoscape-dagre 4.0.1

Needs ``npm``. For each package it runs ``npm pack NAME@VERSION``, copies the minified browser
build and the licence text, strips the ``sourceMappingURL`` comment (the page must ask for
nothing), and writes ``VENDOR.json``: name, version, licence, the npm tarball's integrity, and
the SHA-256 of the file as published and as vendored. cytoscape-dagre's build bundles
@dagrejs/dagre and @dagrejs/graphlib (both MIT); their licence texts are vendored with it.
Only MIT-licensed packages are accepted (GPL and EPL extensions are not).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "btctrace" / "exports" / "explorer" / "vendor"
FILES = {"cytoscape": "dist/cytoscape.min.js", "cytoscape-dagre": "dist/cytoscape-dagre.min.js"}
LICENCE_ONLY = {"@dagrejs/dagre": "3.0.0", "@dagrejs/graphlib": "4.0.6"}  # bundled inside cytoscape-dagre


def _pack(spec: str, folder: Path) -> tuple[Path, dict]:
    """Download *spec* with npm into *folder*; return the unpacked package folder and its metadata."""
    done = subprocess.run(["npm", "pack", spec, "--json", "--silent"], cwd=folder, capture_output=True, text=True,
                          check=True)
    meta = json.loads(done.stdout)[0]
    target = folder / meta["filename"].removesuffix(".tgz")
    with tarfile.open(folder / meta["filename"]) as archive:
        archive.extractall(target, filter="data")
    package = json.loads((target / "package" / "package.json").read_text())
    if package.get("license") != "MIT":
        raise SystemExit(f"{spec} is licensed {package.get('license')!r}, not MIT: refused")
    return target / "package", meta


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cytoscape", default="3.35.0")
    parser.add_argument("--cytoscape-dagre", default="4.0.1")
    args = parser.parse_args()
    versions = {"cytoscape": args.cytoscape, "cytoscape-dagre": args.cytoscape_dagre}
    record = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, version in {**versions, **LICENCE_ONLY}.items():
            package, meta = _pack(f"{name}@{version}", Path(scratch))
            short = name.split("/")[-1]
            (VENDOR / f"LICENSE-{short}.txt").write_bytes((package / "LICENSE").read_bytes())
            entry = {"name": name, "version": meta["version"], "license": "MIT", "integrity": meta["integrity"],
                     "licence_file": f"LICENSE-{short}.txt"}
            if name in FILES:
                published = (package / FILES[name]).read_bytes()
                kept = b"\n".join(line for line in published.split(b"\n")
                                  if not line.startswith(b"//# sourceMappingURL=")).rstrip(b"\n") + b"\n"
                (VENDOR / Path(FILES[name]).name).write_bytes(kept)
                entry.update({"file": Path(FILES[name]).name, "published_sha256": _sha256(published),
                              "vendored_sha256": _sha256(kept), "bytes": len(kept)})
            else:
                entry["bundled_in"] = "cytoscape-dagre"
            record.append(entry)
    (VENDOR / "VENDOR.json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"vendored into {VENDOR}: " + ", ".join(f"{e['name']} {e['version']}" for e in record))


if __name__ == "__main__":
    main()
