"""The generic profile on pages of sites it was never told about: whether a page is an
article or lists articles, the article's published date from the page's own evidence,
and its block of related links, whatever the block is called."""

from __future__ import annotations

import json

import pytest

from core.profiles import get_profile
from crawler.parsing import ParsedPage, parse_page

GENERIC = get_profile("generic")
URL = "https://www.example.org/health/sleep-well"
BODY = "".join(f"<p>{sentence * 4}</p>" for sentence in (
    "Adults need seven to nine hours of sleep a night to stay well. ",
    "A regular bedtime and a dark, quiet room help the body settle. ",
    "Caffeine late in the day keeps many people awake for hours. ",
))


def page(body: str, head: str = "", url: str = URL) -> ParsedPage:
    html = f"<html><head><title>Sleep well | Example</title>{head}</head><body>{body}</body></html>"
    return parse_page(html.encode(), url, profile=GENERIC)


def article(meta_line: str = "", head: str = "", after: str = "", url: str = URL) -> ParsedPage:
    return page(f'<header class="top"><a href="/">Example</a></header><main><article><h1>Sleep well</h1>'
                f"{meta_line}<div class='content'>{BODY}</div>{after}</article></main>"
                '<div class="comments"><p>Great read! <span>2031-01-02</span></p></div>', head, url)


def teaser(n: int) -> str:
    return (f'<div class="card"><h3><a href="/health/story-{n}">How to sleep better, part {n}</a></h3>'
            f"<p>Short tips that help you fall asleep faster and wake up rested {n}.</p>"
            f"<span>May {n + 1}, 2024</span></div>")


def listing(cards: int = 12, head: str = "", url: str = "https://www.example.org/health/") -> ParsedPage:
    grid = "".join(teaser(n) for n in range(cards))
    return page(f'<main><h1>Health</h1><p>All our health stories.</p><div class="grid">{grid}</div>'
                '<nav class="pagination"><a href="?page=2">2</a></nav></main>', head, url)


def test_an_article_page_is_an_article() -> None:
    assert article().page_type == "article"


def test_a_grid_of_teaser_cards_is_a_listing_not_an_article() -> None:
    assert listing().page_type == "listing"


def test_a_listing_page_gives_every_link_of_the_page_to_follow() -> None:
    links = listing().body_links
    assert "https://www.example.org/health/story-11" in links
    assert "https://www.example.org/health/?page=2" in links


def test_the_site_root_listing_is_the_home_page() -> None:
    assert listing(url="https://www.example.org/").page_type == "home"


@pytest.mark.parametrize(("url", "kind"), [
    ("https://www.example.org/search?q=sleep", "search"),
    ("https://www.example.org/tag/sleep/", "tag"),
    ("https://www.example.org/author/jane-doe/", "author"),
])
def test_a_listings_kind_comes_from_its_url(url: str, kind: str) -> None:
    assert listing(url=url).page_type == kind


def test_an_article_with_a_related_grid_after_its_text_stays_an_article() -> None:
    grid = "".join(teaser(n) for n in range(6))
    related = f'<section><h2>Read next</h2><div class="grid">{grid}</div></section>'
    assert article(after=related).page_type == "article"


def link_list(items: int) -> str:
    return "".join(f'<li><a href="/health/story-{n}">How to sleep better at night, part {n}</a></li>'
                   for n in range(items))


def test_an_article_beside_a_longer_list_of_links_is_an_article_and_its_text_is_the_body() -> None:
    sidebar = f'<div class="side-box"><ul class="side-list">{link_list(24)}</ul></div>'
    result = page(f"<div class='main'><h1>Sleep well</h1><div class='text'>{BODY}</div></div>{sidebar}")
    assert result.page_type == "article"
    assert result.record.summary is not None and result.record.summary.startswith("Adults need")


def test_a_list_of_bare_links_outweighing_the_pages_only_paragraph_is_a_listing() -> None:
    footer = ("<div class='site-foot'><p>All content is for general information and is no medical "
              "advice.</p></div>")
    assert page(f"<h1>Sleep</h1><ul class='list'>{link_list(20)}</ul>{footer}").page_type == "listing"


