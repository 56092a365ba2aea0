package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	accountadapter "hoc/l3_adapters/account"
	integrationsadapter "hoc/l3_adapters/integrations"
	spine "hoc/l4_spine"
	accountops "hoc/l4_spine/account"
	integrationsops "hoc/l4_spine/integrations"
	telemetryengine "hoc/l5_engines/telemetry"
	"hoc/l6_drivers/db"
)

// benchLimit is the route and burst limit of the bench's server: request
// protection decides on every request, as in production, but never
// throttles, so the workloads measure work rather than limits.
const benchLimit = 1 << 30

// benchStopTimeout bounds stopping the bench's server, which includes
// deleting the bench's rows: over a million records on a slow disk.
const benchStopTimeout = 10 * time.Minute

// benchHocd is an in-process hocd built exactly as `hocd serve` builds it,
// with what the bench needs from its graph.
type benchHocd struct {
	app          *fx.App
	base         string
	runID        string
	db           *db.DB
	tenants      *accountadapter.Tenants
	integrations *integrationsadapter.Integrations
	telemetry    *telemetryengine.Engine
	metrics      prometheus.Gatherer
	owned        *ownedTenants
}

// benchTenant is a tenant the bench created, with an integration, its key
// and a telemetry:read API key.
type benchTenant struct {
	ID             string
	IntegrationID  string
	IntegrationKey string
	ReadKey        string
}

// startBenchHocd starts the server graph on a free loopback port.
func startBenchHocd(ctx context.Context, cfg Config, log *slog.Logger, progress io.Writer) (*benchHocd, error) {
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	cfg.Addr = addr
	cfg.Protection.Disabled = false
	cfg.Protection.RoutePerMinute, cfg.Protection.BurstPerSecond = benchLimit, benchLimit
	runID := make([]byte, 4)
	if _, err := rand.Read(runID); err != nil {
		return nil, fmt.Errorf("bench run id: %w", err)
	}
	h := &benchHocd{base: "http://" + addr, runID: hex.EncodeToString(runID), owned: &ownedTenants{progress: progress}}
	h.app = fx.New(core(cfg, log), server(cfg),
		fx.Decorate(h.owned.deleteOnStop),
		fx.Populate(&h.db, &h.tenants, &h.integrations, &h.telemetry, &h.metrics))
	if err := h.app.Err(); err != nil {
		return nil, err
	}
	startCtx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if err := h.app.Start(startCtx); err != nil {
		return nil, fmt.Errorf("start hocd: %w", err)
	}
	return h, nil
}

// groupCommits reads from the server's metrics how many single-record
// ingests group commit has written, in how many groups, and the seconds the
// groups' writes took in all.
func (h *benchHocd) groupCommits() (groupTotals, error) {
	families, err := h.metrics.Gather()
	if err != nil {
		return groupTotals{}, fmt.Errorf("gather metrics: %w", err)
	}
	var g groupTotals
	for _, f := range families {
		if len(f.GetMetric()) != 1 {
			continue
		}
		hist := f.GetMetric()[0].GetHistogram()
		switch f.GetName() {
		case "hoc_ingest_group_records":
			g.records, g.groups = hist.GetSampleSum(), float64(hist.GetSampleCount())
		case "hoc_ingest_group_seconds":
			g.seconds = hist.GetSampleSum()
		}
	}
	if g.groups == 0 && g.records == 0 && g.seconds == 0 && len(families) == 0 {
		return groupTotals{}, errors.New("the server exports no group commit metrics")
	}
	return g, nil
}

// groupTotals are the group commit counters at one instant.
type groupTotals struct{ records, groups, seconds float64 }

// since is what happened between before and g.
func (g groupTotals) since(before groupTotals) groupTotals {
	return groupTotals{g.records - before.records, g.groups - before.groups, g.seconds - before.seconds}
}

// freeLoopbackAddr asks the kernel for a free port on 127.0.0.1. The port
// is released before the server binds it, which is good enough on a
// machine that is not handing out ports in a race with the bench.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// stop stops the server gracefully: in-flight requests finish, queued
// protection events are stored, the bench's rows are deleted, the database
// closes.
func (h *benchHocd) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), benchStopTimeout)
	defer cancel()
	if err := h.app.Stop(ctx); err != nil {
		return fmt.Errorf("stop hocd: %w", err)
	}
	return nil
}

