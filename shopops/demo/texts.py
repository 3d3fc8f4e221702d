"""Word lists and review templates for the demo store (all written for shopops).

Review sentences are templated per aspect (quality, size, delivery, packaging, price), polarity
(positive, negative) and language (en, zh). ``{noun}`` is the product's name in that language and
``{days}`` a delivery time, so the sentiment and aspect of every generated review are known.
"""

from __future__ import annotations

ASPECTS = ("quality", "size", "delivery", "packaging", "price")

FIRST_NAMES_EN = (
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Ethan",
    "Sophia",
    "Mason",
    "Isla",
    "Lucas",
    "Mia",
    "Oliver",
    "Amelia",
    "James",
    "Harper",
    "Leo",
    "Grace",
    "Henry",
    "Chloe",
    "Jack",
    "Ruby",
    "Samuel",
    "Nora",
    "Daniel",
    "Priya",
    "Arjun",
    "Sofia",
    "Mateo",
    "Hannah",
    "Felix",
    "Zoe",
    "Omar",
    "Leila",
    "Theo",
    "Maya",
    "Jonas",
)
LAST_NAMES_EN = (
    "Walker",
    "Bennett",
    "Hughes",
    "Foster",
    "Reyes",
    "Patel",
    "Murphy",
    "Campbell",
    "Turner",
    "Brooks",
    "Nguyen",
    "Schmidt",
    "Okafor",
    "Larsen",
    "Moreau",
    "Kowalski",
    "Silva",
    "Fischer",
    "Hayes",
    "Sullivan",
    "Rossi",
    "Tanaka",
    "Kim",
    "Abbott",
    "Dalton",
    "Ellison",
    "Harper",
    "Irving",
    "Keller",
    "Lowe",
)
SURNAMES_ZH = ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "林", "何", "郭", "罗")
SURNAMES_ZH_PINYIN = (
    "wang",
    "li",
    "zhang",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "zhou",
    "wu",
    "xu",
    "sun",
    "lin",
    "he",
    "guo",
    "luo",
)
GIVEN_ZH = (
    ("晓明", "xiaoming"),
    ("丽娜", "lina"),
    ("子轩", "zixuan"),
    ("雨桐", "yutong"),
    ("浩然", "haoran"),
    ("欣怡", "xinyi"),
    ("俊杰", "junjie"),
    ("思琪", "siqi"),
    ("宇航", "yuhang"),
    ("佳怡", "jiayi"),
    ("志强", "zhiqiang"),
    ("梦瑶", "mengyao"),
)
# country, share of customers, language, carrier
COUNTRIES = (
    ("US", 0.46, "en", "USPS"),
    ("CA", 0.10, "en", "UPS"),
    ("GB", 0.10, "en", "DHL"),
    ("AU", 0.07, "en", "DHL"),
    ("DE", 0.05, "en", "DHL"),
    ("CN", 0.14, "zh", "SF Express"),
    ("SG", 0.08, "zh", "DHL"),
)

TEMPLATES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "en": {
        "quality": {
            "pos": (
                "The {noun} feels really well made and sturdy.",
                "Excellent build quality, the {noun} is better than I expected.",
                "Solid materials and a lovely finish on the {noun}.",
            ),
            "neg": (
                "The {noun} started to wear out after only a few weeks.",
                "Disappointing quality, the {noun} feels cheap.",
                "The finish on the {noun} came off quickly.",
            ),
        },
        "size": {
            "pos": (
                "The size is exactly as described.",
                "Fits perfectly, the dimensions are spot on.",
                "Good size, not too big and not too small.",
            ),
            "neg": (
                "It runs small, I had to exchange it for a bigger size.",
                "Much smaller than I expected from the photos.",
                "The size is not as described in the listing.",
            ),
        },
        "delivery": {
            "pos": (
                "Arrived in {days} days, faster than promised.",
                "Quick delivery and tracking updates all the way.",
                "Shipping was fast and the courier was friendly.",
            ),
            "neg": (
                "Delivery took {days} days, far too long.",
                "The parcel was delayed and tracking did not update for a week.",
                "Shipping was slow and nobody answered my emails about it.",
            ),
        },
        "packaging": {
            "pos": (
                "Nicely packaged with no plastic, great as a gift.",
                "Well protected in the box, arrived in perfect condition.",
                "Lovely recyclable packaging.",
            ),
            "neg": (
                "The box was crushed and one piece arrived chipped.",
                "Poor packaging, it arrived damaged.",
                "Too much packaging for such a small item.",
            ),
        },
        "price": {
            "pos": (
                "Great value for the price.",
                "Worth every penny.",
                "Fair price for this quality.",
            ),
            "neg": (
                "Overpriced for what you get.",
                "Too expensive compared with similar products.",
                "Not worth the price in my opinion.",
            ),
        },
    },
    "zh": {
        "quality": {
            "pos": (
                "{noun}做工很好，质量不错。",
                "质量超出预期，{noun}很结实。",
                "材质很好，{noun}手感细腻。",
            ),
            "neg": ("{noun}用了几周就坏了。", "质量一般，{noun}感觉很廉价。", "{noun}表面的涂层很快就掉了。"),
        },
        "size": {
            "pos": ("尺寸和描述的一样。", "大小刚刚好。", "尺寸合适，不大不小。"),
            "neg": ("尺码偏小，只好换了大一号。", "比图片上看起来小很多。", "尺寸和描述不符。"),
        },
        "delivery": {
            "pos": (
                "{days}天就到了，物流很快。",
                "发货快，物流信息一直有更新。",
                "快递很快，快递员态度也好。",
            ),
            "neg": (
                "等了{days}天才到，太慢了。",
                "物流延误，一个星期都没有更新。",
                "发货太慢，问客服也没人回复。",
            ),
        },
        "packaging": {
            "pos": ("包装很用心，送人很合适。", "包装严实，收到时完好无损。", "包装环保，很喜欢。"),
            "neg": (
                "盒子被压坏了，有一件还磕了个口。",
                "包装太简陋，收到时已经破损。",
                "包装太过度了，很浪费。",
            ),
        },
        "price": {
            "pos": ("性价比很高。", "物有所值。", "这个价格很划算。"),
            "neg": ("价格偏贵，不太值。", "比同类产品贵太多了。", "这个价格买这个质量不值得。"),
        },
    },
}

TITLES = {
    "en": {
        5: ("Love it", "Perfect", "Highly recommend", "Exactly what I wanted"),
        4: ("Very good", "Happy with it", "Nice buy"),
        3: ("It's okay", "Mixed feelings", "Average"),
        2: ("Disappointed", "Not great"),
        1: ("Would not buy again", "Very disappointed"),
    },
    "zh": {
        5: ("非常满意", "强烈推荐", "很喜欢"),
        4: ("不错", "挺好的", "满意"),
        3: ("一般般", "还行"),
        2: ("有点失望", "不太满意"),
        1: ("不推荐", "很失望"),
    },
}
