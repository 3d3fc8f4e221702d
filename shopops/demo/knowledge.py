"""The demo store's policies and FAQ, written for shopops. Numbers here match the simulated orders
(processing and transit times, final-sale products) so grounded answers can be checked against both."""

from __future__ import annotations

SHIPPING_POLICY = """\
# Shipping policy

Lumen & Leaf ships from one warehouse. Orders placed before 2 pm (Pacific time) on a business day
leave the warehouse the same or the next business day; processing never takes more than 2 business
days.

## Rates and delivery times

| Destination | Carrier | Transit time | Cost |
|---|---|---|---|
| United States | USPS Ground Advantage | 3-5 business days | $6.95, free on orders of $75 or more |
| Canada | UPS Standard | 5-8 business days | $14.95 |
| United Kingdom, Germany, Australia, Singapore | DHL Express | 5-10 business days | $19.95 |
| Mainland China | SF Express | 6-10 business days | $19.95 |

Raised garden beds ship as two parcels and may arrive on different days.

## Tracking

You receive a tracking number by email when your order ships. Tracking can take 24 hours to show
the first scan.

## Duties and taxes

Orders to Canada, the United Kingdom, Germany, Australia, Singapore and China may be charged import
duties and taxes by the destination country. They are paid by the recipient and are not refundable.

## Lost or damaged parcels

If tracking has not updated for 7 days, or your parcel arrives damaged, contact us within 14 days of
the delivery date with your order number and photos of the damage. We send a replacement or a full
refund; you do not need to return damaged goods.
"""

RETURNS_POLICY = """\
# Returns and refunds

## The 30-day rule

You may return an item within **30 days of the delivery date** if it is unused, in its original
condition and original packaging. Start a return by emailing support@example.com with your order
number.

## What cannot be returned

- **Final-sale items** cannot be returned or exchanged. They are marked "Final sale" on the product
  page and on your receipt (currently: the Handwoven Rattan Pendant Shade and the Ceramic Bud Vase Trio).
- Used candles, and gardening gloves that have been worn.
- Gift cards.

Final-sale items that arrive damaged or faulty are still covered by our shipping and warranty policies.

## Return shipping

Returns of faulty, damaged or wrongly sent items are free: we email you a prepaid label. For any
other return, a $6.95 label fee is deducted from the refund (international customers send the item
back at their own cost).

## Refunds

Refunds go to the original payment method within 5-10 business days after the return reaches our
warehouse. Original shipping charges are not refunded unless the item was faulty or sent in error.

## Exchanges

Need a different size or colour? Ask for an exchange within the same 30 days; we ship the new item
as soon as the original is on its way back, free of charge once per order.
"""

WARRANTY = """\
# Warranty

Every Lumen & Leaf product is covered against manufacturing defects for **1 year from the delivery
date**. The Pre-Seasoned Cast Iron Skillet and the Galvanised Steel Watering Can are covered for life.

Batteries in the Rechargeable LED Camping Lantern and the Solar LED Path Lights are covered for 1 year;
a battery that holds less than half of its rated charge within that year counts as a defect.

## What the warranty does not cover

Normal wear, accidents, misuse, and damage from not following the care instructions (for example,
putting the bamboo cutting board in the dishwasher).

## How to claim

Email support@example.com with your order number, a short description and a photo. We repair,
replace or refund the item; you never pay shipping on a warranty claim.
"""

FAQ: tuple[dict[str, str], ...] = (
    {
        "question": "How long does delivery take?",
        "answer": "Orders leave our warehouse within 2 business days. US delivery takes 3-5 business days, "
        "Canada 5-8, and the UK, Germany, Australia, Singapore and China 5-10 business days.",
        "language": "en",
    },
    {
        "question": "Do you offer free shipping?",
        "answer": "Yes, within the United States on orders of $75 or more. Otherwise US shipping is $6.95.",
        "language": "en",
    },
    {
        "question": "Can I return an item?",
        "answer": "Yes, within 30 days of delivery if it is unused and in its original packaging. "
        "Final-sale items cannot be returned.",
        "language": "en",
    },
    {
        "question": "Which items are final sale?",
        "answer": 'Items marked "Final sale" on the product page, currently the Handwoven Rattan '
        "Pendant Shade and the Ceramic Bud Vase Trio.",
        "language": "en",
    },
    {
        "question": "When will I get my refund?",
        "answer": "Within 5-10 business days after your return reaches our warehouse, to the original "
        "payment method.",
        "language": "en",
    },
    {
        "question": "My parcel arrived damaged. What do I do?",
        "answer": "Email us within 14 days of delivery with your order number and photos. We send a "
        "replacement or a full refund; you do not need to return the damaged item.",
        "language": "en",
    },
    {
        "question": "Can the bamboo cutting board go in the dishwasher?",
        "answer": "No. Hand wash it and oil it now and then with food-safe mineral oil.",
        "language": "en",
    },
    {
        "question": "Is the cast iron skillet suitable for induction hobs?",
        "answer": "Yes, it works on induction, gas, electric, in the oven and over a campfire.",
        "language": "en",
    },
    {
        "question": "发货需要多久？",
        "answer": "订单在2个工作日内从仓库发出。寄往中国大陆使用顺丰速运，一般6-10个工作日送达。",
        "language": "zh",
    },
    {
        "question": "可以退货吗？",
        "answer": '收货后30天内，商品未使用且保留原包装即可退货。标有"Final sale"（清仓）的商品不支持退换。',
        "language": "zh",
    },
    {
        "question": "紫砂壶第一次使用需要注意什么？",
        "answer": "首次使用前请用沸水烫洗茶壶，不要使用洗洁精。",
        "language": "zh",
    },
    {
        "question": "产品有保修吗？",
        "answer": "所有产品自签收之日起享受1年质量保修；铸铁锅和洒水壶终身保修。",
        "language": "zh",
    },
)
