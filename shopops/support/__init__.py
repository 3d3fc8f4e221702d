"""Customer service: grounded reply drafts, order tools, triage and hand-off to people.

Modules, one concern each:
  types      the values that pass between the steps (Triage, Hit, OrderFacts, PolicyDecision, ...)
  chunking   knowledge documents -> passages
  tokens     BM25 tokenisation (jieba for Chinese)
  index      hybrid retrieval (BM25 + embeddings, reciprocal rank fusion), incremental re-index
  triage     language, intent, sentiment/urgency, entities, injection markers of a message
  orders     order tools: status, tracking, items, delivery date
  policy     policy decisions computed in code (returns, cancellations)
  pipeline   one message -> an answer with citations, or an escalation with a hand-off
  service    tickets: store the draft or escalate and route (what the API and CLI call)
  gaps       escalated-for-lack-of-knowledge questions grouped into suggested FAQ entries
"""
