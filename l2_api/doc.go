// Package api is hoc's HTTP layer (Fiber): routing, request decoding and
// field validation, credential extraction, the response envelope and the one
// mapping from error kinds to HTTP statuses. It holds no business rules; it
// reaches domain logic only through the adapters of l3_adapters.
package api
