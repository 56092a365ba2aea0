package auth

import "go.uber.org/fx"

// Module provides the auth adapters.
var Module = fx.Module("auth.adapters", fx.Provide(NewAuthenticator))
