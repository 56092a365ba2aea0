package spine

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"
)

// Module provides the frozen *Registry built from every Binding in the fx
// value group "operations". Domain modules add to the group with
//
//	fx.Provide(fx.Annotate(NewBindings, fx.ResultTags(`group:"operations,flatten"`)))
var Module = fx.Module("spine", fx.Provide(newRegistryFromGraph))

type registryParams struct {
	fx.In
	Bindings []Binding `group:"operations"`
	Tx       TxRunner
	Guard    TenantGuard
	Logger   *slog.Logger
	Metrics  prometheus.Registerer
}

func newRegistryFromGraph(p registryParams) (*Registry, error) {
	return New(Config{Tx: p.Tx, Guard: p.Guard, Logger: p.Logger, Metrics: p.Metrics}, p.Bindings...)
}
