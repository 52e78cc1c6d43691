"""Checks for the structured message types: news articles and template cards.

The rules are those of the WeCom group robot API documentation. Each error names
the field by its path in the pipeline, such as ``params.card.card_action.url``,
so a wrong card fails before anything is sent.
"""

import copy

from .errors import ResourceError
from .i18n import tr
from .limits import truncate

MAX_ARTICLES = 8
# WeCom cuts longer news texts silently, possibly inside a character. Cutting here
# keeps the text valid and shows that something was cut.
ARTICLE_TITLE_MAX_BYTES = 128
ARTICLE_DESCRIPTION_MAX_BYTES = 512
ELLIPSIS = "…"

CARD_TYPES = ("text_notice", "news_notice")
CARD_ACTION_TYPES = {1: "url", 2: "appid"}
HORIZONTAL_CONTENT_TYPES = {0: None, 1: "url", 2: "media_id", 3: "userid"}
JUMP_TYPES = {0: None, 1: "url", 2: "appid"}
MAX_HORIZONTAL_CONTENT = 6
MAX_JUMPS = 3
MAX_VERTICAL_CONTENT = 4
ASPECT_RATIO_RANGE = (1.3, 2.25)


def check_articles(articles: list, field: str = "params.articles") -> list[dict]:
    """Check 1 to 8 news articles and return copies with over-long texts cut."""
    if not 1 <= len(articles) <= MAX_ARTICLES:
        raise ResourceError(tr("articles_count", field=field, count=len(articles), maximum=MAX_ARTICLES))
    checked = []
    for index, article in enumerate(articles):
        item_field = f"{field}[{index}]"
        _require_object(article, item_field)
        _reject_unknown(article, ("title", "description", "url", "picurl"), item_field)
        _require_string(article, "title", item_field)
        _require_url(article, "url", item_field)
        _optional_string(article, "description", item_field)
        if "picurl" in article:
            _require_url(article, "picurl", item_field)
        checked.append(fit_article(dict(article)))
    return checked


def fit_article(article: dict) -> dict:
    """Cut an article's title and description to the sizes WeCom displays."""
    article["title"] = truncate(article["title"], ARTICLE_TITLE_MAX_BYTES, ELLIPSIS)
    if article.get("description"):
        article["description"] = truncate(article["description"], ARTICLE_DESCRIPTION_MAX_BYTES, ELLIPSIS)
    return article


def check_card(card: dict, build_url: str, field: str = "params.card") -> dict:
    """Check a template card and return a copy, with ``card_action`` opening the build by default."""
    card = copy.deepcopy(card)
    card_type = card.get("card_type")
    if card_type not in CARD_TYPES:
        raise ResourceError(
            tr("not_a_choice", field=f"{field}.card_type", value=card_type, choices=", ".join(CARD_TYPES))
        )

    if "card_action" not in card:
        if not build_url:
            raise ResourceError(tr("card_action_missing", field=f"{field}.card_action"))
        card["card_action"] = {"type": 1, "url": build_url}
    _check_typed_link(card["card_action"], f"{field}.card_action", CARD_ACTION_TYPES)

    if card_type == "text_notice":
        _check_text_notice(card, field)
    else:
        _check_news_notice(card, field)
    _check_list(card, "horizontal_content_list", MAX_HORIZONTAL_CONTENT, field, _check_horizontal_item)
    _check_list(card, "jump_list", MAX_JUMPS, field, _check_jump)
    return card


def _check_text_notice(card: dict, field: str) -> None:
    main_title = card.get("main_title", {})
    _require_object(main_title, f"{field}.main_title")
    if not main_title.get("title") and not card.get("sub_title_text"):
        raise ResourceError(tr("card_title_missing", field=field))


