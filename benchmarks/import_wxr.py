"""Importing a large WordPress export: time and peak memory, which should stay flat as the export grows.

    PYTHONPATH=src python benchmarks/import_wxr.py --posts 1000 5000 [--post-kb 4]

Each size runs in a fresh subprocess (so peaks do not mix): it generates a WXR with that many
published posts (Gutenberg paragraphs, headings, a list, a [caption] image found in a generated
--media folder, shortcodes, tags), plus one attachment per 10 posts and a draft per 10 posts, imports
it into an empty project, and prints the export's size, wall time and peak RSS (getrusage).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Benchmark Gazette</title><link>https://bench.example.org</link><language>en</language>
<wp:author><wp:author_login>writer</wp:author_login><wp:author_display_name>A. B. Writer</wp:author_display_name>
</wp:author>
"""
PARAGRAPH = ("<!-- wp:paragraph -->\n<p>Paragraph {n} of post {i}: the tide came in over the flats at a walking "
             "pace, and the boats lifted one by one from the mud; <em>nobody</em> on the quay said a word until "
             "the last of them swung to her mooring and the harbour master rang the bell.</p>\n"
             "<!-- /wp:paragraph -->\n")


def post(i: int, kb: float) -> str:
    body = [f"<!-- wp:heading -->\n<h2>Section one of post {i}</h2>\n<!-- /wp:heading -->\n"]
    n = 0
    while sum(map(len, body)) < kb * 1024:
        n += 1
        body.append(PARAGRAPH.format(n=n, i=i))
        if n == 2:
            body.append(f'[caption id="attachment_{100000 + i // 10}" width="300"]<img src="https://bench.example.org/'
                        f'wp-content/uploads/2024/01/photo-{i % 10}-300x200.png" alt="" /> Caption of post {i}.'
                        "[/caption]\n<ul><li>First point</li><li>Second point</li></ul>\n[gallery ids=\"1,2\"]\n")
        if n == 4:
            body.append("<!-- wp:heading -->\n<h2>Section two</h2>\n<!-- /wp:heading -->\n")
    status = "draft" if i % 10 == 9 else "publish"
    return (f"<item><title>Post number {i}</title><link>https://bench.example.org/post-{i}/</link>"
            f"<dc:creator>writer</dc:creator><content:encoded><![CDATA[{''.join(body)}]]></content:encoded>"
            f"<excerpt:encoded><![CDATA[The excerpt of post {i}.]]></excerpt:encoded><wp:post_id>{i}</wp:post_id>"
            f"<wp:post_date>2024-01-{1 + i % 28:02d} 10:00:00</wp:post_date><wp:post_name>post-{i}</wp:post_name>"
            f"<wp:status>{status}</wp:status><wp:post_type>post</wp:post_type>"
            f'<category domain="post_tag" nicename="t{i % 7}">Tag {i % 7}</category></item>\n')


def attachment(j: int) -> str:
    return (f"<item><title>photo {j}</title><wp:post_id>{100000 + j}</wp:post_id><wp:status>inherit</wp:status>"
            f"<wp:post_type>attachment</wp:post_type><wp:attachment_url>https://bench.example.org/wp-content/"
            f"uploads/2024/01/photo-{j % 10}.png</wp:attachment_url><wp:postmeta><wp:meta_key>"
            f"_wp_attachment_image_alt</wp:meta_key><wp:meta_value>Alt text of photo {j}</wp:meta_value>"
            "</wp:postmeta></item>\n")


def generate(path: Path, posts: int, kb: float) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(HEAD)
        for i in range(posts):
            if i % 10 == 0:
                fh.write(attachment(i // 10))
            fh.write(post(i, kb))
        fh.write("</channel>\n</rss>\n")


def one(posts: int, kb: float) -> None:
    from PIL import Image

    from narrate.importing import ImportOptions, run_import

    with tempfile.TemporaryDirectory(prefix="narrate-import-bench-") as scratch:
        root = Path(scratch)
        export = root / "export.xml"
        generate(export, posts, kb)
        uploads = root / "uploads" / "2024" / "01"
        uploads.mkdir(parents=True)
        for k in range(10):
            Image.new("RGB", (30, 20), (20 * k, 90, 120)).save(uploads / f"photo-{k}.png")
        project = root / "project"
        (project / "content").mkdir(parents=True)
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        report = run_import(project, [str(export)], ImportOptions(media=root / "uploads"))
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size = export.stat().st_size / 2**20
        print(f"{posts} posts ({size:.1f} MB export): imported {len(report.imported)} articles in "
              f"{seconds:.1f} s ({seconds / max(1, len(report.imported)) * 1000:.1f} ms each); peak RSS {peak:.0f} MB "
              f"(before importing {baseline:.0f} MB)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--post-kb", type=float, default=4.0, help="Approximate HTML per post, in KB.")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.posts[0], args.post_kb)
        return
    for posts in args.posts:
        subprocess.run([sys.executable, __file__, "--one", "--posts", str(posts), "--post-kb", str(args.post_kb)],
                       check=True)


if __name__ == "__main__":
    main()
