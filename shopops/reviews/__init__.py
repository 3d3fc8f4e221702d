"""Review intelligence: sentiment, aspects, faithful summaries, trends and alerts, customer profiles.

One concern per module: ``sentiment*`` (the project's own fast classifier and the LLM option),
``taxonomy`` and ``aspects`` (aspect mentions and their polarity), ``summary`` (counts, shares and
quotes, checked in code), ``trends`` (weekly shares and the statistical alert test), ``profiles``
(RFM segments joined with what each segment praises and complains about), ``replies`` (drafts
answering negative reviews) and ``service`` (reads and writes the store; the adapters call it).
"""
