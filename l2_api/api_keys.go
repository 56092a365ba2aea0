package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	integrationsadapter "hoc/l3_adapters/integrations"
	"hoc/l4_spine/integrations"
)

// APIKeyJSON is an API key object as SPEC §7 lists its fields, plus whether
// it is frozen; never the hash.
type APIKeyJSON struct {
	ID           string   `json:"id"`
	TenantID     string   `json:"tenant_id"`
	Name         string   `json:"name"`
	Prefix       string   `json:"prefix"`
	Scopes       []string `json:"scopes"`
	RateLimitRPM *int     `json:"rate_limit_rpm"`
	Status       string   `json:"status"`
	Frozen       bool     `json:"frozen"`
	ExpiresAt    *string  `json:"expires_at"`
	CreatedAt    string   `json:"created_at"`
	LastUsedAt   *string  `json:"last_used_at"`
}

// ToAPIKeyJSON presents an API key; a rate limit of 0 (none) is null.
func ToAPIKeyJSON(k integrations.APIKey) APIKeyJSON {
	scopes := k.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return APIKeyJSON{
		ID: k.ID, TenantID: k.TenantID, Name: k.Name, Prefix: k.Prefix, Scopes: scopes,
		RateLimitRPM: nonZero(k.RateLimitRPM), Status: k.Status, Frozen: k.Frozen,
		ExpiresAt: optTime(k.ExpiresAt), CreatedAt: formatTime(k.CreatedAt), LastUsedAt: optTime(k.LastUsedAt),
	}
}

func nonZero(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

func optTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := formatTime(*t)
	return &s
}

type apiKeyRoutes struct {
	keys *integrationsadapter.Integrations
}

// register adds the founder API key route.
func (r apiKeyRoutes) register(rt router) {
	rt.fdr.Post("/tenants/:id/api-keys", r.create)
}

// newAPIKeySchema is the body of POST /api/v1/fdr/tenants/:id/api-keys;
// the integrations engine decides the name and the scopes.
var newAPIKeySchema = newSchema(
	field[integrations.NewAPIKey]{name: "name", read: func(in *integrations.NewAPIKey, r *valueReader) {
		in.Name, _ = r.text(0, noLimit)
	}},
	field[integrations.NewAPIKey]{name: "scopes", read: func(in *integrations.NewAPIKey, r *valueReader) {
		in.Scopes, _ = r.textList(noLimit)
	}},
	field[integrations.NewAPIKey]{name: "rate_limit_rpm", read: func(in *integrations.NewAPIKey, r *valueReader) {
		n, _ := r.integer(0, 1_000_000)
		in.RateLimitRPM = int(n)
	}},
	field[integrations.NewAPIKey]{name: "expires_at", read: func(in *integrations.NewAPIKey, r *valueReader) {
		if t, ok := r.timestamp(); ok {
			in.ExpiresAt = &t
		}
	}},
)

// create handles POST /api/v1/fdr/tenants/:id/api-keys
// {name, scopes[], rate_limit_rpm?, expires_at?} → 201 {api_key, key}.
func (r apiKeyRoutes) create(c *fiber.Ctx) error {
	in := integrations.NewAPIKey{TenantID: c.Params("id")}
	if err := readBody(c, newAPIKeySchema, &in); err != nil {
		return err
	}
	created, err := r.keys.CreateAPIKey(c.UserContext(), in)
	if err != nil {
		return err
	}
	return respond(c, fiber.StatusCreated, fiber.Map{"api_key": ToAPIKeyJSON(created.APIKey), "key": created.Key})
}
