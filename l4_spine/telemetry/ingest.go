package telemetry

import (
	"context"
	"errors"
	"log/slog"
	"time"

	spine "hoc/l4_spine"
	accountops "hoc/l4_spine/account"
	integrationsops "hoc/l4_spine/integrations"
	accountengine "hoc/l5_engines/account"
	"hoc/l5_engines/fault"
	integrationsengine "hoc/l5_engines/integrations"
	pricingengine "hoc/l5_engines/pricing"
	engine "hoc/l5_engines/telemetry"
)

// Ingest is POST /api/v1/telemetry/llm-usage and its /batch.
var Ingest = spine.Declare[IngestInput, IngestResult]("telemetry.records.ingest",
	"Ingest LLM usage records idempotently (one or a batch)",
	spine.Allow(spine.ActorMachine), spine.RequireScope("telemetry:write"))

// IngestInput ingests records for TenantID. KeyIntegrationID is the
// integration of the integration key that sent them ("" for an API key).
// The engine's request adds the integrations' statuses, which the ingester
// looks up.
type IngestInput struct {
	TenantID         string
	KeyIntegrationID string
	Items            []Item
}

// Record is one usage record as the client sent it, after the HTTP layer's
// field checks; nil pointers are fields it did not send.
type Record = engine.Record

// Item is one record of a batch: either a Record to ingest, or the
// error the HTTP layer already found in it.
type Item = engine.Item

// RecordInvalid is the refusal of a record whose fields break the rules.
func RecordInvalid(fields []fault.FieldError) *fault.Error { return engine.RecordInvalid(fields) }

// ItemResult is the outcome of one record, in input order.
type ItemResult = engine.ItemResult

// IngestResult counts the outcomes and lists them in input order.
type IngestResult = engine.IngestResult

// The statuses of an ingested record.
const (
	StatusAccepted  = engine.StatusAccepted
	StatusDuplicate = engine.StatusDuplicate
	StatusConflict  = engine.StatusConflict
	StatusRejected  = engine.StatusRejected
)

// ingester is the ingest operation: the facts ingest needs from two other
// domains (the integrations' ownership and status, the tenant's
// onboarding), one write through the telemetry writer, and the effects
// that follow a commit (metrics, onboarding). Domains meet here, in L4.
type ingester struct {
	writer       *engine.Writer
	prices       *pricingengine.Engine
	accounts     *accountengine.Engine
	tenants      *accountops.TenantFacts
	integrations *integrationsengine.Engine
	facts        *integrationsops.Facts
	metrics      *ingestMetrics
	log          *slog.Logger
}

// newIngester returns an ingester writing through w.
func newIngester(w *engine.Writer, prices *pricingengine.Engine, accounts *accountengine.Engine, tenants *accountops.TenantFacts,
	integrations *integrationsengine.Engine, facts *integrationsops.Facts, m *ingestMetrics, log *slog.Logger) (*ingester, error) {
	if w == nil || prices == nil || accounts == nil || tenants == nil || integrations == nil || facts == nil || m == nil || log == nil {
		return nil, errors.New("telemetry ingester: nil dependency")
	}
	return &ingester{writer: w, prices: prices, accounts: accounts, tenants: tenants, integrations: integrations, facts: facts,
		metrics: m, log: log}, nil
}

// newWriter is the telemetry writer, bounded like every operation.
func newWriter(e *engine.Engine, timeout spine.OperationTimeout, m *ingestMetrics, log *slog.Logger) (*engine.Writer, error) {
	return engine.NewWriter(e, engine.WriterConfig{Timeout: time.Duration(timeout)}, log, m)
}

// ingest runs after the registry's tenant guard admitted the write (the
// tenant is ACTIVE): facts, one write, and what follows its commit.
func (i *ingester) ingest(ctx context.Context, in IngestInput) (IngestResult, error) {
	req, err := i.request(ctx, in)
	if err != nil {
		return IngestResult{}, err
	}
	res, err := i.writer.Write(ctx, req)
	if err != nil {
		return IngestResult{}, err
	}
	spine.AfterCommit(ctx, func() {
		i.metrics.observe(req.Items, res)
		i.onboard(ctx, req, res)
	})
	return res, nil
}

