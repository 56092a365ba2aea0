package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	spine "hoc/l4_spine"
	protectionengine "hoc/l5_engines/protection"
	protectiondb "hoc/l6_drivers/protection"
)

// benchMicro measures the two in-process costs every request pays, with
// testing.Benchmark: a call through the operation registry and a request
// protection decision. They have no external baseline; their targets are
// absolute.
func benchMicro() ([]benchRow, error) {
	registry, err := benchRegistryDispatch()
	if err != nil {
		return nil, fmt.Errorf("registry dispatch: %w", err)
	}
	decision, err := benchProtectionDecision()
	if err != nil {
		return nil, fmt.Errorf("protection decision: %w", err)
	}
	return []benchRow{
		{Name: "registry_dispatch", Description: "registry dispatch of a no-op operation", Hoc: microFigures(registry),
			Target: "≤ 1 µs, ≤ 3 allocs"},
		{Name: "protection_decision", Description: "protection decision (memory backend, read)", Hoc: microFigures(decision),
			Target: "≤ 1 µs"},
	}, nil
}

func microFigures(r testing.BenchmarkResult) benchFigures {
	return benchFigures{nsPerOp(float64(r.T.Nanoseconds()) / float64(r.N)), allocsPerOp(r.AllocsPerOp())}
}

// noopIO is the input and output of the no-op operation.
type noopIO struct{ N int }

// benchNoop declares the no-op operation the first time it is needed.
//
// spine.Declare records every operation in a process-wide catalog, and a
// registry built from the graph (the server's) refuses to start when a
// cataloged operation has no handler. So the operation is not a
// package-level declaration, which would stop `hocd serve` from starting:
// it is declared only when the registry benchmark runs, after the bench's
// server has built its registry, and nothing in the bench process builds
// another. The command's test runs the bench in a child process, so that
// the declaration never reaches the test binary's other servers.
var benchNoop = sync.OnceValue(func() *spine.Handle[noopIO, noopIO] {
	return spine.Declare[noopIO, noopIO]("bench.registry.noop", "Do nothing (hocd bench)")
})

// benchRegistryDispatch times one call through a registry holding only the
// no-op operation, through the whole middleware chain, from a context that
// carries a deadline as every HTTP request's does (so the deadline
// middleware starts no timer of its own, as on the request path).
func benchRegistryDispatch() (testing.BenchmarkResult, error) {
	op := benchNoop()
	reg, err := spine.New(spine.Config{Logger: slog.New(slog.DiscardHandler)},
		spine.Bind(op, func(_ context.Context, in noopIO) (noopIO, error) { return in, nil }))
	if err != nil {
		return testing.BenchmarkResult{}, err
	}
	ctx, cancel := context.WithTimeout(spine.WithActor(context.Background(), spine.Actor{Type: spine.ActorFounder, ID: "bench"}),
		spine.DefaultTimeout)
	defer cancel()
	var callErr error
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := op.Call(ctx, reg, noopIO{N: 1}); err != nil {
				callErr = err
				b.FailNow()
			}
		}
	})
	return res, callErr
}

// decisionTenants is how many tenants the decision benchmark spreads over,
// so that it measures a populated state rather than one hot bucket.
const decisionTenants = 10_000

// benchProtectionDecision times one decision on a dashboard read for a
// tenant with onboarding complete, with the default limits, over many
// tenants on the memory backend. The clock moves 100 µs per decision, so
// each tenant sees about one request a second and every decision admits.
func benchProtectionDecision() (testing.BenchmarkResult, error) {
	engine, err := protectionengine.NewEngine(protectiondb.NewMemory(protectiondb.MemoryOptions{}), discardEvents{},
		protectionengine.DefaultLimits(), slog.New(slog.DiscardHandler))
	if err != nil {
		return testing.BenchmarkResult{}, err
	}
	reqs := make([]protectionengine.Request, decisionTenants)
	for i := range reqs {
		key := uuid.NewString()
		reqs[i] = protectionengine.Request{TenantID: uuid.NewString(), ActorType: string(spine.ActorMachine),
			ActorID: key, CredentialKey: "api_key:" + key, Route: summaryPath, Path: summaryPath, Method: "GET",
			Facts: protectionengine.Facts{Plan: "pro", OnboardingComplete: true}}
	}
	ctx := context.Background()
	start := time.Now()
	var tick int
	var decideErr error
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tick++
			r := reqs[tick%len(reqs)]
			r.Now = start.Add(time.Duration(tick) * 100 * time.Microsecond)
			if d := engine.Decide(ctx, r); d.Outcome != protectionengine.OutcomeAllow {
				decideErr = fmt.Errorf("decision %d: %s %s", tick, d.Outcome, d.Dimension)
				b.FailNow()
			}
		}
	})
	return res, decideErr
}

// discardEvents drops protection events; an admitted read records none.
type discardEvents struct{}

func (discardEvents) Record(protectionengine.Event) {}
