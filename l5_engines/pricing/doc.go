// Package pricing decides what an LLM call costs: the price table (global
// list prices and a tenant's own), which of its rows prices a call, and the
// arithmetic (SPEC §8).
//
// Money is integers throughout. A price is kept in micro-dollars per
// million tokens, which is the same number as pico-dollars per token: every
// price a provider publishes (at most six decimals of a dollar per million
// tokens) is an exact integer in that unit, and a call's cost in
// pico-dollars is an exact integer product. Only the final division to
// micro-dollars rounds, once, half up.
package pricing
