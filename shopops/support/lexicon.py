"""The word lists triage reads messages with: intents, sentiment, urgency, prompt injection.

Each entry is a regular expression (matched case-insensitively on NFKC-normalised text, curly
apostrophes made straight) and, for scores, a weight: 4 decides on its own, 3 is a phrase that
names the intent, 2 a keyword, 1 or less a hint. Latin-script words match whole words only
(``sue`` is not in ``issue``); Chinese ones match anywhere. English and Chinese are covered
most; Spanish, Portuguese, Indonesian and Vietnamese have their common keywords.

Adding a phrase: put it under the intent it signals, with the weight of the entries like it, and
add a labelled example to tests/unit/test_support_triage.py.
"""

from __future__ import annotations

Weighted = tuple[tuple[str, float], ...]

# One apostrophe-or-not contraction: "hasn't", "hasnt", "has not".
NOT = r"(?:n'?t|\s+not)"

INTENT_LEXICON: dict[str, Weighted] = {
    "order_status": (
        (
            r"where(?:'s|\s+is|\s+are)\s+(?:my|our|the)\s+(?:order|package|parcel|stuff|items?|delivery"
            r"|shipment|purchase|box|goods)",
            3,
        ),
        (r"(?:has|have|did|does|is)" + NOT + r"\s+(?:yet\s+)?(?:arrived?|come|shown\s+up|turned\s+up)", 2.5),
        (
            r"(?:not|never|still\s+not|yet\s+to)\s+(?:arrived?|been\s+delivered|delivered|shown\s+up|received)",
            2.5,
        ),
        (
            r"nothing\s+(?:has\s+|have\s+)?(?:arrived|shown\s+up|turned\s+up|come|came)|on\s+(?:its|it's|the)\s+way",
            2.5,
        ),
        (
            r"(?:did|have|has)\s+(?:you|they|you\s+guys)\s+(?:even\s+|actually\s+)?(?:send|sent|ship|shipped|post"
            r"|posted|dispatch|dispatched)\s+(?:it|them|my|the)",
            2.5,
        ),
        (r"(?:the\s+)?(?:courier|carrier)(?:'s)?\s+(?:website|site|app|says|said|tracking|shows)", 2.5),
        (r"(?:has|have|did)" + NOT + r"\s+(?:yet\s+)?(?:received|got|gotten)", 1.5),
        (r"tracking(?:\s+(?:number|no|info|information|link|code))?|track\s+(?:my|the|an?)\b", 2.5),
        (
            r"when\s+(?:will|does|is|can)\s+(?:my|it|the|i|they)\s*(?:order|package|parcel|items?|shipment)?"
            r"\s*(?:arrive|ship|be\s+(?:delivered|shipped|here|sent)|come|get\s+(?:here|it|my)|receive)",
            2.5,
        ),
        (r"(?:shipped|sent|dispatched|delivered)\s+yet|shipped\s+out|been\s+(?:shipped|dispatched)", 2),
        (r"(?:delivery|order|shipping)\s+status|status\s+of\s+my|update\s+on\s+my\s+(?:order|package)", 2.5),
        (r"any\s+updates?|no\s+updates?", 1),
        (
            r"out\s+for\s+delivery|in\s+transit|stuck\s+(?:in|at)|lost\s+(?:in\s+the\s+(?:mail|post)|package)",
            2,
        ),
        (r"(?:says|shows|marked(?:\s+as)?)\s+delivered|returned\s+to\s+sender|return\s+to\s+sender", 3),
        (r"still\s+processing|processing|left\s+the\s+warehouse", 2),
        (r"estimated\s+delivery|delivery\s+date|expected\s+delivery|eta", 1.5),
        (r"my\s+(?:order|package|parcel|delivery|shipment)", 1),
        (r"still\s+waiting|late|delayed|delay", 1),
        # Chinese
        (
            r"还没到|还没有到|没到货|还未到|到哪了|到哪里了|到哪儿了|还在路上|没动静|没有动静|迟迟|到了没|到了吗|到没到",
            3,
        ),
        (r"还没收到|没有收到|没收到|还没发货|发货了吗|发货没|发货了没|什么时候发货|怎么还不发货", 2.5),
        (r"什么时候(?:能|可以|会)?(?:到|送到|收到)|订单状态|订单进度|查件|查询订单|物流信息|物流状态", 2.5),
        (r"物流|运单|快递到|丢件|显示(?:已)?签收|配送进度", 2),
        (r"快递|签收|延迟|延误|单号|包裹|怎么还没", 1),
        # Spanish, Portuguese, Indonesian, Vietnamese
        (r"d[oó]nde\s+est[aá]\s+mi\s+(?:pedido|paquete|orden)|onde\s+est[aá]\s+(?:o\s+)?meu\s+pedido", 3),
        (r"cad[eê]\s+(?:o\s+)?meu\s+pedido|di\s*mana\s+pesanan|pesanan\s+saya\s+di\s*mana", 3),
        (r"đơn\s+hàng\s+(?:của\s+tôi\s+)?(?:đâu|ở\s+đâu)", 3),
        (
            r"no\s+(?:me\s+)?ha\s+llegado|no\s+lleg[oó]|n[aã]o\s+chegou|ainda\s+n[aã]o\s+(?:recebi|chegou)",
            2.5,
        ),
        (r"belum\s+(?:sampai|datang|diterima|terima|dikirim)|chưa\s+(?:nhận\s+được|giao|tới|đến)", 2.5),
        (
            r"estado\s+(?:de\s+mi|del)\s+pedido|status\s+(?:do\s+)?pedido|status\s+pesanan|tình\s+trạng\s+đơn",
            2.5,
        ),
        (
            r"cu[aá]ndo\s+llega|quando\s+chega|kapan\s+(?:sampai|datang|dikirim)|khi\s+nào\s+(?:giao|nhận|tới)",
            2.5,
        ),
        (r"seguimiento|rastre(?:ar|io|amento)|lacak|melacak|resi|theo\s+dõi\s+đơn|bao\s+giờ\s+giao", 2),
    ),
    "return": (
        (r"return(?:s|ed|ing)?", 2),
        (r"return\s+(?:it|them|this|these|the\s+\w+)\s+for\s+(?:a\s+)?(?:refund|exchange)", 3),
        (r"return\s+(?:label|policy|request|form|window|address|shipping)|rma", 2.5),
        (r"(?:send|ship|post|mail)\s+(?:it|them|this|these|those|the\s+\w+(?:\s+\w+)?)\s+back", 3),
        (r"exchange|swap\s+(?:it|them|for)", 2.5),
        (
            r"wrong\s+(?:size|colou?r|item|product)|does"
            + NOT
            + r"\s+fit|too\s+(?:small|big|large|tight|loose)",
            1.5,
        ),
        (r"退货|换货|退换|七天无理由|7天无理由|寄回|退回去", 3),
        (r"(?:能|可以|想|要|怎么)退(?!款|钱)", 2.5),
        (r"退回|尺码不合适|不合身|太小了|太大了|换一个|换个|发错", 1.5),
        (r"devolver|devoluci[oó]n|devolu[cç][aã]o|troca(?:r)?|retur|tukar|mengembalikan\s+barang", 2.5),
        (r"kembalikan\s+barang|đổi\s+trả|trả\s+(?:lại\s+)?hàng|đổi\s+hàng", 3),
    ),
    "refund": (
        (
            r"refund(?:s|ed|ing)?|money\s+(?:be\s+)?(?:back|returned)|reimburse(?:d|ment)?|back\s+on\s+my\s+card",
            2.5,
        ),
        (
            r"where(?:'s|\s+is)\s+my\s+(?:refund|money)|refund\s+status|still\s+no\s+refund"
            r"|(?:have|has|did)" + NOT + r"\s+(?:yet\s+)?(?:received|got|gotten|seen)\s+(?:my|the|a|any)\s+"
            r"(?:refund|money)|when\s+will\s+i\s+(?:get|receive|see)\s+(?:my|the)\s+(?:refund|money)",
            3,
        ),
        (r"退款|退钱|钱.{0,6}退|退.{0,3}钱", 3),
        (r"返还|返款", 1.5),
        (
            r"reembolso|estorno|dinheiro\s+de\s+volta|devoluci[oó]n\s+del\s+dinero|devolver\s+(?:el|mi)\s+dinero",
            3,
        ),
        (r"pengembalian\s+dana|uang\s+(?:saya\s+)?kembali|hoàn\s+tiền|trả\s+lại\s+tiền|trả\s+tiền\s+lại", 3),
    ),
    "cancel": (
        (r"cancel(?:l?ed|l?ing|s|lation)?", 3),
        (r"stop\s+(?:the|my)\s+order|(?:do" + NOT + r"|no\s+longer)\s+want\s+(?:it|the\s+order|this)", 2),
        (r"(?:do" + NOT + r"|please\s+don't)\s+(?:ship|send|dispatch)\s+(?:it|them|my\s+order)", 3),
        (r"no\s+longer\s+need|changed\s+my\s+mind", 1.5),
        (r"取消订单|撤单|撤销订单|撤回订单|订单.{0,3}撤回", 4),
        (r"取消", 2.5),
        (r"不想要了|不要了", 2),
        (r"cancelar|cancelaci[oó]n|cancelamento|anular|batalkan|membatalkan|pembatalan|h[uủ]y\s+đơn", 3),
        (r"h[uủ]y|huỷ|batal", 2),
    ),
    "payment": (
        (
            r"charged\s+(?:me\s+)?(?:twice|two\s+times|double)|double[-\s]charged|overcharged|extra\s+charge"
            r"|wrong\s+amount|payment\s+(?:failed|declined|error|issue|problem|method|options?)"
            r"|card\s+(?:was\s+)?(?:declined|rejected)",
            3,
        ),
        (r"invoices?|receipts?|vat\b|billing", 2.5),
        (r"(?:pending|unknown|unauthori[sz]ed|duplicate|strange)\s+(?:charge|payment|transaction)", 3),
        (r"(?:how\s+(?:can|do)\s+i|can\s+i)\s+pay|pay\s+(?:with|by|in|via|using)|installments?", 2.5),
        (r"paypal|apple\s+pay|google\s+pay|klarna|afterpay|credit\s+card|debit\s+card|bank\s+transfer", 2),
        (r"cash\s+on\s+delivery|payments?|charged|paid|pay", 1.5),
        (r"coupon|discount\s+code|promo\s+code|voucher|gift\s+card", 2),
        (r"扣.{0,4}两次|重复扣款|多扣|付不了|支付失败|付款失败|发票", 3),
        (r"付款|支付|扣款|收据|支付宝|微信支付|信用卡|银行卡|花呗|分期|优惠券|优惠码|礼品卡", 2.5),
        (r"pago|pagar|factura|cobro|cobraron|pagamento|boleto|pix|nota\s+fiscal|fatura|cobrad[oa]", 2.5),
        (r"pembayaran|bayar|transfer\s+bank|faktur|tagihan|thanh\s+toán|hóa\s+đơn", 2.5),
    ),
    "shipping": (
        (
            r"do\s+you\s+(?:ship|deliver)|(?:ship|deliver)\s+(?:internationally|worldwide|overseas|abroad)"
            r"|international\s+(?:shipping|delivery)|can\s+you\s+(?:ship|deliver)\s+to",
            3,
        ),
        (
            r"shipping\s+(?:costs?|fees?|rates?|prices?|charges?|options?|methods?|times?|policy)"
            r"|how\s+much\s+(?:is|for|does|do\s+you\s+charge\s+for)\s+(?:the\s+)?(?:shipping|delivery|postage)"
            r"|cost\s+to\s+ship|free\s+(?:shipping|delivery)|postage",
            3,
        ),
        (
            r"how\s+long\s+(?:does|will|do|would)\s+(?:shipping|delivery|it\s+take|it\s+usually\s+take"
            r"|orders?\s+take|you\s+take)",
            3,
        ),
        (r"express\s+(?:shipping|delivery)|expedited|next[-\s]day|same[-\s]day|standard\s+shipping", 3),
        (
            r"(?:which|what)\s+(?:carriers?|couriers?|delivery\s+(?:company|service))|customs|import\s+(?:duties|tax)",
            2.5,
        ),
        (r"couriers?|carriers?|duties", 1),
        (r"shipping|delivery|ship\s+to", 0.5),
        (r"运费|包邮|邮费|国际运输|国际快递|发往|关税", 3),
        (
            r"能(?:寄|发|送)到|可以(?:寄|发|送)到|配送到|多久(?:能)?到|几天(?:能)?到|多久发货|发货时间|哪个快递|哪家快递",
            2.5,
        ),
        (r"海外|国外|配送", 1),
        (r"顺丰|圆通|中通|申通|韵达|邮政|京东物流|dhl|ups|usps|fedex", 2),
        (r"gastos\s+de\s+env[ií]o|costo\s+de\s+env[ií]o|env[ií]an\s+a|frete|enviam\s+para|entregam\s+em", 3),
        (r"ongkir|ongkos\s+kirim|biaya\s+kirim|phí\s+(?:ship|vận\s+chuyển)|giao\s+hàng\s+đến|ship\s+đến", 3),
        (r"env[ií]os?|entrega|pengiriman|kirim\s+ke|vận\s+chuyển", 1.5),
    ),
    "account": (
        (r"password|log\s?in|sign\s?in|sign\s?up|verification\s+code|two[-\s]factor|2fa|locked\s+out", 3),
        (r"(?:my|an|the|your)\s+account|username|reset\s+link|profile|register|newsletter|unsubscribe", 2.5),
        (r"(?:change|update)\s+my\s+email|account", 1.5),
        (r"密码|登录|登陆|验证码|注册|账号|账户|帐号|帐户|退订", 3),
        (r"会员|个人资料", 1.5),
        (r"contraseña|iniciar\s+sesi[oó]n|senha|kata\s+sandi|mật\s+khẩu|đăng\s+nhập", 3),
        (r"mi\s+cuenta|minha\s+conta|akun|tài\s+khoản", 2.5),
    ),
    "product": (
        (
            r"size\s+(?:chart|guide)|what\s+size|which\s+size|true\s+to\s+size|sizing|runs?\s+(?:small|large|big)"
            r"|in\s+stock|back\s+in\s+stock|restock|out\s+of\s+stock|made\s+(?:of|from)|care\s+instructions"
            r"|machine\s+wash(?:able)?|dishwasher\s+safe",
            3,
        ),
        (
            r"(?:does|do|will|can|is|are)\s+(?:it|this|that|they|these|the\s+\w+(?:\s+\w+)?)\s+"
            r"(?:come|fit|work|have|available|waterproof|suitable|compatible|safe|washable)",
            2.5,
        ),
        (
            r"sizes?|material|fabric|cotton|linen|colou?rs?|dimensions|measurements|how\s+big|weight"
            r"|waterproof|compatible|ingredients|available|availability|warranty|instructions",
            2,
        ),
        (
            r"(?:do|does)\s+you\s+(?:have|sell|make|carry)\s+(?:this|it|these|that|them|one|any)\b"
            r"|how\s+(?:many|much)\s+(?:ml|cl|litres?|liters?|oz|ounces|cm|mm|inches|kg|grams)"
            r"|(?:treated|coated|finished|made)\s+with|capacity|volume",
            3,
        ),
        (r"shrinks?|shrinkage|pre[-\s]?washed|microwave|oven[-\s]safe|dishwasher", 2.5),
        (
            r"微波炉|洗碗机|烤箱|缩水|尺码|尺寸|材质|面料|材料|有货|库存|现货|补货|颜色|规格|说明书|使用方法|怎么用|防水|保修|质保",
            3,
        ),
        (r"大小|适合|多大|多重|重量|洗", 1.5),
        (r"talla|tamanho|ukuran|kích\s+thước|disponible|dispon[ií]vel|estoque|stok|tersedia|còn\s+hàng", 2.5),
        (r"material|bahan|chất\s+liệu|color|cor|warna|màu", 2),
    ),
    "refund_dispute": (
        (r"charge\s?backs?|12315", 4),
        (
            r"disputes?|disputed|disputing|file\s+a\s+(?:claim|complaint)|open\s+a\s+(?:claim|case|dispute)",
            3.5,
        ),
        (
            r"report(?:ing)?\s+(?:you|this|your\s+(?:store|company|shop|business))|(?:i'll|i\s+will)\s+report",
            3.5,
        ),
        (r"(?:contact|call|tell|going\s+to|ask)\s+my\s+(?:bank|card\s+issuer|credit\s+card\s+company)", 3.5),
        (r"credit\s+card\s+company|card\s+issuer|paypal\s+(?:claim|case|dispute)", 2.5),
        (r"my\s+bank|the\s+bank", 1.5),
        (
            r"scam(?:s|med|mer|mers)?|fraud(?:ulent)?|rip(?:ped)?[-\s]?off|stole\s+my\s+money|steal(?:ing)?",
            2.5,
        ),
        (r"(?:complaint|claim|case|dispute)\s+(?:to|with)\s+(?:paypal|my\s+bank|visa|mastercard|amex)", 3.5),
        (r"reverse\s+(?:this|the|that)\s+(?:charge|payment|transaction)", 3.5),
        (r"(?:one|1)[-\s]star|bad\s+reviews?|post\s+(?:this\s+)?(?:on|everywhere)|complaint|complain", 1.5),
        (r"bank", 1),
        (r"投诉|举报|拒付|消协|消费者协会|黑猫投诉", 3.5),
        (r"骗子|诈骗|骗钱|骗人", 3),
        (r"银行|差评|曝光", 1.5),
        (r"disputa|contracargo|denunciar|estafa|reclame\s+aqui|procon|golpe|penipuan|penipu|laporkan", 3),
        (r"lừa\s+đảo|khiếu\s+nại|tố\s+cáo", 3),
    ),
    "legal": (
        (r"lawyers?|attorneys?|solicitors?|lawsuit|sue|suing|sued|legal\s+action|small\s+claims", 4),
        (
            r"court|gdpr|ccpa|data\s+protection|subject\s+access\s+request|dsar|right\s+to\s+(?:be\s+forgotten|erasure)",
            4,
        ),
        (
            r"(?:what|which)\s+(?:personal\s+)?(?:data|information)\s+(?:do\s+)?you\s+(?:store|hold|have|keep|collect)"
            r"|(?:data|information)\s+you\s+(?:store|hold|have|keep)\s+(?:about|on)\s+me",
            3.5,
        ),
        (
            r"delete\s+(?:all\s+)?(?:of\s+)?my\s+(?:personal\s+)?(?:data|information|details)|personal\s+data",
            3.5,
        ),
        (r"consumer\s+(?:protection|rights|authority|agency|council)|ftc|trading\s+standards|ombudsman", 3.5),
        (r"attorney\s+general|better\s+business\s+bureau|bbb|regulator|legal|law", 3),
        (r"律师|起诉|法院|诉讼|告你们|打官司", 4),
        (r"工商局|市场监[管督]", 4),
        (r"个人信息|个人数据|删除我的(?:数据|信息|资料)|法律|维权", 3),
        (r"abogad[oa]|demanda(?:r)?|tribunal|advogad[oa]|processar|processo\s+judicial|justi[cç]a", 4),
        (r"pengacara|menuntut|gugat|pengadilan|luật\s+sư|kiện|tòa\s+án", 4),
    ),
    "abuse": (
        (
            r"(?:i'?ll|i\s+will|i'?m\s+going\s+to|gonna)\s+(?:kill|hurt|find|burn|destroy|come\s+(?:to|for)|beat)"
            r"|watch\s+your\s+back|i\s+know\s+where\s+you|you(?:'ll|\s+will)\s+regret",
            4,
        ),
        (
            r"idiots?|idiotic|stupid|morons?|dumb|imbeciles?|f+u+c+k\w*|f\*+k\w*|wtf|shit\w*|bullshit|bitch\w*"
            r"|bastards?|assholes?|arseholes?|dickheads?|screw\s+you|piss\s+off|go\s+to\s+hell|shut\s+up"
            r"|retard\w*|scum|clowns|brain[-\s]?dead",
            3,
        ),
        (r"useless|pathetic|incompetent|crap|damn", 1.5),
        (
            r"傻逼|傻b|煞笔|sb|傻x|脑残|白痴|蠢货|废物|垃圾客服|脑子有病|有病吧|神经病|有毛病|去死|滚蛋|滚开|他妈的|妈的|操你|草泥马|狗东西|弄死|杀了你",
            3,
        ),
        (r"垃圾", 1.5),
        (r"idiota|est[uú]pid[oa]|imb[eé]cil|mierda|pendejo|merda|porra|ot[aá]rio|caralho", 3),
        (r"bodoh|goblok|tolol|anjing|bangsat|đồ\s+ngu|mẹ\s+mày|đm|cút", 3),
    ),
    "human": (
        (
            r"(?:talk|speak|chat)\s+(?:to|with)\s+(?:a|an|some|your|the)?\s*(?:real|actual|live)?\s*"
            r"(?:human|person|agent|representative|rep|someone|somebody|manager|supervisor|staff|people)",
            4,
        ),
        (
            r"real\s+(?:person|human)|human\s+being|live\s+(?:agent|person|chat)|customer\s+service\s+(?:agent|rep)",
            3.5,
        ),
        (r"(?:transfer|connect|put)\s+me\s+(?:to|through|with)|get\s+me\s+a\s+(?:human|person|manager)", 3.5),
        (r"not\s+a\s+(?:bot|robot)|stop\s+(?:the\s+)?bot|are\s+you\s+a\s+(?:bot|robot|human)", 2.5),
        (r"(?:can|could)\s+(?:someone|somebody|anyone)\s+(?:call|contact|help)\s+me|call\s+me\s+back", 2),
        (r"human|manager|supervisor", 1.5),
        (r"转人工|人工客服|人工服务|找人工|要人工|真人客服", 4),
        (r"人工|真人", 3),
        (r"客服经理|主管|经理|机器人", 1.5),
        (r"hablar\s+con\s+(?:una\s+persona|un\s+humano|un\s+agente|alguien)|agente\s+humano", 4),
        (r"falar\s+com\s+(?:uma\s+pessoa|um\s+humano|um\s+atendente|algu[eé]m)|atendente\s+humano", 4),
        (
            r"bicara\s+dengan\s+(?:manusia|orang|agen|cs)|cs\s+manusia|nói\s+chuyện\s+với\s+(?:người|nhân\s+viên)",
            4,
        ),
        (r"gặp\s+nhân\s+viên|người\s+thật", 3),
    ),
}

