package auth

import "go.uber.org/fx"

// Module adds the auth operations to the registry. The founder token
// handling (*auth.FounderTokens of l5_engines) is provided by cmd/hocd, which
// owns the configuration it is built from.
var Module = fx.Module("auth.operations",
	fx.Provide(fx.Annotate(Bindings, fx.ResultTags(`group:"operations,flatten"`))),
)