// newTenant creates an enterprise tenant through the adapters, as the CLI
// does: an integration with its key, a telemetry:read API key, and
// onboarding COMPLETE so that request protection decides on every request
// instead of exempting a tenant still onboarding. Enterprise has no cost
// budget, so the rate and burst path is what protection measures, not the
// budget warning a free tenant would hit after a few records.
func (h *benchHocd) newTenant(ctx context.Context, role string) (benchTenant, error) {
	ctx = spine.WithActor(ctx, cliActor())
	t, err := h.tenants.Create(ctx, accountops.NewTenant{Name: "hocd bench " + role + " " + h.runID, Plan: "enterprise"})
	if err != nil {
		return benchTenant{}, fmt.Errorf("create %s tenant: %w", role, describe(err))
	}
	h.owned.add(t.ID)
	created, err := h.integrations.Create(ctx, integrationsops.NewIntegration{TenantID: t.ID, Name: "bench", ProviderType: "openai"})
	if err != nil {
		return benchTenant{}, fmt.Errorf("create %s integration: %w", role, describe(err))
	}
	key, err := h.integrations.CreateAPIKey(ctx, integrationsops.NewAPIKey{TenantID: t.ID, Name: "bench", Scopes: []string{"telemetry:read"}})
	if err != nil {
		return benchTenant{}, fmt.Errorf("create %s API key: %w", role, describe(err))
	}
	_, err = h.tenants.AdvanceOnboarding(ctx, accountops.AdvanceOnboardingInput{TenantID: t.ID, TargetState: "COMPLETE", Reason: "hocd bench"})
	if err != nil {
		return benchTenant{}, fmt.Errorf("complete %s onboarding: %w", role, describe(err))
	}
	return benchTenant{ID: t.ID, IntegrationID: created.Integration.ID, IntegrationKey: created.Key, ReadKey: key.Key}, nil
}

// ownedTenants are the tenants the bench created. Every row of theirs is
// deleted when the server stops.
type ownedTenants struct {
	progress io.Writer
	mu       sync.Mutex
	ids      []string
}

func (o *ownedTenants) add(id string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ids = append(o.ids, id)
}

// ownedTables are the tables holding tenants' rows, children before the
// tables their foreign keys point at.
var ownedTables = []string{"usage_records", "usage_daily", "protection_events", "integration_keys", "api_keys",
	"integrations", "tenant_events", "tenants"}

// deleteOnStop decorates the graph's database with a stop hook that deletes
// the owned tenants' rows. Hooks stop in reverse order, and this one is
// appended as soon as the database exists, before any of the database's
// users: so it runs after the HTTP server has drained its requests and the
// protection recorder has stored its queue, and before the database closes.
// Whatever ends the bench (an error, Ctrl-C), nothing it wrote remains.
func (o *ownedTenants) deleteOnStop(lc fx.Lifecycle, d *db.DB) *db.DB {
	lc.Append(fx.StopHook(func(ctx context.Context) error { return o.delete(ctx, d) }))
	return d
}

// delete removes every row of the owned tenants in one transaction.
func (o *ownedTenants) delete(ctx context.Context, d *db.DB) error {
	o.mu.Lock()
	ids := append([]string(nil), o.ids...)
	o.mu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	start := time.Now()
	var deleted int64
	err := d.InTx(ctx, func(ctx context.Context) error {
		for _, table := range ownedTables {
			column := "tenant_id"
			if table == "tenants" {
				column = "id"
			}
			res := d.Conn(ctx).Exec("DELETE FROM "+table+" WHERE "+column+" IN ?", ids)
			if res.Error != nil {
				return fmt.Errorf("delete the bench's %s: %w", table, res.Error)
			}
			deleted += res.RowsAffected
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(o.progress, "bench: deleted %d rows of %d bench tenants in %v\n", deleted, len(ids), time.Since(start).Round(time.Millisecond))
	return nil
}
