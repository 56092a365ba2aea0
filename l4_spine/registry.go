package spine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"hoc/l5_engines/fault"
)

// ErrUnknownOperation is the cause of the error returned when a handle that
// the registry does not hold is called.
var ErrUnknownOperation = errors.New("unknown operation")

// DefaultTimeout bounds an operation that sets no timeout of its own, and an
// HTTP request with everything it calls. Every operation takes milliseconds
// (a batch of a thousand records about 150 ms); one that takes seconds is
// waiting for a database that hangs, and is answered 503 UNAVAILABLE within
// this bound — pool waits and statements are cancelled with the context —
// while /ready, with its own two seconds, already says so.
const DefaultTimeout = 5 * time.Second

// OperationTimeout is the bound the composition root chooses in place of
// DefaultTimeout (HOC_OPERATION_TIMEOUT_MS; zero means DefaultTimeout): for a
// database known to be slow, or a test on a loaded machine that must not
// fail on the clock.
type OperationTimeout time.Duration

// TxRunner runs fn inside one database transaction whose handle travels in
// the context fn receives. L6 implements it; cmd binds it.
type TxRunner interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// TenantGuard admits or refuses a tenant actor's operation by the tenant's
// state (lifecycle, and the onboarding trigger of a first customer request).
// The account domain implements it; cmd binds it.
type TenantGuard interface {
	Admit(ctx context.Context, actor Actor, write bool) error
}

// Config holds what a registry needs besides its bindings.
type Config struct {
	// Scopes are the scopes a machine credential can hold; an operation
	// that requires any other (a typo such as "telemetry:reed" would lock
	// every key out) stops the registry from being built.
	Scopes []string
	// Tx runs transactional operations; required when any binding is.
	Tx TxRunner
	// Guard admits tenant actors' operations; nil admits every one (tests
	// of the registry itself).
	Guard TenantGuard
	// Logger receives the audit record of every execution.
	Logger *slog.Logger
	// Metrics registers the operation duration histogram; nil skips metrics.
	Metrics prometheus.Registerer
	// DefaultTimeout bounds operations without a timeout; 0 means DefaultTimeout.
	DefaultTimeout time.Duration
}

// Registry holds the bound operations. It is built, checked and completed
// by New and never changes afterwards, so execution needs no lock.
type Registry struct {
	cfg      Config
	bindings []Binding
	entries  map[string]*entry
	duration *prometheus.HistogramVec
}

// entry is one bound operation with its middleware chain.
type entry struct {
	op      *Operation
	binding Binding
	call    chainFunc
	// ok is the histogram series of successful executions, resolved once:
	// the common case then costs no label lookup.
	ok prometheus.Observer
}

// New builds a registry from bindings and validates the whole set — name
// format, duplicates, every declared operation bound exactly once, a
// transaction runner when needed — reporting every problem together.
func New(cfg Config, bindings ...Binding) (*Registry, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DefaultTimeout <= 0 {
		cfg.DefaultTimeout = DefaultTimeout
	}
	r := &Registry{cfg: cfg, bindings: bindings}
	if err := r.validate(); err != nil {
		return nil, fmt.Errorf("operation registry: %w", err)
	}
	if err := r.registerMetrics(); err != nil {
		return nil, err
	}
	chain := r.middleware()
	r.entries = make(map[string]*entry, len(bindings))
	for _, b := range bindings {
		e := &entry{op: b.op, binding: b, ok: r.duration.WithLabelValues(b.op.name, "ok")}
		call := chainFunc(func(ctx context.Context, inv invocation) (any, error) {
			return inv.entry.binding.handle(ctx, inv.input)
		})
		for i := len(chain) - 1; i >= 0; i-- {
			call = chain[i](call)
		}
		e.call = call
		r.entries[b.op.name] = e
	}
	return r, nil
}

