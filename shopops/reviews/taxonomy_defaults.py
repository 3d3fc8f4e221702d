"""The aspect taxonomies shopops ships: generic e-commerce aspects plus extras per product group.

``{aspect: [terms]}`` with English and Chinese terms. English terms are matched as whole words with
simple plural tolerance ("strap" finds "straps"), Chinese ones as substrings (see
:func:`shopops.reviews.aspects.extract_aspects`). A merchant replaces any of this per category
(:func:`shopops.reviews.taxonomy.save_taxonomy`); these are only the starting point.

``GROUP_KEYWORDS`` map a store's category string ("Home & Kitchen > Cutting boards", "服装/女装")
to a group: the group whose keywords occur most often in it wins; none means generic only.
"""

from __future__ import annotations

# fmt: off
GENERIC: dict[str, list[str]] = {
    "quality": ["quality", "build quality", "craftsmanship", "workmanship", "质量", "品质", "做工",
                "质感", "用料"],
    "price": ["price", "value", "value for money", "cost", "cheap", "expensive", "worth", "money", "deal",
              "价格", "价钱", "性价比", "价位", "便宜", "贵", "划算", "实惠"],
    "delivery": ["delivery", "shipping", "shipment", "courier", "arrived", "arrival", "dispatch",
                 "delivered", "物流", "快递", "发货", "送货", "配送", "到货", "速度", "送达"],
    "packaging": ["packaging", "package", "packing", "box", "wrapping", "包装", "包装盒", "盒子",
                  "外包装"],
    "service": ["service", "customer service", "seller", "support", "staff", "refund", "return",
                "warranty", "客服", "服务", "售后", "卖家", "商家", "店家", "退货", "退款", "保修"],
    "appearance": ["design", "look", "looks", "appearance", "style", "colour", "color", "finish", "外观",
                   "颜色", "款式", "样子", "设计", "造型", "颜值"],
    "material": ["material", "fabric", "cloth", "plastic", "metal", "leather", "材质", "材料", "面料",
                 "布料"],
    "size": ["size", "sizing", "fit", "fits", "fitting", "dimensions", "尺寸", "尺码", "大小", "码数"],
    "durability": ["durability", "durable", "sturdy", "broke", "broken", "lasted", "耐用", "结实", "牢固",
                   "坏了"],
    "performance": ["performance", "speed", "works", "working", "power", "性能", "效果", "功能"],
    "ease of use": ["easy to use", "ease of use", "setup", "set up", "install", "installation", "使用",
                    "操作", "安装", "方便"],
    "instructions": ["instructions", "manual", "guide", "说明书", "说明"],
    "battery": ["battery", "battery life", "charging", "电池", "续航", "充电"],
    "comfort": ["comfort", "comfortable", "uncomfortable", "舒适", "舒服"],
    "smell": ["smell", "odor", "odour", "气味", "异味"],
    "taste": ["taste", "flavour", "flavor", "味道", "口味", "口感"],
    "screen": ["screen", "display", "屏幕", "显示屏"],
    "sound": ["sound", "audio", "volume", "声音", "音质", "音量"],
    "authenticity": ["genuine", "authentic", "original", "fake", "counterfeit", "正品", "假货", "真假"],
    "leakage": ["leak", "leaks", "leaking", "leaked", "leaky", "leakage", "spill", "spills", "漏水", "漏液",
                "渗水", "漏"],
}

