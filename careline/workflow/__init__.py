"""Pure workflow core: business hours, SLA clocks, escalation rules, assignment, survey links.

Plain Python with no Django imports (a test enforces it): dataclasses in, dataclasses out,
every decision carries a reason a person can read. Models, services and views wire it in;
see docs/sla.md for what is built here and what is wired later.
"""
