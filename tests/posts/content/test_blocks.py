"""posts/content/blocks/: each block type's validation, rendering and messages (grouped by type in each table)."""

from __future__ import annotations

import html

import pytest

from posts.content import parse_document, render_html
from tests.posts.content.helpers import (
    IMAGE_URL,
    XSS_PAYLOADS,
    YOUTUBE_EMBED,
    assert_safe_html,
    block,
    block_errors,
    embed,
    item,
    nested_list,
    render,
)

# --- Block types: valid data ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (block("paragraph", text="Hello, world"), "<p>Hello, world</p>"),
        (
            block("paragraph", text="<b>b</b> <i>i</i> <u>u</u> <s>s</s> <mark>m</mark> <code>c</code><br>x"),
            "<p><b>b</b> <i>i</i> <u>u</u> <s>s</s> <mark>m</mark> <code>c</code><br>x</p>",
        ),
        (block("paragraph", text="<strong>s</strong> <em>e</em> <span>x</span>"), "<p>s e x</p>"),
        (block("paragraph", text="a & b < c"), "<p>a &amp; b &lt; c</p>"),
        (block("paragraph", text=""), "<p></p>"),
        (block("header", text="Title", level=1), "<h1>Title</h1>"),
        (block("header", text="<i>Sub</i>", level=6), "<h6><i>Sub</i></h6>"),
        (block("list", items=["a", "<b>b</b>"]), "<ul><li>a</li><li><b>b</b></li></ul>"),
        (block("list", style="ordered", items=["a"]), "<ol><li>a</li></ol>"),
        (block("list", style="unordered", items=[]), "<ul></ul>"),
        (
            block("list", style="unordered", items=[item("a", [item("b", [item("c")])]), item("d")]),
            "<ul><li>a<ul><li>b<ul><li>c</li></ul></li></ul></li><li>d</li></ul>",
        ),
        (
            block(
                "list", style="ordered", meta={"start": 3, "counterType": "lower-roman"}, items=[item("a", [item("b")])]
            ),
            '<ol start="3" type="i"><li>a<ol><li>b</li></ol></li></ol>',
        ),
        (block("list", style="ordered", meta={"counterType": "custom"}, items=[item("a")]), "<ol><li>a</li></ol>"),
        (
            block(
                "list",
                style="checklist",
                items=[item("done", [item("sub")], checked=True), item("todo", checked=False)],
            ),
            '<ul class="checklist"><li data-checked="true">done<ul class="checklist">'
            '<li data-checked="false">sub</li></ul></li><li data-checked="false">todo</li></ul>',
        ),
        (
            block("checklist", items=[{"text": "a", "checked": True}, {"text": "<i>b</i>", "checked": False}]),
            '<ul class="checklist"><li data-checked="true">a</li><li data-checked="false"><i>b</i></li></ul>',
        ),
        (
            block("quote", text="To be", caption="<b>Hamlet</b>", alignment="center"),
            "<blockquote><p>To be</p><footer><b>Hamlet</b></footer></blockquote>",
        ),
        (block("quote", text="Anon", caption=""), "<blockquote><p>Anon</p></blockquote>"),
        (
            block("code", code='if a < b && c:\n    print("<hi>")'),
            "<pre><code>if a &lt; b &amp;&amp; c:\n    print(&quot;&lt;hi&gt;&quot;)</code></pre>",
        ),
        (block("delimiter"), "<hr>"),
        (
            block("image", file={"url": "https://cdn.example.com/a.png?w=1&h=2"}, caption="A <b>cat</b> & co"),
            '<figure><img src="https://cdn.example.com/a.png?w=1&amp;h=2" alt="A cat &amp; co">'
            "<figcaption>A <b>cat</b> &amp; co</figcaption></figure>",
        ),
        (
            block("image", url="http://example.com/b.png"),
            '<figure><img src="http://example.com/b.png" alt=""></figure>',
        ),
        (
            block("image", file={"url": IMAGE_URL}, caption="", withBorder=True, withBackground=True, stretched=True),
            '<figure class="image-with-border image-with-background image-stretched">'
            f'<img src="{IMAGE_URL}" alt=""></figure>',
        ),
        (
            block("image", file={"url": IMAGE_URL}, withBorder=False, stretched=True),
            f'<figure class="image-stretched"><img src="{IMAGE_URL}" alt=""></figure>',
        ),
        (
            block("table", withHeadings=True, content=[["Name", "Qty"], ["<b>Tea</b>", "2"]]),
            "<table><thead><tr><th>Name</th><th>Qty</th></tr></thead>"
            "<tbody><tr><td><b>Tea</b></td><td>2</td></tr></tbody></table>",
        ),
        (block("table", content=[["a", "b"]]), "<table><tbody><tr><td>a</td><td>b</td></tr></tbody></table>"),
        (block("table", withHeadings=True, content=[["h"]]), "<table><thead><tr><th>h</th></tr></thead></table>"),
        (block("table", content=[]), "<table></table>"),
        (
            embed(width=580, height=320, caption="A <i>song</i>"),
            f'<figure class="embed embed-youtube"><iframe src="{YOUTUBE_EMBED}" width="580" height="320"'
            ' frameborder="0" allowfullscreen loading="lazy" sandbox="allow-scripts allow-same-origin allow-popups">'
            "</iframe><figcaption>A <i>song</i></figcaption></figure>",
        ),
        (
            block("warning", title="Careful <b>now</b> & then", message="Hot <i>stuff</i>"),
            '<aside class="warning"><strong>Careful now &amp; then</strong><p>Hot <i>stuff</i></p></aside>',
        ),
        (block("warning", title="", message=""), '<aside class="warning"></aside>'),
    ],
)
def test_valid_block_renders(data, expected):
    document = parse_document({"blocks": [data]})

    assert render_html(document) == expected
    assert parse_document(document) == document