GROUPS: dict[str, dict[str, list[str]]] = {
    "apparel": {
        "size": ["size", "sizing", "fit", "fits", "fitting", "length", "waist", "sleeve", "tight",
                 "loose", "尺码", "尺寸", "码数", "大小", "版型", "合身", "偏大", "偏小", "长度"],
        "comfort": ["comfort", "comfortable", "soft", "softness", "breathable", "舒适", "舒服", "柔软",
                    "透气"],
        "material": ["fabric", "material", "cotton", "cloth", "stitching", "stitch", "thread", "面料",
                     "布料", "材质", "棉", "线头", "做工"],
        "colour": ["colour", "color", "colours", "fade", "faded", "print", "颜色", "色差", "掉色", "褪色",
                   "图案"],
        "washing": ["wash", "washing", "shrink", "shrank", "shrunk", "洗", "缩水", "起球"],
    },
    "electronics": {
        "battery": ["battery", "battery life", "charge", "charging", "charger", "电池", "续航", "电量",
                    "充电"],
        "screen": ["screen", "display", "picture", "picture quality", "resolution", "brightness", "屏幕",
                   "屏", "显示", "画面", "画质", "分辨率", "亮度"],
        "sound": ["sound", "audio", "speaker", "speakers", "volume", "bass", "声音", "音质", "音效",
                  "音量", "喇叭"],
        "camera": ["camera", "photo", "photos", "lens", "zoom", "相机", "拍照", "摄像头", "镜头", "像素",
                   "照片"],
        "performance": ["performance", "speed", "fast", "slow", "lag", "processor", "memory", "ram",
                        "性能", "速度", "反应", "运行", "卡顿", "处理器", "内存", "流畅"],
        "connectivity": ["wifi", "wi-fi", "bluetooth", "signal", "connection", "usb", "port", "ports",
                         "信号", "蓝牙", "无线", "接口", "连接"],
        "software": ["software", "app", "apps", "os", "update", "updates", "system", "软件", "系统",
                     "固件"],
        "heat": ["heat", "overheat", "overheating", "hot", "temperature", "发热", "发烫", "温度", "散热"],
        "remote": ["remote", "remote control", "遥控", "遥控器"],
        "keyboard": ["keyboard", "keys", "touchpad", "trackpad", "键盘", "按键", "触控板"],
    },
    "home_kitchen": {
        "cleaning": ["clean", "cleaning", "dishwasher", "wash", "清洗", "清洁", "好洗"],
        "size": ["size", "capacity", "dimensions", "fit", "尺寸", "大小", "容量"],
        "smell": ["smell", "odor", "odour", "气味", "味道", "异味"],
        "noise": ["noise", "noisy", "quiet", "loud", "噪音", "声音", "静音"],
        "safety": ["safe", "safety", "bpa", "toxic", "安全", "无毒"],
        "assembly": ["assembly", "assemble", "screws", "安装", "组装"],
    },
    "beauty": {
        "scent": ["scent", "smell", "fragrance", "perfume", "香味", "味道", "气味", "香"],
        "texture": ["texture", "consistency", "greasy", "sticky", "oily", "质地", "油腻", "粘", "清爽",
                    "滋润"],
        "effect": ["effect", "results", "moisturizing", "hydrating", "效果", "保湿", "补水", "去屑",
                   "柔顺", "顺滑"],
        "skin reaction": ["irritation", "rash", "breakout", "allergic", "sensitive", "过敏", "刺激",
                          "长痘", "泛红"],
        "hair": ["hair", "scalp", "frizz", "头发", "发质", "头皮", "毛躁"],
    },
    "food": {
        "taste": ["taste", "flavour", "flavor", "delicious", "sweet", "salty", "spicy", "味道", "口味",
                  "口感", "好吃", "难吃", "甜", "咸", "辣"],
        "freshness": ["fresh", "freshness", "stale", "expired", "expiry", "新鲜", "过期", "变质",
                      "保质期"],
        "portion": ["portion", "quantity", "amount", "serving", "分量", "份量"],
        "smell": ["smell", "aroma", "香味", "气味"],
    },
    "outdoor": {
        "waterproof": ["waterproof", "water resistant", "rain", "leak", "leaks", "防水", "漏水"],
        "weight": ["weight", "heavy", "light", "lightweight", "重量", "轻便"],
        "durability": ["durable", "sturdy", "tear", "ripped", "broke", "耐用", "结实", "破"],
        "comfort": ["comfort", "comfortable", "padding", "straps", "舒适", "背负"],
        "setup": ["setup", "set up", "pitch", "assembly", "搭建", "安装"],
    },
}

GROUP_KEYWORDS: dict[str, list[str]] = {
    "apparel": ["apparel", "clothing", "clothes", "fashion", "shirt", "t-shirt", "tshirt", "dress",
                "jeans", "pants", "jacket", "shoe", "shoes", "sock", "wear", "服装", "衣服", "女装",
                "男装", "鞋", "衬衫", "裤", "裙", "外套", "衣"],
    "electronics": ["electronic", "electronics", "phone", "mobile", "laptop", "notebook computer",
                    "computer", "tablet", "camera", "tv", "television", "headphone", "earbuds", "speaker",
                    "charger", "数码", "电子", "手机", "电脑", "笔记本", "平板", "相机", "电视", "耳机",
                    "音箱", "家电"],
    "home_kitchen": ["home", "kitchen", "cookware", "furniture", "bedding", "cutting board", "appliance",
                     "decor", "garden", "家居", "厨房", "厨具", "家具", "床上用品", "日用"],
    "beauty": ["beauty", "cosmetic", "cosmetics", "skincare", "skin care", "makeup", "hair care",
               "shampoo", "perfume", "personal care", "美妆", "化妆品", "护肤", "洗发水", "洗发", "香水",
               "个护", "洗护"],
    "food": ["food", "grocery", "groceries", "snack", "snacks", "beverage", "drink", "coffee", "tea",
             "食品", "零食", "饮料", "水果", "生鲜", "外卖", "茶", "咖啡"],
    "outdoor": ["outdoor", "outdoors", "camping", "hiking", "sports", "sport", "fitness", "bike", "tent",
                "户外", "运动", "露营", "登山", "健身", "帐篷"],
}
# fmt: on
