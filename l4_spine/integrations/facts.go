package integrations

import (
	"context"
	"crypto/sha256"
	"errors"
	"time"

	spine "hoc/l4_spine"
	"hoc/l4_spine/cache"
	"hoc/l5_engines/fault"
	engine "hoc/l5_engines/integrations"
)

// FactsTTL is how long a verified machine credential, and an integration
// read for the per-request checks (ingest's status check, protection's
// budget), are reused without reading them again. A key revoked, frozen or
// rotated away, an integration disabled, deleted or given new limits on
// another replica (or by the CLI) therefore takes effect within two
// seconds; the replica that makes the change drops its cached facts when
// the change commits.
const FactsTTL = 2 * time.Second

// maxCachedFacts bounds each cache.
const maxCachedFacts = 100_000

// Facts reads credentials and integrations for the checks every request
// makes, through caches of FactsTTL. Unknown keys and integrations are not
// cached: only what exists is.
type Facts struct {
	engine       *engine.Engine
	credentials  *cache.TTL[[sha256.Size]byte, spine.Actor]
	integrations *cache.TTL[integrationRef, engine.Integration]
}

type integrationRef struct{ tenantID, id string }

// NewFacts returns facts read through e on the clock now.
func NewFacts(e *engine.Engine, now func() time.Time) (*Facts, error) {
	if e == nil || now == nil {
		return nil, errors.New("integration facts: nil engine or clock")
	}
	return &Facts{
		engine:       e,
		credentials:  cache.New[[sha256.Size]byte, spine.Actor](FactsTTL, maxCachedFacts, now),
		integrations: cache.New[integrationRef, engine.Integration](FactsTTL, maxCachedFacts, now),
	}, nil
}

// Integrations returns the tenant's live integrations among ids, at most
// FactsTTL old, reading the ones it does not hold in one query. Ids that
// name no live integration of the tenant are absent.
func (f *Facts) Integrations(ctx context.Context, tenantID string, ids []string) (map[string]engine.Integration, error) {
	found := make(map[string]engine.Integration, len(ids))
	var missing []string
	for _, id := range ids {
		if i, ok := f.integrations.Get(integrationRef{tenantID, id}); ok {
			found[id] = i
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return found, nil
	}
	read, err := f.engine.GetIntegrations(ctx, tenantID, missing)
	if err != nil {
		return nil, err
	}
	for id, i := range read {
		f.integrations.Put(integrationRef{tenantID, id}, i)
		found[id] = i
	}
	return found, nil
}

// Integration returns one live integration of the tenant, at most FactsTTL
// old, or NOT_FOUND.
func (f *Facts) Integration(ctx context.Context, tenantID, id string) (engine.Integration, error) {
	found, err := f.Integrations(ctx, tenantID, []string{id})
	if err != nil {
		return engine.Integration{}, err
	}
	i, ok := found[id]
	if !ok {
		return engine.Integration{}, fault.NotFound("integration")
	}
	return i, nil
}

// credential returns the actor of a presented key verified at most FactsTTL
// ago, or verifies it with verify and keeps the actor until the lifetime
// ends or until, if sooner, the key expires.
func (f *Facts) credential(kind, key string, verify func() (spine.Actor, time.Time, error)) (spine.Actor, error) {
	ref := sha256.Sum256([]byte(kind + "\x00" + key))
	if a, ok := f.credentials.Get(ref); ok {
		return a, nil
	}
	a, expires, err := verify()
	if err != nil {
		return spine.Actor{}, err
	}
	f.credentials.PutUntil(ref, a, expires)
	return a, nil
}

// forgetAfterCommit drops every cached credential and integration once the
// change in ctx commits: changes are rare, and dropping everything cannot
// miss a fact the change affects.
func (f *Facts) forgetAfterCommit(ctx context.Context) {
	spine.AfterCommit(ctx, func() {
		f.credentials.Clear()
		f.integrations.Clear()
	})
}
