// Package account is the persistence of the account domain: tenants, their
// lifecycle and onboarding. It returns plain row structs and its own sentinel
// errors; the engine above declares the port this package satisfies.
package account
