// Package protection is the persistence of request protection: the limiter
// state (sliding-window buckets, the anomaly window, once-only marks) behind
// one port with two backends — process memory (the default) and Redis, where
// each decision is one atomic Lua script so that several hocd replicas
// enforce one limit — and the stored protection events.
package protection
