"""Opens a Quiver checkpoint with pyarrow: the "any Arrow reader" half of the checkpoint contract.

Usage: python3 test/interop/pyarrow_check.py FILE.arrow --rows N [--step STEP]
Exits 0 and prints a JSON summary when the file is a valid Arrow IPC file whose name is the SHA-256
of its bytes, with the expected row count and Quiver lineage in its schema metadata; exits 1 otherwise.
"""

import argparse
import hashlib
import json
import pathlib
import sys

import pyarrow as pa
import pyarrow.ipc as ipc

LINEAGE_KEYS = [
    "quiver.pipeline",
    "quiver.run_id",
    "quiver.step",
    "quiver.output",
    "quiver.step_code_version",
    "quiver.params_hash",
    "quiver.input_sha256",
    "quiver.created_at",
]


def check(path: pathlib.Path, rows: int, step: str | None) -> dict:
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    assert path.stem == sha256, f"file name {path.stem} is not the SHA-256 of its bytes ({sha256})"
    table = ipc.open_file(pa.memory_map(str(path))).read_all()
    table.validate(full=True)
    assert table.num_rows == rows, f"expected {rows} rows, found {table.num_rows}"
    metadata = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    missing = [key for key in LINEAGE_KEYS if key not in metadata]
    assert not missing, f"missing lineage keys: {missing}"
    inputs = json.loads(metadata["quiver.input_sha256"])
    assert isinstance(inputs, list), "quiver.input_sha256 is not a JSON array"
    if step is not None:
        assert metadata["quiver.step"] == step, f"expected step {step}, found {metadata['quiver.step']}"
    return {
        "pyarrow": pa.__version__,
        "rows": table.num_rows,
        "schema": {field.name: str(field.type) for field in table.schema},
        "lineage": {key: metadata[key] for key in LINEAGE_KEYS},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=pathlib.Path)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--step")
    args = parser.parse_args()
    try:
        print(json.dumps(check(args.file, args.rows, args.step), indent=2))
    except AssertionError as error:
        print(f"pyarrow check failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
