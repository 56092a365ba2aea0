// Package protection decides whether a tenant's request may proceed (SPEC
// §4.2: rate, burst, cost, anomaly, in that order) and keeps the record of
// every decision that was not a plain allow (SPEC §4.3).
//
// Decisions are made by Engine on limiter state behind the State port of
// the L6 protection package (process memory or Redis). Events are taken off
// the request path by Recorder: Record logs the event at once as one
// structured line (event=abuse_protection_triggered) and queues it, and a
// background writer stores queued events in batches through the EventStore
// port, which the L6 event store satisfies. Recorder also answers the event
// listings.
//
// The package imports only the standard library, the fault package, its own
// L6 driver package for the port's row types, and plain libraries.
package protection
