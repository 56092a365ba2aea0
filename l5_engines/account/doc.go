// Package account decides everything about tenants: which fields are valid,
// how a slug is derived, and (in later work) which lifecycle and onboarding
// transitions are legal. It declares the Store port it needs; the L6 account
// driver satisfies it and cmd/hocd binds the two.
package account
