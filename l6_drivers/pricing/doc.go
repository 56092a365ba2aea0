// Package pricing is the persistence of the price table, prices: rows are
// added, never changed, so a stored cost never moves when a price does.
package pricing
