package spine

import (
	"context"
	"time"
)

// Binding ties a declared operation to the function that handles it. Domain
// modules provide bindings to the fx value group "operations".
type Binding struct {
	op          *Operation
	handle      func(ctx context.Context, in any) (any, error)
	transaction bool
	timeout     time.Duration
}

// Operation returns the bound operation.
func (b Binding) Operation() *Operation { return b.op }

// BindOption adjusts how a bound operation executes.
type BindOption func(*Binding)

// Transactional runs the handler inside one database transaction: every write
// it makes commits together or not at all.
func Transactional() BindOption { return func(b *Binding) { b.transaction = true } }

// Timeout overrides the registry's default deadline for this operation.
func Timeout(d time.Duration) BindOption { return func(b *Binding) { b.timeout = d } }

// Bind binds fn as the handler of h.
func Bind[I, O any](h *Handle[I, O], fn func(context.Context, I) (O, error), opts ...BindOption) Binding {
	b := Binding{
		op: h.op,
		handle: func(ctx context.Context, in any) (any, error) {
			return fn(ctx, in.(I))
		},
	}
	for _, opt := range opts {
		opt(&b)
	}
	return b
}
