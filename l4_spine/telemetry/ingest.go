package telemetry

import (
	"context"
	"errors"
	"log/slog"
	"time"

	spine "hoc/l4_spine"
	accountops "hoc/l4_spine/account"
	integrationops "hoc/l4_spine/integrations"
	accountengine "hoc/l5_engines/account"
	integrationsengine "hoc/l5_engines/integrations"
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
	Items            []BatchItem
}

// Record is one usage record as the client sent it, after the HTTP layer's
// field checks; nil pointers are fields it did not send.
type Record = engine.Record

// BatchItem is one record of a batch: either a Record to ingest, or the
// error the HTTP layer already found in it.
type BatchItem = engine.Item

// RecordInvalid is the refusal of a record whose fields break the rules.
func RecordInvalid(fields []spine.FieldError) *spine.Error { return engine.RecordInvalid(fields) }

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

// ingester writes telemetry for the ingest operation. Telemetry needs facts
// from two other domains — the tenant's onboarding (account) and the
// integrations' ownership and status (integrations) — so it asks those
// engines and passes plain values to the telemetry engine: domains meet here,
// in L4. A batch is written in a transaction of its own; a single record
// joins a shared one (see committer).
type ingester struct {
	engine       *engine.Engine
	accounts     *accountengine.Engine
	tenants      *accountops.TenantFacts
	integrations *integrationsengine.Engine
	facts        *integrationops.Facts
	metrics      *ingestMetrics
	tx           spine.TxRunner
	group        *committer
}

// newIngester returns an ingester; start runs its group commit.
func newIngester(a *engine.Engine, accounts *accountengine.Engine, tenants *accountops.TenantFacts,
	integrations *integrationsengine.Engine, facts *integrationops.Facts, m *ingestMetrics, tx spine.TxRunner,
	log *slog.Logger, timeout spine.OperationTimeout) (*ingester, error) {
	if a == nil || accounts == nil || tenants == nil || integrations == nil || facts == nil || m == nil || tx == nil || log == nil {
		return nil, errors.New("telemetry ingester: nil dependency")
	}
	i := &ingester{engine: a, accounts: accounts, tenants: tenants, integrations: integrations, facts: facts,
		metrics: m, tx: tx}
	i.group = newCommitter(i.write, GroupOptions{Timeout: time.Duration(timeout)}, log, m)
	return i, nil
}

// start runs the group commit workers.
func (i *ingester) start() { i.group.start() }

// stop commits what is queued and stops the workers; it runs after the HTTP
// server has stopped, so no acknowledged record is left behind.
func (i *ingester) stop() { i.group.stop() }

// ingest runs after the registry's tenant guard admitted the write (the
// tenant is ACTIVE). One record goes through group commit; several are
// written together. Metrics count what committed: inside a caller's
// transaction, only once it commits.
func (i *ingester) ingest(ctx context.Context, in IngestInput) (IngestResult, error) {
	req, err := i.request(ctx, in)
	if err != nil {
		return IngestResult{}, err
	}
	var res IngestResult
	if len(req.Items) == 1 && req.Items[0].Record != nil {
		res, err = i.group.submit(ctx, req)
	} else {
		var results []engine.IngestResult
		if results, err = i.write(ctx, []engine.IngestRequest{req}); err == nil {
			res = results[0]
		}
	}
	if err != nil {
		return IngestResult{}, err
	}
	spine.AfterCommit(ctx, func() { i.metrics.observe(req.Items, res) })
	return res, nil
}

// request turns the input into the engine's request, with the status of
// every integration the items name (at most integrationops.FactsTTL old).
func (i *ingester) request(ctx context.Context, in IngestInput) (engine.IngestRequest, error) {
	found, err := i.facts.Integrations(ctx, in.TenantID, engine.ReferencedIntegrations(in.KeyIntegrationID, in.Items))
	if err != nil {
		return engine.IngestRequest{}, err
	}
	statuses := make(map[string]string, len(found))
	for id, integ := range found {
		statuses[id] = integ.Status
	}
	return engine.IngestRequest{TenantID: in.TenantID, KeyIntegrationID: in.KeyIntegrationID, Items: in.Items, Integrations: statuses}, nil
}

// write ingests requests atomically and applies the onboarding triggers of
// each tenant that had a record accepted. The engine's write is atomic on
// its own (one statement on Postgres); a transaction is opened only when a
// tenant of the requests may still need its onboarding advanced, so that a
// busy, onboarded tenant's ingest costs one round trip.
func (i *ingester) write(ctx context.Context, reqs []engine.IngestRequest) ([]engine.IngestResult, error) {
	onboarding, err := i.anyOnboarding(ctx, reqs)
	if err != nil {
		return nil, err
	}
	if !onboarding {
		return i.engine.IngestMany(ctx, reqs)
	}
	var results []engine.IngestResult
	err = spine.InTx(ctx, i.tx, func(ctx context.Context) error {
		var err error
		results, err = i.writeAndOnboard(ctx, reqs)
		return err
	})
	return results, err
}

// anyOnboarding reports whether a tenant of reqs is not known to be
// COMPLETE. The tenants were just read by the tenant guard, so this costs
// no query.
func (i *ingester) anyOnboarding(ctx context.Context, reqs []engine.IngestRequest) (bool, error) {
	for _, req := range reqs {
		t, err := i.tenants.Get(ctx, req.TenantID)
		if err != nil {
			return false, err
		}
		if t.Onboarding < accountengine.OnboardingComplete {
			return true, nil
		}
	}
	return false, nil
}

// writeAndOnboard ingests inside the caller's transaction and applies the
// onboarding triggers.
func (i *ingester) writeAndOnboard(ctx context.Context, reqs []engine.IngestRequest) ([]engine.IngestResult, error) {
	results, err := i.engine.IngestMany(ctx, reqs)
	if err != nil {
		return nil, err
	}
	advanced := make(map[string]bool)
	for n, req := range reqs {
		if results[n].Accepted == 0 || advanced[req.TenantID] {
			continue
		}
		advanced[req.TenantID] = true
		if err := i.advanceOnboarding(ctx, req.TenantID, req.KeyIntegrationID); err != nil {
			return nil, err
		}
	}
	return results, nil
}

// advanceOnboarding applies the telemetry triggers: SDK_CONNECTED on the
// first accepted record, and COMPLETE once the tenant also has an enabled
// integration with a live key — which an integration key's own telemetry
// proves without a query. A tenant known to be COMPLETE is skipped without a
// write: onboarding never moves back, so a cached COMPLETE is never stale.
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
	spine.AfterCommit(ctx, func() { i.tenants.Forget(tenantID) })
	return nil
}