def test_the_last_page_of_a_listing_with_two_teasers_is_a_listing() -> None:
    cards = "".join(f'<li><a href="/health/story-{n}">How to sleep better, part {n}</a>'
                    f"<span>2019-03-0{n + 1}</span>"
                    f"<p>Short tips that help you fall asleep faster and wake up rested {n}.</p></li>"
                    for n in range(2))
    assert page(f"<h1>Sleep</h1><ul class='list'>{cards}</ul>").page_type == "listing"


def test_a_later_page_of_a_listing_with_one_teaser_left_is_a_listing() -> None:
    card = ('<article class="card"><h2><a href="/health/naps">Are naps good for you?</a></h2>'
            "<p>What a short nap after lunch does for memory, mood and the night's sleep, "
            "according to three studies of office workers and students.</p></article>")
    html = f"<h1>Sleep</h1><div class='grid'>{card}</div>"
    assert page(html, url="https://www.example.org/health/page/3/").page_type == "listing"


def test_a_brief_of_two_paragraphs_with_links_inside_is_an_article() -> None:
    brief = ('<p>Adults who sleep badly may gain weight, says <a href="/study">a study of nurses</a> '
             "published this week, which followed them for ten years.</p>"
             '<p>Its authors advise a regular bedtime, as <a href="/guide">our sleep guide</a> '
             "explains at more length for parents too.</p>")
    assert page(f"<h1>Sleep</h1><div class='text'>{brief}</div>").page_type == "article"


def test_structured_data_saying_article_outweighs_the_pages_shape() -> None:
    data = '<script type="application/ld+json">{"@type": "NewsArticle"}</script>'
    assert listing(head=data).page_type == "article"


def test_structured_data_saying_collection_page_makes_a_listing() -> None:
    data = json.dumps({"@context": "https://schema.org", "@graph": [{"@type": "CollectionPage"}]})
    assert article(head=f'<script type="application/ld+json">{data}</script>').page_type == "listing"


def test_structured_data_is_found_whatever_the_case_and_spacing_of_its_type() -> None:
    data = '<script type=" APPLICATION/LD+JSON\n">{"@type": "NewsArticle"}</script>'
    assert listing(head=data).page_type == "article"


def test_a_script_of_another_type_is_no_structured_data() -> None:
    data = '<script type="application/json">{"@type": "NewsArticle"}</script>'
    assert listing(head=data).page_type == "listing"


def test_broken_structured_data_is_ignored() -> None:
    broken = '<script type="application/ld+json">{"@type": "Collection</script>'
    assert article(head=broken).page_type == "article"


def published(meta_line: str = "", head: str = "", url: str = URL) -> str | None:
    return article(meta_line, head, url=url).record.published_at


def test_published_date_comes_from_json_ld_first() -> None:
    data = {"@type": "BlogPosting", "datePublished": "2024-03-05T09:30:00+01:00", "dateModified": "2025"}
    head = (f'<script type="application/ld+json">{json.dumps(data)}</script>'
            '<meta property="article:published_time" content="2020-01-01">')
    assert published('<time datetime="2021-01-01">Jan 1</time>', head) == "2024-03-05T09:30:00"


def test_published_date_comes_from_the_article_meta() -> None:
    assert published(head='<meta property="article:published_time" content="2024-03-05T09:30:00Z">') == (
        "2024-03-05T09:30:00")


def test_published_date_comes_from_a_time_element_before_the_text() -> None:
    assert published('<time datetime="2024-03-05">March 5, 2024</time>') == "2024-03-05"


@pytest.mark.parametrize(("line", "date"), [
    ('<span class="time">2023-12-22 12:16</span>', "2023-12-22T12:16:00"),
    ('<p class="posted">Published on March 5, 2024</p>', "2024-03-05"),
    ("<div>5 March 2024</div>", "2024-03-05"),
    ("<div>by Jane Roe, Staff Writer | October 29, 2014 07:38pm ET</div>", "2014-10-29T19:38:00"),
    ("<li class='date'>26.02.2020</li>", "2020-02-26"),
    ("<span>19. Oktober 2019 00:04 Uhr</span>", "2019-10-19T00:04:00"),
    ("<p>Publié le 12 avril 2017 à 18h33</p>", "2017-04-12T18:33:00"),
    ("<p>14 de mayo de 2023</p>", "2023-05-14"),
])
def test_published_date_comes_from_a_short_date_line_under_the_headline(line: str, date: str) -> None:
    assert published(line) == date


