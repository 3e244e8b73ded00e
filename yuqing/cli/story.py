"""``yuqing story CLUSTER_ID``: how one story spread, origin first.

Prints the propagation path as a tree: the origin at the root, reposts and
replies under what they repost or reply to, other copies under the origin,
each with its time offset from the origin. ``CLUSTER_ID`` may also be the id
of any document of the story. Exit codes: 0 shown, 1 no such story, 2 no
search cluster configured or reachable.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser("story", help="show how one story (cluster) spread: path, offsets, speed",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("cluster_id")
    p.add_argument("--json", action="store_true", help="print JSON instead of a tree")
    p.add_argument("--search-url", help="default: SEARCH_URL")
    p.add_argument("--redis-url", help="for the cluster's origin in Redis; default: REDIS_URL")
    p.set_defaults(func=run)


def render(story):
    from rich.console import Group
    from rich.markup import escape
    from rich.text import Text
    from rich.tree import Tree

    def label(step, origin: bool = False) -> str:
        via = f" [magenta]{step.link_kind}[/]" if step.link_kind else ""
        author = f" · {escape(step.author)}" if step.author else ""
        when = "[bold green]origin[/]" if origin else f"[cyan]{step.offset}[/]"
        return (f"{when}{via}  [dim]{step.time}[/]  [bold]{escape(step.source or step.platform)}[/]{author}"
                f"  {escape(step.title)}\n[dim]{escape(step.url)}[/]")

    root = Tree(label(story.origin, origin=True), guide_style="dim")
    nodes = {story.origin.id: root}
    for step in story.path[1:]:
        parent = nodes.get(step.link) if step.link else None
        nodes[step.id] = (parent or root).add(label(step))
    speed = Text.from_markup(
        f"[bold]story {escape(story.cluster_id)}[/]: {len(story.path)} documents from {story.sources} source(s); "
        f"{story.first_day} in the first 24h, {story.speed_per_hour:g}/hour; "
        f"{len(story.edges)} repost/reply edge(s)" + (" [yellow](truncated)[/]" if story.truncated else ""))
    return Group(speed, root)


def run(args) -> int:
    from redis import RedisError
    from rich.console import Console

    from yuqing.cluster.story import load_story
    from yuqing.store.flavor import SearchUnavailable
    from yuqing.store.search import SearchStore
    from yuqing.cli.common import cluster_index, service_settings

    settings = service_settings(args, "story")
    if settings is None:
        return 2
    index = cluster_index(settings)
    try:
        store = SearchStore.from_settings(settings)
        try:
            story = load_story(store, args.cluster_id, index=index)
        except RedisError as exc:
            print(f"yuqing story: Redis unavailable ({exc}); the origin is the earliest indexed document",
                  file=sys.stderr)
            story = load_story(store, args.cluster_id)
    except SearchUnavailable as exc:
        print(f"yuqing story: {exc}", file=sys.stderr)
        return 2
    if story is None:
        print(f"yuqing story: no document or cluster {args.cluster_id!r} in the index", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(story.to_dict(), ensure_ascii=False, indent=2))
    else:
        Console().print(render(story))
    return 0
