package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	pricingadapter "hoc/l3_adapters/pricing"
	"hoc/l4_spine/pricing"
	"hoc/l5_engines/fault"
)

// priceJSON is a row of the price table (SPEC §8). Prices are decimal
// strings of dollars per million tokens, exact.
type priceJSON struct {
	ID            string    `json:"id"`
	Scope         string    `json:"scope"`
	TenantID      *string   `json:"tenant_id"`
	Provider      string    `json:"provider"`
	Model         string    `json:"model"`
	EffectiveFrom string    `json:"effective_from"`
	USDPerMTok    ratesJSON `json:"usd_per_mtok"`
	Tier          *tierJSON `json:"tier"`
	Source        string    `json:"source"`
	CreatedAt     string    `json:"created_at"`
}

type ratesJSON struct {
	Input      string `json:"input"`
	Output     string `json:"output"`
	CacheRead  string `json:"cache_read"`
	CacheWrite string `json:"cache_write"`
}

type tierJSON struct {
	AboveInputTokens int64     `json:"above_input_tokens"`
	USDPerMTok       ratesJSON `json:"usd_per_mtok"`
}

func toPriceJSON(p pricing.Price) priceJSON {
	out := priceJSON{ID: p.ID, Scope: "global", Provider: p.Provider, Model: p.Model,
		EffectiveFrom: formatTime(p.EffectiveFrom), USDPerMTok: toRatesJSON(p.Rates), Source: p.Source,
		CreatedAt: formatTime(p.CreatedAt)}
	if p.TenantID != "" {
		id := p.TenantID
		out.Scope, out.TenantID = "tenant", &id
	}
	if p.Tier != nil {
		out.Tier = &tierJSON{AboveInputTokens: p.Tier.AboveInputTokens, USDPerMTok: toRatesJSON(p.Tier.Rates)}
	}
	return out
}

func toRatesJSON(r pricing.Rates) ratesJSON {
	return ratesJSON{Input: r.Input.String(), Output: r.Output.String(), CacheRead: r.CacheRead.String(), CacheWrite: r.CacheWrite.String()}
}

// rateText is a body's usd_per_mtok, as text the engine reads exactly.
type rateText struct{ input, output, cacheRead, cacheWrite string }

// newTierText is a body's tier.
type newTierText struct {
	above int64
	rates rateText
}

var (
	rateSchema = newSchema(
		field[rateText]{name: "input", read: func(t *rateText, r *valueReader) { t.input = r.decimalText() }},
		field[rateText]{name: "output", read: func(t *rateText, r *valueReader) { t.output = r.decimalText() }},
		field[rateText]{name: "cache_read", read: func(t *rateText, r *valueReader) { t.cacheRead = r.decimalText() }},
		field[rateText]{name: "cache_write", read: func(t *rateText, r *valueReader) { t.cacheWrite = r.decimalText() }},
	)
	tierSchema = newSchema(
		field[newTierText]{name: "above_input_tokens", required: true, read: func(t *newTierText, r *valueReader) {
			t.above, _ = r.integer(1, 1_000_000_000)
		}},
		field[newTierText]{name: "usd_per_mtok", required: true, read: func(t *newTierText, r *valueReader) {
			readNested(r, rateSchema, &t.rates)
		}},
	)
	// priceSchema is the body of POST /api/v1/prices and /api/v1/fdr/prices;
	// the pricing engine decides the values.
	priceSchema = newSchema(
		field[pricing.NewPrice]{name: "provider", required: true, read: func(p *pricing.NewPrice, r *valueReader) {
			p.Provider, _ = r.text(0, noLimit)
		}},
		field[pricing.NewPrice]{name: "model", required: true, read: func(p *pricing.NewPrice, r *valueReader) {
			p.Model, _ = r.text(0, noLimit)
		}},
		field[pricing.NewPrice]{name: "effective_from", required: true, read: func(p *pricing.NewPrice, r *valueReader) {
			if t, ok := r.timestamp(); ok {
				p.EffectiveFrom = &t
			}
		}},
		field[pricing.NewPrice]{name: "usd_per_mtok", required: true, read: func(p *pricing.NewPrice, r *valueReader) {
			var t rateText
			readNested(r, rateSchema, &t)
			p.Input, p.Output, p.CacheRead, p.CacheWrite = t.input, t.output, t.cacheRead, t.cacheWrite
		}},
		field[pricing.NewPrice]{name: "tier", read: func(p *pricing.NewPrice, r *valueReader) {
			var t newTierText
			readNested(r, tierSchema, &t)
			p.Tier = &pricing.NewTier{AboveInputTokens: t.above, Input: t.rates.input, Output: t.rates.output,
				CacheRead: t.rates.cacheRead, CacheWrite: t.rates.cacheWrite}
		}},
		field[pricing.NewPrice]{name: "source", read: func(p *pricing.NewPrice, r *valueReader) {
			p.Source, _ = r.text(0, noLimit)
		}},
	)
)