# When two intents score the same, the earlier one wins: a person should see the serious ones.
INTENT_PRIORITY: tuple[str, ...] = (
    "legal",
    "refund_dispute",
    "abuse",
    "human",
    "cancel",
    "refund",
    "return",
    "order_status",
    "payment",
    "account",
    "shipping",
    "product",
)

NEGATIVE: Weighted = (
    (
        r"terrible|awful|worst|horrible|horrendous|unacceptable|furious|outraged|disgust(?:ed|ing)|hate"
        r"|scam(?:med)?|fraud|ridiculous|appalling|pathetic|useless|fed\s+up|sick\s+of|never\s+again",
        2,
    ),
    (
        r"angry|upset|disappoint(?:ed|ing)|frustrat(?:ed|ing)|annoy(?:ed|ing)|unhappy|dissatisfied|poor|bad"
        r"|sucks?|rubbish|garbage|joke|waste|broken|damaged|defective|faulty|wrong|missing|lost|late|delayed"
        r"|cheated|lied|misleading|ignored|nobody|no\s+one|tired\s+of|not\s+(?:happy|satisfied|ok|okay|good|great|nice|impressed|pleased)",
        1,
    ),
    (r"third\s+time|3rd\s+time|again\s+and\s+again|still\s+(?:not|no|nothing|haven't|hasn't|waiting)", 1),
    (r"太差|失望|生气|愤怒|气死|垃圾|恶心|离谱|糟糕|受不了|太过分|骗|差评|投诉|无语", 2),
    (r"差|太慢|坏了|破损|烂|不满|坑|没人|不回复|质量问题|怎么回事|还没|一直没|第三次", 1),
    (r"p[eé]simo|terrible|horrible|horr[ií]vel|inaceptable|absurdo|kecewa|parah|thất\s+vọng|tệ", 2),
    (r"mal[oa]?|enojad[oa]|molest[oa]|decepcionad[oa]|rot[oa]|dañad[oa]|ruim|irritad[oa]|quebrad[oa]", 1),
    (r"danificad[oa]|marah|buruk|jelek|rusak|lambat|bực|hỏng|vỡ|chậm|kém", 1),
)
POSITIVE: Weighted = (
    (
        r"great|love(?:ly|d)?|awesome|perfect|happy|excellent|amazing|appreciate(?:d)?|wonderful|fantastic"
        r"|pleased|satisfied|glad|brilliant|beautiful|well\s+done|good\s+job|nice|fast\s+delivery",
        1.5,
    ),
    (r"thanks|thank\s+you|thx|cheers", 0.5),
    (r"很好|满意|喜欢|棒|赞|完美|开心|好评|不错|给力", 1.5),
    (r"谢谢|感谢|多谢", 0.5),
    (r"excelente|encanta|perfect[oa]|genial|[oó]timo|adorei|bagus|mantap|puas|tuyệt|hài\s+lòng", 1.5),
    (r"gracias|obrigad[oa]|terima\s+kasih|makasih|cảm\s+ơn", 0.5),
)
# A positive word right after one of these does not count ("not happy" is in NEGATIVE).
NEGATORS = r"(?:not|n't|never|no|hardly|不|没|不是|nada|n[aã]o|tidak|bukan|không)\s*$"

