"""Duban's scheduler: plans notices from database state, queues them in the outbox, delivers them through Notifiers.

Modules: ``snapshot`` (set-based loading), ``planner`` (pure: what is due and not yet sent), ``compose``
(one message per recipient and run, rendered per language), ``outbox`` (idempotent enqueue, leased delivery
with retries), ``notifier`` (the port and its neutral errors), ``limits`` (flood limits), ``jobs`` (APScheduler).
"""
