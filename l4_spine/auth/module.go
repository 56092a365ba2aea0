package auth

import (
	"go.uber.org/fx"

	spine "hoc/l4_spine"
)

// Module adds the auth operations to the registry. The founder and customer
// token verifiers (*auth.FounderTokens and *auth.CustomerTokens of
// l5_engines) are provided by cmd/hocd, which owns their configuration.
var Module = fx.Module("auth.operations",
	fx.Provide(spine.AsBindings(Bindings)),
)