type priceRoutes struct{ prices *pricingadapter.Prices }

// register adds the price routes: a tenant's (protected) and the founder's
// global list.
func (r priceRoutes) register(rt router) {
	rt.v1.Get("/prices", rt.guard, r.list)
	rt.v1.Post("/prices", rt.guard, r.add)
	rt.v1.Get("/prices/resolve", rt.guard, r.resolve)
	rt.fdr.Get("/prices", r.listGlobal)
	rt.fdr.Post("/prices", r.addGlobal)
}

// list handles GET /api/v1/prices?limit=&offset=: the prices in effect for
// the tenant's calls, by provider and model.
func (r priceRoutes) list(c *fiber.Ctx) error {
	return r.page(c, r.prices.List)
}

// listGlobal handles GET /api/v1/fdr/prices?limit=&offset=.
func (r priceRoutes) listGlobal(c *fiber.Ctx) error {
	return r.page(c, r.prices.ListGlobal)
}

func (r priceRoutes) page(c *fiber.Ctx, list func(ctx context.Context, q pricing.PriceQuery) (pricing.PricePage, error)) error {
	limit, offset, err := listParams(c)
	if err != nil {
		return err
	}
	p, err := list(c.UserContext(), pricing.PriceQuery{Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	items := make([]priceJSON, len(p.Items))
	for i, price := range p.Items {
		items[i] = toPriceJSON(price)
	}
	return respondPage(c, items, offsetPage(p.Total, limit, offset, len(items)))
}

// add handles POST /api/v1/prices → 201 the tenant's new row.
func (r priceRoutes) add(c *fiber.Ctx) error {
	return r.create(c, "tenant", r.prices.Add)
}

// addGlobal handles POST /api/v1/fdr/prices → 201 the new global row.
func (r priceRoutes) addGlobal(c *fiber.Ctx) error {
	return r.create(c, "operator", r.prices.AddGlobal)
}

func (r priceRoutes) create(c *fiber.Ctx, defaultSource string, add func(ctx context.Context, p pricing.NewPrice) (pricing.Price, error)) error {
	var in pricing.NewPrice
	if err := readBody(c, priceSchema, &in); err != nil {
		return err
	}
	if in.Source == "" {
		in.Source = defaultSource
	}
	p, err := add(c.UserContext(), in)
	if err != nil {
		return err
	}
	return respond(c, fiber.StatusCreated, toPriceJSON(p))
}

// resolve handles GET /api/v1/prices/resolve?provider=&model=&at=: the row
// that would price such a call (at defaults to now), or null.
func (r priceRoutes) resolve(c *fiber.Ctx) error {
	q := pricing.ResolveQuery{Provider: c.Query("provider"), Model: c.Query("model"), At: time.Now().UTC()}
	var fields fault.Fields
	if q.Provider == "" {
		fields.Add("provider", "is required")
	}
	if q.Model == "" {
		fields.Add("model", "is required")
	}
	if err := fields.Err(); err != nil {
		return err
	}
	if v := c.Query("at"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return fault.InvalidRequest("at must be an RFC 3339 timestamp")
		}
		q.At = t.UTC()
	}
	res, err := r.prices.Resolve(c.UserContext(), q)
	if err != nil {
		return err
	}
	out := struct {
		Price *priceJSON `json:"price"`
	}{}
	if res.Price != nil {
		p := toPriceJSON(*res.Price)
		out.Price = &p
	}
	return respond(c, fiber.StatusOK, out)
}