URGENT_STRONG = (
    r"urgent(?:ly)?|emergency|immediately|right\s+(?:now|away)|asap|a\.s\.a\.p|as\s+soon\s+as\s+possible"
    r"|紧急|马上|立刻|立即|赶紧|急|urgente|inmediatamente|imediatamente|segera|gấp|khẩn\s+cấp"
)
URGENT_SOFT = (
    r"quickly|hurry|today|tonight|need\s+it\s+by|deadline|before\s+(?:the\s+)?(?:weekend|monday|friday|holiday)"
    r"|尽快|快点|今天|明天之前|hoy|hoje|hari\s+ini|hôm\s+nay"
)
REPEAT_STRONG = (
    r"(?:third|fourth|fifth|3rd|4th|5th)\s+(?:time|email|e-mail|message|request|call)|(?:multiple|several|many|so\s+many)\s+times"
    r"|keep\s+(?:asking|emailing|writing|calling|contacting)|no\s+(?:one|response|reply|answer)|nobody"
    r"|(?:for|over)\s+(?:weeks|a\s+week|\d+\s+weeks|a\s+month|months)"
    r"|第[二三四五]次|多次|好几次|反复|没人回|没有回复|不回复"
)
REPEAT_SOFT = r"still|again|another\s+email|follow(?:ing)?\s+up|又|还是|一直|todav[ií]a|ainda|masih|vẫn"
LOW_URGENCY = (
    r"no\s+rush|no\s+hurry|not\s+urgent|whenever|when\s+you\s+(?:can|get\s+a\s+chance|have\s+time)"
    r"|at\s+your\s+convenience|just\s+(?:curious|wondering)|take\s+your\s+time"
    r"|不急|不着急|有空|方便的时候|sin\s+prisa|sem\s+pressa|tidak\s+buru|không\s+gấp"
)
# Upper-case words that are not shouting.
ACRONYMS = frozenset(
    {
        "GDPR",
        "CCPA",
        "DHL",
        "UPS",
        "USPS",
        "FEDEX",
        "EMS",
        "TNT",
        "SKU",
        "USA",
        "UK",
        "EU",
        "VAT",
        "PDF",
        "ASAP",
        "FAQ",
        "COD",
        "ETA",
        "BBB",
        "FTC",
        "RMA",
        "DSAR",
        "SMS",
        "SIM",
        "USB",
        "LED",
        "XXL",
        "XL",
        "XS",
        "API",
        "URL",
        "ID",
        "OK",
        "PIN",
        "CVV",
        "PST",
        "EST",
        "GMT",
        "UTC",
    }
)

