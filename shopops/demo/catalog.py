"""The demo store's catalog: "Lumen & Leaf", a fictional home and outdoor goods shop.

Everything in it is invented for shopops (names, prices, specifications); nothing is copied from any
real store or data set. :mod:`shopops.demo.generate` turns these definitions into the files the
importers read. Demand parameters (``popularity``, ``season``) and review parameters (``quality``,
``weak_aspect``) shape the simulated orders and reviews.
"""

from __future__ import annotations

from shopops.demo.catalog_home import HOME_PRODUCTS
from shopops.demo.catalog_outdoor import OUTDOOR_PRODUCTS
from shopops.demo.spec import Option, ProductSpec

STORE_NAME = "Lumen & Leaf"
VENDOR = "Lumen & Leaf"
LOCATION = "main"  # the one warehouse; sales and inventory rows use it
PRODUCTS: tuple[ProductSpec, ...] = HOME_PRODUCTS + OUTDOOR_PRODUCTS

__all__ = ["LOCATION", "PRODUCTS", "STORE_NAME", "VENDOR", "Option", "ProductSpec"]
