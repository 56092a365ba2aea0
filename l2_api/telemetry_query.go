package api

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"hoc/l4_spine/telemetry"
	"hoc/l5_engines/fault"
)

// dateLayout is the format of start_date and end_date: UTC calendar days.
const dateLayout = "2006-01-02"

// registerQueries adds the telemetry query routes.
func (r telemetryRoutes) registerQueries(rt router) {
	rt.v1.Get("/telemetry/usage-summary", rt.guard, r.summary)
	rt.v1.Get("/telemetry/usage-history", rt.guard, r.history)
	rt.v1.Get("/telemetry/daily-aggregates", rt.guard, r.daily)
	rt.v1.Get("/telemetry/unpriced-models", rt.guard, r.unpricedModels)
}

// unpricedModelJSON is a model seen without a price, with its calls.
type unpricedModelJSON struct {
	Provider string `json:"provider"`
	Model    string `json:"model"`
	Calls    int64  `json:"calls"`
}

// unpricedModels handles GET /api/v1/telemetry/unpriced-models with the
// summary's window parameters.
func (r telemetryRoutes) unpricedModels(c *fiber.Ctx) error {
	in, err := rangeInput(c)
	if err != nil {
		return err
	}
	models, err := r.telemetry.UnpricedModels(c.UserContext(), in)
	if err != nil {
		return err
	}
	out := make([]unpricedModelJSON, len(models))
	for i, m := range models {
		out[i] = unpricedModelJSON{Provider: m.Provider, Model: m.Model, Calls: m.Calls}
	}
	return respond(c, fiber.StatusOK, out)
}

// rangeInput reads integration_id, start_date and end_date.
func rangeInput(c *fiber.Ctx) (telemetry.RangeRequest, error) {
	start, end, err := dates(c)
	return telemetry.RangeRequest{IntegrationID: c.Query("integration_id"), StartDate: start, EndDate: end}, err
}

// dates reads start_date and end_date. A date that is not YYYY-MM-DD is
// 400; the window's rules are the engine's.
func dates(c *fiber.Ctx) (start, end string, err error) {
	start, end = c.Query("start_date"), c.Query("end_date")
	for _, p := range []struct{ name, value string }{{"start_date", start}, {"end_date", end}} {
		name, v := p.name, p.value
		if v == "" {
			continue
		}
		if _, err := time.Parse(dateLayout, v); err != nil {
			return "", "", fault.InvalidRequest(name + " must be a date in the form YYYY-MM-DD")
		}
	}
	return start, end, nil
}

type totalsJSON struct {
	TotalCalls            int64  `json:"total_calls"`
	TotalTokensIn         int64  `json:"total_tokens_in"`
	TotalTokensOut        int64  `json:"total_tokens_out"`
	TotalCostCents        int64  `json:"total_cost_cents"`
	TotalCostMicros       int64  `json:"total_cost_micros"`
	AvgLatencyMS          *int64 `json:"avg_latency_ms"`
	ErrorCount            int64  `json:"error_count"`
	BlockedCount          int64  `json:"blocked_count"`
	TotalCacheReadTokens  int64  `json:"total_cache_read_tokens"`
	TotalCacheWriteTokens int64  `json:"total_cache_write_tokens"`
	TotalReasoningTokens  int64  `json:"total_reasoning_tokens"`
	UnpricedCalls         int64  `json:"unpriced_calls"`
}

func toTotalsJSON(t telemetry.Totals) totalsJSON {
	return totalsJSON{
		TotalCalls: t.Calls, TotalTokensIn: t.TokensIn, TotalTokensOut: t.TokensOut, TotalCostCents: t.CostCents,
		TotalCostMicros: t.CostMicros, AvgLatencyMS: t.AvgLatencyMS, ErrorCount: t.ErrorCount, BlockedCount: t.BlockedCount,
		TotalCacheReadTokens: t.CacheReadTokens, TotalCacheWriteTokens: t.CacheWriteTokens,
		TotalReasoningTokens: t.ReasoningTokens, UnpricedCalls: t.UnpricedCalls,
	}
}

type summaryJSON struct {
	TenantID    string `json:"tenant_id"`
	PeriodStart string `json:"period_start"`
	PeriodEnd   string `json:"period_end"`
	totalsJSON
	ByIntegration []integrationUsageJSON `json:"by_integration"`
	ByModel       []modelUsageJSON       `json:"by_model"`
}

