// Package telemetry decides everything about LLM usage telemetry: which
// records are accepted, duplicates or conflicts (idempotency by content
// hash), which integration a record belongs to, the windows of summaries and
// series, and history paging. It declares the Store port it needs; the L6
// telemetry driver satisfies it and cmd/hocd binds the two.
package telemetry
