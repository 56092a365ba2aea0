package account

import "go.uber.org/fx"

// Module provides the account adapters.
var Module = fx.Module("account.adapters", fx.Provide(NewTenants))
