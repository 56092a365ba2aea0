package spine

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"
)

// Module provides the *Registry built from every Binding in the fx value
// group "operations". A domain module adds its bindings with
//
//	fx.Provide(spine.AsBindings(Bindings))
var Module = fx.Module("spine", fx.Provide(newRegistryFromGraph))

// AsBindings annotates a constructor of []Binding so that fx adds what it
// returns to the "operations" group the registry is built from.
func AsBindings(constructor any) any {
	return fx.Annotate(constructor, fx.ResultTags(`group:"operations,flatten"`))
}

// Scopes are the scopes a machine credential can hold (see Config.Scopes);
// the composition root provides them from the domain that issues keys.
type Scopes []string

type registryParams struct {
	fx.In
	Bindings []Binding `group:"operations"`
	Scopes   Scopes
	Tx       TxRunner
	Guard    TenantGuard
	Logger   *slog.Logger
	Metrics  prometheus.Registerer
	Timeout  OperationTimeout
}

func newRegistryFromGraph(p registryParams) (*Registry, error) {
	return New(Config{Scopes: p.Scopes, Tx: p.Tx, Guard: p.Guard, Logger: p.Logger, Metrics: p.Metrics,
		DefaultTimeout: time.Duration(p.Timeout)}, p.Bindings...)
}