type integrationUsageJSON struct {
	IntegrationID   string `json:"integration_id"`
	IntegrationName string `json:"integration_name"`
	ProviderType    string `json:"provider_type"`
	TotalCalls      int64  `json:"total_calls"`
	TotalTokensIn   int64  `json:"total_tokens_in"`
	TotalTokensOut  int64  `json:"total_tokens_out"`
	TotalTokens     int64  `json:"total_tokens"`
	TotalCostCents  int64  `json:"total_cost_cents"`
	TotalCostMicros int64  `json:"total_cost_micros"`
	ErrorCount      int64  `json:"error_count"`
	BlockedCount    int64  `json:"blocked_count"`
}

type modelUsageJSON struct {
	Provider              string `json:"provider"`
	Model                 string `json:"model"`
	TotalCalls            int64  `json:"total_calls"`
	TotalTokensIn         int64  `json:"total_tokens_in"`
	TotalTokensOut        int64  `json:"total_tokens_out"`
	TotalCostCents        int64  `json:"total_cost_cents"`
	TotalCostMicros       int64  `json:"total_cost_micros"`
	TotalCacheReadTokens  int64  `json:"total_cache_read_tokens"`
	TotalCacheWriteTokens int64  `json:"total_cache_write_tokens"`
	TotalReasoningTokens  int64  `json:"total_reasoning_tokens"`
	UnpricedCalls         int64  `json:"unpriced_calls"`
}

// summary handles GET /api/v1/telemetry/usage-summary.
func (r telemetryRoutes) summary(c *fiber.Ctx) error {
	in, err := rangeInput(c)
	if err != nil {
		return err
	}
	s, err := r.telemetry.Summary(c.UserContext(), in)
	if err != nil {
		return err
	}
	out := summaryJSON{TenantID: s.TenantID, PeriodStart: s.PeriodStart, PeriodEnd: s.PeriodEnd, totalsJSON: toTotalsJSON(s.Totals),
		ByModel: make([]modelUsageJSON, len(s.ByModel))}
	if s.ByIntegration != nil {
		out.ByIntegration = make([]integrationUsageJSON, len(s.ByIntegration))
		for i, u := range s.ByIntegration {
			out.ByIntegration[i] = integrationUsageJSON{
				IntegrationID: u.IntegrationID, IntegrationName: u.IntegrationName, ProviderType: u.ProviderType,
				TotalCalls: u.Calls, TotalTokensIn: u.TokensIn, TotalTokensOut: u.TokensOut, TotalTokens: u.TokensIn + u.TokensOut,
				TotalCostCents: u.CostCents, TotalCostMicros: u.CostMicros, ErrorCount: u.ErrorCount, BlockedCount: u.BlockedCount,
			}
		}
	}
	for i, m := range s.ByModel {
		out.ByModel[i] = modelUsageJSON{Provider: m.Provider, Model: m.Model, TotalCalls: m.Calls,
			TotalTokensIn: m.TokensIn, TotalTokensOut: m.TokensOut, TotalCostCents: m.CostCents, TotalCostMicros: m.CostMicros,
			TotalCacheReadTokens: m.CacheReadTokens, TotalCacheWriteTokens: m.CacheWriteTokens,
			TotalReasoningTokens: m.ReasoningTokens, UnpricedCalls: m.UnpricedCalls}
	}
	return respond(c, fiber.StatusOK, out)
}

type dailyJSON struct {
	Date          string `json:"date"`
	IntegrationID string `json:"integration_id"`
	totalsJSON
}

// daily handles GET /api/v1/telemetry/daily-aggregates.
func (r telemetryRoutes) daily(c *fiber.Ctx) error {
	in, err := rangeInput(c)
	if err != nil {
		return err
	}
	rows, err := r.telemetry.Daily(c.UserContext(), in)
	if err != nil {
		return err
	}
	out := make([]dailyJSON, len(rows))
	for i, row := range rows {
		out[i] = dailyJSON{Date: row.Date, IntegrationID: row.IntegrationID, totalsJSON: toTotalsJSON(row.Totals)}
	}
	return respond(c, fiber.StatusOK, out)
}

