"""The integration bus (issue 16): domain events and hand-offs to other police systems through RabbitMQ.

outbox.py   bus messages written in the change's transaction (a hook in server.events.emit), by contract
contracts.py the versioned JSON Schemas (files in contracts/, tables in docs/integration.md)
sweep.py    overdue cell checks, a fact of time, written by the active relay
relay.py    the relay: outbox -> topic exchange, lanes, publisher confirms, one relay at a time
consumer.py consumers: own queues, de-duplication by event id, dead-letter queue with the reason
handoffs.py escort, prosecution and national records consumers; the national records gateway and its simulator
"""
