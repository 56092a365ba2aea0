package spine

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"hoc/l5_engines/fault"
)

// Invocation is one execution of an operation as the middleware sees it.
type Invocation struct {
	Op      *Operation
	Input   any
	binding Binding
}

// Next executes the rest of the chain.
type Next func(ctx context.Context, inv *Invocation) (any, error)

// Middleware wraps an execution.
type Middleware func(next Next) Next

// middleware returns the chain, outermost first. fx value groups are
// unordered, so the order is this list: the audit record and the histogram
// sit outside recovery so that a panic is recorded with its INTERNAL outcome;
// authorisation, then the tenant's admission, run before the deadline starts
// and before any transaction is opened; the transaction is innermost so it wraps only the handler.
func (r *Registry) middleware() []Middleware {
	return []Middleware{
		r.audit,
		r.measure,
		r.recoverAndNormalize,
		authorize,
		r.admit,
		r.deadline,
		r.transaction,
	}
}

// audit writes the audit record of every execution: operation, request id,
// actor, tenant, duration, outcome and error code.
func (r *Registry) audit(next Next) Next {
	return func(ctx context.Context, inv *Invocation) (any, error) {
		start := time.Now()
		out, err := next(ctx, inv)
		actor, _ := ActorFrom(ctx)
		attrs := []slog.Attr{
			slog.String("operation", inv.Op.name),
			slog.String("request_id", RequestID(ctx)),
			slog.String("actor_type", string(actor.Type)),
			slog.String("actor_id", actor.ID),
			slog.String("tenant_id", actor.TenantID),
			slog.Duration("duration", time.Since(start)),
			slog.String("outcome", outcome(err)),
		}
		level := slog.LevelInfo
		if err != nil {
			fe, _ := AsError(err)
			attrs = append(attrs, slog.String("error_code", fe.Code))
			if fe.Kind == KindInternal || fe.Kind == KindUnavailable {
				level = slog.LevelError
				attrs = append(attrs, slog.String("error", err.Error()))
			}
		}
		r.cfg.Logger.LogAttrs(ctx, level, "operation", attrs...)
		return out, err
	}
}

// measure records the duration histogram labelled by operation and outcome.
func (r *Registry) measure(next Next) Next {
	return func(ctx context.Context, inv *Invocation) (any, error) {
		start := time.Now()
		out, err := next(ctx, inv)
		r.duration.WithLabelValues(inv.Op.name, outcome(err)).Observe(time.Since(start).Seconds())
		return out, err
	}
}

// outcome is "ok" or the error code: a closed set, safe as a metric label.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	if fe, ok := AsError(err); ok {
		return fe.Code
	}
	return "INTERNAL"
}

// recoverAndNormalize turns a panic into an INTERNAL error so that one bad
// handler cannot take the process down, and makes every error leaving the
// registry an *Error: a dependency that reports itself unavailable (any error
// with an Unavailable() bool method, such as L6's connection failures)
// becomes UNAVAILABLE, a missed deadline UNAVAILABLE, anything else INTERNAL.
func (r *Registry) recoverAndNormalize(next Next) Next {
	return func(ctx context.Context, inv *Invocation) (out any, err error) {
		defer func() {
			if p := recover(); p != nil {
				r.cfg.Logger.ErrorContext(ctx, "operation panicked",
					slog.String("operation", inv.Op.name),
					slog.String("request_id", RequestID(ctx)),
					slog.Any("panic", p),
					slog.String("stack", string(debug.Stack())))
				out, err = nil, Internal(fmt.Errorf("panic in %s: %v", inv.Op.name, p))
			}
		}()
		out, err = next(ctx, inv)
		return out, normalize(err)
	}
}

type unavailable interface{ Unavailable() bool }

func normalize(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := AsError(err); ok {
		return err
	}
	if IsUnavailable(err) {
		return fault.Unavailable(err)
	}
	return Internal(err)
}

// authorize enforces the operation's declared policy.
func authorize(next Next) Next {
	return func(ctx context.Context, inv *Invocation) (any, error) {
		if err := inv.Op.policy.check(ctx); err != nil {
			return nil, err
		}
		return next(ctx, inv)
	}
}

func (p Policy) check(ctx context.Context) error {
	if p.Public {
		return nil
	}
	actor, ok := ActorFrom(ctx)
	if !ok {
		return NewError(KindUnauthenticated, fault.CodeMissingAuth, "authentication required")
	}
	if len(p.Actors) > 0 && !containsActor(p.Actors, actor.Type) {
		return fault.Forbidden("actor_not_allowed", "this caller may not perform this operation")
	}
	if p.Scope != "" && actor.Type == ActorMachine && !actor.HasScope(p.Scope) {
		return fault.Forbidden("scope_denied", "the credential lacks the scope "+p.Scope)
	}
	return nil
}

func containsActor(list []ActorType, t ActorType) bool {
	for _, a := range list {
		if a == t {
			return true
		}
	}
	return false
}

// admit asks the tenant guard whether the tenant's state allows the
// operation, for every operation of a tenant actor except public ones and
// those declared AnyLifecycle.
func (r *Registry) admit(next Next) Next {
	return func(ctx context.Context, inv *Invocation) (any, error) {
		p := inv.Op.policy
		if r.cfg.Guard == nil || p.Public || p.Access == AccessAnyLifecycle {
			return next(ctx, inv)
		}
		actor, ok := ActorFrom(ctx)
		if !ok || actor.TenantID == "" {
			return next(ctx, inv)
		}
		if err := r.cfg.Guard.Admit(ctx, actor, p.Access == AccessWrite); err != nil {
			return nil, err
		}
		return next(ctx, inv)
	}
}

// deadline bounds every execution; an earlier deadline already on the
// context wins.
func (r *Registry) deadline(next Next) Next {
	return func(ctx context.Context, inv *Invocation) (any, error) {
		timeout := inv.binding.timeout
		if timeout <= 0 {
			timeout = r.cfg.DefaultTimeout
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return next(ctx, inv)
	}
}

// transaction runs transactional operations inside one database transaction.
func (r *Registry) transaction(next Next) Next {
	return func(ctx context.Context, inv *Invocation) (any, error) {
		if !inv.binding.transaction {
			return next(ctx, inv)
		}
		var out any
		err := InTx(ctx, r.cfg.Tx, func(ctx context.Context) error {
			var err error
			out, err = next(ctx, inv)
			return err
		})
		return out, err
	}
}
