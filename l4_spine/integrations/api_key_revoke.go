package integrations

import (
	"context"

	spine "hoc/l4_spine"
)

// RevokeAPIKey is `hocd apikeys revoke ID`.
var RevokeAPIKey = spine.Declare[APIKeyInput, struct{}]("integrations.api_keys.revoke",
	"Revoke a machine API key", spine.Allow(spine.ActorFounder))

// APIKeyInput names one API key.
type APIKeyInput struct {
	ID string
}

func (h handlers) revokeAPIKey(ctx context.Context, in APIKeyInput) (struct{}, error) {
	return changed(ctx, h.facts, struct{}{}, h.engine.RevokeAPIKey(ctx, in.ID))
}
