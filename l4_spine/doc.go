// Package spine is hoc's operation registry: the single entry from the
// adapters into domain logic.
//
// A team adds an operation in one file of its domain's L4 package. It
// declares a typed handle once,
//
//	var CreateTenant = spine.Declare[NewTenant, Tenant](
//		"account.tenants.create", "Create a tenant", spine.Allow(spine.ActorFounder))
//
// writes the handler next to it, binds the two in the domain's Bindings
// (which its module adds to the registry with AsBindings),
//
//	spine.Bind(CreateTenant, h.createTenant, spine.Transactional())
//
// and calls it from an adapter through the same handle,
//
//	tenant, err := account.CreateTenant.Call(ctx, registry, in)
//
// so the compiler checks that caller and handler agree on the input and
// output types. New builds the registry once from every binding and checks
// the whole set, reporting every problem together: a bad name, a name bound
// twice, a scope no credential can hold, a transactional operation without a
// transaction runner. A handle declared but never bound is listed by
// Unbound, which the server's tests assert is empty. The registry never
// changes afterwards. Every execution runs through one ordered middleware
// chain: audit log and duration histogram, panic recovery and error
// normalisation, authorisation against the operation's declared policy,
// admission by the tenant guard (lifecycle and onboarding), deadline, and an
// opt-in database transaction.
package spine
