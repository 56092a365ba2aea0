// Package auth declares the operations that verify credentials and issue
// founder tokens — one file each — and binds them to the auth engine.
package auth

import (
	"errors"

	"go.uber.org/fx"

	spine "hoc/l4_spine"
	accountops "hoc/l4_spine/account"
	accountengine "hoc/l5_engines/account"
	engine "hoc/l5_engines/auth"
)

// Module adds the auth operations to the registry. The founder and customer
// token verifiers (*auth.FounderTokens and *auth.CustomerTokens of
// l5_engines) are provided by cmd/hocd, which owns their configuration.
var Module = fx.Module("auth.operations",
	fx.Provide(spine.AsBindings(Bindings)),
)

type handlers struct {
	founders  *engine.FounderTokens
	customers *engine.CustomerTokens
	accounts  *accountengine.Engine
	tenants   *accountops.TenantFacts
}

// Bindings returns the auth domain's operation bindings. A customer token
// names an organisation; turning it into a tenant is a fact of the account
// domain, so the handler asks that engine: domains meet here, in L4.
func Bindings(founders *engine.FounderTokens, customers *engine.CustomerTokens, accounts *accountengine.Engine,
	tenants *accountops.TenantFacts) ([]spine.Binding, error) {
	if founders == nil || customers == nil || accounts == nil || tenants == nil {
		return nil, errors.New("auth operations: nil dependency")
	}
	h := handlers{founders: founders, customers: customers, accounts: accounts, tenants: tenants}
	return []spine.Binding{
		spine.Bind(VerifyBearerToken, h.verifyBearer),
		spine.Bind(IssueFounderToken, h.issueFounderToken),
	}, nil
}