def test_a_sentence_holding_a_date_is_no_date_line() -> None:
    assert published("<p>Our clinic moved on March 5, 2024 to a bigger building downtown.</p>") is None


def test_a_date_line_labelled_as_an_update_is_not_the_published_date() -> None:
    assert published("<p>Updated August 02, 2014.</p>") is None


def test_dates_after_the_article_text_are_not_its_date() -> None:
    assert published() is None  # the comment's date comes after the body


def test_published_date_comes_from_the_url_last() -> None:
    assert published(url="https://www.example.org/2024/03/05/sleep-well") == "2024-03-05"


@pytest.mark.parametrize("label", ["You may also like", "Read next", "More on this topic", "Related posts",
                                   "Editor\u2019s Recommendations", "À lire aussi", "相关文章"])
def test_a_block_of_links_under_a_related_heading_becomes_the_recommendations(label: str) -> None:
    block = (f'<section class="more"><h2>{label}</h2><ul>'
             '<li><a href="/health/naps">Are naps good for you?</a><p>What a short nap does...</p></li>'
             '<li><a href="/health/snoring">Why people snore</a></li></ul></section>')
    result = article(after=block)
    record = result.record
    assert [(r.title, r.url, r.snippet, r.truncated) for r in record.recommendations] == [
        ("Are naps good for you?", "https://www.example.org/health/naps", "What a short nap does", True),
        ("Why people snore", "https://www.example.org/health/snoring", None, False)]
    assert label not in [section.heading for section in record.sections]


def title_of(body: str, head: str = "") -> str:
    return page(body + f"<div class='content'>{BODY}</div>", head).record.title


def test_the_headline_is_the_h1_that_agrees_with_the_pages_title_not_the_first() -> None:
    body = '<div class="brand"><h1>Example Health</h1></div><h1>Sleep well</h1>'
    assert title_of(body) == "Sleep well"


def test_a_headline_marked_h2_under_a_logo_h1_is_found_by_its_og_title() -> None:
    body = '<div class="brand"><h1>Example Health</h1></div><div class="post"><h2>Sleeping well at night</h2>'
    head = '<meta property="og:title" content="Sleeping well at night">'
    assert title_of(body + "</div>", head) == "Sleeping well at night"


def test_the_structured_headline_is_trusted_before_the_title_element() -> None:
    data = json.dumps({"@type": "Article", "headline": "Why we need sleep"})
    body = "<h1>Sleep well</h1><h1>Why we need sleep</h1>"
    assert title_of(body, f'<script type="application/ld+json">{data}</script>') == "Why we need sleep"


def test_without_a_name_to_agree_with_the_first_h1_is_the_headline() -> None:
    html = f"<html><body><h1>Sleep well</h1><h1>Other</h1>{BODY}</body></html>"
    assert parse_page(html.encode(), URL, profile=GENERIC).record.title == "Sleep well"


@pytest.mark.parametrize("hiding", ['hidden', 'aria-hidden="true"', 'style="display: none"',
                                    'style="Visibility: Hidden;color:red"'])
def test_a_hidden_h1_is_no_headline_however_markup_hides_it(hiding: str) -> None:
    hidden = f"<h1 {hiding}>Menu</h1><div {hiding}><h1>Menu</h1></div>"
    html = f"<html><body>{hidden}<h1>Sleep well</h1>{BODY}</body></html>"
    assert parse_page(html.encode(), URL, profile=GENERIC).record.title == "Sleep well"


def test_a_style_that_hides_nothing_keeps_the_h1() -> None:
    html = f'<html><body><h1 style="display: block" aria-hidden="false">Sleep well</h1>{BODY}</body></html>'
    assert parse_page(html.encode(), URL, profile=GENERIC).record.title == "Sleep well"


def recommendations_of(after: str) -> list[tuple[str, str]]:
    record = article(after=after).record
    return [(r.title, r.url) for r in record.recommendations]


