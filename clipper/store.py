"""The clipper's rows in `clips`: claim, record each step, finish. Each call is one short
transaction (autocommit connection), so a step is durable before the next Twitch call.

Life of a row: pending -> creating (claimed, `create_requested_at` written *before* Create
Clip) -> created (clip id and edit URL recorded) -> completed | failed. A row is claimed with
a lease (`claimed_by`, `lease_until`) taken under SELECT ... FOR UPDATE SKIP LOCKED, so two
clippers never work on one detection, and a crashed clipper's rows come back: at its next
start (same worker id) at once, to other clippers when the lease runs out.
"""

from dataclasses import dataclass
from datetime import datetime

from psycopg import AsyncConnection
from psycopg.rows import class_row

ACTIVE = ("pending", "creating", "created")


@dataclass
class ClipRow:
    id: int
    broadcaster_id: str
    detected_at: datetime
    status: str
    attempts: int
    clip_id: str | None
    edit_url: str | None
    title: str | None
    create_requested_at: datetime | None
    created_at: datetime | None
    window_end: datetime | None = None
    recorded_at: datetime | None = None  # when the detector's row was committed


COLUMNS = ("id, broadcaster_id, detected_at, status, attempts, clip_id, edit_url, title,"
           " create_requested_at, created_at, window_end, recorded_at")


async def release_own_leases(conn: AsyncConnection, worker: str) -> int:
    """At start-up: rows this worker held when it stopped (or crashed) are free again."""
    cursor = await conn.execute(
        "update clips set lease_until = null where claimed_by = %s and status = any(%s)"
        " and lease_until is not null", [worker, list(ACTIVE)])
    return cursor.rowcount


async def claim_due(conn: AsyncConnection, worker: str, *, due_before: datetime,
                    lease_s: float) -> ClipRow | None:
    """The oldest active detection whose Create Clip time is before `due_before` (or that a
    crash left half done), leased to `worker`; None when nothing is due."""
    async with conn.cursor(row_factory=class_row(ClipRow)) as cursor:
        await cursor.execute(
            f"""
            with next as (
                select id from clips
                where status = any(%(active)s)
                  and (lease_until is null or lease_until < now())
                  and (status <> 'pending' or detected_at <= %(due)s)
                order by detected_at
                for update skip locked
                limit 1
            )
            update clips set claimed_by = %(worker)s,
                             lease_until = now() + make_interval(secs => %(lease)s),
                             updated_at = now()
            from next where clips.id = next.id
            returning {', '.join('clips.' + c.strip() for c in COLUMNS.split(','))}
            """,
            {"active": list(ACTIVE), "due": due_before, "worker": worker, "lease": lease_s})
        return await cursor.fetchone()


async def mark_creating(conn: AsyncConnection, row: ClipRow, title: str) -> ClipRow:
    """Written before each Create Clip call: after a crash, 'creating' means "a clip with this
    title may exist"."""
    cursor = await conn.execute(
        "update clips set status = 'creating', title = %s, attempts = attempts + 1,"
        " create_requested_at = coalesce(create_requested_at, now()), updated_at = now()"
        " where id = %s returning attempts, create_requested_at", [title, row.id])
    row.attempts, row.create_requested_at = await cursor.fetchone()
    row.status, row.title = "creating", title
    return row


async def mark_created(conn: AsyncConnection, row: ClipRow, clip_id: str,
                       edit_url: str | None) -> None:
    await conn.execute(
        "update clips set status = 'created', clip_id = %s, edit_url = %s, updated_at = now()"
        " where id = %s", [clip_id, edit_url, row.id])
    row.status, row.clip_id, row.edit_url = "created", clip_id, edit_url


async def complete(conn: AsyncConnection, row: ClipRow, clip: dict) -> None:
    await conn.execute(
        "update clips set status = 'completed', clip_id = %s, embed_url = %s,"
        " thumbnail_url = %s, created_at = %s, completed_at = now(), failure_reason = null,"
        " lease_until = null, updated_at = now() where id = %s",
        [clip["id"], clip.get("embed_url"), clip.get("thumbnail_url"),
         clip.get("created_at"), row.id])


async def fail(conn: AsyncConnection, row: ClipRow, reason: str) -> None:
    await conn.execute(
        "update clips set status = 'failed', failure_reason = %s, lease_until = null,"
        " updated_at = now() where id = %s", [reason[:1000], row.id])


async def release(conn: AsyncConnection, row: ClipRow) -> None:
    """Give a row back untouched (the clipper is stopping or lost its token)."""
    await conn.execute("update clips set lease_until = null, updated_at = now() where id = %s",
                       [row.id])


async def forbid_clipping(conn: AsyncConnection, broadcaster_id: str) -> None:
    """A 403 from Create Clip: the channel restricts clips. The monitor skips it from now on."""
    await conn.execute(
        "insert into streamers (broadcaster_id, streamer_login, allows_clipping)"
        " values (%s, %s, false) on conflict (broadcaster_id) do update"
        " set allows_clipping = false", [broadcaster_id, broadcaster_id])
