"""Take superseded articles back out of a run's written (not yet published) tables.

When dedup keeps a later-arriving copy instead of one already exported (``pipelines.dedup``),
the earlier copy's rows must leave every article table, and ``duplicates`` rows that pointed
at it must point at its successor. Files are rewritten one row group (Parquet), one
batch (CSV) or one line (JSON Lines) at a time into a sibling file that replaces the original, so memory stays
bounded whatever the run's size. Runs only inside the unpublished temp folder.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipelines.tables import REMOVED, SCHEMAS
from pipelines.writers import CSV_WRITE_OPTIONS, RowSelection, csv_schema, read_csv_batches, side_by_side

logger = logging.getLogger(__name__)


def resolve(successors: Mapping[str, str], key: str) -> str:
    """The article finally kept for ``key`` (successions can chain); ``key`` itself when
    its successors lead back to it or into a loop, where no article is finally kept (the
    dedup stage never makes one)."""
    seen = {key}
    final = key
    while final in successors:
        final = successors[final]
        if final in seen:
            return key
        seen.add(final)
    return final


def retract(folder: Path, successors: Mapping[str, str]) -> dict[str, int]:
    """Remove the rows of every superseded article from the tables in ``folder`` and point
    ``duplicates.duplicate_of`` at the kept article (``removed`` says why an article left,
    and is left as it is); returns rows removed per table (every
    format of a table holds the same rows, so any file's count is the table's)."""
    resolved = {key: resolve(successors, key) for key in successors}
    final = {key: kept for key, kept in resolved.items() if kept != key}
    if looping := sorted(resolved.keys() - final.keys()):
        logger.warning("healthcrawl retract: %d superseded article(s) whose successors loop are "
                       "kept, not retracted: %s", len(looping), ", ".join(looping[:5]))
    paths = [path for path in sorted(folder.iterdir())
             if path.suffix in _REWRITERS and path.name.split(".")[0] != REMOVED.name]
    counts = side_by_side(lambda path: _rewrite(path, final), paths)
    return {table: count for table, count in counts if table != "duplicates"}


def filtered_copy(path: Path, target: Path, dropped: Collection[str]) -> int:
    """Write ``target``: the table file ``path`` without the rows of the articles
    ``dropped``, in the same form (a run's change set is its tables without the unchanged
    articles); returns the rows left out."""
    return _REWRITERS[path.suffix](path, target, {key: key for key in dropped}, True)


def _rewrite(path: Path, final: Mapping[str, str]) -> tuple[str, int]:
    """Rewrite one file in place; ``(its table, rows removed)``."""
    table = path.name.split(".")[0]
    temp = path.with_name(path.name + ".retract")
    count = _REWRITERS[path.suffix](path, temp, final, table != "duplicates")
    os.replace(temp, path)
    return table, count


def _parquet(path: Path, temp: Path, final: Mapping[str, str], dropping: bool) -> int:
    source = pq.ParquetFile(path)
    removed = 0
    leave_out = RowSelection(frozenset(final))
    with pq.ParquetWriter(temp, source.schema_arrow, compression="zstd") as writer:
        for index in range(source.num_row_groups):
            group = source.read_row_group(index)
            if dropping:
                kept = leave_out.take(group)
                removed += group.num_rows - kept.num_rows
                group = kept
            else:
                group = _remap(group, final)
            writer.write_table(group)
    return removed


def _remap(table: pa.Table, final: Mapping[str, str]) -> pa.Table:
    """``table`` with ``duplicate_of`` pointing at the finally kept articles."""
    column = table.schema.get_field_index("duplicate_of")
    remapped = pa.array([final.get(v, v) for v in table["duplicate_of"].to_pylist()], pa.string())
    return table.set_column(column, table.schema.field(column), remapped)


def _csv(path: Path, temp: Path, final: Mapping[str, str], dropping: bool) -> int:
    schema = SCHEMAS[path.name.split(".")[0]]
    removed = 0
    leave_out = RowSelection(frozenset(final))
    with pacsv.CSVWriter(str(temp), csv_schema(schema), write_options=CSV_WRITE_OPTIONS) as writer:
        for batch in read_csv_batches(path, schema):
            if dropping:
                kept = leave_out.take(batch)
                removed += batch.num_rows - kept.num_rows
                batch = kept
            else:
                batch = _remap(pa.Table.from_batches([batch]), final)
            writer.write(batch)
    return removed


def _jsonl(path: Path, temp: Path, final: Mapping[str, str], dropping: bool) -> int:
    removed = 0
    leave_out = RowSelection(frozenset(final))
    with path.open(encoding="utf-8") as source, temp.open("w", encoding="utf-8") as target:
        for line in source:
            kept = leave_out.take_line(line)
            if kept is None:
                removed += 1
            else:
                target.write(kept)
    return removed


_REWRITERS = {".parquet": _parquet, ".csv": _csv, ".jsonl": _jsonl}
"""Per file format: copy ``path`` to ``temp`` without the superseded articles' rows
(``dropping``) or with ``duplicate_of`` remapped (the duplicates table); return rows removed."""
