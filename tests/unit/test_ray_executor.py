"""The Ray executor on a local Ray instance (num_cpus=2): a catalog job gives the same drafts as
the local executor with the seeded fake model, the workers building their own context from the
settings (SQLite file opened by URL); a failing item is that item's error, not the job's end.
Ray takes ~5 s to start, so one instance serves the module and the tests are few."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from shopops.config import Settings
from shopops.context import AppContext
from shopops.copy.batch import JOB_KIND, generate_catalog
from shopops.demo.generate import DATA_DIR
from shopops.errors import JobError
from shopops.ingest import import_file
from shopops.jobs.ray_executor import PortableWork, RayExecutor
from shopops.store.models import Draft

ray = pytest.importorskip("ray")  # installed by `make test`; only a bare install lacks it


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture
def file_ctx(tmp_path: Path) -> Iterator[AppContext]:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'store.db'}",
        llm_backend="fake",
        embed_backend="hash",
    )
    ctx = AppContext(settings)
    import_file(ctx.db, "products", DATA_DIR / "products.csv")
    yield ctx
    ctx.close()


def _texts(ctx: AppContext) -> dict[tuple[str, int], str]:
    with ctx.db.session() as session:
        drafts = session.scalars(select(Draft).where(Draft.kind == "copy.description")).all()
        return {(d.subject_id, int(d.content["variant"])): d.content["text"] for d in drafts}


def test_ray_runs_portable_work_only() -> None:
    executor = RayExecutor("local")
    with pytest.raises(JobError, match="PortableWork"):
        next(executor.map(lambda key: {"key": key}, ["a"]))


def test_portable_work_pickles_without_a_context(file_ctx: AppContext) -> None:
    _ = file_ctx.db, file_ctx.llm  # a live context in this process must not travel with the work
    work = PortableWork(file_ctx.settings, JOB_KIND, {"kind": "title", "job": "j", "run": "r"})
    copy = pickle.loads(pickle.dumps(work))
    assert copy == work and copy.cache_key() == work.cache_key()


def test_ray_catalog_job_writes_the_same_drafts_as_the_local_executor(
    local_ray: None, file_ctx: AppContext
) -> None:
    local = generate_catalog(file_ctx, kind="description", variants=2, job_name="local", progress=False)
    assert local.status == "done"
    expected = _texts(file_ctx)
    with file_ctx.db.session() as session:
        session.execute(Draft.__table__.delete())

    on_ray = generate_catalog(
        file_ctx,
        kind="description",
        variants=2,
        job_name="on-ray",
        executor=RayExecutor(max_in_flight=4),
        progress=False,
    )
    assert (on_ray.status, on_ray.done, on_ray.total) == ("done", local.total, local.total)
    assert _texts(file_ctx) == expected
    assert len(expected) == 2 * local.total

    # A key whose work raises is that item's failure; the others still finish.
    params = {"kind": "title", "language": "en", "variants": 1, "job": "direct", "run": "r1"}
    work = PortableWork(file_ctx.settings, JOB_KIND, params)
    outcomes = {o.key: o for o in RayExecutor().map(work, ["1", "999999", "2"])}
    assert outcomes["1"].ok and outcomes["2"].ok
    assert outcomes["999999"].error is not None and "NotFoundError" in outcomes["999999"].error
