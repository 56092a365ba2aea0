package telemetry

import "time"

// The sources of a record's cost (SPEC §8).
const (
	// CostSourceClient: the client's figures stand — it sent cost_micros,
	// its tenant chose client figures, or no price covers the call.
	CostSourceClient = "client"
	// CostSourcePriceTable: hoc priced the call from the price table.
	CostSourcePriceTable = "price_table"
	// CostSourceUnpriced: no price covers the call and the client's cost
	// is 0 cents for a call that used tokens — a total it is part of is
	// low, and the unpriced-models list says so.
	CostSourceUnpriced = "unpriced"
)

// Pricer prices calls from the price table as the pricing domain resolves
// it, for one tenant; the spine binds it per request.
type Pricer interface {
	// Price returns the cost of r, made at at, in micro-dollars and the id
	// of the price row used, or false when no price covers it.
	Price(r *Record, at time.Time) (micros int64, priceID string, ok bool)
}

// recordCost is the cost a record is stored with.
type recordCost struct {
	micros, cents int64
	source        string
	clientCents   *int64
	priceID       *string
}

// decideCost decides who prices a record (SPEC §8). A record that carries
// cost_micros keeps it. Otherwise, unless its tenant's setting is
// CostSourceClient, the price table prices it when a row covers the call:
// cost_micros is the table's exact cost, cost_cents that rounded half up,
// and the client's cents are kept beside them. Any other record keeps the
// client's cents (×10,000 micro-dollars), and is unpriced when they are 0
// for a call that used tokens.
func decideCost(r *Record, at time.Time, tenantSource string, pricer Pricer) recordCost {
	c := recordCost{micros: r.CostCents * microsPerCent, cents: r.CostCents, source: CostSourceClient}
	if r.CostMicros != nil {
		c.micros = *r.CostMicros
		return c
	}
	if tenantSource != CostSourceClient && pricer != nil {
		if micros, id, ok := pricer.Price(r, at); ok {
			client := r.CostCents
			return recordCost{micros: micros, cents: MicrosToCents(micros), source: CostSourcePriceTable, clientCents: &client, priceID: &id}
		}
	}
	if r.CostCents == 0 && r.TokensIn+r.TokensOut > 0 {
		c.source = CostSourceUnpriced
	}
	return c
}