EMBED_EXAMPLES = {
    "youtube": "https://www.youtube.com/embed/dQw4w9WgXcQ?start=10",
    "vimeo": "https://player.vimeo.com/video/76979871?title=0&byline=0",
    "twitter": "https://platform.twitter.com/embed/Tweet.html?id=20",
    "instagram": "https://www.instagram.com/p/B9xYz/embed",
    "codepen": "https://codepen.io/team/embed/abcdef?height=300&theme-id=0&default-tab=css,result&embed-version=2",
    "gfycat": "https://gfycat.com/ifr/SomeGif",
    "imgur": "https://imgur.com/a1b2c3/embed",
    "twitch-video": "https://player.twitch.tv/?video=v123456",
    "miro": "https://miro.com/app/live-embed/uXjVOabc=/",
    "github": "https://gist.github.com/octocat/6cad326836d38bd3a7ae.pibb",
}


@pytest.mark.parametrize(("service", "url"), EMBED_EXAMPLES.items())
def test_every_embed_service_renders_an_iframe(service, url):
    output = render(embed(service=service, source="https://example.com/original", embed=url))

    assert output.startswith(f'<figure class="embed embed-{service}"><iframe src="')
    assert 'sandbox="allow-scripts allow-same-origin allow-popups"' in output
    assert_safe_html(output)


