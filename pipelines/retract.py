"""Take superseded articles back out of a run's written (not yet published) tables, and
put every table's rows in their published order.

When dedup keeps a later-arriving copy instead of one already exported (``pipelines.dedup``),
the earlier copy's rows must leave every article table, and ``duplicates`` rows that pointed
at it must point at its successor. :func:`retract` is the run's last rewrite of its files,
so it also sorts them (``tables.ROW_ORDER``, ``pipelines.row_order``): each file is read
once, a row group (Parquet), a batch (CSV) or a line (JSON Lines) at a time, into a sibling
file that replaces the original, and memory stays bounded whatever the run's size. Runs
only inside the unpublished temp folder.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pipelines.row_order import CHUNK_ROWS, in_order, json_key, lines_in_order
from pipelines.tables import REMOVED, ROW_ORDER, SCHEMAS
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
    """Remove the rows of every superseded article from the tables in ``folder``, point
    ``duplicates.duplicate_of`` at the kept article (``removed`` says why an article left,
    and is left as it is), and write every table in its row order; returns rows removed per
    table (every format of a table holds the same rows, so any file's count is the table's)."""
    paths = [path for path in sorted(folder.iterdir()) if path.is_file() and path.suffix in _REWRITERS]
    return rewrite_files(paths, superseded(successors))


def superseded(successors: Mapping[str, str]) -> dict[str, str]:
    """Each superseded article of ``successors`` -> the article finally kept for it."""
    resolved = {key: resolve(successors, key) for key in successors}
    final = {key: kept for key, kept in resolved.items() if kept != key}
    if looping := sorted(resolved.keys() - final.keys()):
        logger.warning("healthcrawl retract: %d superseded article(s) whose successors loop are "
                       "kept, not retracted: %s", len(looping), ", ".join(looping[:5]))
    return final


def rewrite_files(paths: list[Path], final: Mapping[str, str]) -> dict[str, int]:
    """Rewrite each file of ``paths`` in place, side by side, without the articles
    ``final`` supersedes and in its table's order; rows removed per article table."""
    counts = side_by_side(lambda path: _rewrite(path, final), paths)
    return {table: count for table, count in counts if table not in ("duplicates", REMOVED.name)}


def filtered_copy(path: Path, target: Path, dropped: Collection[str]) -> int:
    """Write ``target``: the table file ``path`` without the rows of the articles
    ``dropped``, in the same form and order (a run's change set is its tables without the
    unchanged articles); returns the rows left out."""
    return _REWRITERS[path.suffix](path, target, Rewrite({key: key for key in dropped}, True))