def test_a_related_card_that_is_one_link_gives_its_title_not_its_whole_text() -> None:
    card = ('<div class="item"><a href="/health/pets" title="Pets help"><img src="p.jpg" alt="">'
            '<span class="title">Pets help</span> <span class="summary">A review of studies.</span> '
            '<span class="more">Read now</span></a></div>')
    record = article(after=f"<h2>Related coverage</h2><div>{card}{card}</div>").record
    expected = ("Pets help", "A review of studies.")
    assert [(r.title, r.snippet) for r in record.recommendations] == [expected, expected]


def test_a_short_heading_starting_with_related_heads_a_related_block() -> None:
    block = ('<aside><h2>Related news</h2><a href="/health/a">Naps and memory</a>'
             '<a href="/health/b">Snoring</a></aside>')
    assert recommendations_of(block) == [("Naps and memory", "https://www.example.org/health/a"),
                                         ("Snoring", "https://www.example.org/health/b")]


def test_a_block_whose_class_says_related_is_read_without_a_heading() -> None:
    block = ('<div class="related-posts"><a href="/health/a">Naps and memory</a> '
             '<a href="/health/b">Why people snore</a></div>')
    assert recommendations_of(block) == [("Naps and memory", "https://www.example.org/health/a"),
                                         ("Why people snore", "https://www.example.org/health/b")]


def test_a_related_heading_in_the_page_footer_is_the_sites_promotion_not_related_links() -> None:
    footer = ('<footer><h3>Related posts</h3><a href="/shop">Our shop</a>'
              '<a href="/app">Get the app</a></footer>')
    result = page(f"<main><article><h1>Sleep well</h1>{BODY}</article></main>{footer}")
    assert result.record.recommendations == []


def test_a_table_of_contents_link_named_like_a_related_heading_heads_nothing() -> None:
    toc = '<ul class="contents"><li><a href="#refs">Further reading</a></li></ul>'
    html = f"<main><article><h1>Sleep well</h1>{toc}{BODY}<h2>Causes</h2>{BODY}</article></main>"
    record = page(html).record
    assert record.recommendations == []
    assert [section.heading for section in record.sections] == ["Causes"]


def test_published_date_comes_from_microdata_outside_a_meta() -> None:
    line = '<div itemprop="datePublished" class="date"><span>Apr 6</span> <span>2020</span></div>'
    assert published(line) == "2020-04-06"


@pytest.mark.parametrize(("url", "date"), [
    ("https://www.example.org/news/20150417/superbugs", "2015-04-17"),
    ("https://www.example.org/p/20231105.html", None),
])
def test_a_compact_date_in_the_url_counts_only_as_a_folder(url: str, date: str | None) -> None:
    assert published(url=url) == date


def sections_of(body: str) -> list[str]:
    return [section.heading for section in page(body).record.sections]


def test_a_wrapper_holding_the_article_text_is_not_chrome_whatever_its_class() -> None:
    body = (f"<h1>Sleep well</h1><article class='content widget'><h2>Causes</h2>{BODY}"
            f"<h2>Care</h2>{BODY}</article>")
    assert sections_of(body) == ["Causes", "Care"]


def test_an_author_box_after_the_article_is_not_a_section() -> None:
    bio = ("<div class='biography'><div class='bio_info'><h3>Jane Roe</h3>"
           "Jane has written about health for ten years.</div></div>")
    body = f"<div class='post'><h1>Sleep well</h1><h2>Causes</h2>{BODY}{bio}</div>"
    assert sections_of(body) == ["Causes"]


def test_a_paragraph_opening_with_a_guillemet_does_not_end_the_article() -> None:
    quoted = "<p>«Le sommeil répare le corps», rappelle une médecin du sommeil interrogée à Paris.</p>"
    body = f"<div class='post'><h1>Sleep well</h1><h2>Causes</h2>{quoted}{BODY}<h2>Care</h2>{BODY}</div>"
    assert sections_of(body) == ["Causes", "Care"]


def test_a_heading_captioning_a_video_is_no_section_and_its_text_stays() -> None:
    video = ("<h2>En vidéo, 4 aliments pour mieux dormir</h2>"
             "<div class='player'><video src='v.mp4'></video></div>")
    record = page(f"<div class='post'><h1>Sleep well</h1>{video}{BODY}<h2>Causes</h2>{BODY}</div>").record
    assert [section.heading for section in record.sections] == ["Causes"]
    assert record.summary is not None and "Adults need" in record.summary