type recordJSON struct {
	ID            string          `json:"id"`
	TenantID      string          `json:"tenant_id"`
	IntegrationID string          `json:"integration_id"`
	CallID        string          `json:"call_id"`
	Provider      string          `json:"provider"`
	Model         string          `json:"model"`
	TokensIn      int64           `json:"tokens_in"`
	TokensOut     int64           `json:"tokens_out"`
	CostCents     int64           `json:"cost_cents"`
	CostMicros    int64           `json:"cost_micros"`
	LatencyMS     *int64          `json:"latency_ms"`
	SessionID     *string         `json:"session_id"`
	AgentID       *string         `json:"agent_id"`
	PolicyResult  string          `json:"policy_result"`
	ErrorCode     *string         `json:"error_code"`
	ErrorMessage  *string         `json:"error_message"`
	Metadata      json.RawMessage `json:"metadata"`
	OccurredAt    string          `json:"occurred_at"`
	ReceivedAt    string          `json:"received_at"`
	// The token detail, who decided the cost, the client's own cents when
	// the price table did, and the price row it used.
	CacheReadTokens  int64   `json:"cache_read_tokens"`
	CacheWriteTokens int64   `json:"cache_write_tokens"`
	ReasoningTokens  int64   `json:"reasoning_tokens"`
	CostSource       string  `json:"cost_source"`
	ClientCostCents  *int64  `json:"client_cost_cents"`
	PriceID          *string `json:"price_id"`
}

// historyInput reads integration_id, start_date and end_date, cursor, limit
// (1..1000, default 50) and offset (0..maxOffset). A value that is not an
// integer or a date is 400; one out of range is 422, with every such field
// listed.
func historyInput(c *fiber.Ctx) (telemetry.HistoryRequest, error) {
	in := telemetry.HistoryRequest{IntegrationID: c.Query("integration_id"), Limit: 50, Cursor: c.Query("cursor")}
	var err error
	if in.StartDate, in.EndDate, err = dates(c); err != nil {
		return in, err
	}
	var fields fault.Fields
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &in.Limit}, {"offset", &in.Offset}} {
		name, dst := p.name, p.dst
		v := c.Query(name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return in, fault.InvalidRequest(name + " must be an integer")
		}
		*dst = n
	}
	if in.Limit < 1 || in.Limit > 1000 {
		fields.Add("limit", "must be between 1 and 1000")
	}
	if in.Offset < 0 || in.Offset > maxOffset {
		fields.Add("offset", "must be between 0 and %d", maxOffset)
	}
	return in, fields.Err()
}

// history handles GET /api/v1/telemetry/usage-history with an optional
// window of days, limit (1..1000, default 50) and offset or cursor.
func (r telemetryRoutes) history(c *fiber.Ctx) error {
	in, err := historyInput(c)
	if err != nil {
		return err
	}
	p, err := r.telemetry.History(c.UserContext(), in)
	if err != nil {
		return err
	}
	items := make([]recordJSON, len(p.Items))
	for i, rec := range p.Items {
		items[i] = recordJSON{
			ID: rec.ID, TenantID: rec.TenantID, IntegrationID: rec.IntegrationID, CallID: rec.CallID,
			Provider: rec.Provider, Model: rec.Model, TokensIn: rec.TokensIn, TokensOut: rec.TokensOut,
			CostCents: rec.CostCents, CostMicros: rec.CostMicros, LatencyMS: rec.LatencyMS, SessionID: rec.SessionID,
			AgentID: rec.AgentID, PolicyResult: rec.PolicyResult, ErrorCode: rec.ErrorCode, ErrorMessage: rec.ErrorMessage,
			Metadata: rec.Metadata, OccurredAt: formatTime(rec.OccurredAt), ReceivedAt: formatTime(rec.ReceivedAt),
			CacheReadTokens: rec.CacheReadTokens, CacheWriteTokens: rec.CacheWriteTokens, ReasoningTokens: rec.ReasoningTokens,
			CostSource: rec.CostSource, ClientCostCents: rec.ClientCostCents, PriceID: rec.PriceID,
		}
	}
	pg := offsetPage(p.Total, in.Limit, in.Offset, len(items))
	if in.Cursor != "" {
		// In cursor mode the page number counts from the cursor and has_more
		// says whether the cursor leads anywhere.
		pg.Offset, pg.HasMore = 0, p.NextCursor != ""
	}
	pg.NextCursor = p.NextCursor
	return respondPage(c, items, pg)
}
