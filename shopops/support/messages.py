"""Fixed customer-facing sentences, per language: the words that must never depend on a model.

A holding message when a person takes over, a request for the order number, "no such order".
Languages without an entry get English; the reviewer sees the draft before it is sent.
"""

from __future__ import annotations

from shopops.support.types import OrderFacts

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "zh": "Simplified Chinese",
    "es": "Spanish",
    "pt": "Portuguese",
    "id": "Indonesian",
    "vi": "Vietnamese",
    "th": "Thai",
    "ar": "Arabic",
    "ja": "Japanese",
    "ko": "Korean",
    "fr": "French",
    "de": "German",
}

MESSAGES: dict[str, dict[str, str]] = {
    "holding": {
        "en": "Thank you for your message. A member of our team is looking into it and will reply "
        "to you as soon as possible.",
        "zh": "感谢您的留言。我们的客服同事正在处理您的问题，会尽快回复您。",
        "es": "Gracias por tu mensaje. Una persona de nuestro equipo lo está revisando y te "
        "responderá lo antes posible.",
        "pt": "Obrigado pela sua mensagem. Uma pessoa da nossa equipe está analisando e vai "
        "responder o mais rápido possível.",
        "id": "Terima kasih atas pesan Anda. Tim kami sedang memeriksanya dan akan segera membalas.",
        "vi": "Cảm ơn bạn đã nhắn tin. Nhân viên của chúng tôi đang xem xét và sẽ trả lời bạn sớm nhất.",
    },
    "order_not_found": {
        "en": "I could not find an order with the number {number}. Could you check the number "
        "on your order confirmation email and send it again?",
        "zh": "我没有找到订单号为 {number} 的订单。请您核对订单确认邮件中的订单号后再发给我们。",
        "es": "No encontré ningún pedido con el número {number}. ¿Puedes revisar el número en el "
        "correo de confirmación y enviarlo de nuevo?",
        "pt": "Não encontrei nenhum pedido com o número {number}. Pode conferir o número no e-mail "
        "de confirmação e enviá-lo novamente?",
        "id": "Saya tidak menemukan pesanan dengan nomor {number}. Mohon periksa nomor di email "
        "konfirmasi pesanan dan kirimkan kembali.",
        "vi": "Tôi không tìm thấy đơn hàng số {number}. Bạn vui lòng kiểm tra lại số đơn hàng "
        "trong email xác nhận và gửi lại nhé.",
    },
    "need_order_number": {
        "en": "I can help with that. Could you send me your order number? It is in your order "
        "confirmation email.",
        "zh": "我可以帮您处理。请提供您的订单号，订单号在您的订单确认邮件中。",
        "es": "Puedo ayudarte. ¿Me envías tu número de pedido? Está en el correo de confirmación.",
        "pt": "Posso ajudar. Pode me enviar o número do seu pedido? Ele está no e-mail de confirmação.",
        "id": "Saya bisa membantu. Boleh kirimkan nomor pesanan Anda? Nomornya ada di email konfirmasi.",
        "vi": "Tôi có thể giúp bạn. Bạn gửi giúp tôi mã đơn hàng nhé, mã có trong email xác nhận.",
    },
}


ORDER_STATUS: dict[str, dict[str, str]] = {
    "delivered": {
        "en": "Your order {number} was delivered on {delivered}.",
        "zh": "您的订单 {number} 已于 {delivered} 签收。",
    },
    "shipped": {
        "en": "Your order {number} shipped on {shipped}{carrier}{tracking}{eta}.",
        "zh": "您的订单 {number} 已于 {shipped} 发货{carrier}{tracking}{eta}。",
    },
    "open": {
        "en": "Your order {number} (placed on {placed}) is being prepared and has not shipped yet.",
        "zh": "您的订单 {number}（下单日期 {placed}）正在备货，尚未发货。",
    },
    "cancelled": {
        "en": "Your order {number} was cancelled.",
        "zh": "您的订单 {number} 已取消。",
    },
}
ORDER_PARTS: dict[str, dict[str, str]] = {
    "carrier": {"en": " with {carrier}", "zh": "，承运商 {carrier}"},
    "tracking": {"en": " (tracking number {tracking})", "zh": "，运单号 {tracking}"},
    "eta": {"en": ", and is expected by {eta}", "zh": "，预计 {eta} 前送达"},
}


def order_status_sentence(facts: OrderFacts, language: str) -> tuple[str, str]:
    """The order's status in one sentence built from its facts: (text, the language it is in —
    English or Chinese; other languages are translated by the caller)."""
    lang = "zh" if language == "zh" else "en"
    if facts.status == "cancelled":
        state = "cancelled"
    elif facts.delivered_at is not None:
        state = "delivered"
    elif facts.shipped_at is not None:
        state = "shipped"
    else:
        state = "open"

    def part(name: str, **values: str) -> str:
        return ORDER_PARTS[name][lang].format(**values) if all(values.values()) else ""

    text = ORDER_STATUS[state][lang].format(
        number=facts.order_number,
        placed=facts.placed_at.date().isoformat(),
        shipped=facts.shipped_at.date().isoformat() if facts.shipped_at else "",
        delivered=facts.delivered_at.date().isoformat() if facts.delivered_at else "",
        carrier=part("carrier", carrier=facts.carrier),
        tracking=part("tracking", tracking=facts.tracking_number),
        eta=part("eta", eta=facts.estimated_delivery.isoformat() if facts.estimated_delivery else ""),
    )
    return text, lang


def message(key: str, language: str, **values: str) -> str:
    """The fixed sentence ``key`` in ``language`` (English when there is none), filled in."""
    texts = MESSAGES[key]
    return texts.get(language, texts["en"]).format(**values)


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, "the customer's language")
