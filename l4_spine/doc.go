// Package spine is hoc's operation registry: the single entry from the
// adapters into domain logic.
//
// A team adds a capability in three steps. It declares a typed handle once,
//
//	var CreateTenant = spine.Declare[CreateTenantInput, Tenant](
//		"account.tenants.create", "Create a tenant", spine.Allow(spine.ActorFounder))
//
// binds the handle to an engine in its domain's module (an fx value group named
// "operations"),
//
//	spine.Bind(CreateTenant, h.createTenant, spine.Transactional())
//
// and calls it from an adapter through the same handle,
//
//	tenant, err := account.CreateTenant.Call(ctx, registry, in)
//
// so the compiler checks that caller and handler agree on the input and output
// types. The registry validates the whole set when it is built (name format,
// duplicate names reported together, every declared handle bound exactly once)
// and then freezes. Every execution runs through one ordered middleware chain:
// audit log, duration histogram, panic recovery and error normalisation,
// authorisation against the operation's declared policy, deadline, and an
// opt-in database transaction.
package spine
