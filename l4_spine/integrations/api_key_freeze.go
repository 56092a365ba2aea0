package integrations

import (
	"context"

	spine "hoc/l4_spine"
)

// FreezeAPIKey is `hocd apikeys freeze ID`.
var FreezeAPIKey = spine.Declare[APIKeyInput, struct{}]("integrations.api_keys.freeze",
	"Freeze a machine API key", spine.Allow(spine.ActorFounder))

func (h handlers) freezeAPIKey(ctx context.Context, in APIKeyInput) (struct{}, error) {
	return changed(ctx, h.facts, struct{}{}, h.engine.FreezeAPIKey(ctx, in.ID))
}