# Prompt injection: what real attacks say (compiled from public prompt-injection lists and
# jailbreak collections). Phrased so that ordinary messages do not match: "please ignore my previous
# email" has no "instructions"; "can you act as a go-between" has no imperative "act as".
INJECTION: tuple[str, ...] = (
    # change or drop the instructions
    r"(?:ignore|disregard|forget|skip|override|bypass)\s+(?:all\s+|any\s+|every\s+)?(?:of\s+)?(?:the\s+|your\s+|my\s+)?"
    r"(?:previous|prior|above|earlier|preceding|foregoing|original|initial|system|existing)\s+"
    r"(?:instructions?|prompts?|rules|directions|guidelines|directives|commands|context|constraints|messages)",
    r"(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:your|the|these|those)\s+"
    r"(?:instructions?|prompts?|rules|guidelines|directives|programming|training|restrictions|constraints)",
    r"(?:disregard|ignore|forget)\s+(?:everything\s+|all\s+)?(?:the\s+|that\s+is\s+)?(?:above|before\s+this|said\s+before|prior)",
    r"(?:repeat|print|output|show|reveal)\s+(?:me\s+)?(?:the\s+|all\s+(?:the\s+)?)?(?:text|words|everything|lines|content)\s+"
    r"(?:above|before|preceding)|starting\s+with\s+['\"]?you\s+are",
    r"(?:override|bypass|disable|turn\s+off)\s+(?:your|the|all|any)\s+(?:safety|content|security)?\s*"
    r"(?:rules|filters?|restrictions|guardrails|safeguards|policies|instructions)",
    r"new\s+(?:instructions?|rules|task)\s*:|updated\s+instructions\s*:|from\s+now\s+on,?\s+you\s+(?:are|will|must|shall)",
    # change the role
    r"you\s+are\s+now\s+(?:a|an|the|in|no\s+longer|free|unrestricted|jailbroken|dan|my\s+(?:assistant|servant|slave))\b",
    r"(?:^|[.!?\n]\s*|please\s+|now\s+|you\s+(?:will|must|shall|should)\s+(?:now\s+)?)act\s+as\s+(?:if\s+|though\s+|an?\s+|my\s+|the\s+)",
    r"pretend\s+(?:to\s+be|you\s+are|you're|that\s+you)|roleplay\s+as|role[-\s]play\s+as",
    r"developer\s+mode|dan\s+mode|do\s+anything\s+now|jailbreak(?:en|ed)?|god\s+mode|sudo\s+mode",
    r"i\s+am\s+(?:your|the)\s+(?:developer|creator|administrator|admin|programmer|system\s+owner)",
    # get at the prompt or other people's data
    r"system\s+prompt|initial\s+prompt|hidden\s+prompt|original\s+instructions|your\s+instructions\s+(?:are|were)",
    r"(?:reveal|show|print|repeat|output|display|leak|tell\s+me|give\s+me|what\s+(?:are|were|is))\s+(?:me\s+)?"
    r"(?:all\s+)?(?:your|the)\s+(?:system\s+|initial\s+|original\s+|hidden\s+|secret\s+|internal\s+)?"
    r"(?:prompt|instructions|rules|guidelines|configuration)",
    r"(?:print|repeat|dump|show|output|reveal)\s+(?:me\s+)?(?:the|this|our|all|your|entire|full|whole)\s+"
    r"(?:entire\s+|full\s+|whole\s+)?(?:conversation|chat\s+history|history|transcript|context(?:\s+window)?)",
    r"(?:other|another|all\s+(?:the\s+)?|every)\s+(?:customers?|users?|buyers?|people)'?s?'?\s+"
    r"(?:orders?|emails?|e-mails?|addresses|phone\s+numbers?|data|details|information|info|accounts?|names)",
    r"(?:list|show|give\s+me|export)\s+(?:all|every)\s+(?:the\s+)?(?:customers?|users?|orders|emails)",
    # chat-template and markup tricks
    r"</?\s*(?:system|instructions?|assistant)\s*>|\[/?(?:inst|sys)\]|<<\s*sys\s*>>|<\|im_(?:start|end)\|>"
    r"|###\s*(?:instruction|system)|\"role\"\s*:\s*\"system\"",
    # Chinese
    r"(?:忽略|无视|忘记|忘掉|不要理会|跳过)(?:你)?(?:之前|以上|上面|前面|先前|原来|原有|所有|全部|一切)的?(?:所有|全部)?的?"
    r"(?:指令|指示|提示|提示词|规则|设定|要求|命令|限制)",
    r"(?:从现在(?:开始|起)[，,]?\s*)?你现在是(?:一个|一名|一位|个)|从现在(?:开始|起)[，,]?\s*你(?:是|将|要|必须|就是)",
    r"系统提示词|系统提示|系统指令|系统消息|初始指令|隐藏指令",
    r"(?:输出|告诉我|显示|打印|重复|泄露)(?:一下)?(?:你的|你)(?:的)?(?:提示词|指令|规则|设定|系统)",
    r"开发者模式|越狱|扮演(?:一个|一名)|假装(?:你是|自己是)",
    r"其他(?:客户|顾客|用户|买家|人)的(?:订单|邮箱|地址|信息|电话|手机号|数据|资料)|所有(?:客户|用户)的",
    # Spanish, Portuguese, Indonesian, Vietnamese
    r"ignora\s+(?:todas\s+)?las\s+instrucciones|ignore\s+(?:todas\s+)?as\s+instru[cç][oõ]es"
    r"|abaikan\s+(?:semua\s+)?instruksi|bỏ\s+qua\s+(?:tất\s+cả\s+)?(?:các\s+)?(?:hướng\s+dẫn|chỉ\s+dẫn)",
)
# Case matters for this one: "Dan" is a name, "DAN" the "do anything now" jailbreak persona.
INJECTION_CASED = (
    r"DAN(?=.{0,60}(?:mode|prompt|jailbreak|anything|respond|answer))|(?i:you\s+are|as|be|called)\s+DAN"
)
