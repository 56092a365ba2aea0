// Package integrations decides everything about a tenant's integrations and
// machine credentials: integration records and their keys, and tenant API
// keys. Secrets are random, shown once, stored only as a SHA-256 hash (enough
// for 256-bit random secrets: there is nothing to brute-force) and compared
// in constant time.
package integrations
