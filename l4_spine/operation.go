package spine

import (
	"reflect"
	"regexp"
	"sync"
)

// namePattern is the operation name format of SPEC §6: lowercase dotted
// domain.area.action.
var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)

// Operation describes one declared operation: its name, what it does, the
// names of its input and output types and who may call it.
type Operation struct {
	name        string
	description string
	input       string
	output      string
	policy      Policy
}

// Name returns the operation's dotted name.
func (o *Operation) Name() string { return o.name }

// Policy returns who may execute the operation.
func (o *Operation) Policy() Policy { return o.policy }

// Policy says who may execute an operation. The authorisation middleware
// enforces it before the handler runs, so no handler repeats the check.
type Policy struct {
	// Public operations run without an actor (credential verification itself).
	Public bool
	// Actors lists the actor types allowed; empty means any authenticated actor.
	Actors []ActorType
	// Scope is the scope a machine actor needs; empty means none.
	Scope string
	// Access says what the operation does to a tenant, which decides what
	// the tenant's lifecycle allows (SPEC §2.2). The zero value is a write,
	// so an operation that forgets to say is refused for a suspended tenant
	// rather than wrongly allowed.
	Access Access
}

// Access is what an operation does to its tenant.
type Access uint8

// The access kinds.
const (
	AccessWrite        Access = iota // refused unless the tenant is ACTIVE
	AccessRead                       // allowed while SUSPENDED too
	AccessAnyLifecycle               // allowed in every lifecycle state (session context)
)

// ReadOnly marks an operation that only reads.
func ReadOnly() DeclareOption { return func(o *Operation) { o.policy.Access = AccessRead } }

// accessName is the access of the policy as the listing names it.
func (p Policy) accessName() string {
	switch {
	case p.Public:
		return "public"
	case p.Access == AccessRead:
		return "read"
	case p.Access == AccessAnyLifecycle:
		return "any_lifecycle"
	}
	return "write"
}

// AnyLifecycle marks an operation that answers whatever the tenant's
// lifecycle state, such as the session context that tells the dashboard what
// the state is.
func AnyLifecycle() DeclareOption {
	return func(o *Operation) { o.policy.Access = AccessAnyLifecycle }
}

// DeclareOption adjusts an operation's declaration.
type DeclareOption func(*Operation)

// Public marks an operation callable without an actor (credential
// verification itself).
func Public() DeclareOption { return func(o *Operation) { o.policy.Public = true } }

// Allow restricts an operation to the given actor types.
func Allow(types ...ActorType) DeclareOption {
	return func(o *Operation) { o.policy.Actors = append(o.policy.Actors, types...) }
}

// RequireScope makes machine actors need scope.
func RequireScope(scope string) DeclareOption {
	return func(o *Operation) { o.policy.Scope = scope }
}

// Handle is a typed reference to a declared operation. Adapters call through
// it and handlers bind to it, so input and output types cannot disagree.
type Handle[I, O any] struct {
	op *Operation
}

// Operation returns the handle's descriptor.
func (h *Handle[I, O]) Operation() *Operation { return h.op }

// Declare declares an operation and records it in the process-wide catalog
// that Registry.Unbound checks for completeness, so that a declared handle
// that no module binds fails a test instead of a request. Declare is meant
// for package-level variables; it never fails, the registry reports bad or
// duplicate names when it is built.
func Declare[I, O any](name, description string, opts ...DeclareOption) *Handle[I, O] {
	op := &Operation{
		name:        name,
		description: description,
		input:       typeName[I](),
		output:      typeName[O](),
	}
	for _, opt := range opts {
		opt(op)
	}
	catalog.add(op)
	return &Handle[I, O]{op: op}
}

func typeName[T any]() string {
	return reflect.TypeFor[T]().String()
}

// catalog is the set of every handle declared in this process.
var catalog declared

type declared struct {
	mu  sync.Mutex
	ops []*Operation
}

func (d *declared) add(op *Operation) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.ops = append(d.ops, op)
}

// all returns every operation declared in this process so far.
func (d *declared) all() []*Operation {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*Operation(nil), d.ops...)
}
