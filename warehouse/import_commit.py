"""Committing imported chat files to the lake: a group of files in one commit per table, each
table opened once per import run.

Per file the protocol is the one-file protocol (docs/lake.md, "Imports"): its rows carry its
content hash (`import_digest`); the commits record `import/<digest>` = 1 and
`import-path/<path hash>` = the digest; a path whose content changed has its earlier rows
replaced in the same commit (`import/<old digest>` = 0). A group is committed table by table,
dead_letters, then chat_messages, then imports, which is every file's own order: a kill between
two commits leaves each file wholly in chat_messages or not at all, and the next run writes what
the tables' transactions say is missing, no more.
"""

from dataclasses import dataclass

import pyarrow as pa
from deltalake import DeltaTable

from warehouse import import_log
from warehouse.imported_file import ImportedFile, content_app
from warehouse.lake_schema import CHAT_MESSAGES, DEAD_LETTERS, Dataset
from warehouse.lake_store import LakeStore, sql_string
from warehouse.optouts import NO_OPTOUTS, OptOutSet


@dataclass
class _Plan:
    """What one file's commits carry."""

    file: ImportedFile
    previous: str | None  # the digest its path held before, whose rows it replaces

    @property
    def transactions(self) -> dict[str, int]:
        transactions = {self.file.content_app: 1, self.file.path_app: int(self.file.digest, 16)}
        if self.previous is not None:
            transactions[content_app(self.previous)] = 0
        return transactions


class ImportWriter:
    """The lake's tables for one import run, opened on first use and kept: every commit goes
    through the open table, which moves to the version it made."""

    def __init__(self, store: LakeStore, optouts: OptOutSet = NO_OPTOUTS) -> None:
        self.store = store
        # Opted-out users' and channels' messages are dropped before anything is written.
        self.optouts = optouts
        self.dropped = 0
        self._tables: dict[str, DeltaTable | None] = {}

    def commit(self, files: list[ImportedFile]) -> list[bool]:
        """Write `files` in one commit per table; per file True, or False when its content was
        in the lake (or published to Kafka) already and nothing of it was written."""
        chat = self._table(CHAT_MESSAGES.name, refresh=True)
        imports = self._table(import_log.TABLE, refresh=True)
        plans: list[_Plan] = []
        logged_late: list[ImportedFile] = []
        seen: set[str] = set()
        for file in files:
            if file.digest in seen or _version(imports, import_log.content_app_id(
                    file.digest, "kafka")) == 1:
                # Published: its messages reach the lake through the archiver, not here.
                continue
            seen.add(file.digest)
            if _version(chat, file.content_app) == 1:
                if _version(imports, import_log.content_app_id(file.digest, "lake")) is None:
                    logged_late.append(file)  # a kill after its rows, before the log
                continue
            previous = _version(chat, file.path_app)
            previous_digest = None if previous is None else f"{previous:015x}"
            if previous_digest == file.digest:
                previous_digest = None  # this content was replaced by another path's: add it back
            plans.append(_Plan(file, previous_digest))
        # Dead letters first: chat_messages' commit is the one that says a file is in. Files
        # without bad lines leave that table alone, unless it holds a replaced content's.
        self._commit_dead_letters([p for p in plans if p.previous or p.file.dead_letters.num_rows])
        if plans:
            self._commit_rows(CHAT_MESSAGES, plans, [self._kept(p.file.messages) for p in plans])
            self._log([p.file for p in plans] + logged_late)
        elif logged_late:
            self._log(logged_late)
        written = {id(p.file) for p in plans}
        return [id(file) in written for file in files]

    def _commit_dead_letters(self, plans: list[_Plan]) -> None:
        if not plans:
            return
        table = self._table(DEAD_LETTERS.name, refresh=True)
        # Already there from a run killed before its chat_messages commit.
        plans = [p for p in plans if _version(table, p.file.content_app) != 1]
        if plans:
            self._commit_rows(DEAD_LETTERS, plans, [p.file.dead_letters for p in plans])

    def _commit_rows(self, dataset: Dataset, plans: list[_Plan], tables: list[pa.Table]) -> None:
        transactions: dict[str, int] = {}
        for plan in plans:
            transactions.update(plan.transactions)
        rows = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
        table = self._tables.get(dataset.name)
        if any(p.previous for p in plans):
            # Delta's replace-where requires the new rows to match the predicate too.
            digests = sorted({d for p in plans for d in (p.previous, p.file.digest) if d})
            predicate = f"import_digest in ({', '.join(map(sql_string, digests))})"
            self.store.replace(dataset.name, rows, predicate, transactions=transactions,
                               table=table)
        else:
            self.store.append(dataset.name, rows, transactions=transactions, table=table)
        if table is None:  # the commit made the table
            self._tables[dataset.name] = self.store.open(dataset.name)

    def _kept(self, messages: pa.Table) -> pa.Table:
        kept, dropped = self.optouts.filter(messages)
        self.dropped += dropped
        return kept

    def _log(self, files: list[ImportedFile]) -> None:
        rows = import_log.rows([import_log.Entry(
            digest=f.digest, file_name=f.path.name, destination="lake",
            messages=f.messages.num_rows, bad_lines=f.dead_letters.num_rows) for f in files])
        table = self._tables.get(import_log.TABLE)
        import_log.append(self.store, rows, open_table=table)
        if table is None:
            self._tables[import_log.TABLE] = self.store.open(import_log.TABLE)

    def _table(self, name: str, *, refresh: bool = False) -> DeltaTable | None:
        """The open table `name` (None: not made yet). `refresh` catches up with commits of
        other processes since it was opened: a few reads of the log, not an open."""
        if name not in self._tables:
            self._tables[name] = self.store.open(name)
        elif refresh and self._tables[name] is not None:
            self._tables[name].update_incremental()
        elif refresh:
            self._tables[name] = self.store.open(name)
        return self._tables[name]


def _version(table: DeltaTable | None, app_id: str) -> int | None:
    return None if table is None else table.transaction_version(app_id)