# --- Block types: invalid data --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "location"),
    [
        (block("paragraph"), "blocks[0].data.text"),
        (block("paragraph", text=5), "blocks[0].data.text"),
        (block("paragraph", text=None), "blocks[0].data.text"),
        (block("header", level=2), "blocks[0].data.text"),
        (block("header", text="t"), "blocks[0].data.level"),
        (block("header", text="t", level=0), "blocks[0].data.level"),
        (block("header", text="t", level=7), "blocks[0].data.level"),
        (block("header", text="t", level=True), "blocks[0].data.level"),
        (block("header", text="t", level="2"), "blocks[0].data.level"),
        (block("header", text="t", level=2.0), "blocks[0].data.level"),
        (block("list"), "blocks[0].data.items"),
        (block("list", items="a"), "blocks[0].data.items"),
        (block("list", style="bulleted", items=[]), "blocks[0].data.style"),
        (block("list", style=None, items=[]), "blocks[0].data.style"),
        (block("list", items=["a", 2]), "blocks[0].data.items[1]"),
        (block("list", items=[item("a"), "b"]), "blocks[0].data.items[1]"),
        (block("list", items=[item("a"), {"content": 2, "items": []}]), "blocks[0].data.items[1].content"),
        (block("list", items=[{"items": []}]), "blocks[0].data.items[0].content"),
        (block("list", items=[{"content": "a", "items": "b"}]), "blocks[0].data.items[0].items"),
        (block("list", items=[item("a", ["b"])]), "blocks[0].data.items[0].items[0]"),
        (
            block("list", items=[item("a", [item("b", [{"content": None}])])]),
            "blocks[0].data.items[0].items[0].items[0].content",
        ),
        (block("list", items=[{"content": "a", "meta": []}]), "blocks[0].data.items[0].meta"),
        (block("list", style="checklist", items=[item("a", checked="yes")]), "blocks[0].data.items[0].meta.checked"),
        (block("list", meta=[], items=[]), "blocks[0].data.meta"),
        (block("list", meta={"start": "1"}, items=[]), "blocks[0].data.meta.start"),
        (block("list", meta={"counterType": 1}, items=[]), "blocks[0].data.meta.counterType"),
        (block("list", items=nested_list(11)), "blocks[0].data" + ".items[0]" * 10 + ".items"),
        (block("checklist"), "blocks[0].data.items"),
        (block("checklist", items={}), "blocks[0].data.items"),
        (block("checklist", items=["a"]), "blocks[0].data.items[0]"),
        (block("checklist", items=[{"checked": True}]), "blocks[0].data.items[0].text"),
        (block("checklist", items=[{"text": "a", "checked": "no"}]), "blocks[0].data.items[0].checked"),
        (block("quote", caption="c"), "blocks[0].data.text"),
        (block("quote", text="q", caption=1), "blocks[0].data.caption"),
        (block("quote", text="q", alignment="right"), "blocks[0].data.alignment"),
        (block("code"), "blocks[0].data.code"),
        (block("code", code=["x"]), "blocks[0].data.code"),
        (block("image"), "blocks[0].data.file"),
        (block("image", file=IMAGE_URL), "blocks[0].data.file"),
        (block("image", file={}), "blocks[0].data.file.url"),
        (block("image", file={"url": 1}), "blocks[0].data.file.url"),
        (block("image", file={"url": IMAGE_URL}, url=IMAGE_URL), "blocks[0].data"),
        (block("image", file={"url": IMAGE_URL}, caption=1), "blocks[0].data.caption"),
        (block("image", file={"url": IMAGE_URL}, withBorder="yes"), "blocks[0].data.withBorder"),
        (block("image", file={"url": IMAGE_URL}, withBackground=1), "blocks[0].data.withBackground"),
        (block("image", file={"url": IMAGE_URL}, stretched=None), "blocks[0].data.stretched"),
        (block("table"), "blocks[0].data.content"),
        (block("table", content="a"), "blocks[0].data.content"),
        (block("table", content=["a"]), "blocks[0].data.content[0]"),
        (block("table", content=[["a"], ["b", 1]]), "blocks[0].data.content[1][1]"),
        (block("table", content=[["a"]] * 501), "blocks[0].data.content"),
        (block("table", content=[["a"] * 51]), "blocks[0].data.content[0]"),
        (block("table", withHeadings="true", content=[]), "blocks[0].data.withHeadings"),
        (embed(service=None), "blocks[0].data.service"),
        (embed(service="myspace"), "blocks[0].data.service"),
        (embed(service="YouTube"), "blocks[0].data.service"),
        (embed(source=None), "blocks[0].data.source"),
        (embed(source="javascript:alert(1)"), "blocks[0].data.source"),
        (embed(embed=None), "blocks[0].data.embed"),
        (embed(embed="http://www.youtube.com/embed/x"), "blocks[0].data.embed"),
        (embed(embed="https://player.vimeo.com/video/1"), "blocks[0].data.embed"),
        (embed(embed="https://www.youtube.com.evil.example/embed/x"), "blocks[0].data.embed"),
        (embed(embed="https://evil.example/?u=https://www.youtube.com/"), "blocks[0].data.embed"),
        (embed(embed="https://www.youtube.com@evil.example/"), "blocks[0].data.embed"),
        (embed(embed="https://evil.example\\@www.youtube.com/"), "blocks[0].data.embed"),
        (embed(embed="https://evil.example\\.www.youtube.com/"), "blocks[0].data.embed"),
        (embed(embed="//www.youtube.com/embed/x"), "blocks[0].data.embed"),
        (embed(embed="javascript://www.youtube.com/%0aalert(1)"), "blocks[0].data.embed"),
        (
            embed(service="github", embed='data:text/html,<script src="https://gist.github.com/a/b.js"></script>'),
            "blocks[0].data.embed",
        ),
        (embed(width=True), "blocks[0].data.width"),
        (embed(width=0), "blocks[0].data.width"),
        (embed(height="320"), "blocks[0].data.height"),
        (embed(height=10_001), "blocks[0].data.height"),
        (embed(caption=["c"]), "blocks[0].data.caption"),
        (block("warning", title="t"), "blocks[0].data.message"),
        (block("warning", message="m"), "blocks[0].data.title"),
        (block("warning", title=1, message="m"), "blocks[0].data.title"),
    ],
)
def test_invalid_block_data_is_reported_at_its_path(data, location):
    assert list(block_errors(data)) == [location]


def test_list_nesting_depth_limit():
    assert parse_document({"blocks": [block("list", items=nested_list(10))]})
    errors = block_errors(block("list", items=nested_list(11)))

    assert list(errors.values()) == [["Lists may be nested at most 10 levels deep."]]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_code_is_escaped_not_interpreted(payload):
    output = render(block("code", code=payload))

    assert output == f"<pre><code>{html.escape(payload)}</code></pre>"
    assert_safe_html(output)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_code_is_returned_as_given(payload):
    assert parse_document({"blocks": [block("code", code=payload)]})["blocks"][0]["data"]["code"] == payload


def test_embed_host_error_names_the_allowed_hosts():
    errors = block_errors(embed(embed="https://evil.example/embed"))

    assert errors == {
        "blocks[0].data.embed": ["Must be an https URL on www.youtube-nocookie.com, www.youtube.com, youtube.com."]
    }


def test_unknown_embed_service_message():
    assert block_errors(embed(service="myspace"))["blocks[0].data.service"] == ["Unsupported embed service 'myspace'."]