@dataclass(frozen=True, slots=True)
class Rewrite:
    """What one file's rewrite does to its rows."""

    final: Mapping[str, str]
    """Superseded article -> the article finally kept."""
    dropping: bool
    """Leave the superseded articles' rows out (else remap ``duplicate_of``, if at all)."""
    order: tuple[str, ...] = ()
    """Columns to sort the rows by; none keeps them as they are."""
    leave_out: RowSelection = field(init=False)
    """The rows of ``final``'s keys, made once for every batch."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "leave_out", RowSelection(frozenset(self.final)))

    def rows(self, batch: pa.RecordBatch | pa.Table) -> tuple[pa.RecordBatch | pa.Table, int]:
        """``batch`` rewritten, and how many rows it lost."""
        if self.dropping:
            kept = self.leave_out.take(batch) if self.final else batch
            return kept, batch.num_rows - kept.num_rows
        if self.final and "duplicate_of" in batch.schema.names:
            return _remap(pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch,
                          self.final), 0
        return batch, 0


def taken_in_order(rows: pa.Table, rewrite: Rewrite, chunk_rows: int) -> tuple[Iterator[pa.Table], int]:
    """``rows`` as ``rewrite`` says, in its order, ``chunk_rows`` at a time; and how many
    rows it leaves out. Only the key columns and the row numbers are held in memory: from
    a memory-mapped table (``pipelines.spool``) the rows are read a chunk at a time."""
    if rewrite.order:
        order = pc.sort_indices(rows.select(list(rewrite.order)),
                                sort_keys=[(key, "ascending") for key in rewrite.order])
    else:
        order = pa.array(range(rows.num_rows), pa.uint64())
    if rewrite.dropping and rewrite.final:
        order = pc.filter(order, pc.invert(pc.take(rewrite.leave_out.of_keys(rows), order)))
    remapping = not rewrite.dropping and bool(rewrite.final) and "duplicate_of" in rows.schema.names

    def chunks() -> Iterator[pa.Table]:
        for start in range(0, len(order), chunk_rows):
            chunk = rows.take(order[start:start + chunk_rows])
            yield _remap(chunk, rewrite.final) if remapping else chunk

    return chunks(), rows.num_rows - len(order)


def _rewrite(path: Path, final: Mapping[str, str]) -> tuple[str, int]:
    """Rewrite one file in place, retracted and in order; ``(its table, rows removed)``."""
    table = path.name.split(".")[0]
    temp = path.with_name(path.name + ".retract")
    rewrite = Rewrite(final, table not in ("duplicates", REMOVED.name), ROW_ORDER[table])
    count = _REWRITERS[path.suffix](path, temp, rewrite)
    os.replace(temp, path)
    return table, count


def _parquet(path: Path, temp: Path, rewrite: Rewrite) -> int:
    source = pq.ParquetFile(path)
    removed = 0

    def groups() -> Iterator[pa.Table]:
        nonlocal removed
        for index in range(source.num_row_groups):
            rows, lost = rewrite.rows(source.read_row_group(index))
            removed += lost
            yield rows

    # the file's row groups keep their size (the run's row_group_size, the first group's)
    group_rows = source.metadata.row_group(0).num_rows if source.num_row_groups else CHUNK_ROWS
    with pq.ParquetWriter(temp, source.schema_arrow, compression="zstd") as writer:
        for rows in _ordered(groups(), source.schema_arrow, rewrite, temp.parent, group_rows):
            writer.write_table(rows)
    return removed


def _remap(table: pa.Table, final: Mapping[str, str]) -> pa.Table:
    """``table`` with ``duplicate_of`` pointing at the finally kept articles."""
    column = table.schema.get_field_index("duplicate_of")
    remapped = pa.array([final.get(v, v) for v in table["duplicate_of"].to_pylist()], pa.string())
    return table.set_column(column, table.schema.field(column), remapped)


def _csv(path: Path, temp: Path, rewrite: Rewrite) -> int:
    schema = csv_schema(SCHEMAS[path.name.split(".")[0]])
    removed = 0

    def batches() -> Iterator[pa.RecordBatch | pa.Table]:
        nonlocal removed
        for batch in read_csv_batches(path, SCHEMAS[path.name.split(".")[0]]):
            rows, lost = rewrite.rows(batch)
            removed += lost
            yield rows

    with pacsv.CSVWriter(str(temp), schema, write_options=CSV_WRITE_OPTIONS) as writer:
        for rows in _ordered(batches(), schema, rewrite, temp.parent):
            writer.write(rows)
    return removed


def _ordered(rows: Iterable[pa.RecordBatch | pa.Table], schema: pa.Schema, rewrite: Rewrite,
             spill_dir: Path, chunk_rows: int = CHUNK_ROWS) -> Iterable[pa.RecordBatch | pa.Table]:
    return in_order(rows, schema, rewrite.order, spill_dir, chunk_rows) if rewrite.order else rows


def _jsonl(path: Path, temp: Path, rewrite: Rewrite) -> int:
    """Lines are read and written as bytes, each record's key read from its start: an
    article's line is long, and nothing but its key decides where it goes."""
    removed = 0
    key_of = json_key("article_key")

    def lines(source: Iterable[bytes]) -> Iterator[bytes]:
        nonlocal removed
        for line in source:
            if rewrite.final and key_of(line) in rewrite.final:
                removed += 1
            else:
                yield line

    with path.open("rb") as source, temp.open("wb") as target:
        if rewrite.order:
            lines_in_order(lines(source), target, temp.parent, rewrite.order[0])
        else:
            target.writelines(lines(source))
    return removed


_REWRITERS = {".parquet": _parquet, ".csv": _csv, ".jsonl": _jsonl}
"""Per file format: copy ``path`` to ``temp`` as ``rewrite`` says; return rows removed."""
