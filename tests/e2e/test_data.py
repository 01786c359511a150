"""Data repositories as jobs (issue 15): a dbt project and SQL migrations documented through the real
stack, one job object per data object, with progress and names, pages per object and the lineage
overview; `options.modules` picks objects or folders.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gitrepos import _git as git, make_git_repo  # noqa: E402
from harness import Stack  # noqa: E402
from test_docs import docs_of, events_of, objects_of, run_job, section, start_job, throttled  # noqa: E402,F401
from test_llm import llm, model  # noqa: E402,F401

DBT = {
    "dbt_project.yml": "name: shop\nversion: '1.0'\nmodels:\n  shop:\n    staging:\n      +materialized: view\n",
    "models/staging/sources.yml": (
        "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n"
        "        description: Orders as exported.\n"
    ),
    "models/staging/stg_orders.sql": "select id as order_id, amount\nfrom {{ source('raw', 'orders') }}\n",
    "models/staging/schema.yml": (
        "version: 2\nmodels:\n  - name: stg_orders\n    description: Orders, renamed.\n    columns:\n"
        "      - name: order_id\n        description: Primary key.\n        tests: [unique, not_null]\n"
    ),
    "models/marts/order_summary.sql": "select count(*) as n\nfrom {{ ref('stg_orders') }}\n",
    "models/marts/dynamic.sql": "select * from {{ ref(var('upstream')) }}\n",
}
OBJECTS = {
    "models/staging/raw.orders": "dbt source",
    "models/staging/stg_orders": "dbt model",
    "models/marts/order_summary": "dbt model",
    "models/marts/dynamic": "dbt model",
}


def dbt_repo(tmp_path: Path) -> Path:
    """The dbt project at the root of a new git repository."""
    repo = tmp_path / "shop"
    for rel, text in {**DBT, "README.md": "# shop\n\nThe shop's warehouse models.\n"}.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "dbt project")
    return repo


def page_of(object_id: str) -> str:
    return "modules/" + object_id.replace("/", "+") + ".md"


def test_a_dbt_job_has_one_object_per_data_object_with_progress_and_names(throttled: Stack, tmp_path: Path) -> None:
    stack = throttled
    repo_id = stack.add_repository(dbt_repo(tmp_path))
    history: list = []
    job_id = start_job(stack, repo_id)
    job = stack.poll_job(job_id, timeout=60, interval=0.05, history=history)
    n = len(OBJECTS)
    assert (job["total_objects"], job["processed_objects"], job["failed_objects"]) == (n, n, 0), job
    objects = objects_of(stack, job_id)
    assert set(objects) == set(OBJECTS) and all(o["status"] == "done" for o in objects.values()), objects
    steps = {j["current_step"] for _, j in history if "Generating documentation" in (j["current_step"] or "")}
    expected = {f"Generating documentation: {o} ({i} of {n})" for i, o in enumerate(sorted(OBJECTS), 1)}
    assert steps and steps <= expected, steps
    assert any(j["current_object"] in OBJECTS for _, j in history), "the current object's name was never shown"
    assert any(j["estimated_completion_at"] for _, j in history if j["status"] == "running" and j["processed_objects"])
    progress = [j["progress"] for _, j in history]
    assert progress == sorted(progress), progress

    docs = docs_of(stack, job)
    index = json.loads((docs / "index.json").read_text())
    assert {o["path"]: o["kind"] for o in index["objects"]} == OBJECTS
    stg = (docs / page_of("models/staging/stg_orders")).read_text()
    assert section(stg, "Description") == "> Orders, renamed.\n\n— from `models/staging/schema.yml:4`"
    assert "| `order_id` | — | — | `unique`, `not_null` | `models/staging/schema.yml:6` |" in section(stg, "Columns")
    lineage = section(stg, "Lineage")
    assert "- [`models/staging/raw.orders`](../modules/models+staging+raw.orders.md) — source `source('raw', 'orders')` at `models/staging/stg_orders.sql:2`" in lineage
    assert "- [`models/marts/order_summary`](../modules/models+marts+order_summary.md) — ref `ref('stg_orders')` at `models/marts/order_summary.sql:2`" in lineage
    assert "```mermaid" in lineage and (docs / "diagrams" / "models+staging+stg_orders.svg").is_file()
    dynamic = section((docs / page_of("models/marts/dynamic")).read_text(), "Lineage")
    assert "⚠️ `ref(var('upstream'))` is built at run time" in dynamic, dynamic
    overview = (docs / "data.md").read_text()
    layers = re.findall(r"^### Layer (\d)", overview, re.M)
    assert layers == ["1", "2", "3"], overview
    assert (docs / "diagrams" / "data-lineage.svg").is_file()
    assert "[Data lineage](data.md)" in (docs / "index.md").read_text()
    assert job["unverified_mentions"] == 0, events_of(stack, job_id)


def test_options_modules_picks_data_objects_or_folders(stack: Stack, tmp_path: Path) -> None:
    repo_id = stack.add_repository(dbt_repo(tmp_path))
    job = run_job(stack, repo_id, {"modules": ["models/staging"]})
    assert set(objects_of(stack, job["id"])) == {"models/staging/raw.orders", "models/staging/stg_orders"}
    job = run_job(stack, repo_id, {"modules": ["models/marts/order_summary"], "regenerate_all": True})
    assert set(objects_of(stack, job["id"])) == {"models/marts/order_summary"}
    page = (docs_of(stack, job) / page_of("models/marts/order_summary")).read_text()
    # A neighbour without a page in this job is named, not linked.
    assert "- `models/staging/stg_orders` — ref" in section(page, "Lineage")


def test_postgres_migrations_document_tables_views_and_keys(stack: Stack, tmp_path: Path) -> None:
    files = {
        "001_init.sql": (
            "-- Everyone who can log in.\nCREATE TABLE users (\n  id serial PRIMARY KEY,\n  email text NOT NULL UNIQUE\n);\n"
            "CREATE TABLE posts (\n  id serial PRIMARY KEY,\n  author_id int NOT NULL REFERENCES users (id)\n);\n"
            "COMMENT ON COLUMN posts.author_id IS 'Who wrote it.';\n"
            "CREATE VIEW post_counts AS SELECT author_id, count(*) FROM posts GROUP BY author_id;\n"
        ),
    }
    repo = make_git_repo(tmp_path, modules={"migrations": files}, name="blog")
    job = run_job(stack, stack.add_repository(repo))
    assert job["total_objects"] == 3 and job["failed_objects"] == 0, job
    docs = docs_of(stack, job)
    users = (docs / page_of("migrations/users")).read_text()
    assert section(users, "Description") == "> Everyone who can log in.\n\n— from `migrations/001_init.sql:1`"
    cols = section(users, "Columns")
    assert "| `id` | `serial` | `PRIMARY KEY` | — | `migrations/001_init.sql:3` |" in cols, cols
    posts = (docs / page_of("migrations/posts")).read_text()
    assert "`author_id` (`migrations/001_init.sql:10`):\n\n> Who wrote it." in posts, posts
    assert "foreign key `REFERENCES users (id)` at `migrations/001_init.sql:8`" in section(posts, "Lineage")
    counts = (docs / page_of("migrations/post_counts")).read_text()
    assert "reads `posts` at `migrations/001_init.sql:11`" in section(counts, "Lineage")
    assert job["unverified_mentions"] == 0


def test_the_llm_generator_documents_data_objects_in_layers_with_checked_names(stack: Stack, llm, model: str, tmp_path: Path) -> None:
    repo_id = stack.add_repository(dbt_repo(tmp_path))
    llm.add("invent", model=model)
    r = stack.api("POST", "/api/documentation/jobs", {"repository_id": repo_id, "options": {"generator": "llm", "model": model}})
    assert r.status == 202, r.body
    job = stack.poll_job(r.body["id"], timeout=60, interval=0.1)
    requests = llm.requests(model)
    assert len(requests) == len(OBJECTS) * 3, [q["user"][:80] for q in requests]
    stg = [q["user"] for q in requests if "Data object: `stg_orders`" in q["user"]]
    assert len(stg) == 3, "three layers for the model"
    facts = stg[0]
    # Its SQL, columns with descriptions and tests, and lineage both ways go into the prompt.
    assert "- `order_id` tests: unique, not_null — Primary key." in facts, facts
    assert "Upstream (reads): `raw.orders` via source" in facts and "Downstream (read by): `order_summary`" in facts, facts
    assert "from {{ source('raw', 'orders') }}" in facts, facts
    invented = sum(q["invented"] for q in requests)
    assert job["unverified_mentions"] == invented > 0, job
    page = (docs_of(stack, job) / page_of("models/staging/stg_orders")).read_text()
    prose = page.split("\n---\n", 1)[0]
    assert [t for t in ("## What it holds", "## How it is built", "## How to use it") if t in prose] == [
        "## What it holds", "## How it is built", "## How to use it"], prose
    assert "`NonexistentHelper` ⚠️" in prose and "`order_id` ⚠️" not in prose and "`order_id`" in prose, prose
    # The factual data page follows the prose.
    assert "## Columns" in page.split("\n---\n", 1)[1]