def _check_news_notice(card: dict, field: str) -> None:
    main_title = card.get("main_title")
    _require_object(main_title, f"{field}.main_title")
    _require_string(main_title, "title", f"{field}.main_title")

    # NOTE: copies of the documentation disagree on whether card_image alone is
    # required, so either image form is accepted.
    card_image = card.get("card_image")
    image_text_area = card.get("image_text_area")
    if card_image is None and image_text_area is None:
        raise ResourceError(tr("card_image_missing", field=field))
    if card_image is not None:
        _require_object(card_image, f"{field}.card_image")
        _require_url(card_image, "url", f"{field}.card_image")
        ratio = card_image.get("aspect_ratio")
        if ratio is not None and not (
            isinstance(ratio, int | float) and ASPECT_RATIO_RANGE[0] <= ratio <= ASPECT_RATIO_RANGE[1]
        ):
            raise ResourceError(
                tr(
                    "range_invalid",
                    field=f"{field}.card_image.aspect_ratio",
                    value=ratio,
                    minimum=ASPECT_RATIO_RANGE[0],
                    maximum=ASPECT_RATIO_RANGE[1],
                )
            )
    if image_text_area is not None:
        _require_object(image_text_area, f"{field}.image_text_area")
        _require_url(image_text_area, "image_url", f"{field}.image_text_area")
    _check_list(card, "vertical_content_list", MAX_VERTICAL_CONTENT, field, _check_vertical_item)


def _check_list(card: dict, name: str, maximum: int, field: str, check_item) -> None:
    if name not in card:
        return
    items = card[name]
    list_field = f"{field}.{name}"
    if not isinstance(items, list):
        raise ResourceError(tr("wrong_type", field=list_field, expected="list", kind=type(items).__name__))
    if len(items) > maximum:
        raise ResourceError(tr("too_many_items", field=list_field, count=len(items), maximum=maximum))
    for index, item in enumerate(items):
        check_item(item, f"{list_field}[{index}]")


def _check_horizontal_item(item: dict, field: str) -> None:
    _require_object(item, field)
    _require_string(item, "keyname", field)
    _check_typed_link(item, field, HORIZONTAL_CONTENT_TYPES, default_type=0)


def _check_jump(item: dict, field: str) -> None:
    _require_object(item, field)
    _require_string(item, "title", field)
    _check_typed_link(item, field, JUMP_TYPES, default_type=0)


def _check_vertical_item(item: dict, field: str) -> None:
    _require_object(item, field)
    _require_string(item, "title", field)


def _check_typed_link(item: dict, field: str, types: dict, default_type: int | None = None) -> None:
    """Check ``item.type`` and the field that this type requires, such as ``url`` for type 1."""
    _require_object(item, field)
    link_type = item.get("type", default_type)
    if link_type not in types or isinstance(link_type, bool):
        choices = ", ".join(str(choice) for choice in types)
        raise ResourceError(tr("not_a_choice", field=f"{field}.type", value=link_type, choices=choices))
    required = types[link_type]
    if required == "url":
        _require_url(item, "url", field)
    elif required:
        _require_string(item, required, field)


def _require_object(value: object, field: str) -> None:
    if not isinstance(value, dict):
        raise ResourceError(tr("wrong_type", field=field, expected="object", kind=_kind(value)))


def _require_string(item: dict, name: str, field: str) -> None:
    value = item.get(name)
    if value is None or value == "":
        raise ResourceError(tr("required_missing", field=f"{field}.{name}"))
    if not isinstance(value, str):
        raise ResourceError(tr("wrong_type", field=f"{field}.{name}", expected="string", kind=_kind(value)))


def _optional_string(item: dict, name: str, field: str) -> None:
    if name in item and not isinstance(item[name], str):
        raise ResourceError(tr("wrong_type", field=f"{field}.{name}", expected="string", kind=_kind(item[name])))


def _require_url(item: dict, name: str, field: str) -> None:
    _require_string(item, name, field)
    if not item[name].startswith(("https://", "http://")):
        raise ResourceError(tr("url_invalid", field=f"{field}.{name}", value=item[name]))


def _reject_unknown(item: dict, known: tuple[str, ...], field: str) -> None:
    for name in item:
        if name not in known:
            raise ResourceError(tr("unknown_key", field=f"{field}.{name}"))


def _kind(value: object) -> str:
    names = {bool: "boolean", int: "number", float: "number", str: "string", list: "list", dict: "object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
