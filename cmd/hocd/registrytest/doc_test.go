// Package registrytest holds the registry tests that need a real database.
// They live in their own test binary because they declare operations of
// their own, and every declared operation must be bound in a registry built
// from the process catalog, such as the one cmd/hocd builds.
package registrytest
