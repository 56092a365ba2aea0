package spine

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"hoc/l5_engines/fault"
)

// invocation is one execution of an operation as the middleware sees it.
// It travels by value: an execution allocates nothing for it.
type invocation struct {
	entry *entry
	input any
}

// chainFunc executes the rest of the chain.
type chainFunc func(ctx context.Context, inv invocation) (any, error)

// middleware wraps an execution.
type middleware func(next chainFunc) chainFunc

// middleware returns the chain, outermost first. fx value groups are
// unordered, so the order is this list: the audit record and the histogram
// sit outside recovery so that a panic is recorded with its INTERNAL
// outcome; authorisation, then the tenant's admission, run before the
// deadline starts and before any transaction is opened; the transaction is
// innermost so it wraps only the handler.
func (r *Registry) middleware() []middleware {
	return []middleware{
		r.observe,
		r.recoverAndNormalize,
		authorize,
		r.admit,
		r.deadline,
		r.transaction,
	}
}

// observe times every execution into the duration histogram and writes its
// audit record: operation, request id, actor, tenant, duration, outcome and
// error code. A success is audited at debug level (the request's access
// line is the one line per request at info), a failure at info. The cause of
// an internal failure or an unavailable dependency is logged once, by the
// caller that answers for it (the HTTP layer's error handler, which folds an
// outage's failures), not here as well.
func (r *Registry) observe(next chainFunc) chainFunc {
	return func(ctx context.Context, inv invocation) (any, error) {
		start := time.Now()
		out, err := next(ctx, inv)
		elapsed := time.Since(start)
		level := slog.LevelDebug
		var fe *fault.Error
		if err == nil {
			inv.entry.ok.Observe(elapsed.Seconds())
		} else {
			fe, _ = fault.As(err)
			r.duration.WithLabelValues(inv.entry.op.name, fe.Code).Observe(elapsed.Seconds())
			level = slog.LevelInfo
		}
		if !r.cfg.Logger.Enabled(ctx, level) {
			return out, err
		}
		actor, _ := ActorFrom(ctx)
		attrs := []slog.Attr{
			slog.String("operation", inv.entry.op.name),
			slog.String("request_id", RequestID(ctx)),
			slog.String("actor_type", string(actor.Type)),
			slog.String("actor_id", actor.ID),
			slog.String("tenant_id", actor.TenantID),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
			slog.String("outcome", outcome(err)),
		}
		if fe != nil {
			attrs = append(attrs, slog.String("error_code", fe.Code))
		}
		r.cfg.Logger.LogAttrs(ctx, level, "operation", attrs...)
		return out, err
	}
}

// outcome is "ok" or the error code: a closed set, safe as a metric label.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	if fe, ok := fault.As(err); ok {
		return fe.Code
	}
	return "INTERNAL"
}

// recoverAndNormalize turns a panic into an INTERNAL error so that one bad
// handler cannot take the process down, and makes every error leaving the
// registry a *fault.Error: a dependency that reports itself unavailable (any error
// with an Unavailable() bool method, such as L6's connection failures)
// becomes UNAVAILABLE, a missed deadline UNAVAILABLE, anything else INTERNAL.
func (r *Registry) recoverAndNormalize(next chainFunc) chainFunc {
	return func(ctx context.Context, inv invocation) (out any, err error) {
		defer func() {
			if p := recover(); p != nil {
				r.cfg.Logger.ErrorContext(ctx, "operation panicked",
					slog.String("operation", inv.entry.op.name),
					slog.String("request_id", RequestID(ctx)),
					slog.Any("panic", p),
					slog.String("stack", string(debug.Stack())))
				out, err = nil, fault.Internal(fmt.Errorf("panic in %s: %v", inv.entry.op.name, p))
			}
		}()
		out, err = next(ctx, inv)
		return out, normalize(err)
	}
}

func normalize(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := fault.As(err); ok {
		return err
	}
	if fault.IsUnavailable(err) {
		return fault.Unavailable(err)
	}
	return fault.Internal(err)
}

// authorize enforces the operation's declared policy.
func authorize(next chainFunc) chainFunc {
	return func(ctx context.Context, inv invocation) (any, error) {
		if err := inv.entry.op.policy.check(ctx); err != nil {
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
		return fault.New(fault.KindUnauthenticated, fault.CodeMissingAuth, "authentication required")
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
func (r *Registry) admit(next chainFunc) chainFunc {
	return func(ctx context.Context, inv invocation) (any, error) {
		p := inv.entry.op.policy
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

// deadline bounds every execution. A deadline already on the context that
// is no later wins, and then no timer is made: an HTTP request carries its
// own deadline, which every operation it calls inherits.
func (r *Registry) deadline(next chainFunc) chainFunc {
	return func(ctx context.Context, inv invocation) (any, error) {
		timeout := inv.entry.binding.timeout
		if timeout <= 0 {
			timeout = r.cfg.DefaultTimeout
		}
		if d, ok := ctx.Deadline(); ok && time.Until(d) <= timeout {
			return next(ctx, inv)
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return next(ctx, inv)
	}
}

// transaction runs transactional operations inside one database transaction.
func (r *Registry) transaction(next chainFunc) chainFunc {
	return func(ctx context.Context, inv invocation) (any, error) {
		if !inv.entry.binding.transaction {
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