// validate checks the whole set of bindings and reports every problem at
// once: a binding without a declared handle, a bad name, a name bound twice,
// a scope no credential can hold, and a transactional operation without a
// transaction runner. That every declared handle is bound is checked by
// Unbound, over the process's declarations.
func (r *Registry) validate() error {
	var errs []error
	byName := make(map[string]int)
	transactional := false
	for _, b := range r.bindings {
		if b.op == nil || b.handle == nil {
			errs = append(errs, errors.New("binding without a declared handle (use spine.Bind)"))
			continue
		}
		if !namePattern.MatchString(b.op.name) {
			errs = append(errs, fmt.Errorf("%q: name must match %s", b.op.name, namePattern))
		}
		if scope := b.op.policy.Scope; scope != "" && !slices.Contains(r.cfg.Scopes, scope) {
			errs = append(errs, fmt.Errorf("%q: requires the unknown scope %q (known: %s)", b.op.name, scope,
				strings.Join(r.cfg.Scopes, ", ")))
		}
		byName[b.op.name]++
		transactional = transactional || b.transaction
	}
	for _, name := range sortedKeys(byName) {
		if n := byName[name]; n > 1 {
			errs = append(errs, fmt.Errorf("%q: bound %d times", name, n))
		}
	}
	if transactional && r.cfg.Tx == nil {
		errs = append(errs, errors.New("transactional operations need a transaction runner"))
	}
	return errors.Join(errs...)
}

// Unbound lists, sorted, the operations declared in this process that the
// registry does not bind — a handle someone declared and forgot to bind,
// which would otherwise fail only when called. Operations a test declares
// for itself are named "test.…" and left out. The server's test asserts
// the list is empty.
func (r *Registry) Unbound() []string {
	var missing []string
	for _, op := range catalog.all() {
		if e, ok := r.entries[op.name]; (!ok || e.op != op) && !strings.HasPrefix(op.name, "test.") {
			missing = append(missing, op.name)
		}
	}
	sort.Strings(missing)
	return missing
}

func (r *Registry) registerMetrics() error {
	r.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "hoc_operation_duration_seconds",
		Help:    "Duration of operation registry executions by operation and outcome (ok or error code).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"operation", "outcome"})
	if r.cfg.Metrics == nil {
		return nil
	}
	if err := r.cfg.Metrics.Register(r.duration); err != nil {
		return fmt.Errorf("register operation metrics: %w", err)
	}
	return nil
}

// Call executes the operation behind h with input in, through the
// registry's middleware chain. Every error it returns is a *fault.Error.
func (h *Handle[I, O]) Call(ctx context.Context, r *Registry, in I) (O, error) {
	var zero O
	e, ok := r.entries[h.op.name]
	if !ok || e.op != h.op {
		return zero, fault.Internal(fmt.Errorf("%w: %s", ErrUnknownOperation, h.op.name))
	}
	out, err := e.call(ctx, invocation{entry: e, input: in})
	if err != nil {
		return zero, err
	}
	return out.(O), nil
}

// OperationInfo is one line of the registry listing: what an operation
// takes and gives, and who may call it. The policy is in the listing so that
// changing it — dropping ReadOnly, a scope typo — shows in the reviewed
// golden diff like any other change to an operation.
type OperationInfo struct {
	Name          string   `json:"name"`
	Description   string   `json:"description"`
	Input         string   `json:"input"`
	Output        string   `json:"output"`
	Actors        []string `json:"actors"`          // empty: any authenticated actor
	Scope         string   `json:"scope,omitempty"` // what a machine credential needs
	Access        string   `json:"access"`          // write, read, any_lifecycle or public
	Transactional bool     `json:"transactional,omitempty"`
}

// Operations lists every bound operation sorted by name.
func (r *Registry) Operations() []OperationInfo {
	list := make([]OperationInfo, 0, len(r.bindings))
	for _, b := range r.bindings {
		p := b.op.policy
		actors := make([]string, len(p.Actors))
		for i, a := range p.Actors {
			actors[i] = string(a)
		}
		list = append(list, OperationInfo{Name: b.op.name, Description: b.op.description, Input: b.op.input,
			Output: b.op.output, Actors: actors, Scope: p.Scope, Access: p.accessName(), Transactional: b.transaction})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
