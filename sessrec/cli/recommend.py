"""`sessrec recommend`: the top-K next movies for a session of MovieIDs or titles."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from sessrec.cli.app import app
from sessrec.errors import ConfigError
from sessrec.pipeline.recommend import Recommendation, Recommender
from sessrec.pipeline.tables import markdown_table


def _split(text: str | None, separator: str) -> list[str]:
    return [part.strip() for part in (text or "").split(separator) if part.strip()]


def _format(session: list[str], found: list[Recommendation]) -> str:
    rows = [
        [item.rank, item.item_key, item.title or "—", item.genres or "—", f"{item.score:.4f}"]
        for item in found
    ]
    header = f"after {', '.join(session)}:\n\n"
    return header + markdown_table(["rank", "id", "title", "genres", "score"], rows)


@app.command("recommend")
def recommend_command(
    model: Annotated[
        Path,
        typer.Argument(
            help="A `sessrec run` folder, a `sessrec fit` run folder or a model folder."
        ),
    ],
    items: Annotated[
        str | None,
        typer.Option("--items", help="The session as original item ids (MovieIDs), e.g. 1,2,3."),
    ] = None,
    titles: Annotated[
        str | None,
        typer.Option(
            "--titles",
            help='The session as titles separated by "|", e.g. "Toy Story (1995)|Heat"; matched '
            "case-insensitively: exact, then without the year, then as a part of a title.",
        ),
    ] = None,
    top_k: Annotated[
        int, typer.Option("-k", "--top-k", min=1, help="How many items to list.")
    ] = 10,
    include_seen: Annotated[
        bool, typer.Option("--include-seen", help="Allow items already in the session.")
    ] = False,
    jsonl: Annotated[
        bool,
        typer.Option(
            "--jsonl",
            help='Read sessions from stdin, one JSON object per line with "items" or "titles" '
            "(lists), and write one JSON line per session.",
        ),
    ] = False,
) -> None:
    """Print the top-K next items (title, genres, score) after a session."""
    if jsonl == bool(items or titles) or (items and titles):
        raise ConfigError("give exactly one of --items, --titles or --jsonl")
    recommender = Recommender(model)

    if jsonl:
        answers = recommender.answer_json_lines(sys.stdin, k=top_k, include_seen=include_seen)
        for answer in answers:
            typer.echo(json.dumps(answer, ensure_ascii=False))
        return

    session = recommender.session_ids(_split(items, ","), _split(titles, "|"))
    found = recommender.recommend(session, k=top_k, include_seen=include_seen)
    typer.echo(_format([recommender.catalog.describe(item) for item in session], found))