// request turns the input into the engine's request, with the facts of
// three other domains, all from caches: the status of every integration the
// items name (at most integrationsops.FactsTTL old), the tenant's cost
// source (accountops.TenantFactsTTL) and the price table
// (pricingengine.TableTTL).
func (i *ingester) request(ctx context.Context, in IngestInput) (engine.IngestRequest, error) {
	found, err := i.facts.Integrations(ctx, in.TenantID, engine.ReferencedIntegrations(in.KeyIntegrationID, in.Items))
	if err != nil {
		return engine.IngestRequest{}, err
	}
	statuses := make(map[string]string, len(found))
	for id, integ := range found {
		statuses[id] = integ.Status
	}
	tenant, err := i.tenants.Get(ctx, in.TenantID)
	if err != nil {
		return engine.IngestRequest{}, err
	}
	req := engine.IngestRequest{TenantID: in.TenantID, KeyIntegrationID: in.KeyIntegrationID, Items: in.Items,
		Integrations: statuses, CostSource: tenant.CostSource}
	if tenant.CostSource != accountengine.CostSourceClient {
		table, err := i.prices.Table(ctx)
		if err != nil {
			return engine.IngestRequest{}, err
		}
		req.Pricer = tablePricer{table: table, tenantID: in.TenantID}
	}
	return req, nil
}

// onboard applies the telemetry triggers of onboarding (SPEC §2.2) after the
// records committed: SDK_CONNECTED, and COMPLETE once the tenant also has
// an enabled integration with a live key — which an integration key's own
// telemetry proves without a query. A tenant known to be COMPLETE costs
// nothing: onboarding never moves back, so a cached COMPLETE is never stale.
//
// It runs after the commit, not in the write's transaction, so that an
// onboarded tenant's ingest is one statement. The state therefore trails
// the first stored record by the moment between the commit and this
// update; if this update fails, or the process dies in between, it trails
// until the tenant's next accepted or duplicate record, which runs it
// again (a duplicate proves a record was stored). The advances are
// conditional updates that never move a tenant back, so running them twice,
// or on two replicas at once, is harmless. A failure is logged, not
// returned: the records are stored, and the answer must say so.
func (i *ingester) onboard(ctx context.Context, req engine.IngestRequest, res engine.IngestResult) {
	if res.Accepted+res.Duplicates == 0 {
		return
	}
	if err := i.advanceOnboarding(ctx, req.TenantID, req.KeyIntegrationID); err != nil {
		i.log.WarnContext(ctx, "onboarding not advanced after telemetry; the tenant's next record retries",
			slog.String("tenant_id", req.TenantID), slog.String("request_id", spine.RequestID(ctx)), slog.String("error", err.Error()))
	}
}

func (i *ingester) advanceOnboarding(ctx context.Context, tenantID, keyIntegrationID string) error {
	t, err := i.tenants.Get(ctx, tenantID)
	if err != nil {
		return err
	}
	if t.Onboarding >= accountengine.OnboardingComplete {
		return nil
	}
	if _, err := i.accounts.Advance(ctx, tenantID, accountengine.OnboardingSDKConnected, "first accepted telemetry record"); err != nil {
		return err
	}
	live := keyIntegrationID != ""
	if !live {
		if live, err = i.integrations.HasLiveEnabledIntegration(ctx, tenantID); err != nil || !live {
			return err
		}
	}
	if _, err := i.accounts.Advance(ctx, tenantID, accountengine.OnboardingComplete,
		"telemetry sent and an enabled integration has a live key"); err != nil {
		return err
	}
	i.tenants.Forget(tenantID) // so that the next ingest sees COMPLETE and skips all this
	return nil
}
