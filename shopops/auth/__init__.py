"""People and machines: accounts, roles and permissions, passwords, sessions, API keys, rate limits.

Capability code never looks at a request: adapters turn credentials into a :class:`Principal`
(``shopops.auth.accounts``) and ask :func:`shopops.auth.roles.can` before acting.
"""
