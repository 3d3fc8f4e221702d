"""``/catalog``: product search, a product's facts with the copy studio, and the Shopify export.

With words in ``q`` the list is the hybrid search (BM25 + embeddings; :mod:`shopops.web.pages_search`)
under the category, price and stock filters; with filters only, the products passing them; with
neither, the plain list by title. A product page loads its recommendation panels (similar, bought
together, fewer complaints) from ``/catalog/{id}/recommendations`` after the page itself, so a
first search-index sync never holds up the product's facts.

The copy studio posts to ``/catalog/{id}/copy`` (``copy.write``) and calls
:func:`shopops.copy.service.write_copy`; the new drafts come back as an htmx fragment with their
check flags, linked to the review queue. ``/catalog/export`` (``export``) downloads approved copy
as a Shopify CSV (:mod:`shopops.copy.export`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import ValidationError
from sqlalchemy.orm import selectinload
from starlette.responses import Response

from shopops.api.security import copy_writer, exporter, reader
from shopops.auth.accounts import Principal
from shopops.copy.export import export_csv_text
from shopops.copy.service import write_copy
from shopops.copy.types import LANGUAGES, CopyKind, CopyRequest
from shopops.copy.voice import list_voices
from shopops.errors import InputError, NotFoundError
from shopops.search.types import SearchFilters
from shopops.store.models import Product
from shopops.web.pages_search import (
    FilterForm,
    browse,
    category_choices,
    is_checked,
    recommendation_panels,
    run_search,
    selected_category,
)
from shopops.web.queries import search_products
from shopops.web.render import PER_PAGE, RowId, context_of, is_htmx, page_offset, pager, render
from shopops.workflow.drafts import list_drafts

router = APIRouter(include_in_schema=False)
LENGTHS = ("short", "medium", "long")


@router.get("/catalog")
def catalog(
    request: Request,
    q: str = Query("", max_length=200),
    category: str = Query("", max_length=300),
    min_price: str = Query("", max_length=20),
    max_price: str = Query("", max_length=20),
    in_stock: str = Query("", max_length=5),
    page: int = Query(1, ge=1),
    who: Principal = Depends(reader),
) -> Response:
    """Search (``q``), browse by filters, or list the catalog; bad filter values come back as
    messages on the page (status 422) with the form as typed."""
    ctx = context_of(request)
    form = FilterForm(
        category=category, min_price=min_price, max_price=max_price, in_stock=is_checked(in_stock)
    )
    filters, problems = form.parse()
    choices = category_choices(ctx, form.category)
    form = replace(form, category=selected_category(choices, form.category))
    values: dict[str, object] = {"search": None, "products": [], "pager": None}
    if not problems:  # nothing is searched with a filter that cannot mean what was asked
        values.update(_listing(request, q, form, filters, page))
    return render(
        request,
        "catalog/list.html",
        who,
        status_code=422 if problems else 200,
        active="/catalog",
        q=q,
        form=form,
        categories=choices,
        problems=problems,
        **values,
    )


def _listing(
    request: Request, q: str, form: FilterForm, filters: SearchFilters, page: int
) -> dict[str, object]:
    """The search hits for ``q``, else the products passing the filters, else the plain list."""
    ctx = context_of(request)
    if q.strip():
        return {"search": run_search(ctx, q, filters)}
    if form.given:
        found = browse(ctx, filters, limit=PER_PAGE, offset=page_offset(page))
        return {"search": found, "pager": pager(request, found.total, page)}
    listed = search_products(ctx.db, "", limit=PER_PAGE, offset=page_offset(page))
    return {"products": listed.items, "pager": pager(request, listed.total, page)}


@router.get("/catalog/export")
def export(
    request: Request,
    language: str | None = Query(None, max_length=10),
    _: Principal = Depends(exporter),
) -> Response:
    text, _report = export_csv_text(context_of(request).db, language=language or None)
    stamp = dt.date.today().isoformat()
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="shopify-products-{stamp}.csv"'},
    )


# Attributes an importer keeps for round-trips (raw HTML, image lists, flags), not product facts.
IMPORT_ONLY_ATTRIBUTES = frozenset({"body_html", "images", "published", "status"})


def load_product(request: Request, product_id: int) -> Product:
    with context_of(request).db.session() as session:
        product = session.get(Product, product_id, options=[selectinload(Product.variants)])
        if product is None:
            raise NotFoundError(f"no product {product_id}", hint="search the catalog")
        session.expunge(product)
    return product


def studio_values(request: Request, product_id: int, who: Principal) -> dict[str, object]:
    ctx = context_of(request)
    with ctx.db.session() as session:
        voices = [voice.name for voice, _default in list_voices(session)]
    drafts = list_drafts(ctx.db, subject_type="product", subject_id=str(product_id), limit=20)
    return {
        "product": load_product(request, product_id),
        "kinds": [kind.value for kind in CopyKind],
        "languages": LANGUAGES,
        "lengths": LENGTHS,
        "voices": voices,
        "drafts": drafts.items,
        "import_only_attributes": IMPORT_ONLY_ATTRIBUTES,
    }


@router.get("/catalog/{product_id}")
def product_page(
    product_id: RowId,
    request: Request,
    aspect: str = Query("", max_length=100),
    who: Principal = Depends(reader),
) -> Response:
    values = studio_values(request, product_id, who)
    return render(
        request,
        "catalog/product.html",
        who,
        active="/catalog",
        results=None,
        error="",
        aspect=aspect,
        **values,
    )


@router.get("/catalog/{product_id}/recommendations")
def recommendations(
    product_id: RowId,
    request: Request,
    aspect: str = Query("", max_length=100),
    who: Principal = Depends(reader),
) -> Response:
    """The product's recommendation panels: a fragment for htmx, a page of its own otherwise."""
    product = load_product(request, product_id)
    panels = recommendation_panels(context_of(request), product_id, aspect)
    template = "catalog/_recommendations.html" if is_htmx(request) else "catalog/recommendations.html"
    return render(request, template, who, active="/catalog", product=product, **panels.as_values())


@router.post("/catalog/{product_id}/copy")
def write(
    product_id: RowId,
    request: Request,
    kind: str = Form("description", max_length=30),
    language: str = Form("en", max_length=5),
    tone: str = Form("", max_length=200),
    length: str = Form("medium", max_length=10),
    audience: str = Form("", max_length=200),
    variants: int = Form(1, ge=1, le=5),
    voice: str = Form("", max_length=100),
    marketplace: str = Form("", max_length=50),
    country: str = Form("", max_length=2),
    who: Principal = Depends(copy_writer),
) -> Response:
    """Write copy for the product (the model runs; seconds) and show the checked drafts."""
    load_product(request, product_id)
    try:
        copy_request = CopyRequest(
            product=str(product_id),
            kind=CopyKind(kind) if kind in set(CopyKind) else kind,  # type: ignore[arg-type]
            language=language,  # type: ignore[arg-type]
            variants=variants,
            length=length,  # type: ignore[arg-type]
            tone=tone.strip() or None,
            audience=audience.strip() or None,
            voice=voice.strip() or None,
            marketplace=marketplace.strip().lower() or None,
            country=country.strip().upper() or None,
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InputError(f"invalid copy request: {problems}") from None
    results = write_copy(context_of(request), copy_request)
    if is_htmx(request):
        return render(request, "catalog/_results.html", who, results=results)
    values = studio_values(request, product_id, who)
    return render(
        request,
        "catalog/product.html",
        who,
        active="/catalog",
        results=results,
        error="",
        aspect="",
        **values,
    )