def test_a_post_written_as_lines_in_a_div_is_an_article_with_its_text() -> None:
    lines = "<br>".join(sentence * 3 for sentence in (
        "Adults need seven to nine hours of sleep a night to stay well. ",
        "A regular bedtime and a dark, quiet room help the body settle. "))
    result = page(f"<div class='widget Blog'><h1>Sleep well</h1><div class='post-body'>{lines}</div></div>"
                  "<div class='sidebar'><p>About me: I write about food, sleep and family life.</p></div>")
    assert result.page_type == "article"
    assert result.record.summary is not None and result.record.summary.startswith("Adults need")


def test_a_related_heading_in_a_boxs_title_bar_heads_its_links() -> None:
    box = ('<div class="more-box"><header><h2>mehr aus Gesundheit</h2></header><ul>'
           '<li><h3><a href="/health/naps">Are naps good for you?</a></h3></li>'
           '<li><h3><a href="/health/snoring">Why people snore</a></h3></li></ul></div>')
    assert recommendations_of(box) == [("Are naps good for you?", "https://www.example.org/health/naps"),
                                       ("Why people snore", "https://www.example.org/health/snoring")]


def test_a_utc_time_is_read_in_the_zone_the_page_states_for_the_same_instant() -> None:
    data = json.dumps({"@type": "NewsArticle", "datePublished": "2019-10-18T22:04:00Z"})
    head = (f'<script type="application/ld+json">{data}</script>'
            '<meta name="date" content="Sat, 19 Oct 2019 00:04:00 +0200">')
    assert published(head=head) == "2019-10-19T00:04:00"


def test_a_post_filed_under_a_year_and_month_takes_the_first_date_of_that_month_after_its_text() -> None:
    footer = "<div class='post-footer'><span>May 03, 2017</span></div>"
    comment = "<div class='comment'><p>Lovely!</p><span>May 10, 2017</span></div>"
    url = "https://www.example.org/2017/05/sleep-well.html"
    assert article(after=footer + comment, url=url).record.published_at == "2017-05-03"


def test_read_also_inside_a_paragraph_is_a_link_of_the_text_not_the_related_block() -> None:
    inline = '<p><strong>À lire aussi :</strong> <a href="/health/naps">Are naps good for you?</a></p>'
    block = ('<div class="box"><h3>La rédaction vous conseille :</h3><ul>'
             '<li><a href="/health/snoring">Why people snore</a></li>'
             '<li><a href="/health/dreams">What dreams are for</a></li></ul></div>')
    html = f"<div class='post'><h1>Sleep well</h1>{BODY}{inline}<h2>Causes</h2>{BODY}{block}</div>"
    record = page(html).record
    assert [r.title for r in record.recommendations] == ["Why people snore", "What dreams are for"]
    assert [section.heading for section in record.sections] == ["Causes"]


def test_a_page_footers_disclaimer_is_not_the_running_text_of_a_listings_last_page() -> None:
    card = ('<li><a href="/health/naps">Are naps good for you?</a><span>2019-03-02</span>'
            "<p>What a short nap does for memory and mood...</p></li>")
    footer = ("<div class='footer'><p>Disclaimer: the articles on this site are for general health "
              "education only and cannot replace a doctor. If you feel unwell, see a doctor.</p></div>")
    html = f"<div class='main'><h1>Sleep</h1><ul class='list'>{card}</ul></div>{footer}"
    assert page(html, url="https://www.example.org/c/sleep/page/32.html").page_type == "listing"


@pytest.mark.parametrize("marks", ['class="NewsletterSignup_box__x1"', 'id="Related-Posts"',
                                   'class="SIDEBAR"'])
def test_chrome_boxes_are_known_by_their_class_or_id_whatever_its_case(marks: str) -> None:
    box = f"<div {marks}><h3>Sleep better tonight</h3><p>Get our weekly tips in your inbox now.</p></div>"
    record = article(after=box).record
    assert "Sleep better tonight" not in [section.heading for section in record.sections]
    assert "weekly tips" not in " ".join([*(record.summary or "").split("\n\n"),
                                          *(section.text for section in record.sections)])
